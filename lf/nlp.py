"""spaCy labeling functions at corpus speed (extra: ``lf[nlp]``).

``@nlp_labeling_function()`` gives an LF ``x.doc``, a spaCy ``Doc`` of ``x.text``:

    >>> @nlp_labeling_function(needs=("ner",))
    ... def names_a_person(x):
    ...     return HAM if any(e.label_ == "PERSON" for e in x.doc.ents) else ABSTAIN

How it runs. The chunk kernel hands a :class:`SpacyPreprocessor` all the rows of a chunk at
once. Every LF of the chunk sharing a pipeline shares one parse: its texts, each distinct
text once, go through one ``nlp.pipe`` call running only the components those LFs declare in
``needs`` (plus what those depend on: a tagger's ``tok2vec``; with ``needs=()`` only the
tokenizer runs). A pipeline named by ``model=`` is loaded once per process or Dask worker.
With ``doc_cache=`` (or ``$LF_DOC_CACHE``) parsed Docs are stored on disk
(:mod:`lf.doc_cache`) and reused by later runs, other engines and other workers.

An LF should read only what its ``needs`` provide: its Doc also holds what the other LFs
of the run on the same pipeline need (the parse is shared), whether they run or the
LF-label cache answers for them, so an LF reading more labels by what the run's LFs need
together; the cache (``apply(cache=...)``) keys each spaCy LF by that whole parse.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from lf._spacy import ANNOTATIONS, Pipeline, default_model
from lf.core import LabelingFunction, Preprocessor, Row, _copy_row, _preprocessors, _reject_bare
from lf.doc_cache import DEFAULT_MAX_BYTES, DocCache
from lf.errors import LFDefinitionError, LFError, ParameterError

__all__ = ["ANNOTATIONS", "DEFAULT_MAX_BYTES", "DocCache", "SpacyPreprocessor", "nlp_labeling_function"]

ENV_DOC_CACHE = "LF_DOC_CACHE"
# Doc and token attributes that read empty, not fail, when no component set them: an LF
# whose code names one reads that annotation ("" for every pos_ of a parse without it).
_SILENT_READS = {
    "ents": "ents", "ent_type_": "ents", "ent_iob_": "ents", "pos_": "pos", "tag_": "tag",
    "dep_": "dep", "lemma_": "lemma", "morph": "morph",
}
_ARGUMENTS = ("model", "needs", "text_field", "doc_field", "batch_size", "n_process", "doc_cache")
# Snorkel's SpacyPreprocessor / nlp_labeling_function arguments, and what lf takes instead.
_SNORKEL = {
    "language": "`language` is `model=` here (a pipeline name or a loaded spacy.Language).",
    "disable": "say what the LF reads with `needs=` (('ner',), ('pos',) ...): only those components run.",
    "memoize": "each distinct text of a chunk is parsed once already; doc_cache= keeps Docs across runs.",
    "memoize_key": "each distinct text of a chunk is parsed once already; doc_cache= keeps Docs across runs.",
    "gpu": "call spacy.require_gpu() before the pipeline loads, or pass a pipeline loaded on the GPU as model=.",
}


def _refuse(who: str, args: tuple[Any, ...], kwargs: Mapping[str, Any], allowed: Sequence[str]) -> None:
    """The ParameterError for arguments ``who`` does not take: Snorkel's named with lf's way."""
    if args:
        raise ParameterError(
            f"{who} takes the pipeline as its one positional argument (model=); the rest are keywords. "
            f"Snorkel's SpacyPreprocessor('text', 'doc') is SpacyPreprocessor(text_field='text', "
            f"doc_field='doc', needs=(...)) here. Got the extra positional arguments {args!r}."
        )
    if kwargs:
        name = min(kwargs)
        if name in _SNORKEL:
            raise ParameterError(f"{who} takes no `{name}` (Snorkel's): {_SNORKEL[name]}")
        raise ParameterError(f"{who} has no argument {name!r}. Its arguments: {', '.join(allowed)}.")


class _ParseOne:
    """Parses one row's text (an LF called by hand); its fingerprint names the pipeline run."""

    unreadable = "its spaCy pipeline or doc._ attributes hold state lf cannot read"

    def __init__(self, owner: SpacyPreprocessor) -> None:
        self.owner = owner
        self.__doc__ = f"Adds x.{owner.doc_field}: the spaCy Doc of x.{owner.text_field}."

    def __call__(self, x: Row) -> Row:
        pre = self.owner
        text = _text(x, pre.text_field)
        if isinstance(text, BaseException):
            raise text
        x[pre.doc_field] = pre.pipeline.parse([text], pre.components(), pre.batch_size, 1)[0]
        return x

    def fingerprint(self) -> str | None:
        """Pipeline name, version, spaCy version, the components run and their state, the
        ``doc._`` attributes registered, plus the fields; None when some of it cannot be
        read (the LF is then not cached)."""
        from lf._spacy_state import extensions_digest

        pre = self.owner
        described = pre.pipeline.describe(pre.components())
        extensions = extensions_digest()
        if described["content"] is None or extensions is None:
            return None
        fields = {"text": pre.text_field, "doc": pre.doc_field, "extensions": extensions}
        return json.dumps({**described, **fields}, sort_keys=True)


class SpacyPreprocessor(Preprocessor):
    """Sets ``x.<doc_field>`` to the spaCy ``Doc`` of ``x.<text_field>``.

    Parameters
    ----------
    model:
        A spaCy pipeline name (default ``$LF_SPACY_MODEL``, else ``en_core_web_sm``), loaded
        once per process, or a loaded ``spacy.Language``.
    needs:
        Components to run (``"ner"``, ``"tagger"``, ``"parser"`` ...) or annotations to
        provide (``"ents"``, ``"pos"``, ``"tag"``, ``"dep"``, ``"lemma"``, ``"sents"``,
        ``"morph"``). ``()`` runs the tokenizer only.
    batch_size, n_process:
        Passed to ``nlp.pipe``.
    doc_cache:
        A folder (or :class:`~lf.doc_cache.DocCache`) keeping parsed Docs across runs;
        default ``$LF_DOC_CACHE``, else none.
    """

    def __init__(
        self,
        model: Any = None,
        *snorkel_args: Any,
        needs: Sequence[str] = ("ner",),
        text_field: str = "text",
        doc_field: str = "doc",
        batch_size: int = 256,
        n_process: int = 1,
        doc_cache: str | os.PathLike[str] | DocCache | None = None,
        name: str = "spacy",
        **snorkel_kwargs: Any,
    ) -> None:
        _refuse("SpacyPreprocessor", snorkel_args, snorkel_kwargs, (*_ARGUMENTS, "name"))
        self.pipeline = Pipeline(default_model() if model is None else model)
        if isinstance(needs, str) or not all(isinstance(n, str) for n in needs):
            raise ParameterError(f"`needs` must be a tuple of component or annotation names, e.g. ('ner',). Got {needs!r}.")
        for label, value in (("batch_size", batch_size), ("n_process", n_process)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ParameterError(f"`{label}` must be an integer >= 1. Got {value!r}.")
        self.needs = tuple(dict.fromkeys(needs))
        self.text_field, self.doc_field = text_field, doc_field
        self.batch_size, self.n_process = batch_size, n_process
        if doc_cache is None and os.environ.get(ENV_DOC_CACHE):
            doc_cache = os.environ[ENV_DOC_CACHE]
        self.doc_cache = doc_cache if isinstance(doc_cache, DocCache) or doc_cache is None else DocCache(doc_cache)
        self._components: tuple[str, ...] | None = None
        self.readers: list[tuple[str, tuple[str, ...]]] = []  # (LF name, annotations its code reads)
        super().__init__(name, _ParseOne(self))

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_components": None}

    def components(self) -> tuple[str, ...]:
        """The pipeline components this preprocessor runs (checked against the pipeline)."""
        if self._components is None:
            self._components = self.pipeline.components(self.needs)
        return self._components

    @property
    def group(self) -> tuple[str, str | None]:
        """Preprocessors with the same group share one parse per chunk."""
        return self.pipeline.key, None if self.doc_cache is None else str(self.doc_cache.folder)

    def map_rows(self, rows: Sequence[Row], scratch: dict[Any, Any]) -> list[Row | BaseException]:
        """The kernel's chunk hook: every row at once (an exception stands for a failed row).

        ``scratch`` is per chunk: ``scratch["pres"]`` lists every preprocessor of the chunk's
        LFs; parsed Docs are kept in it by text for the other preprocessors of the group.
        """
        key = ("lf.nlp", self.group)
        if key not in scratch:
            peers = [p for p in scratch.get("pres", ()) if isinstance(p, SpacyPreprocessor) and p.group == self.group]
            scratch[key] = _ChunkDocs(self, [self, *peers])
        docs: _ChunkDocs = scratch[key]
        limit = self.pipeline.loaded()[0].max_length
        texts = [_too_long(t, limit) for t in (_text(x, self.text_field) for x in rows)]
        found = docs.get([t for t in texts if isinstance(t, str)])
        out: list[Row | BaseException] = []
        for x, text in zip(rows, texts):
            if isinstance(text, str) and isinstance(found[text], BaseException):
                text = found[text]  # the pipeline failed on this text
            if isinstance(text, BaseException):
                out.append(text)
                continue
            y = _copy_row(x)
            y[self.doc_field] = found[text]
            out.append(y)
        return out

    def rows_done(self, lf_name: str, scratch: dict[Any, Any]) -> None:
        """The kernel's hook after LF ``lf_name`` labeled the chunk's rows: refuse a Doc it changed."""
        docs = scratch.get(("lf.nlp", self.group))
        if docs is not None:
            docs.unchanged(lf_name)

    def __repr__(self) -> str:
        return f"SpacyPreprocessor({self.pipeline.spec!r}, needs={self.needs!r})"


class _ChunkDocs:
    """The Docs of one chunk for one group of preprocessors: each text parsed once."""

    def __init__(self, first: SpacyPreprocessor, peers: list[SpacyPreprocessor]) -> None:
        self.pipeline = first.pipeline
        self.components = _shared(peers)
        _check_reads(peers, self.components)
        self.batch_size, self.n_process, self.cache = first.batch_size, first.n_process, first.doc_cache
        self.docs: dict[str, Any] = {}
        self._description: dict[str, Any] | None = None
        # Each Doc's state as parsed: the rows and LFs sharing it must find it so.
        self.marks: dict[str, tuple[Any, ...]] = {}

    def description(self) -> dict[str, Any]:
        """The pipeline's description for the Doc cache, hashed once per chunk."""
        if self._description is None:
            self._description = self.pipeline.describe(self.components)
        return self._description

    def get(self, texts: list[str]) -> dict[str, Any]:
        wanted = list(dict.fromkeys(texts))
        missing = [t for t in wanted if t not in self.docs]
        if self.cache is not None and self.description()["content"] is None:
            self.cache = None  # a pipeline state it cannot read: its Docs are parsed, not stored
        if missing and self.cache is not None:
            self.docs.update(self.cache.get(self.description(), missing, self.pipeline.loaded()[0].vocab))
            missing = [t for t in missing if t not in self.docs]
        if missing:
            parsed = self._parse(missing)
            self.docs.update(zip(missing, parsed))
            done = [(t, d) for t, d in zip(missing, parsed) if not isinstance(d, BaseException)]
            if self.cache is not None and done:
                self.cache.put(self.description(), [t for t, _ in done], [d for _, d in done])
        fresh = [t for t in wanted if t not in self.marks and not isinstance(self.docs[t], BaseException)]
        self.marks.update((t, _mark(self.docs[t])) for t in fresh)
        return self.docs

    def _parse(self, texts: list[str]) -> list[Any]:
        """The Docs of ``texts``; when a component raises, each text alone, an exception
        standing for a text the pipeline fails on (that row fails, not the chunk)."""
        try:
            return self.pipeline.parse(texts, self.components, self.batch_size, self.n_process)
        except LFError:
            raise
        except Exception:  # noqa: BLE001 - a component's error, told per row below
            out: list[Any] = []
            for text in texts:
                try:
                    out += self.pipeline.parse([text], self.components, self.batch_size, 1)
                except LFError:
                    raise
                except Exception as exc:  # noqa: BLE001 - whatever the user's component raises
                    out.append(exc)
            return out

    def unchanged(self, lf_name: str) -> None:
        """Refuse Docs an LF changed: the rows with the same text and the LFs after it share
        each Doc, so they would label by its change (and would not when the LF cache answers
        for it, or the texts fall in other chunks)."""
        for text, then in self.marks.items():
            now = _mark(self.docs[text])
            if now != then:
                parts = ("its tokens", "doc.user_data (doc._, token._ values)", "doc.spans", "doc.cats",
                         "its token annotations or entities")
                what = next(p for p, a, b in zip(parts, now, then) if a != b)
                raise LFDefinitionError(
                    f"Labeling function {lf_name!r} changed {what} of the spaCy Doc of {text[:40]!r}. "
                    "The rows with the same text and the LFs of a run share each Doc, so they would "
                    "read the change (and would not when the LF cache answers for it). Change a copy: "
                    "doc = x.doc.copy()."
                )


def _mark(doc: Any) -> tuple[Any, ...]:
    """What an LF changing its Doc changes: the tokens (a retokenizer), ``doc._`` and
    ``token._`` values, spans, categories, token annotations (sentence starts and norms
    too) and entities."""
    from spacy import attrs as a

    kept = [a.ENT_IOB, a.ENT_TYPE, a.ENT_KB_ID, a.ENT_ID, a.POS, a.TAG, a.DEP, a.HEAD, a.LEMMA, a.MORPH, a.SENT_START, a.NORM]
    annotations = doc.to_array(kept).tobytes()
    return (len(doc), len(doc.user_data), len(doc.spans), len(doc.cats), annotations)


def _shared(peers: Sequence[SpacyPreprocessor]) -> tuple[str, ...]:
    """The components one parse runs for preprocessors of one group: all their needs."""
    needs = [n for p in peers for n in p.components()]
    return peers[0].pipeline.components(dict.fromkeys(needs))


def _check_reads(peers: Sequence[SpacyPreprocessor], components: tuple[str, ...]) -> None:
    """Refuse an LF whose code reads an annotation its Doc never has (``t.pos_`` with the
    default ``needs=("ner",)``): it would read "" or () on every row, without a sign."""
    for pre in peers:
        for lf_name, reads in pre.readers:
            missing = [a for a in reads if not set(pre.pipeline.providers(a)) & set(components)]
            if missing:
                needs = (*pre.needs, *missing)
                raise LFDefinitionError(
                    f"Labeling function {lf_name!r} reads {', '.join(missing)} of its spaCy Doc, which "
                    f"needs={pre.needs!r} does not provide (its parse runs "
                    f"{', '.join(components) or 'the tokenizer only'}): each row would read it empty. "
                    f"Declare it: @nlp_labeling_function(needs={needs!r})."
                )


def _code_reads(f: Any) -> tuple[str, ...]:
    """The annotations a function's code (nested code too) names in :data:`_SILENT_READS`."""
    from lf.apply.code_reading import walk_code

    code = getattr(f, "__code__", None)
    names = {n for c in walk_code(code) for n in c.co_names} if code is not None else set()
    return tuple(dict.fromkeys(_SILENT_READS[n] for n in sorted(names) if n in _SILENT_READS))


def shared_parses(lfs: Sequence[LabelingFunction]) -> list[str]:
    """Per LF, the parses its spaCy preprocessors share with the other LFs of a run (one
    per chunk and group runs the needs of them all, see the kernel): an LF that reads more
    of the Doc than its own ``needs`` labels by them, so the LF cache keys it by the
    components they run (its fingerprint has the pipeline). "" for an LF without a spaCy
    preprocessor."""
    groups: dict[Any, list[SpacyPreprocessor]] = {}
    for p in (p for lf in lfs for p in lf.pre if isinstance(p, SpacyPreprocessor)):
        groups.setdefault(p.group, []).append(p)
    parses = {group: _shared(peers) for group, peers in groups.items()}
    out = []
    for lf in lfs:
        mine = sorted({",".join(parses[p.group]) for p in lf.pre if isinstance(p, SpacyPreprocessor)})
        out.append("|".join(mine))
    return out


def _text(x: Row, field: str) -> str | BaseException:
    value = x.__dict__.get(field) if isinstance(x, Row) else getattr(x, field, None)
    if isinstance(value, str):
        return value
    if isinstance(x, Row) and field not in x:
        return KeyError(f"the row has no field {field!r}; pass text_field= to name the text column")
    return TypeError(f"field {field!r} is {value!r} ({type(value).__name__}), not a text spaCy can parse")


def _too_long(text: str | BaseException, limit: int) -> str | BaseException:
    """The text, or the error spaCy would raise for the whole chunk, for this row alone."""
    if isinstance(text, str) and len(text) > limit:
        return ValueError(
            f"the text is {len(text):,} characters long, over the pipeline's nlp.max_length "
            f"({limit:,}); shorten it in a preprocessor (pre=), or pass a pipeline whose max_length "
            "you raised as model= (its parser and NER need about 1 GB per 100,000 characters)"
        )
    return text


def nlp_labeling_function(
    name: Any = None,
    *,
    model: Any = None,
    needs: Sequence[str] = ("ner",),
    resources: Mapping[str, Any] | None = None,
    pre: Sequence[Preprocessor] | None = None,
    text_field: str = "text",
    doc_field: str = "doc",
    batch_size: int = 256,
    n_process: int = 1,
    doc_cache: str | os.PathLike[str] | DocCache | None = None,
    **snorkel_kwargs: Any,
) -> Callable[[Callable[..., Any]], LabelingFunction]:
    """Decorator making an LF that reads ``x.doc``, the spaCy ``Doc`` of ``x.text``.

    ``pre`` runs before the parse (as in Snorkel); the other parameters are those of
    :class:`SpacyPreprocessor`. The LF declares the components it reads in ``needs``
    (default ``("ner",)``); nothing else of the pipeline runs for it.
    """
    _reject_bare(name, "nlp_labeling_function")
    _refuse("nlp_labeling_function", (), snorkel_kwargs, ("name", *_ARGUMENTS, "resources", "pre"))
    if name is not None and not isinstance(name, str):
        raise LFDefinitionError(f"`name` must be a string or None. Got {name!r}.")
    spacy_pre = SpacyPreprocessor(
        model, needs=needs, text_field=text_field, doc_field=doc_field, batch_size=batch_size,
        n_process=n_process, doc_cache=doc_cache,
    )

    def wrap(f: Callable[..., Any]) -> LabelingFunction:
        lf_name = name or f.__name__
        before = _preprocessors(f"Labeling function {lf_name!r}", pre)
        spacy_pre.readers.append((lf_name, _code_reads(f)))
        return LabelingFunction(lf_name, f, resources=resources, pre=[*before, spacy_pre])

    return wrap

