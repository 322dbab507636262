"""User text made safe to show: bidi controls made visible, no rich markup.

LF names, label names, paths and example texts come from users and data. Two things in
them could make a terminal or a browser show something other than what is there:

- Unicode bidirectional controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F) reorder
  the text around them, so ``ok\\u202eevil`` can display as a different name. They are
  replaced by a visible escape (``\\u202e``) wherever text is shown. So are terminal
  control characters (``\\x1b``, which starts colour, cursor and screen-clearing
  sequences; other C0 and C1 controls), but for tabs and line breaks.
- rich markup (``[/bold]``, ``[link=...]``) in a string printed through rich would be
  interpreted (or crash with a MarkupError). :func:`plain` gives a ``rich.text.Text``,
  which rich never parses for markup or emoji codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

__all__ = ["BIDI_CONTROLS", "TERMINAL_CONTROLS", "label_list", "label_word", "one_cell", "one_line", "plain", "visible"]

BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# terminal control characters (ESC starts colour, cursor, screen-clearing and title
# sequences): C0 but tab and line breaks, DEL and C1
TERMINAL_CONTROLS = frozenset(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]) - set("\t\n\r")
_VISIBLE = {ord(ch): f"\\u{ord(ch):04x}" for ch in BIDI_CONTROLS} | {
    ord(ch): f"\\x{ord(ch):02x}" for ch in TERMINAL_CONTROLS
}


def visible(text: object) -> str:
    """``str(text)`` with every bidi or terminal control replaced by its escape, e.g.
    ``\\u202e`` or ``\\x1b`` (tabs and line breaks are kept)."""
    return str(text).translate(_VISIBLE)


def label_word(name: object) -> str:
    """A label name as shown among numbers and other names: :func:`visible`, quoted when
    it is a number or holds a space, comma or quote, so that the label "1" with 779 rows
    (``'1' 779``) cannot read as 1,779 rows, a polarity ``'0'`` as class id 0, nor
    ``a, b`` as two labels."""
    text = str(name)
    try:
        float(text)
        number = True
    except ValueError:
        number = False
    if number or any(ch.isspace() or ch in ",'\"" for ch in text):
        return visible(repr(text))
    return visible(text)


def label_list(labels: Sequence[object] | None, limit: int = 10) -> str:
    """Label names for a message: the first ``limit``, then how many in all (with hundreds of
    classes, every name made a one-line message of thousands of characters)."""
    names = [str(name) for name in labels or ()]
    return ", ".join(names[:limit]) + (f" ... ({len(names)} in all)" if len(names) > limit else "")


def one_line(text: object) -> str:
    """:func:`visible`, with line breaks shown as ``\\n`` / ``\\r``: an error is one line."""
    return visible(text).replace("\r", "\\r").replace("\n", "\\n")


def one_cell(text: object) -> str:
    """:func:`one_line`, with tabs shown as ``\\t`` too: a name in a table cell or beside
    other values, where a line break made a second row (an LF named "a\\nb" read as two
    LFs) and a tab a run of spaces as wide as the next tab stop."""
    return one_line(text).replace("\t", "\\t")


def plain(text: object, style: str = "") -> Text:
    """``text`` as a rich Text: shown literally (no markup, no emoji codes, no links)."""
    from rich.text import Text

    return Text(visible(text), style=style)
