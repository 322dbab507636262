"""What a spaCy parse depends on, as one digest: the key of both caches for spaCy LFs.

A pipeline's name and version do not say what it does once code has edited it after
loading. :class:`PipelineState` hashes, each time it is asked:

- the config (components added, disabled or replaced change it) and the tokenizer's
  serialized rules (special cases, prefix/suffix/infix patterns, token and URL matches);
- each component run: its serialized state (weights, an entity ruler's patterns, the
  lemmatizer's tables) and, for the user's own components, their code (a function
  component's body and what it names, a class with its methods) and plain-data attributes;
- the vocabulary's lexical attributes: the functions that set them on new words (with their
  data: ``nlp.Defaults.stop_words``, the norm table), the lookup tables, and every word
  whose attributes differ from what those functions give (``nlp.vocab["foo"].is_stop =
  True``). Words a parse adds to the vocabulary get exactly those attributes, so the
  digest does not move as texts are processed (a key on the raw vocabulary would);
- the static word vectors (their bytes: a table of 20,000 x 300 floats costs about 25 ms).

Anything it cannot read completely (a tokenizer or component that cannot be serialized, a
component or attribute function holding an object that is not plain data) gives ``None``:
the LFs on that pipeline are not cached and its Docs are not stored.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lf.apply.fingerprint import Fingerprinter

__all__ = ["PipelineState", "extensions_digest"]

# The lexeme struct attributes spaCy sets when it creates a word (the others, prob,
# cluster and sentiment, live in the lookup tables, hashed whole).
_LEXEME = ("flags", "lower", "norm", "shape", "prefix", "suffix", "lang")


def _fingerprinter() -> Fingerprinter:
    from lf.apply.fingerprint import Fingerprinter

    return Fingerprinter(lf_source=False, ordered=True, world=True)


def _data(fp: Fingerprinter, value: Any) -> bytes | None:
    """Plain data, functions and partials; spaCy's lookup ``Table`` (a dict with a Bloom
    filter) as its items, also inside tuples and lists."""
    from spacy.lookups import Table

    if isinstance(value, functools.partial):
        inner = _data(fp, value.func)
        args = [_data(fp, a) for a in (value.args, sorted(value.keywords.items()))]
        return None if inner is None or None in args else b"partial:" + inner + b"|".join(a for a in args if a is not None)
    if isinstance(value, (tuple, list)):
        items = [_data(fp, v) for v in value]
        return None if None in items else f"{type(value).__name__}:".encode() + b"|".join(hashlib.sha256(i or b"").digest() for i in items)
    if isinstance(value, Table):
        value = dict(value)
    return _leaves(value) or fp.value(value, {})


def _leaves(value: Any) -> bytes | None:
    """A fast path for the large tables of words (stop words, norms): a set, list or dict
    of strings and numbers only, as the repr of its items (sets and dicts sorted)."""
    plain = (str, int, float)
    if isinstance(value, dict) and type(value) is dict:
        if all(type(k) in plain and type(v) in plain for k, v in value.items()):
            return b"dict:" + repr(sorted(value.items(), key=repr)).encode()
    elif type(value) in (set, frozenset) and all(type(v) in plain for v in value):
        return b"set:" + repr(sorted(value, key=repr)).encode()
    return None


def _component(fp: Fingerprinter, name: str, pipe: Any) -> bytes | None:
    """A component's code (a package's by its version) and its state."""
    import types

    code = fp.value(pipe if isinstance(pipe, types.FunctionType) else type(pipe), {})
    if code is None:
        return None
    state = b""
    if not isinstance(pipe, types.FunctionType):
        own = fp._installed_module(type(pipe).__module__) is None
        plain = fp.value(vars(pipe), {}) if own and hasattr(pipe, "__dict__") else None
        if plain is not None:
            state = plain
        elif hasattr(pipe, "to_bytes"):
            state = bytes(pipe.to_bytes(exclude=["vocab"]))
        elif own or getattr(pipe, "__dict__", None):
            return None  # an object with state it cannot read
    return name.encode() + b"\0" + code + b"\0" + hashlib.sha256(state).digest()


class PipelineState:
    """Digests of one loaded pipeline's state, remembering what spares work next time: the
    attributes its vocabulary's functions give each word (recomputed when they change)."""

    def __init__(self) -> None:
        self._getters: bytes | None = None
        self._scratch: Any = None
        self._expected: dict[int, tuple[Any, ...]] = {}

    def digest(self, nlp: Any, components: Sequence[str]) -> str | None:
        """The digest of everything a parse running ``components`` depends on, or None."""
        fp = _fingerprinter()
        tokenizer = nlp.tokenizer
        if not hasattr(tokenizer, "to_bytes"):
            return None
        parts: list[bytes | None] = [
            nlp.config.to_str().encode("utf-8"),
            fp.value(type(tokenizer), {}),
            bytes(tokenizer.to_bytes(exclude=["vocab"])),
        ]
        parts += [_component(fp, name, nlp.get_pipe(name)) for name in components]
        parts.append(self._vocab(fp, nlp.vocab))
        if any(p is None for p in parts):
            return None
        digest = hashlib.sha256()
        for part in parts:
            digest.update(hashlib.sha256(part or b"").digest())
        return digest.hexdigest()[:32]

    def _vocab(self, fp: Fingerprinter, vocab: Any) -> bytes | None:
        getters = [(k, _data(fp, f)) for k, f in sorted(vocab.lex_attr_getters.items())]
        tables = [(n, _data(fp, vocab.lookups.get_table(n))) for n in sorted(vocab.lookups.tables)]
        extra = [fp.value(vocab.writing_system, {}), fp.value(vocab.get_noun_chunks, {})]
        if any(g is None for _, g in getters + tables) or None in extra:
            return None
        key = b"|".join(f"{k}=".encode() + (g or b"") for k, g in getters)
        if key != self._getters:
            from spacy.vocab import Vocab

            self._getters, self._expected = key, {}
            self._scratch = Vocab(lex_attr_getters=vocab.lex_attr_getters)
        edited = sorted(self._edited(vocab))
        digest = hashlib.sha256(key)
        for name, table in tables:
            digest.update(name.encode() + b"=" + hashlib.sha256(table or b"").digest())
        digest.update(repr(edited).encode() + b"".join(x or b"" for x in extra))
        return digest.digest() + _vectors(vocab.vectors)

    def _edited(self, vocab: Any) -> list[tuple[str, tuple[Any, ...]]]:
        """The words whose attributes differ from what the vocabulary's functions give."""
        out = []
        for lex in vocab:
            actual = tuple(getattr(lex, a) for a in _LEXEME)
            expected = self._expected.get(lex.orth)
            if expected is None:
                fresh = self._scratch[lex.orth_]
                expected = self._expected[lex.orth] = tuple(getattr(fresh, a) for a in _LEXEME)
            if actual != expected:
                out.append((lex.orth_, actual))
        return out


def _vectors(vectors: Any) -> bytes:
    """The static vectors: their name, mode, keys and values."""
    import numpy as np

    head = f"{vectors.name}|{vectors.mode}|{vectors.shape}".encode()
    digest = hashlib.sha256(head)
    if vectors.shape[0]:
        data = vectors.data
        data = data.get() if hasattr(data, "get") else data  # a GPU (cupy) table
        digest.update(np.ascontiguousarray(data).tobytes())
        digest.update(repr(sorted(vectors.key2row.items())).encode())
    return digest.digest()


def extensions_digest() -> str | None:
    """The ``doc._`` / ``span._`` / ``token._`` attributes registered in this process: their
    defaults, getters, setters and methods (code and data they name); None when one holds
    an object that is not plain data. An LF reading ``token._.is_brand`` labels with them."""
    from spacy.tokens.underscore import Underscore

    fp = _fingerprinter()
    digest = hashlib.sha256()
    for kind in ("doc_extensions", "span_extensions", "token_extensions"):
        for name, spec in sorted(getattr(Underscore, kind).items()):
            part = fp.value(tuple(spec), {})
            if part is None:
                return None
            digest.update(f"{kind}.{name}=".encode() + hashlib.sha256(part).digest())
    return digest.hexdigest()[:32]
