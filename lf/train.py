"""The end model: a text classifier trained on the probabilistic labels (``lf.train``, ``lf.predict``).

TF-IDF word (1-2) and character (2-5, within words) n-grams feed a logistic regression
(scikit-learn: ``pip install 'lf[train]'``). The label model's probabilities are soft
targets: each training row appears once per class whose probability is at least
``MIN_WEIGHT``, with that probability as its sample weight, so the regression minimises the
cross-entropy against the label model's distribution rather than against its argmax.
Training uses the rows some LF covered (the ``covered`` column of ``lf label``'s output),
unless ``all_rows=True``: an uncovered row's probabilities are only the class prior. The
inverse regularisation ``C`` is chosen from ``C_GRID`` by 3-fold cross-validation on the
training labels (soft cross-entropy, on at most ``CV_ROWS`` rows), or by accuracy on
gold-labeled dev rows when given, of fits that leave out the training rows whose text is a
dev row's (the dev accuracy is measured on texts the fit has not seen; the final model
trains on every row). Above ``max_rows`` covered rows, a seeded random sample of that many
rows is trained on (and said so). The fitted model is saved without pickle:
``model.json`` (settings, labels, vocabularies) and ``arrays.<digest>.npz`` (idf weights,
coefficients, the hashes of the texts it trained on; named by the SHA-256 of its bytes,
which ``model.json`` records).
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from lf.errors import DataError, MissingExtraError, ParameterError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["C_GRID", "EndModel", "load_model", "predict", "train"]

FORMAT = "lf.end_model/1"
C_GRID = (1.0, 4.0, 16.0, 64.0)
CV_ROWS = 10_000
MIN_WEIGHT = 1e-3
DEFAULT_MAX_ROWS = 100_000
_WORD = {"analyzer": "word", "ngram_range": (1, 2), "token_pattern": r"(?u)\b\w+\b"}
_CHAR = {"analyzer": "char_wb", "ngram_range": (2, 5)}
_COMMON = {"lowercase": True, "sublinear_tf": True, "min_df": 2, "max_features": 200_000}


def _sklearn() -> None:
    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise MissingExtraError("The end model needs scikit-learn: pip install 'lf[train]'") from None


@dataclass
class EndModel:
    """A fitted TF-IDF + logistic-regression classifier over one text column."""

    labels: tuple[str, ...]
    vocabularies: tuple[list[str], list[str]]  # word and char n-grams, in feature order
    idf: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]
    coef: npt.NDArray[np.float64]  # (k, d); binary models store one row per class too
    intercept: npt.NDArray[np.float64]
    C: float
    info: dict[str, Any] = field(default_factory=dict)
    # Sorted distinct hashes of the texts it was trained on (None: a model saved before they
    # were kept): what :meth:`seen` checks, so a score on its own training rows says so.
    trained_texts: npt.NDArray[np.uint64] | None = field(default=None, repr=False, compare=False)
    _vectorizers: Any = field(default=None, repr=False, compare=False)

    def _features(self, texts: Sequence[str]) -> Any:
        import scipy.sparse as sp

        if self._vectorizers is None:
            _sklearn()
            self._vectorizers = [_vectorizer(spec, vocab, idf) for spec, vocab, idf in zip((_WORD, _CHAR), self.vocabularies, self.idf, strict=True)]
        return sp.hstack([v.transform(texts) for v in self._vectorizers], format="csr")

    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Class probabilities, one row per text (columns in ``labels`` order). Texts are read
        as ``lf predict`` reads a text column: a missing one (None, NaN) is ``""``."""
        from lf._row_digest import model_texts

        if isinstance(texts, (str, bytes)):
            raise ParameterError(f"`texts` must be a sequence of texts, not one text: predict_proba([{texts!r:.40}]). Got a {type(texts).__name__}.")
        values = np.empty(len(texts), dtype=object)
        values[:] = list(texts)
        if not len(values):
            return np.zeros((0, len(self.labels)))
        scores = np.asarray(self._features(model_texts(values).tolist()) @ self.coef.T) + self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        out: npt.NDArray[np.float64] = e / e.sum(axis=1, keepdims=True)
        return out

    @property
    def text_column(self) -> str:
        """The data column the model was trained on: what ``lf predict`` reads by default."""
        column = self.info.get("text_column")
        return column if isinstance(column, str) else "text"  # a model saved before recorded none

    def predict(self, texts: Sequence[str]) -> npt.NDArray[np.int64]:
        return np.asarray(self.predict_proba(texts).argmax(axis=1), dtype=np.int64)

    def seen(self, texts: Sequence[Any]) -> npt.NDArray[np.bool_] | None:
        """Per text: whether a row the model was trained on has it (as the model reads
        texts); None for a model saved before it recorded its training texts."""
        from lf._row_digest import text_hashes

        if self.trained_texts is None:
            return None
        values = np.empty(len(texts), dtype=object)
        values[:] = list(texts)
        return np.isin(text_hashes(values), self.trained_texts)

    def save(self, folder: str | Path) -> Path:
        """Write ``model.json`` and its arrays (``arrays.<digest>.npz``) into ``folder``
        (created if missing). The arrays are named by their digest and written first, so a
        save that fails or is killed part way leaves the older model whole; once
        ``model.json`` is in place, the arrays the older one named are removed."""
        import io

        from lf.models._checks import write_model_files
        from lf.paths import written_file

        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise DataError(f"Cannot save the model to {str(folder)!r}: it is a file, not a folder.")
        written_file(folder).mkdir(parents=True, exist_ok=True)  # a symlink: the folder it names, as outputs are written
        buffer = io.BytesIO()
        arrays: dict[str, Any] = {"idf_word": self.idf[0], "idf_char": self.idf[1], "coef": self.coef,
                                  "intercept": self.intercept}
        if self.trained_texts is not None:
            arrays["trained_texts"] = self.trained_texts
        np.savez_compressed(buffer, **arrays)
        # model.json names its arrays and their digest: another model's arrays copied in are
        # refused on load, even with the same shapes
        doc = {"format": FORMAT, "labels": list(self.labels), "C": self.C, "word": _jsonable(_WORD),
               "char": _jsonable(_CHAR), "common": _COMMON, "vocabularies": list(self.vocabularies), "info": self.info}
        write_model_files(
            folder / "model.json", doc, buffer.getvalue(), lambda d: json.dumps(d, ensure_ascii=False),
            stem="arrays", keys=("arrays", "arrays_sha256"), legacy=ARRAYS,
        )
        return folder


ARRAYS = "arrays.npz"  # the arrays file of a model saved before they were named by digest


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _jsonable(spec: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in spec.items()}


def load_model(folder: str | Path) -> EndModel:
    """Load a model saved by :meth:`EndModel.save` / ``lf train`` (no pickle involved)."""
    folder = Path(folder)
    meta = folder / "model.json"
    if not meta.is_file():
        raise DataError(f"{str(folder)!r} is not a model folder written by `lf train` (it needs model.json and its arrays file).")
    try:
        doc = json.loads(meta.read_text(encoding="utf-8"))
        name = doc.get("arrays", ARRAYS) if isinstance(doc, dict) else ARRAYS
        if not isinstance(name, str) or not name or Path(name).name != name:
            raise DataError(f"{str(meta)!r} names its arrays file {name!r}: it must be a file name in the model folder.")
        arrays = folder / name
        if not arrays.is_file():
            raise DataError(f"{str(folder)!r} is not a whole model folder written by `lf train`: its arrays file {name!r} is missing.")
        digest = doc.get("arrays_sha256")
        matches = digest is None or digest == _sha256(arrays)  # models saved before had none
        with np.load(arrays, allow_pickle=False) as z:
            parts = {k: z[k] for k in ("idf_word", "idf_char", "coef", "intercept")}
            trained = z["trained_texts"] if "trained_texts" in z.files else None  # older models kept none
    except DataError:
        raise
    except (ValueError, KeyError, OSError) as exc:
        raise DataError(f"Cannot read the model in {str(folder)!r}: {exc}.") from None
    if not matches:
        raise DataError(
            f"{str(folder)!r}: model.json and {name} do not belong together (the arrays file was "
            "replaced or damaged); train the model again."
        )
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise DataError(f"{str(meta)!r} is not an lf end model of format {FORMAT!r} (got {doc.get('format') if isinstance(doc, dict) else doc!r}).")
    if doc["word"] != _jsonable(_WORD) or doc["char"] != _jsonable(_CHAR) or doc["common"] != _COMMON:
        raise DataError(f"{str(meta)!r} was written with other feature settings than this lf version uses; train it again.")
    vocab = (list(doc["vocabularies"][0]), list(doc["vocabularies"][1]))
    if (len(vocab[0]), len(vocab[1])) != (len(parts["idf_word"]), len(parts["idf_char"])) or parts["coef"].shape != (len(doc["labels"]), len(vocab[0]) + len(vocab[1])):
        raise DataError(f"{str(folder)!r}: model.json and {name} do not belong together.")
    return EndModel(tuple(doc["labels"]), vocab, (parts["idf_word"], parts["idf_char"]), parts["coef"], parts["intercept"],
                    float(doc["C"]), doc.get("info", {}), trained_texts=trained)


class _NoNgrams:
    """The features of one kind (word or character n-grams) when the training texts have none
    of that kind (texts of emoji or punctuation only have no word): no columns."""

    def __init__(self) -> None:
        self.vocabulary_: dict[str, int] = {}
        self.idf_ = np.zeros(0)

    def transform(self, texts: Sequence[str]) -> Any:
        import scipy.sparse as sp

        return sp.csr_matrix((len(texts), 0))


def _vectorizer(spec: dict[str, Any], vocab: list[str] | None = None, idf: Any = None) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    if vocab is None:
        return TfidfVectorizer(**spec, **_COMMON, dtype=np.float64)
    if not vocab:
        return _NoNgrams()
    params = {k: v for k, v in _COMMON.items() if k not in ("min_df", "max_features")}
    v = TfidfVectorizer(**spec, **params, vocabulary={t: i for i, t in enumerate(vocab)}, dtype=np.float64)
    v.idf_ = idf
    return v


def train(
    data: Any,
    labels: Any,
    *,
    text_column: str = "text",
    id_column: str | None = None,
    all_rows: bool = False,
    dev_data: Any = None,
    dev_gold: str | None = None,
    C: float | None = None,
    max_rows: int | None = DEFAULT_MAX_ROWS,
    random_state: int = 0,
    progress: bool | None = None,
) -> EndModel:
    """Train the end model on ``data``'s texts and the probabilistic ``labels`` of its rows.

    ``labels`` is what ``lf label`` writes (a path or a DataFrame: ``id``, one probability
    column per class, ``label``, ``confidence``, ``covered``). Rows are matched by id when
    the data has ids (``id_column``, else an ``id`` column), else by position. A Parquet
    labels file records a digest of the texts it was made from: rows so matched that hold
    other texts are a :class:`~lf.errors.DataError`; a labels file without one matched by
    position is a warning. ``C`` fixes the regularisation instead of choosing it from ``C_GRID``.
    ``progress``: a bar counting the fits on stderr (default: when it is a terminal).
    """
    _sklearn()
    from lf.apply.progress import progress_enabled
    from lf.train_data import Steps, labeled_texts

    progress_enabled(progress)  # a bad value fails before the data is read
    if C is not None and (isinstance(C, bool) or not isinstance(C, (int, float)) or not 0 < C < math.inf):
        raise ParameterError(f"`C` must be a finite number > 0 (inf would leave the weights unregularised). Got {C!r}.")
    if max_rows is not None and (isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 2):
        raise ParameterError(f"`max_rows` must be an integer >= 2 or None. Got {max_rows!r}.")
    if (dev_data is None) != (dev_gold is None):
        raise ParameterError("`dev_data` and `dev_gold` go together: the dev rows and their gold column.")
    texts, P, names, stats = labeled_texts(data, labels, text_column, id_column, all_rows)
    stats["text_column"] = text_column
    _warn_unlabeled_classes(P, names)
    rng = np.random.default_rng(random_state)
    if max_rows is not None and len(texts) > max_rows:
        keep = np.sort(rng.choice(len(texts), size=max_rows, replace=False))
        texts, P = [texts[i] for i in keep], P[keep]
        stats["sampled"] = max_rows
    fits = 1 + (0 if C is not None else len(C_GRID) * (1 if dev_data is not None else 3))
    with Steps(progress, 1 + fits, "training", "steps") as advance:
        return _train(texts, P, names, stats, dev_data, dev_gold, text_column, C, rng, advance)


def _train(
    texts: list[str], P: npt.NDArray[np.float64], names: list[str], stats: dict[str, Any], dev_data: Any,
    dev_gold: str | None, text_column: str, C: float | None, rng: np.random.Generator, advance: Any,
) -> EndModel:
    vecs = [_vectorizer(_WORD), _vectorizer(_CHAR)]
    X = _fit_features(vecs, texts, text_column)
    advance(1)
    dev = None
    if dev_data is not None:
        import scipy.sparse as sp

        from lf.train_data import gold_texts, unseen_rows

        dev_texts, y_dev = gold_texts(dev_data, str(dev_gold), text_column, names)
        unseen = unseen_rows(texts, set(dev_texts))
        dev = (sp.hstack([v.transform(dev_texts) for v in vecs], format="csr"), y_dev, unseen)
        stats["dev_texts_in_training"] = int((~unseen).sum())
    if C is None:
        C, scores = _choose_C(X, P, dev, rng, advance)
        stats["c_scores"] = {str(c): s for c, s in scores.items()}
        stats["c_chosen_by"] = "dev accuracy" if dev is not None else "3-fold CV soft cross-entropy"
    coef, intercept = _fit_lr(X, P, float(C))
    advance(1)
    vocab = tuple([t for t, _ in sorted(v.vocabulary_.items(), key=lambda kv: kv[1])] for v in vecs)
    from lf._row_digest import text_hashes

    trained = np.unique(text_hashes(texts))
    model = EndModel(tuple(names), (vocab[0], vocab[1]), (vecs[0].idf_, vecs[1].idf_), coef, intercept, float(C), stats, trained)
    model._vectorizers = vecs
    return model


def _warn_unlabeled_classes(P: npt.NDArray[np.float64], names: Sequence[str]) -> None:
    """Warn about the classes no training row has as its most probable label: the model has
    nothing to recognise them by, and gives them a probability near 0 (exactly 0 when no
    row gives them MIN_WEIGHT) on every text, however sure that looks."""
    from lf.display import label_list, one_line

    top = set(np.unique(P.argmax(axis=1)).tolist())
    missing = [one_line(name) for c, name in enumerate(names) if c not in top]
    if missing:
        warnings.warn(
            f"No training row's labels make {label_list([repr(m) for m in missing])} the most probable class "
            f"(of {P.shape[0]:,} rows): the end model learns nothing that makes "
            f"{'them' if len(missing) > 1 else 'it'} the likeliest, and gives "
            f"{'them' if len(missing) > 1 else 'it'} a probability near 0 on every text, however sure that looks. "
            "Add LFs that vote every class (lf report names the classes no LF votes), or leave a class the data "
            "does not have out of LABELS.",
            UserWarning, stacklevel=3,
        )


def _fit_features(vecs: list[Any], texts: list[str], text_column: str) -> Any:
    """Fit the vectorisers on the training texts (a kind of n-gram no text has gets no
    columns); texts without any n-gram (all empty or blank) are a DataError."""
    import scipy.sparse as sp

    parts = []
    for i, v in enumerate(vecs):
        try:
            parts.append(v.fit_transform(texts))
        except ValueError:  # too few rows for min_df=2: every n-gram is rare
            v.set_params(min_df=1)
            try:
                parts.append(v.fit_transform(texts))
            except ValueError:  # no text has an n-gram of this kind
                vecs[i] = _NoNgrams()
                parts.append(vecs[i].transform(texts))
    X = sp.hstack(parts, format="csr")
    if X.shape[1] == 0:
        raise DataError(
            f"The {len(texts):,} training rows have no text in their {text_column!r} column (every one is empty or "
            "blank): nothing to learn from. Give the column that holds the texts (--text-column COLUMN)."
        )
    return X


def _expand(X: Any, P: npt.NDArray[np.float64]) -> tuple[Any, npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """One copy of each row per class whose probability is >= MIN_WEIGHT, weighted by it."""
    rows, cls = np.nonzero(P >= MIN_WEIGHT)
    return X[rows], cls.astype(np.int64), P[rows, cls]


def _fit_lr(X: Any, P: npt.NDArray[np.float64], C: float) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Coefficients (k, d) and intercepts (k,) of the soft-target logistic regression."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    k = P.shape[1]
    Xe, ye, we = _expand(X, P)
    present = np.unique(ye)
    coef = np.zeros((k, X.shape[1]))
    intercept = np.full(k, -np.inf)
    if len(present) == 1:  # one class only: it always wins
        intercept[present[0]] = 0.0
        return coef, intercept
    lr = LogisticRegression(C=C, max_iter=300)  # lbfgs: one multinomial fit, quick at any C here
    with warnings.catch_warnings():  # a few more iterations would not change the argmax
        warnings.simplefilter("ignore", ConvergenceWarning)
        lr.fit(Xe, ye, sample_weight=we)
    if len(present) == 2:  # sklearn keeps one row for two classes: the log-odds of the second
        coef[present[1]], intercept[present[0]], intercept[present[1]] = lr.coef_[0], 0.0, lr.intercept_[0]
    else:
        coef[present], intercept[present] = lr.coef_, lr.intercept_
    return coef, intercept


def _softmax(S: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    S = S - S.max(axis=1, keepdims=True)
    e = np.exp(S)
    out: npt.NDArray[np.float64] = e / e.sum(axis=1, keepdims=True)
    return out


def _choose_C(
    X: Any, P: npt.NDArray[np.float64], dev: tuple[Any, Any, Any] | None, rng: np.random.Generator, advance: Any,
) -> tuple[float, dict[float, float]]:
    """The C of ``C_GRID`` with the best dev accuracy (of fits on the training rows whose text
    is no dev row's: ``dev[2]``), else the lowest CV soft cross-entropy."""
    scores: dict[float, float] = {}
    if dev is not None:
        for c in C_GRID:
            coef, b = _fit_lr(X[dev[2]], P[dev[2]], c)
            advance(1)
            scores[c] = float((_softmax(np.asarray(dev[0] @ coef.T) + b).argmax(axis=1) == dev[1]).mean())
        return max(C_GRID, key=lambda c: (scores[c], -c)), scores
    n = X.shape[0]
    idx = rng.permutation(n)[: min(n, CV_ROWS)]
    folds = np.array_split(idx, 3)
    for c in C_GRID:
        loss = 0.0
        for f in range(3):
            test = folds[f]
            fit = np.concatenate([folds[g] for g in range(3) if g != f])
            coef, b = _fit_lr(X[fit], P[fit], c)
            advance(1)
            Q = _softmax(np.asarray(X[test] @ coef.T) + b)
            loss -= float((P[test] * np.log(np.clip(Q, 1e-12, 1.0))).sum())
        scores[c] = loss / len(idx)
    return min(C_GRID, key=lambda c: (scores[c], c)), scores


def iter_predictions(
    model: EndModel | str | Path, data: Any, *, text_column: str | None = None, id_column: str | None = None,
    chunk_size: int = 50_000, progress: bool | None = None,
) -> Iterator[pd.DataFrame]:
    """Predictions chunk by chunk: ``id``, one probability column per label, ``label``, ``confidence``.
    ``text_column`` defaults to the column the model was trained on."""
    from lf.apply.progress import progress_enabled
    from lf.train_data import prediction_chunks

    progress_enabled(progress)  # a bad value fails before the model is read
    _sklearn()
    m = load_model(model) if isinstance(model, (str, Path)) else model
    column = m.text_column if text_column is None else text_column
    yield from prediction_chunks(m, data, column, id_column, chunk_size, progress)


def predict(
    model: EndModel | str | Path, data: Any, *, text_column: str | None = None, id_column: str | None = None,
    chunk_size: int = 50_000, progress: bool | None = None,
) -> pd.DataFrame:
    """All predictions as one DataFrame (``lf predict`` streams them to a file instead);
    data without rows gives one without rows, with the same columns. ``text_column``
    defaults to the column the model was trained on."""
    import pandas as pd

    from lf.apply.progress import progress_enabled

    progress_enabled(progress)  # a bad value fails before the model is read
    m = load_model(model) if isinstance(model, (str, Path)) else model
    parts = list(iter_predictions(m, data, text_column=text_column, id_column=id_column, chunk_size=chunk_size, progress=progress))
    if not parts:
        empty = {"id": np.zeros(0, dtype=np.int64), **{name: np.zeros(0) for name in m.labels}}
        return pd.DataFrame({**empty, "label": np.zeros(0, dtype=object), "confidence": np.zeros(0)})
    return pd.concat(parts, ignore_index=True)
