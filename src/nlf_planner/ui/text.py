"""User text on the page: names, reasons, titles and cell values are shown as typed.

The one escaping helper for Markdown elements (``st.markdown``, captions, alerts, success
and error messages): a stakeholder called ``*Mallory* ![t](http://…)`` is shown literally,
never styled, linked or fetched.
"""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def escape_markdown(text: object) -> str:
    """``text`` with every Markdown (and inline HTML) character escaped; None becomes ""."""
    return _MARKDOWN.sub(r"\\\1", "" if text is None else str(text))
