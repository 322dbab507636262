"""LF suggestions from a few hand-labeled rows: ``lf.suggest`` and ``lf suggest``.

Candidates are words and 2-3 word phrases of the labeled rows (whole words, any script) and a
fixed family of patterns (links, numbers with units, money, repeated punctuation, ALL-CAPS
runs, very short / long texts). Every candidate is built as the ``keyword_lf`` / ``regex_lf``
it would be written as, and its numbers come from running that LF: precision on the labeled
rows (k of n, with a 95% Wilson interval) and coverage of the unlabeled corpus. A candidate
is kept only when the lower end of its interval lies above the prior of its label among the
labeled rows, so 3/3 does not beat 45/50 and no suggestion is worse than always answering
that label. A greedy pass then picks a diverse set: each pick must label corpus rows no
earlier pick (and no existing LF, with ``lfs=``) labels, or rows where existing LFs disagree.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from lf.core import ABSTAIN, LabelingFunction, text_column_hint
from lf.errors import DataError, ParameterError
from lf.intervals import wilson

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Suggestion", "Suggestions", "suggest", "wilson_interval"]

SAMPLE_ROWS = 50_000  # corpus rows the candidates are screened on; the picks are then measured on all
_SCREEN = 400  # word/phrase candidates screened on the corpus sample
_TOKEN = re.compile(r"[\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u0900-\u0dff]+")

# name, RE2 pattern, case sensitive: generic surface patterns worth testing on any corpus
PATTERNS: tuple[tuple[str, str, bool], ...] = (
    ("url", r"https?://|www\.", False),
    ("domain", r"\b[a-z0-9-]+\.(?:com|net|org|ly|me|tk|co|info|io|uk|biz)\b", False),
    ("email", r"[\w.+-]+@[\w-]+\.[\w.]+", False),
    ("mention_or_tag", r"(?:^|\s)[@#]\w", False),
    ("money", r"[$£€]\s?\d|\b\d+(?:[.,]\d+)?\s?(?:\$|£|€|usd|eur|gbp|dollars?|pounds?|euros?|p)\b", False),
    ("number_with_unit", r"\b\d+(?:[.,]\d+)?\s?(?:%|k|m|kg|km|mb|gb|min|mins|hrs?|hours?|days?|wks?|weeks?|months?|years?|yrs?|x)\b", False),
    ("long_number", r"\d{5,}", False),
    ("any_digit", r"\d", False),
    ("repeated_punct", r"[!?]{2,}|\.{4,}", False),
    ("exclamation", r"!", False),
    ("question", r"\?", False),
    ("all_caps_run", r"\b[A-Z]{2,}(?:\s+[A-Z]{2,})+\b", True),
    ("caps_word", r"\b[A-Z]{4,}\b", True),
    ("very_short", r"^(?s).{0,25}$", False),
    ("short", r"^(?s).{0,60}$", False),
    ("long", r"(?s).{150}", False),
    ("very_long", r"(?s).{300}", False),
    ("emoji", r"[\x{1F300}-\x{1FAFF}\x{2600}-\x{27BF}]", False),
)


def wilson_interval(k: int, n: int) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion ``k / n`` (:func:`lf.intervals.wilson`);
    ``(0, 1)`` when ``n == 0``: nothing measured, so any proportion, and ranked last."""
    if n == 0:
        return 0.0, 1.0
    low, high = wilson(k, n)
    return float(low), float(high)


@dataclass(frozen=True)
class Suggestion:
    """One suggested LF and what it was measured to do."""

    name: str
    kind: str  # "keyword" or "regex"
    pattern: str  # the keyword, or the RE2 pattern
    label: int
    correct: int  # labeled rows it fires on whose gold label is ``label``
    fired: int  # labeled rows it fires on
    low: float  # 95% Wilson interval of correct / fired
    high: float
    coverage: float  # fraction of the corpus rows it labels
    case_sensitive: bool = False

    @property
    def precision(self) -> float:
        return self.correct / self.fired if self.fired else 0.0

    def build(self, column: str = "text") -> LabelingFunction:
        """The LF itself, exactly as the generated module writes it."""
        from lf.templates import keyword_lf, regex_lf

        if self.kind == "keyword":
            return keyword_lf(self.name, [self.pattern], self.label, column=column)
        return regex_lf(self.name, self.pattern, self.label, column=column, case_sensitive=self.case_sensitive)


@dataclass(frozen=True)
class Suggestions:
    """The picked suggestions (in ``labels`` order) and the facts the module's header states."""

    items: tuple[Suggestion, ...]
    labels: tuple[str, ...]
    priors: tuple[float, ...]  # label shares among the labeled rows
    n_labeled: int
    n_corpus: int
    existing: tuple[str, ...] = ()  # names of the LFs passed as ``lfs``
    precise: int = 0  # candidates precise enough, picked or not (an existing LF may repeat them all)
    n_unlabeled: int = 0  # rows of the labeled data without a gold label (missing or blank): left out

    def __len__(self) -> int:
        return len(self.items)

    def lfs(self) -> list[LabelingFunction]:
        return [s.build() for s in self.items]

    def none_found(self) -> str:
        """Why there is no suggestion, and what to do about it."""
        if self.precise and self.existing:
            return (
                f"each of the {self.precise} candidates precise enough on the {self.n_labeled} labeled rows repeats "
                "an LF of --lfs or labels no corpus row: label rows those LFs miss or dispute "
                "(lf sample --strategy uncovered or conflict) and suggest again."
            )
        if self.precise:
            return f"the {self.precise} candidates precise enough on the {self.n_labeled} labeled rows label no corpus row."
        return (
            f"no candidate LF is precise enough on the {self.n_labeled} labeled rows (its 95% interval must start "
            "above its label's share): label more rows, or lower --min-support."
        )

    def to_module(self, *, source: str = "") -> str:
        """A readable, editable Python module defining one LF per suggestion."""
        from lf._suggest_module import render

        return render(self, source=source)

    def write(self, path: str, *, source: str = "") -> None:
        """Write :meth:`to_module` to ``path`` atomically."""
        from lf.io import atomic_path

        with atomic_path(path) as tmp:
            tmp.write_text(self.to_module(source=source), encoding="utf-8")


@dataclass
class _Candidate:
    kind: str
    pattern: str
    label: int
    case_sensitive: bool = False
    correct: int = 0
    fired: int = 0
    low: float = 0.0
    high: float = 1.0
    hits: Any = None  # bool mask over the corpus sample


def suggest(
    data: Any,
    gold_data: Any,
    gold: str,
    *,
    lfs: Sequence[LabelingFunction] | Any = None,
    n: int = 20,
    labels: Sequence[str] | None = None,
    text_column: str = "text",
    min_support: int = 3,
    random_state: int = 0,
    progress: bool | None = None,
) -> Suggestions:
    """Suggest up to ``n`` keyword / regex LFs from the gold-labeled rows of ``gold_data``.

    ``data`` is the unlabeled corpus (anything :func:`lf.apply` reads); ``gold_data`` holds
    the hand-labeled rows, with their text in ``text_column`` and their labels in ``gold``
    (label names, or class ids 0..k-1). ``labels`` names the classes in order; by default the
    ``LABELS`` of ``lfs`` when it is an LF module, else the sorted gold values. ``lfs`` (LFs
    or an LF module path) are the LFs already written: suggestions then prefer rows those
    miss or disagree on. A candidate must fire on at least ``min_support`` labeled rows.
    ``progress``: a bar counting the candidates screened, on stderr (default: when it is a terminal).
    """
    from lf.apply.progress import progress_enabled
    from lf.modules import load_lfs

    progress_enabled(progress)  # a bad value fails before the data is read
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ParameterError(f"`n` must be an integer >= 1. Got {n!r}.")
    if isinstance(min_support, bool) or not isinstance(min_support, int) or min_support < 1:
        raise ParameterError(f"`min_support` must be an integer >= 1. Got {min_support!r}.")
    if labels is not None:
        low = [str(x).strip().lower() for x in labels] if not isinstance(labels, str) else []
        if len(low) < 2 or "" in low or len(set(low)) != len(low):  # gold names match in any case
            raise ParameterError(
                f"`labels` must list at least 2 distinct, non-blank names in class-id order, e.g. ['HAM', 'SPAM'] "
                "(--labels HAM,SPAM on the command line). "
                f"Got {labels!r}."
            )
    existing = None
    if lfs is not None:
        existing = load_lfs(lfs) if isinstance(lfs, str) else lfs
        declared = getattr(existing, "labels", None)
        if labels is not None and declared and tuple(map(str, labels)) != tuple(declared):
            raise ParameterError(
                f"`labels` {list(labels)} differ from the LABELS {list(declared)} of the existing LFs (--lfs); "
                "drop `labels` (--labels: the LFs' LABELS are used) or make them the same."
            )
        labels = labels if labels is not None else declared
    texts, y, names, unlabeled = _labeled_rows(gold_data, gold, text_column, labels)
    priors = np.bincount(y, minlength=len(names)) / len(y)
    rows, n_corpus = _corpus_sample(data, text_column, SAMPLE_ROWS, random_state, every_column=existing is not None)
    cands = _mine(texts, y, priors, min_support) + _pattern_candidates(texts, y, priors, min_support)
    _measure(cands, texts, y, rows[["text"]].fillna("").astype(str), progress)
    cands = [c for c in cands if c.fired >= min_support and c.low > priors[c.label]]
    base_cov, conflict, blockers = _existing_state(existing, rows, len(names))
    picked = _select(cands, priors, base_cov, conflict, n, blockers)
    items = _finalise(picked, data, text_column, n_corpus, names, {x.name for x in existing or ()})
    return Suggestions(
        tuple(items), tuple(names), tuple(float(p) for p in priors), len(y), n_corpus,
        tuple(x.name for x in existing or ()), len(cands), unlabeled,
    )


def _labeled_rows(
    gold_data: Any, gold: str, text_column: str, labels: Sequence[str] | None,
) -> tuple[list[str], npt.NDArray[np.int64], list[str], int]:
    """The texts of the rows of ``gold_data`` that have a gold label, their class ids, the
    label names, and the number of rows without one (a missing value, or only spaces)."""
    import pandas as pd

    from lf.gold import gold_ids, has_gold
    from lf.io import iter_chunks

    if gold == text_column:
        raise DataError(
            f"The gold column and the text column are both {gold!r}: each text would be a label of its own. "
            "Give the column holding the hand labels as the gold column."
        )
    chunks = list(iter_chunks(gold_data, 100_000))
    if not chunks:
        raise DataError("The labeled data has no rows: suggestions need hand-labeled rows of at least two labels.")
    frame = pd.concat(chunks, ignore_index=True)
    for col, what in ((text_column, "text column"), (gold, "gold column")):
        if col not in frame.columns:
            cols = ", ".join(str(c) for c in frame.columns)
            hint = text_column_hint(col) if col == text_column else ""
            raise DataError(f"The labeled data has no {what} {col!r}. Available columns: {cols}.{hint}")
    unlabeled = len(frame)
    frame = frame[has_gold(frame[gold])]
    unlabeled -= len(frame)
    raw = frame[gold]
    if raw.dtype.kind == "f" and bool((raw % 1 == 0).all()):  # ids in a column with blanks: 1.0 is 1
        raw = raw.astype(np.int64)
    if labels is None:  # the labels are the values, as text
        raw = raw.astype(str).str.strip()
        written: dict[str, str] = {}  # "spam" and "SPAM" are one label, named as it is written most
        for v in raw.value_counts().index:
            written.setdefault(v.lower(), v)
        labels = sorted(written.values(), key=lambda v: (not v.isdecimal(), int(v) if v.isdecimal() else 0, v))
    names = [str(x) for x in labels]
    ids = gold_ids(raw, names, len(names), what=f"Gold column {gold!r}")  # as --gold reads it
    present = [names[i] for i in sorted(set(ids.tolist()))]
    if len(present) < 2:
        raise DataError(
            f"Suggestions need labeled rows of at least two labels; the {len(frame)} rows of gold column "
            f"{gold!r} hold {present or 'none'}: label rows of the other labels too."
        )
    texts = frame[text_column].fillna("").astype(str).tolist()
    return texts, ids, names, unlabeled


def _corpus_sample(data: Any, text_column: str, size: int, seed: int, *, every_column: bool) -> tuple[pd.DataFrame, int]:
    """A uniform random sample of ``size`` corpus rows (one streaming pass) and the row count.

    Its ``text`` is ``text_column``; with ``every_column`` it keeps the other columns too, as
    ``lf label --text-column`` shows them, for existing LFs that read them."""
    import pandas as pd

    from lf.io import iter_chunks

    rng = np.random.default_rng(seed)
    kept: pd.DataFrame | None = None
    keys = np.empty(0)
    total = 0
    columns = None if every_column or isinstance(data, pd.DataFrame) else [text_column]
    for chunk in iter_chunks(data, 200_000, columns=columns):
        cols = [str(c) for c in chunk.columns]
        if text_column not in chunk.columns:
            raise DataError(
                f"The data has no text column {text_column!r}. Available columns: {', '.join(cols)}.{text_column_hint(text_column)}"
            )
        if every_column and text_column != "text" and "text" in chunk.columns:
            raise DataError(
                f"The text column {text_column!r} is shown to the LFs as 'text', but the data has a 'text' column "
                "too: the existing LFs would read the wrong one. Rename one of them."
            )
        part = chunk if every_column else chunk[[text_column]]
        part = part.rename(columns={text_column: "text"}).reset_index(drop=True)
        total += len(part)
        new_keys = rng.random(len(part))
        both = part if kept is None else pd.concat([kept, part], ignore_index=True)
        keys = np.concatenate([keys, new_keys])
        if len(both) > size:
            keep = np.argpartition(keys, size)[:size]
            keep.sort()
            both, keys = both.iloc[keep].reset_index(drop=True), keys[keep]
        kept = both
    if kept is None or total == 0:
        raise DataError("The data has no rows to suggest LFs for.")
    return kept, total


def _phrases(text: str) -> set[str]:
    """Words (2+ characters) and 2-3 word phrases whose words are separated by one space."""
    low = text.lower()
    spans = [(m.start(), m.end()) for m in _TOKEN.finditer(low)]
    out: set[str] = set()
    for i, (s, e) in enumerate(spans):
        if e - s >= 2 and not low[s:e].isdigit():
            out.add(low[s:e])
        for j in range(i + 1, min(i + 3, len(spans))):
            if low[spans[j - 1][1] : spans[j][0]] != " ":
                break
            out.add(low[s : spans[j][1]])
    return out


def _mine(texts: list[str], y: npt.NDArray[np.int64], priors: npt.NDArray[np.float64], min_support: int) -> list[_Candidate]:
    """Word / phrase candidates, each for the label it is most precise for; the best few hundred."""
    k = len(priors)
    counts: dict[str, npt.NDArray[np.int64]] = {}
    total: Counter[str] = Counter()
    for text, label in zip(texts, y, strict=True):
        for p in _phrases(text):
            total[p] += 1
            counts.setdefault(p, np.zeros(k, dtype=np.int64))[label] += 1
    scored = []
    for p, n_fired in total.items():
        if n_fired < min_support:
            continue
        c = counts[p]
        label = int(np.argmax(c / np.maximum(priors, 1e-9)))
        low, _ = wilson_interval(int(c[label]), n_fired)
        if low > priors[label]:
            scored.append(((low - priors[label]) * math.log1p(n_fired), p, label))
    scored.sort(key=lambda t: (-t[0], t[1].count(" "), t[1]))  # on a tie, the word before its phrases
    return [_Candidate("keyword", p, label) for _, p, label in scored[:_SCREEN]]


def _pattern_candidates(texts: list[str], y: npt.NDArray[np.int64], priors: npt.NDArray[np.float64], min_support: int) -> list[_Candidate]:
    """One candidate per generic pattern, for the label it is most precise for on the labeled rows."""
    import pandas as pd

    from lf.templates import regex_lf

    frame = pd.DataFrame({"text": texts})
    out = []
    for name, pattern, case in PATTERNS:
        hit = regex_lf(name, pattern, 0, case_sensitive=case)(frame) != ABSTAIN
        if hit.sum() < min_support:
            continue
        c = np.bincount(y[hit], minlength=len(priors))
        out.append(_Candidate("regex", pattern, int(np.argmax(c / np.maximum(priors, 1e-9))), case))
    return out


def _measure(
    cands: list[_Candidate], texts: list[str], y: npt.NDArray[np.int64], sample: pd.DataFrame, progress: bool | None,
) -> None:
    """Run each candidate as its LF on the labeled rows (precision) and the corpus sample (hits)."""
    import pandas as pd

    from lf.train_data import Steps

    labeled = pd.DataFrame({"text": texts})
    with Steps(progress, len(cands), "screening", "candidate LFs") as advance:
        for i, c in enumerate(cands):
            _measure_one(c, i, labeled, y, sample)
            advance(1)


def _measure_one(c: _Candidate, i: int, labeled: pd.DataFrame, y: npt.NDArray[np.int64], sample: pd.DataFrame) -> None:
    lfn = Suggestion(f"c{i}", c.kind, c.pattern, c.label, 0, 0, 0, 1, 0, c.case_sensitive).build()
    fired = lfn(labeled) != ABSTAIN
    c.fired = int(fired.sum())
    c.correct = int((y[fired] == c.label).sum())
    c.low, c.high = wilson_interval(c.correct, c.fired)
    c.hits = lfn(sample) != ABSTAIN


def _existing_state(
    existing: Any, sample: pd.DataFrame, k: int,
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], list[_Candidate]]:
    """Rows of the corpus sample some existing LF labels, rows where they disagree, and the
    existing LFs' votes per label (a candidate repeating one of them is not suggested)."""
    n = len(sample)
    if not existing:
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), []
    from lf.apply import apply

    L = apply(list(existing), sample, cardinality=k, progress=False).array
    voted = L != ABSTAIN
    covered = voted.any(axis=1)
    lo = np.where(voted, L, np.iinfo(np.int16).max).min(axis=1)
    hi = np.where(voted, L, -1).max(axis=1)
    votes = [_Candidate("existing", x.name, c, hits=L[:, j] == c) for j, x in enumerate(existing) for c in range(k)]
    return covered, covered & (lo != hi), [v for v in votes if v.hits.any()]


def _select(
    cands: list[_Candidate], priors: npt.NDArray[np.float64], covered: npt.NDArray[np.bool_],
    conflict: npt.NDArray[np.bool_], n: int, blockers: list[_Candidate],
) -> list[_Candidate]:
    """Greedy: the candidate whose (precision lift) x (new or disputed rows it labels) is largest."""
    covered = covered.copy()
    size = max(len(covered), 1)
    picked: list[_Candidate] = []
    lift = {id(c): (c.low - priors[c.label]) / (1 - priors[c.label] + 1e-9) for c in cands}
    pool = list(cands)
    while pool and len(picked) < n:
        gains = [
            lift[id(c)] * (np.count_nonzero(c.hits & ~covered) + np.count_nonzero(c.hits & conflict)
                           + 0.1 * np.count_nonzero(c.hits & covered & ~conflict)) / size
            for c in pool
        ]
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        c = pool.pop(best)
        if any(_redundant(c, p) for p in picked + blockers):
            continue
        picked.append(c)
        covered |= c.hits
        conflict &= ~c.hits  # a disputed row gets one tie-breaker, not many
    return picked


def _redundant(c: _Candidate, p: _Candidate) -> bool:
    """Same label and (nearly) the same rows: a phrase of a picked word, or a synonym pattern."""
    if c.label != p.label:
        return False
    both = np.count_nonzero(c.hits & p.hits)
    either = np.count_nonzero(c.hits | p.hits)
    return bool(either > 0 and both / either > 0.8)


def _finalise(
    picked: list[_Candidate], data: Any, text_column: str, n_corpus: int, names: list[str], taken: set[str],
) -> list[Suggestion]:
    """Name the picks, measure their coverage on the whole corpus, order them by label."""
    from lf._suggest_module import lf_name

    items = []
    for c in picked:
        name = lf_name(names[c.label], c.pattern if c.kind == "keyword" else _pattern_name(c.pattern), taken)
        taken.add(name)
        items.append(Suggestion(name, c.kind, c.pattern, c.label, c.correct, c.fired, c.low, c.high, 0.0, c.case_sensitive))
    hits = _corpus_hits(items, data, text_column)
    items = [
        Suggestion(s.name, s.kind, s.pattern, s.label, s.correct, s.fired, s.low, s.high, h / n_corpus, s.case_sensitive)
        for s, h in zip(items, hits, strict=True)
    ]
    order = {id(s): i for i, s in enumerate(items)}
    return sorted(items, key=lambda s: (s.label, order[id(s)]))


def _pattern_name(pattern: str) -> str:
    return next((name for name, p, _ in PATTERNS if p == pattern), "pattern")


def _corpus_hits(items: list[Suggestion], data: Any, text_column: str) -> list[int]:
    import pandas as pd

    from lf.io import iter_chunks

    lfs = [s.build() for s in items]
    hits = [0] * len(items)
    for chunk in iter_chunks(data, 200_000, columns=None if isinstance(data, pd.DataFrame) else [text_column]):
        frame = pd.DataFrame({"text": chunk[text_column].fillna("").astype(str).to_numpy()})
        for i, lfn in enumerate(lfs):
            hits[i] += int(np.count_nonzero(lfn(frame) != ABSTAIN))
    return hits
