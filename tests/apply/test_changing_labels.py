"""An LF whose votes come from a random draw, the clock or ``hash()`` labels the same rows
differently from run to run (and from one worker process to another): lf says so, naming
the LF and what it calls, and stays silent for LFs whose draws follow from their row."""

from __future__ import annotations

import datetime
import json
import os
import random
import subprocess
import sys
import time
import zlib
from pathlib import Path
from random import choice
from typing import Any

import numpy as np
import pandas as pd
import pytest

import lf
from lf import ABSTAIN, labeling_function, preprocessor
from lf.apply.world import ChangingLabelsWarning, changing_reason

FRAME = pd.DataFrame({"text": [f"comment number {i}" for i in range(200)]})


@labeling_function()
def hashed(x):  # type: ignore[no-untyped-def]
    return 1 if hash(x.text) % 2 else ABSTAIN


@labeling_function()
def coin(x):  # type: ignore[no-untyped-def]
    return 0 if random.random() < 0.5 else ABSTAIN


@labeling_function()
def picked(x):  # type: ignore[no-untyped-def]
    return choice([0, 1])


@labeling_function()
def numpy_coin(x):  # type: ignore[no-untyped-def]
    return 1 if np.random.rand() < 0.5 else ABSTAIN


@labeling_function()
def odd_second(x):  # type: ignore[no-untyped-def]
    return 1 if datetime.datetime.now().second % 2 else ABSTAIN


@labeling_function()
def odd_time(x):  # type: ignore[no-untyped-def]
    return 1 if int(time.time()) % 2 else ABSTAIN


@preprocessor()
def shuffled(x):  # type: ignore[no-untyped-def]
    x.order = random.sample(range(3), 3)
    return x


@labeling_function(pre=[shuffled])
def first_is_zero(x):  # type: ignore[no-untyped-def]
    return 1 if x.order[0] == 0 else ABSTAIN


@pytest.mark.parametrize(
    ("lf_", "said"),
    [
        (hashed, r"calls hash\(\), whose value for a str or bytes differs from one Python process to the next"),
        (coin, r"draws from random's shared generator \(random\.random\)"),
        (picked, r"draws from random's shared generator \(random\.choice\)"),
        (numpy_coin, r"draws from numpy\.random's shared generator \(numpy\.random\.rand\)"),
        (odd_second, r"reads the clock \(datetime\.now\)"),
        (odd_time, r"reads the clock \(time\.time\)"),
        (first_is_zero, r"draws from random's shared generator \(random\.sample\)"),
    ],
)
def test_an_lf_whose_votes_change_from_run_to_run_is_named(lf_: Any, said: str) -> None:
    with pytest.warns(ChangingLabelsWarning, match=rf"Labeling function '{lf_.name}' {said}, so the same rows get other labels in the next run"):
        lf.apply([lf_], FRAME)


def test_a_draw_changes_the_matrix_between_runs() -> None:
    """What the warning is about: two runs of one LF on the same rows, two matrices."""
    with pytest.warns(ChangingLabelsWarning):
        one = lf.apply([coin], FRAME)
    with pytest.warns(ChangingLabelsWarning):
        two = lf.apply([coin], FRAME)
    assert not np.array_equal(np.asarray(one), np.asarray(two))


def test_hash_changes_the_matrix_between_processes(tmp_path: Path) -> None:
    """Before: silent, though two runs in two processes (the next `lf label`, a pool or Dask
    worker) labeled the same rows differently."""
    module = tmp_path / "hash_lfs.py"
    module.write_text(
        "from lf import ABSTAIN, labeling_function\n\n"
        "@labeling_function()\n"
        "def hashed(x):\n"
        "    return 1 if hash(x.text) % 2 else ABSTAIN\n",
        encoding="utf-8",
    )
    script = (
        "import json, warnings, pandas as pd, lf\n"
        f"frame = pd.DataFrame({{'text': [f'comment number {{i}}' for i in range(200)]}})\n"
        "with warnings.catch_warnings(record=True) as said:\n"
        "    warnings.simplefilter('always')\n"
        f"    L = lf.apply(lf.load_lfs({str(module)!r}), frame)\n"
        "print(json.dumps([L.array[:, 0].tolist(), [type(w.message).__name__ for w in said]]))\n"
    )
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
        runs.append(json.loads(done.stdout.splitlines()[-1]))
    assert runs[0][0] != runs[1][0]
    assert runs[0][1] == runs[1][1] == ["ChangingLabelsWarning"]


@labeling_function()
def seeded_per_row(x):  # type: ignore[no-untyped-def]
    random.seed(x.text)
    return 1 if random.random() < 0.5 else ABSTAIN


@labeling_function()
def own_generator(x):  # type: ignore[no-untyped-def]
    return 1 if random.Random(zlib.crc32(x.text.encode())).random() < 0.5 else ABSTAIN


@labeling_function()
def numpy_generator(x):  # type: ignore[no-untyped-def]
    return 1 if np.random.default_rng(len(x.text)).random() < 0.5 else ABSTAIN


def test_lfs_whose_draws_follow_from_their_row_are_not_warned_about(tmp_path: Path) -> None:
    # pytest turns any warning into an error here (filterwarnings = error)
    module = tmp_path / "own_hash.py"
    module.write_text(
        "import zlib\nfrom lf import ABSTAIN, labeling_function\n\n"
        "def hash(text):  # the module's own function of that name\n"
        "    return zlib.crc32(text.encode())\n\n"
        "@labeling_function()\n"
        "def own_hash(x):\n"
        "    return 1 if hash(x.text) % 2 else ABSTAIN\n",
        encoding="utf-8",
    )
    lfs = [*lf.load_lfs(str(module)), seeded_per_row, own_generator, numpy_generator]
    one = lf.apply(lfs, FRAME)
    assert np.array_equal(np.asarray(one), np.asarray(lf.apply(lfs, FRAME)))
    assert all(changing_reason(x.f) is None for x in lfs)


def test_lf_label_warns_too(tmp_path: Path) -> None:
    from lf.label import label

    with pytest.warns(ChangingLabelsWarning) as said:
        label([coin, picked, numpy_coin, own_generator], FRAME, output=tmp_path / "labels.parquet", model="mv")
    assert [str(w.message).split(" ")[2] for w in said] == ["'coin'", "'picked'", "'numpy_coin'"]


WEIGHTS = np.array([0.5, 0.25])
LOOKUP = pd.Series({"comment": 1})


@labeling_function()
def reads_arrays(x):  # type: ignore[no-untyped-def]
    return 1 if WEIGHTS.sum() > 0.5 and LOOKUP.get(x.text.split()[0], 0) else ABSTAIN


def test_values_that_compare_their_own_way_are_read_past() -> None:
    """An array's == compares item by item and a Dask collection refuses it: the check
    looks only at functions and methods (comparing each value to the clock's functions
    stopped every Dask run whose LFs name a Dask collection)."""
    assert changing_reason(reads_arrays.f) is None
    assert np.asarray(lf.apply([reads_arrays], FRAME))[:, 0].tolist() == [1] * len(FRAME)


CALLED = '''
import random
import numpy as np
from lf import ABSTAIN, labeling_function

rng = np.random.default_rng()  # made once for the module: it outlives each call
kept = random.Random(0)


def coin_flip(text):
    return random.random() < 0.5


def twice_removed(text):
    return coin_flip(text) and len(text) > 1


def countdown(n):  # calls itself: checked once
    return n if n <= 0 else countdown(n - 1)


def length_only(text):
    return len(text) > 12 and countdown(2) == 0


@labeling_function()
def via_helper(x):
    return 1 if coin_flip(x.text) else ABSTAIN


@labeling_function()
def via_two_helpers(x):
    return 1 if twice_removed(x.text) else ABSTAIN


@labeling_function()
def module_generator(x):
    return 1 if rng.random() < 0.5 else ABSTAIN


@labeling_function()
def fresh_numpy_generator(x):
    return 1 if np.random.default_rng().random() < 0.5 else ABSTAIN


@labeling_function()
def fresh_generator(x):
    return 1 if random.Random().random() < 0.5 else ABSTAIN


@labeling_function()
def pure_helper(x):
    return 1 if length_only(x.text) else ABSTAIN


@labeling_function()
def reseeded_per_row(x):
    kept.seed(x.text)
    return 1 if kept.random() < 0.5 else ABSTAIN


@labeling_function()
def seeded_numpy_generator(x):
    return 1 if np.random.default_rng(len(x.text)).random() < 0.5 else ABSTAIN
'''


def test_draws_in_helpers_kept_generators_and_unseeded_generators_are_named(tmp_path: Path) -> None:
    """Before: silent. An LF that calls a function of the module which draws, one drawing
    from a generator the module made once (each row's draw depends on the rows before it:
    another order, chunking or cached chunk, other labels), and one making a generator
    without a seed for each row, all labeled the same rows differently from run to run."""
    module = tmp_path / "called_lfs.py"
    module.write_text(CALLED, encoding="utf-8")
    lfs = lf.load_lfs(str(module))
    said = {x.name: changing_reason(x.f) for x in lfs}
    assert said == {
        "via_helper": "calls coin_flip(), which draws from random's shared generator (random.random)",
        "via_two_helpers": "calls twice_removed(), which calls coin_flip(), which draws from random's shared "
        "generator (random.random)",
        "module_generator": "draws from the generator 'rng', which outlives each call (rng.random: a row's draw "
        "depends on the rows labeled before it)",
        "fresh_numpy_generator": "makes a generator without a seed (default_rng())",
        "fresh_generator": "makes a generator without a seed (Random())",
        "pure_helper": None,
        "reseeded_per_row": None,
        "seeded_numpy_generator": None,
    }
    with pytest.warns(ChangingLabelsWarning) as warned:
        one = lf.apply(lfs, FRAME)
    assert sorted(str(w.message).split(" ")[2] for w in warned) == sorted(
        repr(name) for name, why in said.items() if why is not None
    )
    with pytest.warns(ChangingLabelsWarning):
        two = lf.apply(lfs, FRAME)
    changed = [name for j, name in enumerate(lfs.names) if not np.array_equal(one.array[:, j], two.array[:, j])]
    assert changed == [name for name, why in said.items() if why is not None]
