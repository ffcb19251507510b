"""The Data page's session state: the message after a change, fresh upload widgets once a
file has been applied, and the one checked file kept between reruns."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

FLASH = "data_flash"
_ROUND = "data_upload_round"
_CHECKED = "data_checked_"

T = TypeVar("T")


def show_flash() -> None:
    """The success message of the last change. It is kept until the next upload: other parts
    of the frame may rerun the script once more after a change (e.g. the plan-version
    selector), which must not swallow the message."""
    if FLASH in st.session_state:
        st.success(st.session_state[FLASH], icon=":material/check_circle:")


def clear_flash() -> None:
    st.session_state.pop(FLASH, None)


def uploader_key(name: str) -> str:
    """A widget key that changes after each applied file, so the uploader starts empty."""
    return f"data_{name}_{st.session_state.get(_ROUND, 0)}"


def finish(message: str, *, restored: bool = False) -> None:
    """Show ``message`` after a rerun with fresh uploaders and no stale cached results."""
    st.session_state[FLASH] = message
    st.session_state[_ROUND] = st.session_state.get(_ROUND, 0) + 1
    forget_checked()
    st.cache_data.clear()
    if restored:
        # A restore can bring back the same plan and data version numbers with other
        # contents, so models cached under those keys are dropped too (the database handle
        # is reopened on the same, already swapped, file).
        st.cache_resource.clear()
    st.rerun()


def checked_once(key: str, check: Callable[[], T]) -> T:
    """The result of ``check`` for this file, computed once: one checked file per session,
    not one per upload."""
    full = _CHECKED + key
    if full not in st.session_state:
        forget_checked()
        with st.spinner("Checking every row…"):
            st.session_state[full] = check()
    return st.session_state[full]


def forget_checked() -> None:
    for old in [k for k in st.session_state if str(k).startswith(_CHECKED)]:
        del st.session_state[old]
