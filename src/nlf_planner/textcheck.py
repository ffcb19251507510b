"""One rule for free text on the way in: no control characters.

A control character typed or pasted into a name (``Acme\\x1bTrust``) is invisible on screen,
but it breaks every Excel export of its table (Excel refuses the file), can move a terminal's
cursor when an administrator reads a log, and makes two names that look the same compare
different. So every free-text field refuses them on input, with a message naming the field,
and the Excel exports strip the few Excel forbids (``exports_tables``) from anything stored
before this rule existed.

Refused: C0 controls (U+0000–U+001F) except tab, and line breaks where a field allows several
lines; DEL (U+007F); C1 controls (U+0080–U+009F). Everything else, including all printable
Unicode, is accepted. Pure code: services and parsers call :func:`check_text` and turn
:class:`ControlCharacterError` (a ``ValueError``, so pydantic validators report it too) into
their own refusal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

#: Every control character, single line: C0 except tab, DEL and C1.
_SINGLE_LINE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
#: Multi-line fields also allow a line feed and a carriage return (Windows line ends).
_MULTI_LINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class ControlCharacterError(ValueError):
    """A free-text value holds a control character; ``field`` names where it was typed."""

    def __init__(self, field: str, char: str, position: int) -> None:
        self.field = field
        self.char = char
        self.position = position
        super().__init__(
            f"{field} contains a hidden control character ({describe(char)}) at character "
            f"{position + 1}. Retype or paste the text again without it and try again."
        )


def describe(char: str) -> str:
    """'U+001B ESCAPE': how a person (or a support desk) can find the character."""
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(ord(char), "control character")
    return f"U+{ord(char):04X} {name}".strip()


_CONTROL_NAMES = {
    0x00: "NULL",
    0x07: "BELL",
    0x08: "BACKSPACE",
    0x0A: "LINE FEED",
    0x0D: "CARRIAGE RETURN",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
}


def pattern(*, multiline: bool = False) -> re.Pattern[str]:
    """The refused characters as a compiled pattern (for vectorised checks of a column)."""
    return _MULTI_LINE if multiline else _SINGLE_LINE


def find_control(text: str, *, multiline: bool = False) -> int | None:
    """Index of the first refused character in ``text``, or None when it is clean."""
    match = (_MULTI_LINE if multiline else _SINGLE_LINE).search(text)
    return match.start() if match else None


def check_text(value: object, field: str, *, multiline: bool = False) -> object:
    """Return ``value`` unchanged when it is clean (non-strings pass through); else raise
    :class:`ControlCharacterError` naming ``field``."""
    if not isinstance(value, str):
        return value
    index = find_control(value, multiline=multiline)
    if index is not None:
        raise ControlCharacterError(field, value[index], index)
    return value


def check_fields(
    values: Mapping[str, object], *, multiline: frozenset[str] | set[str] = frozenset()
) -> None:
    """Check every string in ``values`` (field label → value); ``multiline`` names the
    fields where line breaks are allowed."""
    for field, value in values.items():
        check_text(value, field, multiline=field in multiline)


def problems(
    values: Mapping[str, object], *, multiline: frozenset[str] | set[str] = frozenset()
) -> list[str]:
    """Every field's refusal message, for validators that report all problems at once."""
    found: list[str] = []
    for field, value in values.items():
        try:
            check_text(value, field, multiline=field in multiline)
        except ControlCharacterError as exc:
            found.append(str(exc))
    return found
