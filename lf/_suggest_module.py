"""The Python module ``lf suggest`` writes: one editable ``keyword_lf`` / ``regex_lf`` per suggestion."""

from __future__ import annotations

import keyword
import re
from typing import TYPE_CHECKING

from lf.intervals import format_bounds, format_fraction

if TYPE_CHECKING:
    from lf.suggest import Suggestions

__all__ = ["lf_name", "render"]


# Names the module defines or imports besides the label constants and LFs: a label
# "labels" must not make a constant LABELS that replaces the list, nor the label "keyword"
# with the keyword "lf" an LF keyword_lf that replaces the function.
_MODULE_NAMES = frozenset({"LABELS", "keyword_lf", "regex_lf"})


def _slug(text: str) -> str:
    slug = re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")
    return slug[:30].rstrip("_")


def lf_name(label: str, what: str, taken: set[str]) -> str:
    """A unique, readable identifier: ``spam_check_out``, ``ham_url``, ``spam_kw2`` ..."""
    base = f"{_slug(label) or 'label'}_{_slug(what) or 'kw'}"
    if base[0].isdigit():
        base = f"label_{base}"
    name, i = base, 2
    while name in taken or keyword.iskeyword(name) or name in _MODULE_NAMES:
        name, i = f"{base}_{i}", i + 1
    return name


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _comment(text: str) -> str:
    """User text (label names, paths, LF names) for a comment: one line, every character
    that is not printable (line breaks, bidi controls) shown as its escape."""
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in str(text))


def _doc(text: str) -> str:
    """User text for the module's docstring: as in a comment, backslashes and quotes escaped."""
    return _comment(text).replace("\\", "\\\\").replace('"', '\\"')


def _constants(labels: tuple[str, ...]) -> list[str]:
    """Python names for the label values: ``HAM``, ``SPAM``; ``LABEL_0`` when a name will not do."""
    out: list[str] = []
    for i, name in enumerate(labels):
        const = re.sub(r"\W+", "_", name.upper()).strip("_")
        taken = const in out or const in _MODULE_NAMES
        if not const.isidentifier() or keyword.iskeyword(const) or taken or const[0].isdigit():
            const = f"LABEL_{i}"
        out.append(const)
    return out


def render(s: Suggestions, *, source: str = "") -> str:
    """The module text: a header, ``LABELS``, the label constants, then the LFs in label order."""
    consts = _constants(s.labels)
    priors = ", ".join(f"{_doc(name)} {format_fraction(p, 2)}" for name, p in zip(s.labels, s.priors, strict=True))
    lines = [
        f'"""LFs suggested by `lf suggest` from {s.n_labeled:,} hand-labeled rows{f" ({_doc(source)})" if source else ""}.',
        "",
        "Edit them freely: drop the ones that look accidental, widen the keyword lists, merge",
        "patterns. Each comment gives the LF's precision on the labeled rows (correct / fired,",
        f"with its 95% Wilson interval) and the share of the {s.n_corpus:,} corpus rows it labels.",
        f"Label shares among the labeled rows: {priors};",
        "every interval starts above its label's share. These are the rows the LFs were",
        "chosen on, so the figures are optimistic: score the module on other labeled rows",
        "(`lf report LABELED --lfs THIS.py --gold COLUMN`) before trusting them.",
        "The LFs read the `text` field; for another column:",
        "`lf label DATA --lfs THIS.py --text-column COLUMN`.",
    ]
    if s.existing:
        names = ", ".join(_doc(x) for x in s.existing[:3]) + (" ..." if len(s.existing) > 3 else "")
        lines.append(f"They complement {len(s.existing)} existing LFs ({names}).")
    lines += ['"""', "", "from lf import keyword_lf, regex_lf", "", f"LABELS = {list(s.labels)!r}"]
    lines += [f"{', '.join(consts)} = {', '.join(str(i) for i in range(len(consts)))}", ""]
    current = -1
    for item in s.items:
        if item.label != current:
            current = item.label
            shown = _comment(s.labels[current])
            lines += ["", f"# -- {shown} " + "-" * max(3, 70 - len(shown))]
        low, high = format_bounds(item.low, item.high)
        lines.append(
            f"# precision {item.correct}/{item.fired} = {format_fraction(item.precision, 2)} (95% interval "
            f"{low}-{high}), coverage {format_fraction(item.coverage)}"
        )
        const = consts[item.label]
        if item.kind == "keyword":
            lines.append(f"{item.name} = keyword_lf({item.name!r}, [{item.pattern!r}], {const})")
        else:
            case = ", case_sensitive=True" if item.case_sensitive else ""
            lines.append(f"{item.name} = regex_lf({item.name!r}, {_raw(item.pattern)}, {const}{case})")
    if not s.items:
        lines.append(f"# No suggestion: {s.none_found()}")
    return "\n".join(lines) + "\n"


def _raw(pattern: str) -> str:
    """A raw string literal when the pattern allows one (the usual way to write a regex)."""
    if "'" not in pattern and not pattern.endswith("\\") and "\n" not in pattern:
        return f"r'{pattern}'"
    return repr(pattern)
