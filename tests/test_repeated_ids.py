"""Row ids that name several rows: `lf label`, `lf apply`, `lf sample` and `lf predict` say so once, naming
one such id and its rows (a later join by id would be ambiguous, and is refused there)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lf.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
LFS = ROOT / "labeling_functions" / "demo_spam.py"


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # shown as the CLI shows it, one stderr line
        code = main([str(a) for a in args])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("command", ["label", "apply", "apply .npz", "sample"])
def test_an_output_of_data_with_a_repeated_id_warns_once(tmp_path: Path, capsys, suffix: str, command: str):
    rows = pd.read_csv(DEMO, keep_default_na=False, dtype=str).head(600)
    rows["id"] = np.arange(600) if suffix == ".parquet" else [f"c{i}" for i in range(600)]
    rows.loc[450, "id"] = rows.loc[30, "id"]  # another chunk (--chunk-size 100) repeats it
    data = tmp_path / f"data{suffix}"
    rows.to_parquet(data, index=False) if suffix == ".parquet" else rows.to_csv(data, index=False)
    out = tmp_path / ("out.csv" if command == "sample" else "out.npz" if command.endswith(".npz") else "out.parquet")
    extra = ["--model", "mv"] if command == "sample" else []
    code, err = run(capsys, command.split()[0], data, "--lfs", LFS, "-o", out, "--chunk-size", "100", "--no-progress", *extra)
    assert code == 0 and out.exists()
    named = "'30'" if suffix == ".parquet" else "'c30'"
    assert err.count("warning:") == 1 and f"repeats row ids: {named} names 2 rows." in err
    assert "refused: give every row its own id" in err


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_unique_ids_in_any_order_give_no_warning(tmp_path: Path, capsys, suffix: str):
    rows = pd.read_csv(DEMO, keep_default_na=False, dtype=str).head(300).sample(frac=1, random_state=0)
    data = tmp_path / f"data{suffix}"
    rows.to_parquet(data, index=False) if suffix == ".parquet" else rows.to_csv(data, index=False)
    code, err = run(capsys, "label", data, "--lfs", LFS, "-o", tmp_path / "l.parquet", "--chunk-size", "50", "--no-progress")
    assert code == 0 and "warning" not in err


def test_ids_compare_as_text_and_ascending_ids_are_checked_as_they_pass():
    from lf._repeated_ids import Ascending, repeated_ids

    seen = Ascending()
    for chunk in (np.arange(0, 5), np.arange(5, 9)):
        seen.add(chunk)
    assert seen.holds  # numbered rows: nothing to keep, nothing to sort
    seen.add(np.array([8, 9]))  # the next chunk starts with the last id again
    assert not seen.holds
    strings = Ascending()
    strings.add(np.array(["a1", "a2"]))
    assert strings.holds
    strings.add(np.array(["a2", "a3"]))
    assert not strings.holds
    mixed = [np.array([7, 8], dtype=object), np.array(["7", "x"], dtype=object)]
    assert repeated_ids(mixed) == ("7", 2, 1)  # 7 (JSON Lines) and "7" (CSV) are one id
    assert repeated_ids([np.array([1.0, 2.0], dtype=object), np.array([1], dtype=object)]) is None  # "1.0" vs "1"
    assert repeated_ids([np.array([None, "a", None], dtype=object)]) is None  # missing ids are not repeats
    assert repeated_ids([np.array(["a", "b", "a", "b", "b"])]) == ("b", 3, 2)  # the most repeated
    assert repeated_ids([np.array(["b", "a", "b", "a", "a"])]) == ("a", 3, 2)


def test_ids_far_apart_are_compared_not_subtracted(tmp_path: Path, capsys):
    # 64-bit hash ids span the whole int64 range: a difference of two of them wraps around,
    # and a falling pair (high, low) looked ascending, so the high id repeated in the next
    # chunk went unsaid
    high, low = 2**63 - 5, -(2**63) + 7
    rows = pd.read_csv(DEMO, keep_default_na=False, dtype=str).head(3)
    rows["id"] = np.array([high, low, high], dtype=np.int64)
    data = tmp_path / "data.parquet"
    rows.to_parquet(data, index=False)
    code, err = run(capsys, "label", data, "--lfs", LFS, "-o", tmp_path / "l.parquet", "--chunk-size", "2", "--no-progress")
    assert code == 0 and err.count("repeats row ids") == 1
    assert f"repeats row ids: '{high}' names 2 rows." in err


def test_a_csvs_numbered_ids_are_checked_as_they_pass_not_sorted_after():
    # a CSV holds its ids as text: "10" sorts before "9", so the usual numbering 1, 2, ...
    # looked unordered and every run sorted a hash of every id after the pass
    from lf._repeated_ids import Ascending

    seen = Ascending()
    for start in range(1, 600, 100):
        seen.add(np.array([str(i) for i in range(start, start + 100)], dtype=object))
    assert seen.holds
    seen.add(np.array(["600", "600"], dtype=object))
    assert not seen.holds
    for written in (["8", "9", "009"], ["1", None, "2"], ["7", " 8"], ["-1", "-2"]):
        other = Ascending()  # other texts than plain numbers, missing ids, a fall: not ascending as numbers
        other.add(np.array(written, dtype=object))
        assert not other.holds, written


def test_predict_warns_of_ids_that_name_several_rows(tmp_path: Path, capsys):
    """`lf predict` wrote a file whose ids repeat without a word, where `lf label` warns;
    ascending ids are not read back, and draw no warning."""
    labels, model = tmp_path / "labels.parquet", tmp_path / "model"
    assert run(capsys, "label", DEMO, "--lfs", LFS, "-o", labels, "--no-progress")[0] == 0
    assert run(capsys, "train", DEMO, "--labels", labels, "-o", model, "--no-progress")[0] == 0
    rows = pd.DataFrame({"id": ["b7", "a1", "b7", "c2", "b7"], "text": ["free cash", "the song", "a prize", "the chorus", "x"]})
    rows.to_csv(tmp_path / "d.csv", index=False)
    for name in ("p.parquet", "p.csv", "p.jsonl"):
        code, err = run(capsys, "predict", model, tmp_path / "d.csv", "-o", tmp_path / name, "--no-progress", "--chunk-size", "2")
        assert code == 0 and (tmp_path / name).exists()
        assert err.count("warning:") == 1 and "repeats row ids: 'b7' names 3 rows." in " ".join(err.split()), err
    rows.assign(id=range(5)).to_csv(tmp_path / "ok.csv", index=False)
    code, err = run(capsys, "predict", model, tmp_path / "ok.csv", "-o", tmp_path / "q.csv", "--no-progress")
    assert code == 0 and "warning:" not in err
