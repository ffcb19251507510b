"""Text on the Data page: user-supplied words (file names, reasons, cell values, messages
that quote them) are shown literally, never read as Markdown or HTML."""

from __future__ import annotations

import re

import streamlit as st

from nlf_planner.services.errors import ServiceError

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def md(text: object) -> str:
    """User-supplied text shown literally: Markdown characters are escaped."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def show_refusal(exc: ServiceError) -> None:
    """A service's refusal in its own words, escaped (it may quote a file name or a cell)."""
    st.error(md(exc), icon=":material/error:")
