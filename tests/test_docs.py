"""What README.md and docs/*.md say about the CLI and the API is true of the code: every
`lf ...` command they show exists with the options they give it, and the columns they list
for `lf.summarize` are the columns it returns."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import numpy as np
import pandas as pd
import pytest

import lf
from lf.cli import cli, main

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

FENCE = re.compile(r"^```[a-z]*\n(.*?)^```", re.DOTALL | re.MULTILINE)
INLINE = re.compile(r"`([^`\n]+)`")
COMMAND = re.compile(r"^(?:\$ |\.venv/bin/)?lf ([a-z][a-z ]*)(.*)$", re.DOTALL)
OPTION = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")


def _fenced_commands(block: str) -> Iterator[str]:
    """Command lines of a fenced block, continuation lines (indented, or after a trailing
    backslash) joined to the line they continue; comments after `#` dropped."""
    current: str | None = None
    for raw in block.splitlines():
        line = raw.split("  #")[0].rstrip()
        continued = current is not None and (raw[:1].isspace() or current.endswith("\\"))
        if continued and current is not None:
            current = current.rstrip("\\") + " " + line.strip()
            continue
        if current is not None:
            yield current
        current = line.strip() if COMMAND.match(line.strip()) else None
    if current is not None:
        yield current


def _commands(text: str) -> Iterator[str]:
    for block in FENCE.findall(text):
        yield from _fenced_commands(block)
    for span in INLINE.findall(FENCE.sub("", text)):
        if COMMAND.match(span):
            yield span


def _resolve(words: list[str]) -> tuple[click.Command, list[str]]:
    command: click.Command = cli
    path = []
    while isinstance(command, click.Group) and words and words[0] in command.commands:
        path.append(words.pop(0))
        command = command.commands[path[-1]]
    assert path, f"`lf {' '.join(words)}` names no lf command"
    return command, path


def _documented() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        for cmd in _commands(doc.read_text(encoding="utf-8")):
            found.append((doc.name, cmd))
    return found


DOCUMENTED = _documented()


def test_the_docs_show_commands() -> None:
    names = {" ".join(_resolve(c[3:].split())[1]) for _, c in DOCUMENTED if c.startswith("lf ")}
    # the synopsis of README's "Command line" section names every command
    assert {"apply", "label", "fit", "report", "suggest", "train", "predict", "rows", "sample"} <= names
    assert {"labelstudio export", "labelstudio import", "cache info", "datasets fetch"} <= names


@pytest.mark.parametrize(("doc", "line"), DOCUMENTED)
def test_documented_command_and_options_exist(doc: str, line: str) -> None:
    match = COMMAND.match(line)
    assert match is not None
    words = match.group(1).split() + match.group(2).split()
    command, path = _resolve(words)
    if isinstance(command, click.Group):
        # `lf cache` alone names the group; `lf cache show DIR` names no command
        assert not words, f"{doc}: `lf {' '.join(path)}` has no command {words[0]!r}: {line!r}"
        return
    known = {opt for p in command.params for opt in [*p.opts, *p.secondary_opts]}
    used = {o for o in OPTION.findall(match.group(2)) if o not in ("-", "--")}
    unknown = sorted(used - known)
    assert not unknown, f"{doc}: `lf {' '.join(path)}` has no option {unknown}: {line!r}"


def test_summarize_columns_are_the_ones_the_readme_lists() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = re.search(r"`lf\.summarize\(L, y=None, model=None\)` returns a DataFrame indexed by LF with\s+`([^`]+)`", text)
    assert listed is not None, "README no longer lists lf.summarize's columns"
    columns = [c.strip() for c in listed.group(1).split(",")]
    L = np.array([[0, 1, -1], [1, 1, 0], [-1, 0, 0]])
    assert columns == list(lf.summarize(L, y=np.array([0, 1, 0])).columns)


@pytest.mark.filterwarnings("default:.*the dev scores are not held out:UserWarning")  # --dev is the matrix itself
def test_model_auto_takes_the_class_balance_from_dev_as_the_help_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo, lfs = ROOT / "datasets" / "demo" / "comments.csv", ROOT / "labeling_functions" / "demo_spam.py"
    matrix = tmp_path / "L.parquet"
    assert main(["apply", str(demo), "--lfs", str(lfs), "-o", str(matrix)]) == 0
    capsys.readouterr()
    fit = ["fit", str(matrix), "--model", "auto", "-o", str(tmp_path / "m.json")]
    code = main([*fit, "--dev", str(matrix), "--dev-data", str(demo), "--dev-gold", "label"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "class balance: dev gold labels (2,000 rows)" in out + err
    assert main(["fit", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "with --model auto, 'dev'" in help_text


def test_the_python_api_example_runs_as_written_from_the_project_folder() -> None:
    """README's first Python example, run as a user pastes it into a script in the project
    folder: every name it uses is defined there, and it prints one row per LF."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Python API\n", 1)[1]
    example = FENCE.search(section)
    assert example is not None and example.group(0).startswith("```python")
    code = example.group(1) + "assert probs.shape == (len(L), 2)\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    printed = [line.split()[0] for line in done.stdout.splitlines() if line.strip()]
    assert {"promo", "url", "short"} <= set(printed), done.stdout


def test_the_demo_figures_of_the_overconfidence_passage_are_what_the_model_gives() -> None:
    """README quotes the demo corpus's LabelModel as overconfident: the learned accuracy of
    `short_comment` next to its accuracy on gold, and the mean probability on covered rows
    next to the model's accuracy there. They are the figures a user gets."""
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    quoted = re.search(
        r"demo corpus's `LabelModel` does it \(`short_comment` learned ([0-9.]+) right, ([0-9.]+) on gold; "
        r"mean probability ([0-9.]+) on the covered rows for an accuracy of ([0-9.]+)\)",
        text,
    )
    assert quoted is not None, "README no longer quotes the demo corpus's overconfident LabelModel"
    demo = ROOT / "datasets" / "demo" / "comments.csv"
    L = lf.apply(lf.load_lfs(ROOT / "labeling_functions" / "demo_spam.py"), demo)
    with pytest.warns(lf.models.OverconfidenceWarning, match="short_comment"):
        model = lf.models.LabelModel().fit(L)
    gold = lf.analysis.gold_labels(L, pd.read_csv(demo)["label"], L.cardinality)
    row = lf.summarize(L, y=gold, model=model).loc["short_comment"]
    covered = (L.array != lf.ABSTAIN).any(axis=1)
    proba = model.predict_proba(L)[covered]
    accuracy = (proba.argmax(axis=1) == gold[covered]).mean()
    got = [row["learned_acc"], row["emp_acc"], proba.max(axis=1).mean(), accuracy]
    assert [f"{v:.2f}" for v in got] == list(quoted.groups())


def _resolves(dotted: str) -> bool:
    """Whether ``lf.a.b`` names a module, or an attribute of the longest module prefix."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(found, name):
                return False
            found = getattr(found, name)
        return True
    return False


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_lf_name_the_docs_give_exists(doc: Path) -> None:
    names = {m.rstrip(".") for m in re.findall(r"(?<![\w./-])lf(?:\.[A-Za-z_]\w*)+", doc.read_text(encoding="utf-8"))}
    missing = sorted(n for n in names if not _resolves(n))
    assert not missing, f"{doc.name} names {missing}, which lf does not have"
