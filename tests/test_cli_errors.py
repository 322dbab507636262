"""Every failure of the `lf` command is one line and exit 2; user text is shown literally."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import pandas as pd
import pytest
from rich.console import Console

import lf
from lf.cli import cli, main
from lf.display import BIDI_CONTROLS
from lf.report import print_report, write_html
from lf.summary import summarize, totals

MARKUP_LFS = (
    "from lf import ABSTAIN, labeling_function\n"
    "LABELS = ['[/bold]HAM', '[link=http://x]SPAM']\n"
    "@labeling_function(name='[/bold]')\n"
    "def a(x):\n"
    "    return 0 if 'a' in x.text else ABSTAIN\n"
    "@labeling_function(name='[link=http://x]b')\n"
    "def b(x):\n"
    "    return 1 if 'b' in x.text else ABSTAIN\n"
    "@labeling_function(name=':thumbs_up: ok\\u202eevil')\n"
    "def c(x):\n"
    "    return 1 if 'c' in x.text else ABSTAIN\n"
)


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def markup_case(tmp_path: Path) -> tuple[Path, Path]:
    lfs = tmp_path / "markup_lfs.py"
    lfs.write_text(MARKUP_LFS)
    data = tmp_path / "d.csv"
    data.write_text("text,gold\nabc,0\nbcd,1\nxyz,0\n")
    return lfs, data


def test_markup_in_names_is_printed_literally(markup_case: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lfs, data = markup_case
    out_dir = tmp_path / "[bold]out"  # markup in a path, echoed by the status line
    out_dir.mkdir()
    code, _, err = run(capsys, "apply", data, "--lfs", lfs, "-o", out_dir / "L.parquet")
    assert code == 0, err
    assert "[bold]out" in err
    code, out, err = run(capsys, "report", out_dir / "L.parquet")
    assert code == 0, err
    for text in ("[/bold]", "[link=http://x]b", "[/bold]HAM", "[link=http://x]SPAM", ":thumbs_up: ok"):
        assert text in out
    code, _, err = run(capsys, "label", data, "--lfs", lfs, "-o", tmp_path / "labels.parquet", "--model", "MajorityVoter")
    assert code == 0, err
    assert "([/bold]HAM 0, [link=http://x]SPAM 2, no label 1)" in err  # the third row has no vote


def test_markup_in_an_error_message_is_printed_literally(markup_case: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    lfs, data = markup_case
    code, _, err = run(capsys, "report", data, "--lfs", lfs, "--gold", "[/bold]")
    assert code == 2
    assert "--gold column '[/bold]' is not in the data" in err
    assert len(err.strip().splitlines()) == 1


def test_terminal_report_never_makes_links_or_emoji(markup_case: tuple[Path, Path]) -> None:
    lfs, data = markup_case
    L = lf.apply(lf.load_lfs(lfs), data)
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=200, color_system="truecolor")
    print_report(summarize(L), totals(L), labels=L.labels, console=console)
    shown = buf.getvalue()
    assert "\x1b]8;" not in shown  # no OSC 8 hyperlink
    assert "[link=http://x]b" in shown and ":thumbs_up:" in shown and "\N{THUMBS UP SIGN}" not in shown


def test_bidi_controls_are_made_visible_in_terminal_and_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lfs = tmp_path / "bidi_lfs.py"
    lfs.write_text(
        "from lf import ABSTAIN, labeling_function\n"
        "LABELS = ['HAM\\u2066', 'SPAM\\u200f']\n"
        "@labeling_function(name='good\\u202eevil')\n"
        "def a(x):\n"
        "    return 0 if 'a' in x.text else ABSTAIN\n"
        "@labeling_function(name='b\\u202a')\n"
        "def b(x):\n"
        "    return 1 if 'b' in x.text else ABSTAIN\n"
    )
    data = tmp_path / "d.csv"
    data.write_text("text\nabc\u202eevil\nbcd\u2067\n\u200exyz\n", encoding="utf-8")
    html = tmp_path / "r.html"
    code, out, err = run(capsys, "report", data, "--lfs", lfs, "--html", html, "--model", "MajorityVoter")
    assert code == 0, err
    assert not BIDI_CONTROLS & set(out + err)
    assert "good\\u202eevil" in out and "HAM\\u2066" in out and "SPAM\\u200f" in out
    page = html.read_text(encoding="utf-8")
    assert not BIDI_CONTROLS & set(page)
    assert "good\\u202eevil" in page and "abc\\u202eevil" in page and "\\u200exyz" in page
    # the embedded JSON still holds the names exactly (as JSON escapes)
    L = lf.apply(lf.load_lfs(lfs), data)
    assert not BIDI_CONTROLS & set(write_html(tmp_path / "lib.html", L, texts=pd.read_csv(data)["text"]).read_text(encoding="utf-8"))


def _with_command(name: str, exc: BaseException) -> click.Command:
    @click.command(name)
    def fails() -> None:
        raise exc

    return fails


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (ValueError("a bug"), "internal error: ValueError: a bug (run again with LF_TRACEBACK=1 for the traceback)"),
        (KeyError("k"), "internal error: KeyError: 'k' (run again with LF_TRACEBACK=1 for the traceback)"),
        (PermissionError(13, "Permission denied", "/x/y.csv"), "error: Cannot access '/x/y.csv': Permission denied."),
        (lf.errors.DataError("[/bold] bad"), "error: [/bold] bad"),
    ],
)
def test_unexpected_exceptions_are_one_line(
    exc: Exception, expected: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LF_TRACEBACK", raising=False)
    cli.add_command(_with_command("raise-for-test", exc))
    try:
        code, _, err = run(capsys, "raise-for-test")
        assert (code, err.strip()) == (2, expected)
        monkeypatch.setenv("LF_TRACEBACK", "1")
        with pytest.raises(type(exc)):
            main(["raise-for-test"])
    finally:
        cli.commands.pop("raise-for-test")


def test_ctrl_c_in_an_lf_module_prints_interrupted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lfs = tmp_path / "ctrl_c.py"
    lfs.write_text("raise KeyboardInterrupt\n")
    data = tmp_path / "d.csv"
    data.write_text("text\na\n")
    code, _, err = run(capsys, "apply", data, "--lfs", lfs, "-o", tmp_path / "L.parquet")
    assert (code, err.strip()) == (130, "interrupted")


def test_sigint_during_a_run_exits_130_and_writes_nothing(tmp_path: Path) -> None:
    started = tmp_path / "started"
    lfs = tmp_path / "slow.py"
    lfs.write_text(
        "import pathlib, time\n"
        "from lf import ABSTAIN, labeling_function\n"
        "@labeling_function()\n"
        "def slow(x):\n"
        f"    pathlib.Path({str(started)!r}).touch()\n"
        "    for _ in range(600):  # short sleeps: a signal that lands before one starts is seen at the next\n"
        "        time.sleep(0.1)\n"
        "    return ABSTAIN\n"
    )
    data = tmp_path / "d.csv"
    data.write_text("text\na\nb\n")
    # `python -m lf`, with Ctrl-C's usual handler: a suite started in the background by a
    # script inherits SIGINT ignored, and so would the command (then ignoring Ctrl-C, as
    # it should: not what is tested here)
    run_lf = "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); runpy.run_module('lf', run_name='__main__')"
    proc = subprocess.Popen(
        [sys.executable, "-c", run_lf, "apply", str(data), "--lfs", str(lfs), "-o", str(tmp_path / "L.parquet")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(lf.__file__).parents[1])},
    )
    try:
        deadline = time.monotonic() + 60
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert started.exists(), proc.stderr.read() if proc.stderr else ""
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert (proc.returncode, err.strip()) == (130, "interrupted")
    assert not list(tmp_path.glob("*L.parquet*"))


DEMO = Path(__file__).resolve().parents[1] / "datasets" / "demo" / "comments.csv"
DEMO_LFS = Path(__file__).resolve().parents[1] / "labeling_functions" / "demo_spam.py"


@pytest.mark.parametrize(
    ("args", "option", "problem"),
    [
        (["label", DEMO, "--lfs", DEMO_LFS, "-o", "{tmp}/y.csv", "--matrix", "{tmp}/nodir/L.parquet"], "--matrix", "the folder '{tmp}/nodir' does not exist"),
        (["label", DEMO, "--lfs", DEMO_LFS, "-o", "{tmp}/y.csv", "--matrix", "{tmp}/L.txt"], "--matrix", "use a .parquet or .npz file name"),
        (["label", DEMO, "--lfs", DEMO_LFS, "-o", "{tmp}/nodir/y.csv", "--matrix", "{tmp}/L.parquet"], "-o", "the folder '{tmp}/nodir' does not exist"),
        (["apply", DEMO, "--lfs", DEMO_LFS, "-o", "{tmp}/nodir/L.parquet"], "-o", "the folder '{tmp}/nodir' does not exist"),
        (["fit", "{tmp}/L.parquet", "-o", "{tmp}/nodir/m.json"], "-o", "the folder '{tmp}/nodir' does not exist"),
        (["report", "{tmp}/L.parquet", "--html", "{tmp}/nodir/r.html"], "--html", "the folder '{tmp}/nodir' does not exist"),
    ],
)
def test_a_missing_output_folder_names_the_option(
    args: list[object], option: str, problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lf.LabelMatrix([[0, 1, 1]], names=["a", "b", "c"]).save(tmp_path / "L.parquet")
    code, _, err = run(capsys, *[str(a).format(tmp=tmp_path) for a in args])
    assert code == 2
    names_option = f"Invalid value for '{option}':" in err or err.startswith(f"error: {option} ")
    assert names_option and problem.format(tmp=tmp_path) in err, err
    assert len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["L.parquet"]


@pytest.mark.parametrize(
    ("source", "line", "error"),
    [
        ("import lf\n\nx = (1,\n", 3, "SyntaxError: '(' was never closed"),
        ("import lf\n\ndef helper():\n    return {}['missing']\n\nVALUE = helper()\n", 4, "KeyError: 'missing'"),
        ("import lf\nraise RuntimeError('two\\nlines')\n", 2, "RuntimeError: two lines"),
    ],
)
def test_an_lf_module_failing_at_import_is_one_line_with_file_and_line(
    source: str, line: int, error: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LF_TRACEBACK", raising=False)
    module = tmp_path / "broken_lfs.py"
    module.write_text(source)
    code, _, err = run(capsys, "apply", DEMO, "--lfs", module, "-o", tmp_path / "L.parquet")
    assert code == 2
    assert err.strip() == f"error: Importing the LF module {str(module)!r} failed: {module}:{line}: {error}"
    with pytest.raises(lf.errors.LFImportError) as info:
        lf.load_lfs(module)
    assert info.value.__cause__ is not None  # the full traceback stays reachable (LF_TRACEBACK=1)
    monkeypatch.setenv("LF_TRACEBACK", "1")
    with pytest.raises(lf.errors.LFImportError):
        main(["apply", str(DEMO), "--lfs", str(module), "-o", str(tmp_path / "L.parquet")])


def test_an_error_raised_in_a_package_submodule_names_that_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    package = tmp_path / "my_lf_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("import lf\nfrom . import rules\n")
    (package / "rules.py").write_text("import pandas as pd\n\nFRAME = pd.read_csv('no_such_file_here.csv')\n")
    code, _, err = run(capsys, "apply", DEMO, "--lfs", package, "-o", tmp_path / "L.parquet")
    assert code == 2
    assert f"failed: {package / 'rules.py'}:3: FileNotFoundError:" in err  # the user's line, not pandas'
    assert len(err.strip().splitlines()) == 1


def test_a_message_quoting_a_multi_line_row_stays_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "bad.csv"
    data.write_text('text,gold\n"a\nb",1,extra\nc,0\n')
    code, _, err = run(capsys, "apply", data, "--lfs", DEMO_LFS, "-o", tmp_path / "L.parquet")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1
    # pyarrow names the row ("Row #2: ") when it knows it, which depends on its reader's timing;
    # the lines it spans are named first
    prefix = f"error: Could not read {str(data)!r} as CSV: line 2 (to line 3): CSV parse error: "
    assert re.fullmatch(re.escape(prefix) + r"(Row #\d+: )?" + re.escape('Expected 2 columns, got 3: "a\\nb",1,extra.'), lines[0])


@pytest.mark.parametrize("args", [(), ("cache",), ("datasets",), ("labelstudio",)])
def test_a_command_group_alone_shows_its_help_not_an_escaped_error_line(capsys: pytest.CaptureFixture[str], args: tuple[str, ...]) -> None:
    # `lf` or `lf cache` alone printed "error: Usage: lf cache ...\n\n  Inspect ..." as one
    # line of several hundred characters with literal "\n"s.
    code, out, err = run(capsys, *args)
    assert code == 0 and err == ""
    assert out.startswith(f"Usage: {' '.join(('lf', *args))} [OPTIONS] COMMAND [ARGS]...")
    assert "Commands:" in out and "\\n" not in out
    assert max(len(line) for line in out.splitlines()) <= 80


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (("labelstudio", "export", "rows.csv", "-o", "tasks.csv", "--labels", "A,B"), "lf labelstudio export"),
        (("cache", "info"), "lf cache info"),
        (("sample", "d.csv", "-o", "s.parquet"), "lf sample"),
    ],
)
def test_a_usage_error_names_the_help_of_the_command_that_failed(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], command: str
) -> None:
    # "see 'lf export --help'" sent a user to a command that does not exist
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err.strip().endswith(f"(see '{command} --help')") and len(err.strip().splitlines()) == 1
    assert main([*command.split()[1:], "--help"]) == 0


@pytest.mark.parametrize("as_json", [False, True])
def test_a_reader_that_stops_early_is_not_reported_as_a_failed_gate(tmp_path: Path, as_json: bool) -> None:
    """`lf rows ... | head -1`: the pipe closes while lf writes. rich and click then exit 1,
    the code of a failed quality gate; lf exits 141, as a shell reports a process stopped
    by SIGPIPE, and prints nothing more."""
    root = Path(__file__).resolve().parents[1]
    args = [sys.executable, "-m", "lf", "rows", str(root / "datasets" / "demo" / "comments.csv"),
            "--lfs", str(root / "labeling_functions" / "demo_spam.py"), "-n", "2000", *(["--json"] if as_json else [])]
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()  # 2,000 rows are far more than a pipe's buffer holds
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=120) == 141, err
    assert first.startswith(b'{"row": 0' if as_json else b"row 0") and err == ""


def test_a_broken_pipe_that_is_not_stdout_is_still_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # only a closed stdout is the reader going away; a worker's pipe breaking is a failure
    (tmp_path / "d.csv").write_text("text\nhi\n")
    (tmp_path / "m.py").write_text("from lf import keyword_lf\nhi = keyword_lf('hi', ['hi'], 1)\n")

    def broken(*args: object, **kwargs: object) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(lf, "load_lfs", broken)
    code, out, err = run(capsys, "rows", tmp_path / "d.csv", "--lfs", tmp_path / "m.py")
    assert (code, out, err.strip()) == (2, "", "error: Broken pipe.")


RAISING_LFS = (
    "from lf import ABSTAIN, labeling_function\n"
    "LABELS = ['HAM', 'SPAM']\n"
    "@labeling_function()\n"
    "def boom(x):\n"
    "    if 'b' in x.text:\n"
    "        raise ValueError('bad row')\n"
    "    return ABSTAIN\n"
    "@labeling_function()\n"
    "def has_y(x):\n"
    "    return 1 if 'y' in x.text else ABSTAIN\n"
    "@labeling_function()\n"
    "def has_x(x):\n"
    "    return 0 if 'x' in x.text else ABSTAIN\n"
)


@pytest.mark.parametrize("command", ["label", "apply", "report", "rows", "sample"])
def test_an_lf_that_raises_names_the_cli_option_that_counts_it_as_abstain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    lfs = tmp_path / "lfs.py"
    lfs.write_text(RAISING_LFS)
    data = tmp_path / "d.csv"
    data.write_text("id,text\nr1,abc\nr2,xyz\n")
    mv = ["--model", "mv"]  # fits on two rows
    extra = {"label": ["-o", tmp_path / "l.parquet", *mv], "apply": ["-o", tmp_path / "L.parquet"], "sample": ["-o", tmp_path / "s.csv", *mv]}
    code, _, err = run(capsys, command, data, "--lfs", lfs, *extra.get(command, []))
    assert code == 2
    assert err.count("\n") == 1, err
    assert "raised on row 0 (id 'r1')" in err and "ValueError: bad row" in err
    assert "add --on-error abstain" in err and "on_error=" not in err  # the option, not Python's
    code, _, err = run(capsys, command, data, "--lfs", lfs, *extra.get(command, []), "--on-error", "abstain")
    assert code == 0, err  # the option the message names is one the command takes


def test_lf_suggest_which_has_no_on_error_option_names_only_the_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lfs = tmp_path / "lfs.py"
    lfs.write_text(RAISING_LFS)
    data = tmp_path / "d.csv"
    data.write_text("text,label\nabc,HAM\nxyz,SPAM\n")
    code, _, err = run(capsys, "suggest", data, "--gold-data", data, "--gold", "label", "--lfs", lfs, "-o", tmp_path / "s.py")
    assert code == 2
    assert "ValueError: bad row. Fix the LF." in err
    assert "on_error" not in err and "on-error" not in err


def test_python_callers_are_still_told_the_parameter(tmp_path: Path) -> None:
    lfs = tmp_path / "lfs.py"
    lfs.write_text(RAISING_LFS)
    with pytest.raises(lf.errors.LFRuntimeError, match="pass on_error='abstain'"):
        lf.apply(lf.load_lfs(lfs), pd.DataFrame({"text": ["abc"]}))


@pytest.mark.parametrize(("option", "value"), [("--n-jobs", "0"), ("--n-jobs", "-3"), ("--chunk-size", "0")])
def test_a_bad_n_jobs_or_chunk_size_names_the_option_not_the_python_parameter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    lfs = tmp_path / "lfs.py"
    lfs.write_text(RAISING_LFS)
    data = tmp_path / "d.csv"
    data.write_text("id,text\nr1,xyz\n")
    code, _, err = run(capsys, "apply", data, "--lfs", lfs, "-o", tmp_path / "L.parquet", option, value)
    assert code == 2
    assert f"'{option}': {value} is" in err and "n_jobs" not in err and "chunk_size" not in err, err
    assert not (tmp_path / "L.parquet").exists()


def test_a_csv_with_only_its_header_is_named_as_the_file_without_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lfs = tmp_path / "lfs.py"
    lfs.write_text(RAISING_LFS)
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("id,text\n")
    second.write_text("id,text\n")
    code, _, err = run(capsys, "apply", first, "--lfs", lfs, "-o", tmp_path / "L.parquet")
    assert code == 2
    assert err == f"error: The data file {str(first)!r} has no rows: nothing to label.\n"
    code, _, err = run(capsys, "label", first, second, "--lfs", lfs, "-o", tmp_path / "l.parquet", "--model", "mv")
    assert code == 2
    assert err == f"error: None of the 2 data files ({str(first)!r} ...) has a row: nothing to label.\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv", "lfs.py"]


@pytest.mark.parametrize("module", [RAISING_LFS, "from lf import keyword_lf\nLABELS = ['HAM', 'SPAM']\nk = keyword_lf('k', ['b'], 1)\n"])
def test_data_without_a_text_column_points_to_text_column(tmp_path: Path, capsys: pytest.CaptureFixture[str], module: str) -> None:
    # the corpus names its text `body`: a row LF's x.text and a keyword LF's column both
    # miss it, and the fix is the option that exposes `body` as `text`
    lfs = tmp_path / "lfs.py"
    lfs.write_text(module)
    data = tmp_path / "d.csv"
    data.write_text("id,body\nr1,abc\n")
    code, _, err = run(capsys, "apply", data, "--lfs", lfs, "-o", tmp_path / "L.parquet")
    assert code == 2 and err.count("\n") == 1
    assert "'text'" in err and "id, body" in err.replace("'", "")
    assert "pass --text-column COLUMN (text_column= in Python)" in err
    code, _, err = run(capsys, "apply", data, "--lfs", lfs, "-o", tmp_path / "L.parquet", "--text-column", "body", "--on-error", "abstain")
    assert code == 0, err


@pytest.mark.parametrize("command", ["label", "report"])
def test_rows_an_lf_raised_on_under_on_error_abstain_are_counted_in_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    # the count was only in the table's `err` column: a run looked clean
    lfs = tmp_path / "lfs.py"
    lfs.write_text(RAISING_LFS)
    data = tmp_path / "d.csv"
    data.write_text("id,text\nr1,abc\nr2,xyz\nr3,bbb\n")
    extra = ["-o", tmp_path / "l.parquet", "--model", "mv"] if command == "label" else []
    code, _, err = run(capsys, command, data, "--lfs", lfs, *extra, "--on-error", "abstain")
    assert code == 0, err
    assert "warning: boom raised on 2 rows of 3, counted as abstains (--on-error abstain)" in err
    assert "has_y" not in err and "has_x" not in err  # the LFs that did not raise are not named


def test_lf_fit_given_the_data_instead_of_its_matrix_says_how_to_make_the_matrix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "d.csv"
    data.write_text("id,text\nr1,abc\n")
    code, _, err = run(capsys, "fit", data, "-o", tmp_path / "m.json")
    assert code == 2
    assert err == (
        f"error: Cannot read a LabelMatrix from {str(data)!r}: expected a .npz or .parquet file. It looks like "
        "data: `lf apply DATA --lfs MODULE -o L.parquet` makes a matrix of it.\n"
    )


@pytest.mark.parametrize("suffix", [".parquet", ".npz"])
def test_a_saved_matrix_given_as_data_with_lfs_is_named_as_a_matrix(tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str) -> None:
    lfs = tmp_path / "lfs.py"
    lfs.write_text(RAISING_LFS)
    data = tmp_path / "d.csv"
    data.write_text("id,text\nr1,abc\nr2,xyz\n")
    matrix = tmp_path / f"L{suffix}"
    code, _, err = run(capsys, "apply", data, "--lfs", lfs, "-o", matrix, "--on-error", "abstain")
    assert code == 0, err
    for args in (["report", matrix, "--lfs", lfs], ["label", matrix, "--lfs", lfs, "-o", tmp_path / "p.parquet"]):
        code, _, err = run(capsys, *args)
        assert code == 2
        assert err == (
            f"error: {str(matrix)!r} (DATA) is a label matrix saved by lf, not data: `lf report {matrix}` (without "
            "--lfs) reports on it; as DATA, give the data it was made from.\n"
        )
    code, _, err = run(capsys, "report", matrix, "--data", matrix)
    assert code == 2 and f"{str(matrix)!r} (--data) is a label matrix saved by lf" in err
    code, _, err = run(capsys, "report", matrix, "--data", data)  # the matrix with its data still works
    assert code == 0, err


def test_a_misspelled_dataset_name_is_not_called_a_missing_data_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    lfs = tmp_path / "lfs.py"
    lfs.write_text(RAISING_LFS)
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "label", "yotube", "--lfs", lfs, "-o", "l.parquet", "--model", "mv")
    assert code == 2
    assert err == "error: 'yotube' is neither a data file nor a dataset lf knows: did you mean the dataset 'youtube'? (`lf datasets list` lists them.)\n"
    with pytest.raises(lf.errors.DataError, match="did you mean the dataset 'youtube'"):
        lf.apply(lf.load_lfs(lfs), "yotube")
    code, _, err = run(capsys, "label", "nothing_like_it", "--lfs", lfs, "-o", "l.parquet", "--model", "mv")
    assert err == "error: Data file not found: 'nothing_like_it'.\n"


def test_a_glob_close_to_a_dataset_name_reads_the_files_it_matches(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    lfs = tmp_path / "lfs.py"
    lfs.write_text(RAISING_LFS)
    monkeypatch.chdir(tmp_path)
    pd.DataFrame({"text": ["xy", "x"]}).to_csv("youtube_1.csv", index=False)
    pd.DataFrame({"text": ["y"]}).to_csv("youtube_2.csv", index=False)
    code, _, err = run(capsys, "apply", "youtube*", "--lfs", lfs, "-o", "L.parquet")
    assert code == 0 and err.startswith("wrote L.parquet: 3 rows x 3 LFs"), err
    assert lf.LabelMatrix.load(tmp_path / "L.parquet").n == 3
    assert lf.apply(lf.load_lfs(lfs), "youtube*").n == 3
    code, _, err = run(capsys, "apply", "yotube*", "--lfs", lfs, "-o", "L.parquet")
    assert (code, err) == (2, "error: The pattern 'yotube*' matches no data file.\n")


def test_more_worker_processes_than_the_machine_can_run_are_refused_before_any_fork(
    markup_case: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `--n-jobs 100000` (a row count typed for it) forked a worker per chunk of the 2,000
    # demo rows, chunks shrunk to fit the workers: minutes for what one process does in a second.
    lfs, data = markup_case
    too_many = 8 * (os.cpu_count() or 1) + 1
    code, _, err = run(capsys, "apply", data, "--lfs", lfs, "-o", tmp_path / "L.parquet", "--n-jobs", too_many)
    assert code == 2 and not (tmp_path / "L.parquet").exists()
    assert err.startswith(f"error: Invalid value for '--n-jobs': {too_many:,} is more worker processes than 8 for each")
    assert f"Give at most {too_many - 1}, or -1 for one per CPU." in err and len(err.splitlines()) == 1
    with pytest.raises(lf.errors.ParameterError, match=rf"`n_jobs`: {too_many:,} is more worker processes"):
        lf.apply(lf.load_lfs(lfs), data, n_jobs=too_many, progress=False)
    code, _, err = run(capsys, "apply", data, "--lfs", lfs, "-o", tmp_path / "L.parquet", "--n-jobs", too_many - 1)
    assert code == 0, err
