"""An LF's exception reaches the caller as an LFRuntimeError that is also the LF's own
builtin exception type, on every engine, so `except AttributeError` (Snorkel's appliers let
the LF's exception through) keeps working."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

import lf
from lf import LabelingFunction, preprocessor
from lf.errors import LFError, LFRuntimeError


class _OwnError(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(f"code {code}")
        self.code = code


def _frame(n: int = 40) -> pd.DataFrame:
    return pd.DataFrame({"num": np.arange(n), "text": [f"t{i}" for i in range(n)]})


def bad_field(x):
    return 0 if x.mum > 42 else -1


def bad_key(x):
    return {"a": 0}[x.text]


def own(x):
    raise _OwnError(7)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_the_lfs_attribute_error_is_caught_as_one_and_as_an_lf_error(n_jobs: int) -> None:
    with pytest.raises(AttributeError) as info:
        lf.apply([LabelingFunction("f_bad", bad_field)], _frame(), n_jobs=n_jobs, progress=False)
    err = info.value
    assert isinstance(err, LFRuntimeError) and isinstance(err, LFError)
    assert "Labeling function 'f_bad' raised on row 0" in str(err)
    assert "The row has no field 'mum'. Available fields: 'num'" in str(err)


def test_from_a_process_pools_worker_too() -> None:
    from lf.apply.inline import MAX_CHUNKS

    n = MAX_CHUNKS + 4  # one-row chunks: past what the inline path takes, rows 8.. are sent
    frame = pd.DataFrame({"num": np.arange(n)})

    def late(x):
        return 0 if x.num < n - 2 else x.nope

    with pytest.raises(AttributeError, match=rf"'late' raised on row {n - 2}\b") as info:
        lf.apply([LabelingFunction("late", late)], frame, n_jobs=2, chunk_size=1, progress=False)
    assert isinstance(info.value, LFRuntimeError)


def test_key_error_keeps_its_message_unquoted_and_its_cause() -> None:
    with pytest.raises(KeyError) as info:
        lf.apply([LabelingFunction("k", bad_key)], _frame(), progress=False)
    assert str(info.value).startswith("Labeling function 'k' raised on row 0")  # not repr'd as KeyError's are
    assert isinstance(info.value.__cause__, KeyError) and not isinstance(info.value.__cause__, LFError)


def test_a_preprocessor_and_a_batch_lf_error_too() -> None:
    @preprocessor()
    def broken(x):
        return x.nope

    with pytest.raises(AttributeError, match="Preprocessor 'broken'"):
        lf.apply([LabelingFunction("p", lambda x: 0, pre=[broken])], _frame(), progress=False)
    with pytest.raises(ZeroDivisionError, match="Batch labeling function 'b'"):
        lf.apply([LabelingFunction("b", lambda df: 1 / 0, batch=True)], _frame(), progress=False)


def test_a_users_own_exception_class_is_not_mixed_in() -> None:
    # its __init__ would not run: `except _OwnError as e: e.code` would fail in the handler
    with pytest.raises(LFRuntimeError) as info:
        lf.apply([LabelingFunction("o", own)], _frame(), progress=False)
    assert not isinstance(info.value, _OwnError)
    assert isinstance(info.value.__cause__, _OwnError) and info.value.__cause__.code == 7


@pytest.mark.parametrize("base", [AttributeError, KeyError, ValueError, UnicodeDecodeError, RuntimeError])
def test_wrapped_errors_pickle_as_what_they_are(base: type[BaseException]) -> None:
    cause = base.__new__(base)
    err = LFRuntimeError.wrapping("the message", cause)
    back = pickle.loads(pickle.dumps(err))
    assert isinstance(back, LFRuntimeError) and isinstance(back, base)
    assert str(back) == str(err) == "the message"


@pytest.mark.parametrize(
    "cause",
    # lf's own; not an Exception; OSError (lf catches it around its writes: an LF's would
    # read as a write failure); StopIteration (raised out of a generator it turns into a
    # RuntimeError); a warning turned into an error
    [LFRuntimeError("inner"), KeyboardInterrupt(), FileNotFoundError(2, "x"), StopIteration(), UserWarning("w")],
)
def test_what_is_not_mixed_in(cause: BaseException) -> None:
    assert type(LFRuntimeError.wrapping("m", cause)) is LFRuntimeError


def stops(x):
    return next(t for t in x.text.split() if t == "never") if x.num == 3 else 0


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_an_lf_raising_stop_iteration_is_that_rows_error_not_a_hang_or_a_shifted_column(n_jobs: int) -> None:
    # StopIteration ends the loop over the rows as if they had run out: the row lost its
    # label and every later label would sit one row up (the run used to loop forever)
    frame = _frame(12)
    L = lf.apply([LabelingFunction("stops", stops)], frame, n_jobs=n_jobs, on_error="abstain", progress=False)
    assert L.array[:, 0].tolist() == [0, 0, 0, -1, *[0] * 8]
    assert L.errors.tolist() == [1]
    with pytest.raises(LFRuntimeError, match=r"'stops' raised on row 3: StopIteration \(e\.g\. next\(\) on an exhausted"):
        lf.apply([LabelingFunction("stops", stops)], frame, n_jobs=n_jobs, progress=False)
