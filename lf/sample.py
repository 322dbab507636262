"""Rows worth hand-labelling next (``lf sample`` and :func:`sample_rows`).

Strategies score every row from the label matrix and the model's probabilities:

- ``uncertain``: the model's entropy on rows some LF votes on (it cannot tell the classes
  apart there; on a row no LF votes on it has only the prior, and the row is ``uncovered``'s);
- ``conflict``: how much the LFs that vote disagree (1 - share of the majority label);
- ``uncovered``: no LF votes (what the LFs miss entirely);
- ``mixed``: a third of each.

When a strategy has fewer rows than asked for, the rest come from the other rows (least
confident first, spread the same way), marked ``spread``.

The best-scoring rows are often near-duplicates (one spam template, pasted 50 times), so
each strategy draws a pool of top candidates and spreads its picks over clusters of
their TF-IDF vectors (hashed words, spherical k-means): one row per cluster. Rows that
already have gold are never picked. Everything is seeded: the same inputs and ``seed`` give
the same rows. Pure numpy/scipy; the cost is one pass over the matrix plus the pool.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from lf.errors import ParameterError

__all__ = ["STRATEGIES", "conflict_scores", "diverse", "entropy", "sample", "sample_rows"]

STRATEGIES = ("uncertain", "conflict", "uncovered", "mixed")
POOL_FACTOR = 10  # candidates drawn per row to pick, before the diversity step
HASH_DIM = 1 << 12
_WORD = re.compile(r"\w+", re.UNICODE)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def entropy(proba: Any) -> FloatArray:
    """Per row, the entropy (nats) of its class probabilities."""
    p = np.clip(np.asarray(proba, dtype=np.float64), 1e-12, 1.0)
    return np.asarray(-(p * np.log(p)).sum(axis=1), dtype=np.float64)


def conflict_scores(L: Any, k: int) -> FloatArray:
    """Per row, 1 - (votes for the most voted label) / (all votes); 0 without votes.

    Computed once per distinct row (pattern), so it costs what the patterns cost."""
    from lf.matrix import LabelMatrix, row_patterns

    A = np.asarray(L.array if isinstance(L, LabelMatrix) else L)
    pats = row_patterns(A, k)
    rows = np.asarray(pats.rows)
    counts = np.stack([(rows == c).sum(axis=1) for c in range(k)], axis=1) if rows.size else np.zeros((0, k))
    total = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(total > 0, 1.0 - counts.max(axis=1, initial=0) / np.maximum(total, 1), 0.0)
    return np.asarray(score[pats.inverse], dtype=np.float64)


def _tfidf(texts: Sequence[Any]) -> Any:
    """Hashed word counts (a stable CRC32 hash: no per-process salt), TF-IDF weighted, L2-normalised."""
    from scipy import sparse

    indptr: list[int] = [0]
    indices: list[int] = []
    for text in texts:
        words = _WORD.findall(text.lower()) if isinstance(text, str) else []
        indices.extend(zlib.crc32(w.encode("utf-8")) % HASH_DIM for w in words)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float64)
    X = sparse.csr_matrix((data, np.asarray(indices, dtype=np.int64), np.asarray(indptr)), shape=(len(texts), HASH_DIM))
    X.sum_duplicates()
    df = np.bincount(X.indices, minlength=HASH_DIM)
    idf = np.log((1 + X.shape[0]) / (1 + df)) + 1.0
    X = X.multiply(idf).tocsr()
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    return sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ X


def diverse(scores: FloatArray, texts: Sequence[Any], k: int, rng: np.random.Generator, iterations: int = 8) -> IntArray:
    """Indices of ``k`` items spread over ``k`` clusters of their texts (spherical k-means,
    k-means++ start): the best-scoring item of each cluster, topped up by score."""
    n = len(texts)
    if k >= n:
        return np.argsort(-scores, kind="stable")[:k].astype(np.int64)
    X = _tfidf(texts)
    centres = _kmeanspp(X, k, rng)
    for _ in range(iterations):
        assign = np.asarray((X @ centres.T).argmax(axis=1)).ravel()
        for c in range(k):
            members = np.flatnonzero(assign == c)
            if members.size:
                v = np.asarray(X[members].mean(axis=0)).ravel()
                centres[c] = v / max(float(np.linalg.norm(v)), 1e-12)
    assign = np.asarray((X @ centres.T).argmax(axis=1)).ravel()
    order = np.lexsort((-scores, assign))  # by cluster, best score first
    first = order[np.r_[True, assign[order][1:] != assign[order][:-1]]]
    picked = list(first[np.argsort(-scores[first], kind="stable")][:k])
    if len(picked) < k:
        rest = np.setdiff1d(np.argsort(-scores, kind="stable"), picked, assume_unique=False)
        rest = rest[np.argsort(-scores[rest], kind="stable")]
        picked += list(rest[: k - len(picked)])
    return np.asarray(picked, dtype=np.int64)


def _kmeanspp(X: Any, k: int, rng: np.random.Generator) -> FloatArray:
    n = X.shape[0]
    centres = np.zeros((k, X.shape[1]))
    first = int(rng.integers(n))
    centres[0] = X[first].toarray().ravel()
    dist = np.maximum(1.0 - np.asarray(X @ centres[0]).ravel(), 0.0)
    for c in range(1, k):
        total = dist.sum()
        i = int(rng.choice(n, p=dist / total)) if total > 0 else int(rng.integers(n))
        centres[c] = X[i].toarray().ravel()
        dist = np.minimum(dist, np.maximum(1.0 - np.asarray(X @ centres[c]).ravel(), 0.0))
    return centres


def _pool(scores: FloatArray, allowed: npt.NDArray[np.bool_], size: int, rng: np.random.Generator) -> IntArray:
    """Up to ``size`` allowed rows with the highest scores; ties broken at random (seeded)."""
    idx = np.flatnonzero(allowed)
    if idx.size == 0:
        return idx.astype(np.int64)
    jitter = rng.random(idx.size)
    order = np.lexsort((jitter, -scores[idx]))
    return idx[order[:size]].astype(np.int64)


def _check(n: Any, strategy: str, seed: Any) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ParameterError(f"`n` must be an integer >= 1. Got {n!r}.")
    if strategy not in STRATEGIES:
        raise ParameterError(f"`strategy` must be one of {', '.join(map(repr, STRATEGIES))}. Got {strategy!r}.")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ParameterError(f"`seed` must be an integer. Got {seed!r}.")


def sample_rows(
    L: Any,
    *,
    n: int,
    strategy: str = "mixed",
    proba: Any = None,
    texts: Any = None,
    exclude: Any = None,
    seed: int = 0,
) -> tuple[IntArray, list[str]]:
    """Positions of up to ``n`` rows to hand-label, and the strategy that picked each.

    ``proba``: the model's class probabilities (n_rows x k), needed by ``uncertain`` (and
    by the uncertain third of ``mixed``). ``texts``: a callable ``texts(positions) -> list``
    or a sequence, for the diversity step (without it, picks are the top scores).
    ``exclude``: a boolean mask of rows never to pick (those that already have gold).
    """
    from lf.matrix import as_label_array

    _check(n, strategy, seed)
    A, k = as_label_array(L)
    rows = A.shape[0]
    if exclude is not None and np.asarray(exclude).dtype.kind != "b":  # positions read as flags: other rows
        raise ParameterError(
            f"`exclude` must be a boolean mask, one flag per row ({rows:,}), not row positions: "
            f"np.isin(np.arange({rows}), positions) makes one. Got values of dtype {np.asarray(exclude).dtype}."
        )
    allowed = np.ones(rows, dtype=bool) if exclude is None else ~np.asarray(exclude, dtype=bool)
    if allowed.shape != (rows,):
        raise ParameterError(f"`exclude` must hold one flag per row ({rows:,}). Got shape {allowed.shape}.")
    if strategy in ("uncertain", "mixed") and proba is None:
        raise ParameterError(f"strategy {strategy!r} needs the model's probabilities (`proba`).")
    rng = np.random.default_rng(int(seed))
    parts = ["uncertain", "conflict", "uncovered"] if strategy == "mixed" else [strategy]
    wants = [n // len(parts) + (1 if i < n % len(parts) else 0) for i in range(len(parts))]
    pools, scores = [], []
    for part, want in zip(parts, wants):  # every pool first, so the texts are read once
        score, eligible = _scores(part, A, k, proba)
        pools.append(_pool(score, eligible & allowed, max(POOL_FACTOR * n, 200), rng))
        scores.append(score)
    # when the strategies run short (every row certain, no conflict, all covered), the
    # rest are spread over the other rows, least confident first
    rest = entropy(proba) if proba is not None else np.zeros(rows)
    pools.append(_pool(rest, allowed, max(POOL_FACTOR * n, 200), rng))
    scores.append(rest)
    parts = [*parts, "spread"]
    wants = [*wants, 0]
    union = np.unique(np.concatenate(pools)) if pools else np.zeros(0, np.int64)
    found = _texts_of(texts, union)
    picked: list[int] = []
    why: list[str] = []
    last = len(parts) - 2  # the last strategy asked for ("spread" only tops up)
    for rnd in range(2):  # the second round tops up what a short strategy could not give
        for i, (part, pool, score) in enumerate(zip(parts, pools, scores)):
            if rnd == 0 and i > last:
                break
            want = n - len(picked) if rnd or i == last else n - len(picked) - sum(wants[i + 1 :])
            pool = pool[~np.isin(pool, picked)]
            if want <= 0 or pool.size == 0:
                continue
            chosen = _spread_pool(pool[: max(POOL_FACTOR * want, 200)], score, found, want, rng)
            picked += chosen.tolist()
            why += [part] * len(chosen)
    return np.asarray(picked, dtype=np.int64), why


def _texts_of(texts: Any, positions: IntArray) -> dict[int, Any] | None:
    if texts is None:
        return None
    got = texts(positions) if callable(texts) else [texts[int(i)] for i in positions]
    return dict(zip(positions.tolist(), got))


def _scores(part: str, A: Any, k: int, proba: Any) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    if part == "uncertain":  # where some LF votes: a row without votes is uncovered's, whatever its prior
        h = entropy(proba)
        voted = (A != -1).any(axis=1) if A.shape[1] else np.zeros(A.shape[0], dtype=bool)
        return h, (h > 1e-9) & voted
    if part == "conflict":
        c = conflict_scores(A, k)
        return c, c > 0
    none = (A == -1).all(axis=1) if A.shape[1] else np.ones(A.shape[0], dtype=bool)
    return np.zeros(A.shape[0]), np.asarray(none, dtype=bool)


def _spread_pool(pool: IntArray, score: FloatArray, texts: dict[int, Any] | None, want: int, rng: np.random.Generator) -> IntArray:
    if pool.size <= want or texts is None:
        return pool[:want]
    return pool[diverse(score[pool], [texts[int(i)] for i in pool], want, rng)]


def sample(
    L: Any,
    data: Any,
    *,
    n: int,
    strategy: str = "mixed",
    model: Any = None,
    exclude: Any = None,
    seed: int = 0,
    text_column: str = "text",
    id_column: str | None = None,
) -> Any:
    """The rows to hand-label as a DataFrame: ``id``, ``text``, the model's ``label`` and its
    ``confidence`` (missing on a row no LF votes on: the model has no evidence there; and on
    a row the model itself leaves unlabeled, as ``predict`` does), the
    ``strategy`` that picked the row, and an empty ``gold`` column to fill.

    ``model``: a label model fitted on ``L`` (needed by ``uncertain`` and ``mixed``);
    ``data``: what ``L`` was made from (texts are read only for the candidate rows);
    ``exclude``: a boolean mask of rows that already have gold (never picked). Row ids
    that repeat in ``L`` are warned about: the hand labels come back by id. When ``L`` has
    row ids, ``data``'s ids (its ``id_column``, default its ``id`` column, if any) must be
    the same at the rows read, or it is a DataError: the texts would be another data set's,
    and the hand labels would come back to ids of other rows (data without that column is
    read by position, with a warning). Rows picked without an id are warned about too.
    """
    import pandas as pd

    from lf.output import label_names
    from lf.rows import read_rows, same_ids

    # the model's own labels, as lf label writes them (a MajorityVoter's abstained ties too)
    proba, labels = model.predict_both(L) if model is not None else (None, None)

    seen: dict[int, Any] = {}  # texts read once: the pool's, which hold the picks
    id_col = None if getattr(L, "row_ids", None) is None else (id_column or "id")

    def texts(positions: IntArray) -> list[Any]:
        todo = np.unique(np.asarray([p for p in positions.tolist() if p not in seen], dtype=np.int64))
        if todo.size:
            read = read_rows(data, todo, text_column, id_col, id_optional=id_column is None, n_rows=len(L))
            if id_col is not None and id_col in read.columns:
                same_ids(np.asarray(L.row_ids)[todo], read[id_col].tolist(), todo)
            seen.update(zip(todo.tolist(), read[text_column].tolist()))
        return [seen[p] for p in positions.tolist()]

    picked, why = sample_rows(L, n=n, strategy=strategy, proba=proba, texts=texts, exclude=exclude, seed=seed)
    if getattr(L, "row_ids", None) is not None:  # the hand labels come back by id
        from lf._repeated_ids import MissingIds, repeated_ids, warn_repeated

        warn_repeated(repeated_ids([np.asarray(L.row_ids)]), "The data's id column")
        unnamed = MissingIds()
        unnamed.add(np.asarray(L.row_ids)[picked], picked)
        unnamed.warn("The data's id column, at rows picked,")
    names = label_names(L)
    ids = L.row_ids[picked] if getattr(L, "row_ids", None) is not None else picked
    frame = pd.DataFrame({"id": ids, "text": texts(picked) if picked.size else []})
    if proba is not None and labels is not None:  # a row no LF votes on has no label, as in lf label: not the prior's class
        from lf.matrix import LabelMatrix

        A = np.asarray(L.array if isinstance(L, LabelMatrix) else L)
        best = labels[picked]
        has = (A[picked] != -1).any(axis=1) & (best != -1) if picked.size else np.zeros(0, bool)
        frame["label"] = pd.Series([names[int(b)] if h else None for b, h in zip(best, has, strict=True)], dtype=object)
        frame["confidence"] = np.where(has, proba[picked, np.maximum(best, 0)], np.nan) if picked.size else np.zeros(0)
    frame["strategy"] = why
    frame["gold"] = pd.Series([None] * len(picked), dtype=object)
    return frame
