"""LF templates compiled to vectorised batch LFs: ``keyword_lf`` and ``regex_lf``.

They match with pyarrow's compute kernels (RE2 regular expressions) over a whole chunk's
text column at once, so they cost a fraction of a row LF. RE2 has no lookaround or
backreferences; its ``\\b``, ``\\w``, ``\\d`` and ``\\s`` are ASCII only (``keyword_lf`` checks word
edges in any script itself) and its ``$`` matches only at the end of the text. A pattern RE2
cannot compile, or ``{,n}`` (RE2 reads it as text), is rejected when the LF is defined (write a
row LF with Python's ``re`` for those).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from lf.core import ABSTAIN, LabelingFunction, text_column_hint
from lf.errors import DataError, LFDefinitionError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["keyword_lf", "match_spans", "regex_lf"]

# A character that cannot be part of a word, in any script: keyword edges are checked against
# it instead of RE2's ASCII-only ``\b``, so "café", "ọjọ́" and "c++" match as whole words.
_NOT_WORD = r"[^\p{L}\p{M}\p{N}_]"
# RE2 compiles such a Unicode class anew at every call (2-3 ms: pyarrow keeps no compiled
# pattern), most of a small chunk's time. So a keyword_lf matches with the ASCII characters
# among them, plus those of the other characters its texts hold, each looked up once per LF
# (see _Matcher._matches): a class of a few characters compiles in microseconds.
_NOT_WORD_ASCII = r"\x00-\x2F\x3A-\x40\x5B-\x5E\x60\x7B-\x7F"


class _Matcher:
    """Batch LF body: label rows whose ``column`` matches ``pattern`` (RE2, via pyarrow)."""

    thread_safe = True  # its one state, a lookup of characters, only grows; pyarrow releases the GIL

    def fingerprint(self) -> str:
        """Everything that decides the output (for the LF cache)."""
        return f"{self.decides!r}|{self.label}|{self.column!r}|{self.ignore_case}"

    def __init__(
        self, name: str, pattern: str, label: int, column: str, case_sensitive: bool, span_pattern: str,
        decides: str | None = None, words: str | None = None,
    ) -> None:
        self.name = name
        self.pattern = pattern
        self.words = words  # a keyword_lf's alternation of keywords, when ``pattern`` wants word edges
        self._not_word: dict[str, bool] = {}  # non-ASCII characters met: whether _NOT_WORD matches them
        self.decides = pattern if decides is None else decides  # what fixes the votes, in a canonical form
        self.label = label
        self.column = column
        self.ignore_case = not case_sensitive
        self.span_pattern = span_pattern

    def spans(self, texts: Any) -> list[tuple[int, int] | None]:
        """Per text, ``(start, end)`` of the first match (character offsets), or None.

        The same RE2 pattern as the vote, with the text before the match and the match
        itself captured, so a highlight shows exactly what made the LF fire."""
        import pyarrow as pa
        import pyarrow.compute as pc

        values = [t if isinstance(t, str) else None for t in texts]
        flags = "(?i)" if self.ignore_case else ""
        found = pc.extract_regex(pa.array(values, pa.string()), flags + self.span_pattern)
        pre = found.field("lf_pre").to_pylist()
        hit = found.field("lf_hit").to_pylist()
        valid = found.is_valid().to_pylist()
        return [(len(p), len(p) + len(h)) if ok else None for ok, p, h in zip(valid, pre, hit)]

    def __call__(self, df: pd.DataFrame) -> npt.NDArray[np.int64]:
        import pyarrow as pa

        if self.column not in df.columns:
            available = ", ".join(str(c) for c in df.columns)
            raise DataError(
                f"LF {self.name!r} reads column {self.column!r}, which the data does not have. "
                f"Available columns: {available}.{text_column_hint(self.column)}"
            )
        col = df[self.column]
        if col.isna().all():  # e.g. a chunk of empty CSV cells, typed float64 by pandas
            return np.full(len(col), ABSTAIN, dtype=np.int64)
        try:
            arr = pa.array(col, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arr = None
        except UnicodeEncodeError:  # a lone surrogate ("\ud800"): half a character, no UTF-8 for it
            raise _surrogate_error(self.name, self.column, col) from None
        if arr is not None and pa.types.is_dictionary(arr.type):  # a categorical text column
            arr = arr.dictionary_decode()
        if arr is None or not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)
                               or pa.types.is_null(arr.type)):
            raise DataError(
                f"LF {self.name!r} needs a text column; {self.column!r} has dtype {col.dtype}"
                f"{_not_text(col)}. Make every value of the column a str or missing first (bytes decoded, "
                "numbers as text: df[column].astype('string'))."
            )
        mask = self._matches(arr)
        return np.where(mask, self.label, ABSTAIN)

    def _matches(self, arr: Any) -> npt.NDArray[np.bool_]:
        """Which texts of ``arr`` match ``pattern`` (a missing text does not)."""
        import pyarrow.compute as pc

        if self.words is None:
            return _mask(pc.match_substring_regex(arr, self.pattern, ignore_case=self.ignore_case))
        # A keyword between ASCII non-word characters (or the text's ends) is a whole word;
        # in a text of ASCII alone, a whole word is nothing else. Other texts that hold a
        # keyword are matched with the class narrowed to the characters they hold.
        hit = _mask(pc.match_substring_regex(arr, self._edged(_NOT_WORD_ASCII), ignore_case=self.ignore_case))
        unsure = ~hit & ~_mask(pc.string_is_ascii(arr))
        if unsure.any():
            at = np.flatnonzero(unsure)
            some = arr.take(at)
            holds = _mask(pc.match_substring_regex(some, self.words, ignore_case=self.ignore_case))
            if holds.any():
                at, some = at[holds], some.filter(holds)
                edges = self._edged(_NOT_WORD_ASCII + self._not_word_in(some))
                hit[at] = _mask(pc.match_substring_regex(some, edges, ignore_case=self.ignore_case))
        return hit

    def _edged(self, not_word: str) -> str:
        """The keywords between characters of the class ``[not_word]`` (as written: without
        case folding) or the text's ends."""
        edge = f"(?-i:[{not_word}])"
        return f"(?:^|{edge}){self.words}(?:{edge}|$)"

    def _not_word_in(self, texts: Any) -> str:
        """The non-ASCII characters of ``texts`` that ``_NOT_WORD`` matches (with the LF's
        case folding), as class items. Characters not met before are looked up in one call."""
        import pyarrow as pa
        import pyarrow.compute as pc

        chars = sorted(c for c in set().union(*texts.to_pylist()) if c > "\x7f")
        new = [c for c in chars if c not in self._not_word]
        if new:
            found = _mask(pc.match_substring_regex(pa.array(new, pa.string()), f"^{_NOT_WORD}$", ignore_case=self.ignore_case))
            self._not_word.update(zip(new, found.tolist()))
        return "".join(f"\\x{{{ord(c):X}}}" for c in chars if self._not_word[c])


def _mask(result: Any) -> npt.NDArray[np.bool_]:
    """A pyarrow boolean result as a NumPy mask, missing values False."""
    return np.asarray(result.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _not_text(col: pd.Series) -> str:
    """``, holding 12 (int) in the row of index 3``: the first value neither text nor missing."""
    import pandas as pd

    for label, value in zip(col.index, col.array):
        if not isinstance(value, str) and not (pd.api.types.is_scalar(value) and pd.isna(value)):
            shown = repr(value.item() if isinstance(value, np.generic) else value)[:40]
            return f", holding {shown} ({type(value).__name__}) in the row of index {label!r}"
    return ""


def _surrogate_error(name: str, column: str, col: pd.Series) -> DataError:
    """The row whose text holds a lone surrogate, which a template (matching UTF-8) cannot read."""
    for label, value in zip(col.index, col.tolist()):
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                return DataError(
                    f"LF {name!r} cannot match column {column!r} in the row of index {label!r}: its text "
                    f"{value[:40]!r} holds a lone surrogate ({value[exc.start]!r} at character {exc.start}), half of "
                    "a character, which is not text UTF-8 can hold. Repair the text first, e.g. "
                    "df[col].str.encode('utf-8', 'replace').str.decode('utf-8')."
                )
    return DataError(f"LF {name!r} cannot read column {column!r} as UTF-8 text.")


def _validate(name: str, label: int, pattern: str) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    if not isinstance(name, str) or not name:
        raise LFDefinitionError(f"An LF template needs a non-empty string name. Got {name!r}.")
    if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or label < 0:
        raise LFDefinitionError(f"LF {name!r}: `label` must be an int >= 0. Got {label!r}.")
    try:
        pc.match_substring_regex(pa.array([""]), pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise LFDefinitionError(
            f"LF {name!r}: pattern {pattern!r} is not valid RE2 syntax ({exc}). Templates run on "
            "pyarrow's RE2 engine (no lookaround, no backreferences); write a row LF with Python's "
            "`re` for such patterns."
        ) from None


def keyword_lf(
    name: str,
    keywords: Iterable[str],
    label: int,
    *,
    column: str = "text",
    case_sensitive: bool = False,
    whole_word: bool = True,
) -> LabelingFunction:
    """An LF voting ``label`` when ``column`` contains any of ``keywords``, else ABSTAIN.

    ``whole_word`` requires the text to start or end, or a character that is not a letter,
    mark, digit or underscore (in any script), on each side of a keyword: "free" does not fire
    on "freedom", while "c++" and "café" match as words (a keyword with spaces at its edge,
    " free ", is refused: it would match only beside a second space). Case is ignored unless
    ``case_sensitive``.
    """
    if isinstance(keywords, str):
        raise LFDefinitionError(f"LF {name!r}: `keywords` must be a list of strings, not one string {keywords!r}.")
    words = [str(k) for k in keywords]
    if not words or any(not w for w in words):
        raise LFDefinitionError(f"LF {name!r}: `keywords` must be a non-empty list of non-empty strings. Got {words!r}.")
    padded = [w for w in words if whole_word and w != w.strip()]
    if padded:  # it would fire only beside a second space: "a free b" holds no " free " between non-letters
        raise LFDefinitionError(
            f"LF {name!r}: keyword {padded[0]!r} has spaces at its edge, so as a whole word it matches only "
            f"where another non-letter stands beside them. Write {padded[0].strip()!r}: whole_word already "
            "wants a non-letter (or the text's end) on each side."
        )
    body = "|".join(re.escape(w) for w in words)
    pattern = f"(?:^|{_NOT_WORD})(?:{body})(?:{_NOT_WORD}|$)" if whole_word else f"(?:{body})"
    if whole_word:
        span = f"^(?P<lf_pre>(?s:.*?{_NOT_WORD})?)(?P<lf_hit>{body})(?:{_NOT_WORD}|$)"
    else:
        span = f"^(?P<lf_pre>(?s:.*?))(?P<lf_hit>{body})"
    _validate(name, label, pattern)
    # Whether any keyword matches does not hang on their order (a set's differs between
    # processes): the fingerprint sees them sorted, so an unchanged LF is not taken for an edited one.
    decides = f"keywords:{sorted(set(words))!r}|whole_word:{whole_word}"
    matcher = _Matcher(name, pattern, int(label), column, case_sensitive, span, decides, f"(?:{body})" if whole_word else None)
    return LabelingFunction(name, matcher, batch=True)


def regex_lf(
    name: str,
    pattern: str,
    label: int,
    *,
    column: str = "text",
    case_sensitive: bool = False,
) -> LabelingFunction:
    """An LF voting ``label`` when the RE2 ``pattern`` matches anywhere in ``column``, else ABSTAIN.

    Case is ignored unless ``case_sensitive``. RE2's ``\\b``, ``\\w``, ``\\d`` and ``\\s`` are ASCII
    only (``[\\pL\\pM\\pN_]``, ``\\pN`` match any script) and ``$`` only at the end of the text.
    """
    if not isinstance(pattern, str) or not pattern:
        raise LFDefinitionError(f"LF {name!r}: `pattern` must be a non-empty string. Got {pattern!r}.")
    _validate(name, label, pattern)
    _literal_braces(name, pattern)
    span = f"^(?P<lf_pre>(?s:.*?))(?P<lf_hit>{_uncaptured(pattern)})"
    return LabelingFunction(name, _Matcher(name, pattern, int(label), column, case_sensitive, span), batch=True)


def _pieces(pattern: str) -> list[tuple[str, bool]]:
    """``pattern`` cut into pieces, each with whether it is syntax: a character outside escapes
    and character classes is one piece (``True``); an escape ``\\x`` or a class character is
    one piece (``False``)."""
    out: list[tuple[str, bool]] = []
    i, in_class = 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append((pattern[i : i + 2], False))
            i += 2
            continue
        if in_class:
            in_class = ch != "]" or bool(out and out[-1][0] == "[")
            out.append((ch, False))
        else:
            in_class = ch == "["
            out.append((ch, not in_class))
        i += 1
    return out


def _uncaptured(pattern: str) -> str:
    """``pattern`` with its unnamed groups ``(...)`` made non-capturing ``(?:...)``.

    RE2's extraction needs every group named; escapes and character classes are skipped."""
    pieces = _pieces(pattern)
    out = [piece for piece, _ in pieces]
    for n, (piece, syntax) in enumerate(pieces):
        if syntax and piece == "(" and not (n + 1 < len(pieces) and pieces[n + 1][0] == "?"):
            out[n] = "(?:"
    return "".join(out)


def _literal_braces(name: str, pattern: str) -> None:
    """Refuse ``{,n}`` / ``{,}``: Python's ``re`` repeats 0 to n times, RE2 matches the text."""
    syntax = "".join(piece if is_syntax else "\x00" for piece, is_syntax in _pieces(pattern))
    found = re.search(r"\{,(\d*)\}", syntax)
    if found:
        most = found.group(1)
        raise LFDefinitionError(
            f"LF {name!r}: pattern {pattern!r} has {found.group()!r}, which RE2 reads as that text, "
            f"not as a repeat of 0 to {most or 'any number of'} times (Python's `re`). Write "
            f"{'{0,' + most + '}'!r}, or {chr(92) + found.group()!r} to match the text."
        )


def match_spans(lf: LabelingFunction, texts: Any) -> list[tuple[int, int] | None] | None:
    """Where a template LF (``keyword_lf`` / ``regex_lf``) matches each text: ``(start, end)``
    character offsets of its first match, None where it does not match; None for an LF
    that cannot tell (a row LF)."""
    spans = getattr(lf.f, "spans", None)
    return spans(list(texts)) if callable(spans) else None
