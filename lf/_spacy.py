"""spaCy pipelines for ``lf.nlp``: loaded once per process, run with only the components needed.

A :class:`Pipeline` is a light handle: a pipeline name (loaded on first use in each process
or Dask worker, then reused for every chunk) or a loaded ``spacy.Language``. ``needs`` names
pipeline components (``"ner"``, ``"tagger"`` ...) or the annotations LFs read (``"pos"``,
``"ents"`` ...); :meth:`Pipeline.components` adds what those components depend on (the
``tok2vec`` a tagger listens to, what an attribute ruler's patterns match on, the sentences
the NER keeps its entities in) and nothing else, so a Doc holds what the whole pipeline gives.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from lf._spacy_state import PipelineState
from lf.errors import MissingExtraError, ParameterError, require

__all__ = ["ANNOTATIONS", "DEFAULT_MODEL", "Pipeline", "default_model"]

DEFAULT_MODEL = "en_core_web_sm"
ENV_MODEL = "LF_SPACY_MODEL"

# ``needs`` may name an annotation instead of a component: the components assigning it run.
ANNOTATIONS = {
    "ents": "doc.ents",
    "pos": "token.pos",
    "tag": "token.tag",
    "dep": "token.dep",
    "lemma": "token.lemma",
    "sents": "doc.sents",
    "morph": "token.morph",
}
# What spaCy's own factories assign or read but do not declare in their meta.
_EXTRA_ASSIGNS = {"attribute_ruler": ("token.pos", "token.morph", "token.lemma"), "senter": ("doc.sents",)}
# The NER and the parser keep to sentence boundaries set before them (en_core_web_sm's NER
# to the parser's sentences); the NER keeps the entities set before it (an entity ruler
# added before="ner", spaCy's way to fix entities), and an entity ruler adds to them.
_SENTENCES = ("token.is_sent_start",)
_NER = (*_SENTENCES, "doc.ents")
_EXTRA_REQUIRES = {
    "ner": _NER, "beam_ner": _NER, "parser": _SENTENCES, "beam_parser": _SENTENCES,
    "lemmatizer": ("token.pos", "token.morph"), "entity_ruler": ("doc.ents",),
}
# What the token attributes of a rule's pattern read (en_core_web_sm's attribute ruler maps
# some tags to another part of speech by dependency label: "is" as ROOT is a VERB, not AUX).
_PATTERN_READS = {
    "TAG": "token.tag", "POS": "token.pos", "MORPH": "token.morph", "LEMMA": "token.lemma",
    "DEP": "token.dep", "ENT_TYPE": "token.ent_type", "ENT_IOB": "token.ent_iob",
    "ENT_ID": "token.ent_type", "ENT_KB_ID": "token.ent_type",
    "SENT_START": "token.is_sent_start", "IS_SENT_START": "token.is_sent_start",
}

# Pipelines loaded by name in this process (one per process or Dask worker, reused for every
# chunk), each with a lock: the threads of one worker take turns with a pipeline.
_LOADED: dict[str, tuple[Any, threading.Lock]] = {}
_LOADING = threading.Lock()


def default_model() -> str:
    """``$LF_SPACY_MODEL``, else ``en_core_web_sm``."""
    return os.environ.get(ENV_MODEL) or DEFAULT_MODEL


def _load(name: str) -> tuple[Any, threading.Lock]:
    with _LOADING:
        if name not in _LOADED:
            spacy: Any = require("spacy", "nlp")
            try:
                nlp = spacy.load(name)
            except OSError as exc:
                if "E050" not in str(exc) and "E053" not in str(exc):
                    raise
                raise MissingExtraError(
                    f"spaCy pipeline {name!r} is not installed. Install it with: python -m spacy "
                    f"download {name} (or pass model= / set {ENV_MODEL} to an installed pipeline)."
                ) from None
            _LOADED[name] = (nlp, threading.Lock())
        return _LOADED[name]


class Pipeline:
    """A spaCy pipeline by name (loaded lazily, once per process) or a loaded ``Language``."""

    def __init__(self, model: Any) -> None:
        if isinstance(model, str):
            if not model:
                raise ParameterError("`model` must name a spaCy pipeline (e.g. 'en_core_web_sm'). Got ''.")
            self.spec: Any = model
        elif hasattr(model, "pipe_names") and hasattr(model, "pipe"):
            self.spec = model
        else:
            raise ParameterError(
                f"`model` must be a spaCy pipeline name or a loaded spacy.Language. Got {model!r}."
            )
        self._own_lock = threading.Lock()
        self._state = PipelineState()

    def __getstate__(self) -> dict[str, Any]:
        return {"spec": self.spec}  # a name travels as a name: each process loads it once

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.spec = state["spec"]
        self._own_lock = threading.Lock()
        self._state = PipelineState()

    @property
    def key(self) -> str:
        """Same key, same pipeline (within one process)."""
        return f"name:{self.spec}" if isinstance(self.spec, str) else f"object:{id(self.spec)}"

    def loaded(self) -> tuple[Any, threading.Lock]:
        return _load(self.spec) if isinstance(self.spec, str) else (self.spec, self._own_lock)

    def identity(self) -> dict[str, Any]:
        """Name, version, language, and the versions of spaCy and of what computes its
        models (thinc, numpy, the CPU or GPU ops): what a stored result depends on."""
        from importlib.metadata import version

        from thinc.api import get_current_ops

        nlp, _ = self.loaded()
        meta = nlp.meta
        return {
            "name": f"{meta.get('lang', nlp.lang)}_{meta.get('name', 'pipeline')}",
            "version": str(meta.get("version", "")),
            "spacy": version("spacy"),
            "thinc": version("thinc"),
            "numpy": version("numpy"),
            "ops": type(get_current_ops()).__name__,
        }

    def describe(self, components: Sequence[str]) -> dict[str, Any]:
        """:meth:`identity` plus the components run (name and factory, in pipeline order)
        and :meth:`content`, the hash of their current state (None: not cacheable)."""
        nlp, _ = self.loaded()
        factories = [f"{c}:{nlp.get_pipe_meta(c).factory}" for c in components]
        return {**self.identity(), "components": factories, "content": self.content(components)}

    def content(self, components: Sequence[str]) -> str | None:
        """A hash of what a parse depends on beyond the pipeline's name and version (see
        :mod:`lf._spacy_state`): config, tokenizer, the state and code of each component
        run, the vocabulary's lexical attributes and the word vectors, so a pipeline edited
        in code or retrained under the same name is another pipeline. None when some part
        cannot be read: nothing parsed with it is then cached."""
        nlp, lock = self.loaded()
        with lock:
            return self._state.digest(nlp, components)

    def components(self, needs: Iterable[str]) -> tuple[str, ...]:
        """The components to run for ``needs``, dependencies included, in pipeline order.
        A component that retokenizes (``merge_entities`` ...) always runs: every LF reads
        the tokens, and they are the ones the whole pipeline gives."""
        nlp, _ = self.loaded()
        names = list(nlp.pipe_names)
        todo = [name for need in needs for name in _components_for(nlp, names, need)]
        todo += [name for name in names if nlp.get_pipe_meta(name).retokenizes]
        run: set[str] = set()
        while todo:
            name = todo.pop()
            if name not in run:
                run.add(name)
                todo.extend(_depends_on(nlp, names, name))
        return tuple(n for n in names if n in run)

    def providers(self, annotation: str) -> tuple[str, ...]:
        """The components assigning ``annotation`` (a key of :data:`ANNOTATIONS`)."""
        nlp, _ = self.loaded()
        return tuple(n for n in nlp.pipe_names if ANNOTATIONS[annotation] in _assigns(nlp, n))

    def parse(self, texts: Sequence[str], components: Sequence[str], batch_size: int, n_process: int) -> list[Any]:
        """``Doc`` objects for ``texts``, running only ``components`` (none: tokenizer only)."""
        nlp, lock = self.loaded()
        with lock:
            if not components:
                return [nlp.make_doc(t) for t in texts]
            disable = [n for n in nlp.pipe_names if n not in components]
            return list(nlp.pipe(texts, disable=disable, batch_size=batch_size, n_process=n_process))


def _assigns(nlp: Any, name: str) -> set[str]:
    meta = nlp.get_pipe_meta(name)
    return set(meta.assigns) | set(_EXTRA_ASSIGNS.get(meta.factory, ()))


def _components_for(nlp: Any, names: list[str], need: str) -> list[str]:
    """A component by name; an annotation: every component assigning it (an entity ruler
    added after the NER sets ``doc.ents`` too, and the Doc must have the entities of both)."""
    if need in names:
        return [need]
    if need in ANNOTATIONS:
        providers = [n for n in names if ANNOTATIONS[need] in _assigns(nlp, n)]
        if providers:
            return providers
    pipeline = f"{nlp.lang}_{nlp.meta.get('name', 'pipeline')}"
    hint = (
        f" {need!r} is disabled in it: enable it (nlp = spacy.load(...); nlp.enable_pipe({need!r})) "
        "and pass that pipeline as model=." if need in getattr(nlp, "disabled", ()) else ""
    )
    raise ParameterError(
        f"`needs` names {need!r}, which pipeline {pipeline!r} cannot provide. Components: "
        f"{', '.join(names) or '(none)'}; annotations: {', '.join(ANNOTATIONS)}.{hint}"
    )


def _depends_on(nlp: Any, names: list[str], name: str) -> list[str]:
    """The components ``name`` reads from: the embedding layer it listens to, and the
    earlier components assigning an attribute it requires or its patterns match on (all of
    them: a rule-based one sets the attribute of a few tokens over what another set)."""
    deps = [
        other for other in names
        if name in (getattr(nlp.get_pipe(other), "listening_components", None) or ())
    ]
    meta = nlp.get_pipe_meta(name)
    earlier = names[: names.index(name)]
    reads = (*meta.requires, *_EXTRA_REQUIRES.get(meta.factory, ()), *_pattern_reads(nlp.get_pipe(name)))
    for attr in reads:  # every earlier component assigning it: a ruler after a tagger sets a few
        deps.extend(n for n in earlier if attr in _assigns(nlp, n))
    return deps


def _pattern_reads(pipe: Any) -> list[str]:
    """The token attributes a rule-based component's patterns match on (an attribute
    ruler's, an entity ruler's token patterns and phrase attribute)."""
    reads = [_PATTERN_READS.get(str(getattr(pipe, "phrase_matcher_attr", None)).upper(), "")]
    entries = getattr(pipe, "patterns", None) if hasattr(pipe, "add_patterns") else None
    for entry in entries or ():
        if not isinstance(entry, dict):
            continue
        patterns = entry["patterns"] if "patterns" in entry else [entry.get("pattern")]
        for pattern in patterns:
            tokens = pattern if isinstance(pattern, list) else ()
            reads += [_PATTERN_READS.get(str(k).upper(), "") for t in tokens if isinstance(t, dict) for k in t]
    return sorted(set(reads) - {""})
