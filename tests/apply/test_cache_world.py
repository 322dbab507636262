"""An LF whose labels can change with no change to its code or data is never answered from
the cache: one reading the environment, the clock, random draws (seeded or not), the
process's string hashing, a file it opens without declaring it, or state it changes as it
runs. Each case applies an LF module with the cache, changes the world (not the module),
and applies it again: the labels are those of a run without the cache, and the summary
says why the LF runs every time."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf.apply.cache import lf_fingerprint

TEXTS = pd.DataFrame({"text": ["win a prize", "hello there", "free cash", "ok", "see you", "hello there"] * 5})

HEADER = """
from lf import ABSTAIN, labeling_function
WORDS = {words!r}
"""

# name -> (the LF module's body, a change of the world between the runs)
CASES = {
    "environment_variable": (
        "import os\n@labeling_function()\ndef target(x):\n    return 1 if os.environ.get('LF_TEST_WORD', '') in x.text else ABSTAIN\n",
        "env",
    ),
    "getenv_imported_by_name": (
        "from os import getenv\n@labeling_function()\ndef target(x):\n    return 1 if (getenv('LF_TEST_WORD') or '') in x.text else ABSTAIN\n",
        "env",
    ),
    "file_opened_undeclared": (
        "@labeling_function()\ndef target(x):\n    with open(WORDS) as fh:\n        return 1 if x.text.split()[0] in fh.read().split() else ABSTAIN\n",
        "file",
    ),
    "file_read_by_a_helper_with_pathlib": (
        (
            "from pathlib import Path\ndef words():\n    return Path(WORDS).read_text().split()\n"
            "@labeling_function()\ndef target(x):\n    return 1 if x.text.split()[0] in words() else ABSTAIN\n"
        ),
        "file",
    ),
    "file_read_by_a_helper_module": ("from . import reader\n@labeling_function()\ndef target(x):\n    return 1 if x.text.split()[0] in reader.words() else ABSTAIN\n", "file"),
    "environment_read_by_a_helper_class": (
        "from . import envreader\n@labeling_function()\ndef target(x):\n    return 1 if envreader.Env.word() in x.text else ABSTAIN\n",
        "env",
    ),
    "file_read_with_pandas_by_a_helper": (
        (
            "import pandas as pd\ndef words():\n"
            "    return set(pd.read_csv(WORDS, header=None)[0])\n"
            "@labeling_function()\ndef target(x):\n    return 1 if x.text.split()[0] in words() else ABSTAIN\n"
        ),
        "file",
    ),
    "file_read_with_numpy_imported_by_name": (
        (
            "from numpy import loadtxt\n@labeling_function()\ndef target(x):\n"
            "    return 1 if x.text.split()[0] in loadtxt(WORDS, dtype=str, ndmin=1) else ABSTAIN\n"
        ),
        "file",
    ),
    "environment_read_by_a_module_getattr": (
        "from . import lazyenv\n@labeling_function()\ndef target(x):\n    return 1 if lazyenv.WORD in x.text else ABSTAIN\n",
        "env",
    ),
    "environment_read_by_a_static_method_of_the_lf_module": (
        (
            "import os\nclass Env:\n    @staticmethod\n    def word():\n        return os.environ.get('LF_TEST_WORD', '')\n"
            "@labeling_function()\ndef target(x):\n    return 1 if Env.word() in x.text else ABSTAIN\n"
        ),
        "env",
    ),
    "file_opened_by_a_method_of_the_lf_module": (
        (
            "class Lexicon:\n    def words(self):\n        with open(WORDS) as fh:\n            return fh.read().split()\n"
            "@labeling_function()\ndef target(x):\n    return 1 if x.text.split()[0] in Lexicon().words() else ABSTAIN\n"
        ),
        "file",
    ),
    "path_resource_read_as_it_runs": (  # its fingerprint has the path, not what the file holds
        (
            "from pathlib import Path\n@labeling_function(resources={'path': Path(WORDS)})\ndef target(x, path):\n"
            "    return 1 if x.text.split()[0] in path.read_text().split() else ABSTAIN\n"
        ),
        "file",
    ),
    "path_default_read_as_it_runs": (
        (
            "from pathlib import Path\n@labeling_function()\ndef target(x, path=Path(WORDS)):\n"
            "    return 1 if x.text.split()[0] in path.read_text().split() else ABSTAIN\n"
        ),
        "file",
    ),
    "path_in_a_closure_read_as_it_runs": (
        (
            "from pathlib import Path\ndef make(path):\n    @labeling_function(name='target')\n    def target(x):\n"
            "        return 1 if x.text.split()[0] in path.read_text().split() else ABSTAIN\n    return target\n"
            "target = make(Path(WORDS))\n"
        ),
        "file",
    ),
    "seeded_random_generator_resource": (
        "import random\n@labeling_function(resources={'rng': random.Random(0)})\ndef target(x, rng):\n    return 1 if rng.random() < 0.5 else ABSTAIN\n",
        "draws",
    ),
    "seeded_random": (
        "import random\nrandom.seed(0)\n@labeling_function()\ndef target(x):\n    return 1 if random.random() < 0.5 else ABSTAIN\n",
        "draws",
    ),
    "random_imported_by_name": (
        "from random import random\n@labeling_function()\ndef target(x):\n    return 1 if random() < 0.5 else ABSTAIN\n",
        "draws",
    ),
    "numpy_random": (
        "import numpy as np\n@labeling_function()\ndef target(x):\n    return 1 if np.random.rand() < 0.5 else ABSTAIN\n",
        "draws",
    ),
    "clock": (
        "from datetime import datetime\n@labeling_function()\ndef target(x):\n    return 1 if datetime.now().microsecond % 2 else ABSTAIN\n",
        "draws",
    ),
    "string_hash": ("@labeling_function()\ndef target(x):\n    return 1 if hash(x.text) % 2 else ABSTAIN\n", "draws"),
    "global_set_of_texts_seen": (
        (
            "SEEN = set()\n@labeling_function()\ndef target(x):\n    first = x.text not in SEEN\n    SEEN.add(x.text)\n"
            "    return 1 if first else ABSTAIN\n"
        ),
        "order",
    ),
    "global_counter": (
        "COUNT = 0\n@labeling_function()\ndef target(x):\n    global COUNT\n    COUNT += 1\n    return 1 if COUNT % 7 == 0 else ABSTAIN\n",
        "order",
    ),
    "closure_counter": (
        (
            "def make():\n    seen = {}\n    def target(x):\n        seen[x.text] = seen.get(x.text, 0) + 1\n"
            "        return 1 if seen[x.text] > 1 else ABSTAIN\n    return labeling_function(name='target')(target)\n"
            "target = make()\n"
        ),
        "order",
    ),
    "default_argument_set_of_texts_seen": (
        (
            "@labeling_function()\ndef target(x, seen=set()):\n    first = x.text not in seen\n    seen.add(x.text)\n"
            "    return 1 if first else ABSTAIN\n"
        ),
        "order",
    ),
    "resource_dict_of_counts": (
        (
            "@labeling_function(resources={'counts': {}})\ndef target(x, counts):\n"
            "    counts[x.text] = counts.get(x.text, 0) + 1\n    return 1 if counts[x.text] == 1 else ABSTAIN\n"
        ),
        "order",
    ),
    "helper_memo_in_a_default_argument": (
        (
            "def times(t, _memo={}):\n    _memo[t] = _memo.get(t, 0) + 1\n    return _memo[t]\n"
            "@labeling_function()\ndef target(x):\n    return 1 if times(x.text) == 1 else ABSTAIN\n"
        ),
        "order",
    ),
    "set_of_a_helper_module": (
        (
            "from . import state\n@labeling_function()\ndef target(x):\n    first = x.text not in state.SEEN\n"
            "    state.SEEN.add(x.text)\n    return 1 if first else ABSTAIN\n"
        ),
        "order",
    ),
    "class_attribute_counter": (
        (
            "from .state import Count\n@labeling_function()\ndef target(x):\n    Count.n += 1\n"
            "    return 1 if Count.n % 7 == 0 else ABSTAIN\n"
        ),
        "order",
    ),
}


def _write(pkg: Path, body: str, words: Path) -> None:
    pkg.mkdir(exist_ok=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "reader.py").write_text(f"def words():\n    with open({str(words)!r}) as fh:\n        return fh.read().split()\n")
    (pkg / "envreader.py").write_text(
        "import os\nclass Env:\n    @staticmethod\n    def word():\n        return os.environ.get('LF_TEST_WORD', '')\n"
    )
    (pkg / "lazyenv.py").write_text(  # PEP 562: the module's attributes come from its __getattr__
        "import os\ndef __getattr__(name):\n    if name == 'WORD':\n        return os.environ.get('LF_TEST_WORD', '')\n"
        "    raise AttributeError(name)\n"
    )
    (pkg / "state.py").write_text("SEEN = set()\nclass Count:\n    n = 0\n")
    (pkg / "lfs.py").write_text(textwrap.dedent(HEADER.format(words=str(words))) + body)


# Draws, the clock and hash() are also said as the LF is applied (tests/apply/test_changing_labels.py).
@pytest.mark.filterwarnings("ignore::lf.apply.world.ChangingLabelsWarning")
@pytest.mark.parametrize("case", sorted(CASES))
def test_an_lf_reading_the_world_is_not_answered_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    body, change = CASES[case]
    pkg, words, cache = tmp_path / "worldpkg", tmp_path / "words.txt", tmp_path / "cache"
    words.write_text("win\n")
    monkeypatch.setenv("LF_TEST_WORD", "win")
    _write(pkg, body, words)
    (target,) = lf.load_lfs(pkg)
    assert lf_fingerprint(target) is None
    lf.apply([target], TEXTS, cardinality=2, chunk_size=10, cache=cache, progress=False)
    if change == "env":
        monkeypatch.setenv("LF_TEST_WORD", "free")
    elif change == "file":
        words.write_text("free\n")
    chunks = [TEXTS.iloc[10:], TEXTS] if change == "order" else [TEXTS]  # the same rows after others
    for data in chunks:
        cached = lf.apply(lf.load_lfs(pkg), data, cardinality=2, chunk_size=10, cache=cache, progress=False)
        assert cached.cache_stats.reused == 0 and cached.cache_stats.uncacheable == ("target",)
        assert cached.cache_stats.reasons[0] and "not cacheable: target (" in str(cached.cache_stats)
    if change in ("env", "file"):  # deterministic: the labels of a fresh run
        fresh = lf.apply(lf.load_lfs(pkg), TEXTS, cardinality=2, chunk_size=10, progress=False)
        np.testing.assert_array_equal(cached.array, fresh.array)
        assert cached.array[:, 0].tolist()[:3] == [-1, -1, 1]


def test_a_declared_file_may_be_opened_and_a_log_written(tmp_path: Path) -> None:
    """``files=`` puts the file's content in the fingerprint, so opening it is fine; a file
    opened for writing only (a log) decides no label. Both LFs stay cacheable."""
    words, log, cache = tmp_path / "words.txt", tmp_path / "calls.log", tmp_path / "cache"
    words.write_text("win\n")
    module = tmp_path / "declared.py"
    module.write_text(textwrap.dedent(f"""
        from lf import ABSTAIN, labeling_function

        @labeling_function(files=[{str(words)!r}])
        def listed(x):
            with open({str(words)!r}) as fh:
                return 1 if x.text.split()[0] in fh.read().split() else ABSTAIN

        @labeling_function(files=[{str(words)!r}])
        def listed_pandas(x):
            import pandas as pd
            return 1 if x.text.split()[0] in set(pd.read_csv({str(words)!r}, header=None)[0]) else ABSTAIN

        @labeling_function()
        def logged(x):
            with open({str(log)!r}, "a") as fh:
                fh.write(x.text + "\\n")
            return 0 if len(x.text) < 3 else ABSTAIN
    """))
    first = lf.apply(lf.load_lfs(module), TEXTS, cardinality=2, cache=cache, progress=False)
    assert first.cache_stats.uncacheable == ()
    words.write_text("free\n")
    again = lf.apply(lf.load_lfs(module), TEXTS, cardinality=2, cache=cache, progress=False)
    assert (again.cache_stats.reused, again.cache_stats.computed) == (1, 2)  # `listed` ran again, and `listed_pandas`
    assert again.array[:3, 0].tolist() == again.array[:3, 1].tolist() == [-1, -1, 1]


def test_pure_lfs_with_module_constants_and_local_dicts_stay_cacheable(tmp_path: Path) -> None:
    module = tmp_path / "pure.py"
    module.write_text(textwrap.dedent("""
        import logging
        import re
        from numpy import log1p
        from lf import ABSTAIN, labeling_function
        log = logging.getLogger("lf-test")
        WORDS = ["win", "free"]
        LIMITS = {"short": 3}

        @labeling_function()
        def counted(x):
            counts = {}
            for w in x.text.split():
                counts[w] = counts.get(w, 0) + 1
            return 1 if any(counts.get(w) for w in WORDS) else ABSTAIN

        @labeling_function()
        def short(x):
            return 0 if len(re.findall(r"\\w+", x.text)) < LIMITS["short"] else ABSTAIN

        @labeling_function()
        def logged(x):  # a logger and a numpy ufunc decide no label by state of their own
            log.debug("row %s", x.text)
            return 1 if log1p(len(x.text)) > 2 else ABSTAIN

        class Kind:
            SPAM = 1
            WORDS = {"win": 1}

        @labeling_function(resources={"vocab": {"win": 1}})
        def looked_up(x, vocab, stop=["a"]):  # read, never changed: resources, defaults, class data
            x.kind = Kind.SPAM
            words = [w for w in x.text.split() if w not in stop]
            return x.kind if any(vocab.get(w) or Kind.WORDS.get(w) for w in words) else ABSTAIN
    """))
    assert all(lf_fingerprint(f) is not None for f in lf.load_lfs(module))
