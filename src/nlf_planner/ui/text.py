"""User text on the page: names, reasons, titles and cell values are shown as typed.

The one escaping helper for Markdown elements (``st.markdown``, captions, alerts, success
and error messages): a stakeholder called ``*Mallory* ![t](http://…)`` is shown literally,
never styled, linked or fetched. ``escape_plotly`` does the same for the HTML subset plotly
reads in chart text.
"""

from __future__ import annotations

import html
import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


class EscapedMarkdown(str):
    """Text already escaped by :func:`escape_markdown`, so helpers that escape what they are
    given (``ui.frame.chart_with_download``'s summary) do not escape it twice. Any string
    operation on it (an f-string, ``+``) gives a plain ``str`` again, which is escaped."""

    __slots__ = ()


def escape_markdown(text: object) -> EscapedMarkdown:
    """``text`` with every Markdown (and inline HTML) character escaped; None becomes ""."""
    if isinstance(text, EscapedMarkdown):
        return text
    return EscapedMarkdown(_MARKDOWN.sub(r"\\\1", "" if text is None else str(text)))


def escape_plotly(text: object) -> str:
    """``text`` safe for plotly titles, hover text, tick labels and annotations.

    Plotly reads a small HTML subset in every text property (``<a href>``, ``<b>``, ``<br>``)
    in the app and in the HTML pack, so ``<`` and ``>`` become entities (and ``&`` too, so
    "A&amp;E" typed by a person stays as typed); plotly shows the entities as the characters.
    None becomes "".
    """
    return html.escape("" if text is None else str(text), quote=False)
