"""The progress bar's model and columns: rows when the count is known, else bytes read."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from rich.progress import Progress as RichProgress

from lf.apply.progress import REFRESH_PER_SECOND, Progress, ProgressModel, columns
from lf.corpus import Corpus
from lf.errors import ParameterError


def _csv(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "c.csv"
    pd.DataFrame({"id": range(n), "text": ["some comment text"] * n}).to_csv(path, index=False)
    return path


def _render(model: ProgressModel, elapsed_rows: int) -> str:
    out = io.StringIO()
    bar = RichProgress(*columns(model, 3), console=Console(file=out, width=80), auto_refresh=False)
    task = bar.add_task("apply", total=model.total, rows=0)
    model.advance(elapsed_rows)
    bar.update(task, completed=model.completed, rows=model.rows)
    bar.console.print(bar.get_renderable())
    return out.getvalue()


def test_a_csv_is_followed_in_bytes_of_its_size(tmp_path: Path):
    path = _csv(tmp_path, 50_000)
    model = ProgressModel.of(Corpus(path))
    size = path.stat().st_size
    assert (model.unit, model.total) == ("bytes", size)
    model.advance(25_000)
    assert abs(model.completed - size / 2) <= 0.02 * size  # half the rows: about half the bytes
    model.advance(25_000)
    assert model.completed < size  # an estimate never claims the end before the pass ends
    model.finish()
    assert model.completed == size and model.rows == 50_000


def test_bytes_columns_show_the_amount_rate_rows_and_eta(tmp_path: Path):
    model = ProgressModel.of(Corpus(_csv(tmp_path, 50_000)))
    text = _render(model, 20_000)
    assert "applying 3 LFs" in text and "20,000 rows" in text
    assert "/1.3 MB" in text or "/1.2 MB" in text  # read of the files' size
    assert "?" in text or "/s" in text  # the rate (unknown until time passes)
    assert all(len(line) <= 80 for line in text.splitlines())


def test_a_frame_is_followed_in_rows():
    model = ProgressModel.of(Corpus(pd.DataFrame({"text": ["a"] * 10})))
    assert (model.unit, model.total) == ("rows", 10)
    model.advance(4)
    assert model.completed == 4
    model.finish()
    assert model.completed == 4  # a row count is exact already
    assert "4/10" in _render(ProgressModel.of(Corpus(pd.DataFrame({"text": ["a"] * 10}))), 4)


def test_the_bar_redraws_at_least_every_second_during_a_long_chunk(tmp_path: Path):
    # The rate, ETA and elapsed time move between chunks: rich's refresh thread redraws.
    with Progress(True, Corpus(_csv(tmp_path, 100)), 2) as bar:
        live = bar._bar.live
        assert live.auto_refresh and live.refresh_per_second >= 1
        assert bar.model is not None and bar.model.unit == "bytes"
    assert REFRESH_PER_SECOND >= 1


def test_a_list_of_frames_is_followed_in_rows_of_their_total():
    # its length is known: the bar showed "4/?" for it
    frames = [pd.DataFrame({"text": ["a"] * 10}), pd.DataFrame({"text": ["b"] * 5})]
    model = ProgressModel.of(Corpus(frames))
    assert (model.unit, model.total) == ("rows", 15)
    assert "4/15" in _render(model, 4)
    assert ProgressModel.of(Corpus(iter(frames))).total is None  # a generator's is not known


@pytest.mark.parametrize("value", ["yes", "no", 1, 0])
def test_a_progress_that_is_not_a_bool_or_none_is_refused_by_name(tmp_path: Path, value: object) -> None:
    import lf
    from lf.datasets import fetch
    from lf.train import predict

    @lf.labeling_function()
    def one(x):  # type: ignore[no-untyped-def]
        return 1

    frame = pd.DataFrame({"text": ["a", "b"]})
    message = f"`progress` must be True, False or None (a bar when stderr is a terminal). Got {value!r}."
    with pytest.raises(ParameterError) as caught:
        lf.apply([one], frame, progress=value)
    assert str(caught.value) == message
    with pytest.raises(ParameterError, match="`progress` must be"):
        lf.label([one], frame, output=tmp_path / "p.parquet", model="MajorityVoter", progress=value)
    assert not list(tmp_path.iterdir())
    with pytest.raises(ParameterError, match="`progress` must be"):
        fetch("demo", data_home=tmp_path / "home", progress=value)
    assert not (tmp_path / "home").exists()
    with pytest.raises(ParameterError, match="`progress` must be"):
        predict(tmp_path / "no-model", frame, progress=value)
