"""What every Engagement form shares: the choices they offer, running a write for the named
person (every problem shown, or a confirmation after the rerun), picking a row from a table
and formula-safe CSV downloads."""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from pydantic import BaseModel

from nlf_planner.engagement import NATIONAL_LABEL, ReferenceCodes
from nlf_planner.exports_tables import to_csv_bytes
from nlf_planner.services import database as database_service
from nlf_planner.services.actor import Actor
from nlf_planner.services.database import Database
from nlf_planner.services.engagement import StakeholderChoices
from nlf_planner.services.errors import (
    NotAllowed,
    NotSignedIn,
    ServiceError,
    StaleVersion,
    ValidationFailed,
)
from nlf_planner.ui.frame import PLOTLY_CONFIG, drawn, require_actor, show_error
from nlf_planner.ui.text import escape_markdown

R = TypeVar("R", bound=BaseModel)
T = TypeVar("T")

FLASH = "engagement_flash"
DATE_FORMAT = "DD/MM/YYYY"


@dataclass(frozen=True)
class Choices:
    """What the forms can pick from, read once per run."""

    codes: ReferenceCodes
    people: StakeholderChoices
    today: date

    @property
    def region_options(self) -> list[str]:
        return ["", *self.codes.regions]

    def region_label(self, code: str | None) -> str:
        return self.codes.regions.get(code, NATIONAL_LABEL) if code else NATIONAL_LABEL

    def person_label(self, stakeholder_id: int) -> str:
        retired = " (retired)" if stakeholder_id in self.people.retired else ""
        return self.people.names.get(stakeholder_id, str(stakeholder_id)) + retired

    @property
    def area_labels(self) -> dict[str, str]:
        return {c: f"{c} {n}" for c, n in self.codes.areas.items()}


def show_flash() -> None:
    """The confirmation of the last save, shown once after the rerun it caused."""
    if FLASH in st.session_state:
        st.success(st.session_state.pop(FLASH), icon=":material/check_circle:")


def save(work: Callable[[Actor], str], action: str) -> None:
    """Run one write for the named person; show every problem, or confirm and refresh.

    ``work`` calls a service and returns the confirmation; the service checks the person's
    role and the rules again, so this only decides what the page says.
    """
    actor = require_actor(action)
    if actor is None:
        return
    try:
        message = work(actor)
    except ValidationFailed as exc:
        problems = exc.issues or [str(exc)]
        st.error("Not saved. " + " ".join(f"• {escape_markdown(p)}" for p in problems))
        return
    except ServiceError as exc:
        show_error(exc)
        return
    st.session_state[FLASH] = message
    st.rerun()


def seen_record(slot: str, current: R) -> R:
    """The record as the person first saw it in an edit form, kept while the form stays open.

    A form submit reruns the page, which reads the record again; if someone else saved it
    meanwhile that fresh copy is not what the person edited. So the first copy shown is kept
    in ``slot`` (replaced when another record is chosen, dropped by :func:`forget_seen` when
    the form closes or saves) and handed to the service, which refuses a stale save.
    """
    kept = st.session_state.get(slot)
    if kept is None or _record_id(kept) != _record_id(current):
        st.session_state[slot] = kept = current
        st.session_state.pop(f"{slot}_onto", None)
    return kept


def forget_seen(slot: str) -> None:
    """Drop the kept record: the form closed, or its save went through."""
    st.session_state.pop(slot, None)
    st.session_state.pop(f"{slot}_onto", None)


def save_edit(slot: str, edit: Callable[[R | None], R]) -> R:
    """Run an edit that starts from the record kept in ``slot``: ``edit(onto)`` calls the
    service with ``seen`` (what the person first saw) and ``onto``.

    When someone else saved the record meanwhile, the service refuses (saying what they
    changed) and this keeps the record as stored now as ``onto``; the form's fields keep the
    person's edits, so pressing Save again applies only the fields they changed on top of
    the other person's change (and is checked again, in case a third save came between).
    """
    try:
        saved = edit(st.session_state.get(f"{slot}_onto"))
    except StaleVersion as exc:
        if exc.current_version is not None:
            st.session_state[f"{slot}_onto"] = exc.current_version
        raise
    forget_seen(slot)
    return saved


def pick_for_edit(
    label: str,
    options: list,
    format_func: Callable,
    *,
    key: str,
    seen_slot: str,
    load: Callable[[int], R],
) -> R | None:
    """The record chosen for editing, read fresh; None (after saying why, if it has gone)
    when nothing is chosen or it was removed in another session since the list was read.
    Either way the kept "seen" copy is dropped, so the next form starts from what it shows."""
    picked = st.selectbox(
        label,
        options,
        format_func=format_func,
        index=None,
        placeholder=f"Choose {'an' if label[0] in 'AEIOU' else 'a'} {label.lower()}",
        key=key,
    )
    if picked is None:
        forget_seen(seen_slot)
        return None
    try:
        return load(int(picked))
    except ServiceError as exc:
        forget_seen(seen_slot)
        show_error(exc)
        return None


def _record_id(rec: BaseModel) -> tuple[str, object]:
    return type(rec).__name__, getattr(rec, "stakeholder_id", getattr(rec, "event_id", None))


def sensitive(read: Callable[[], pd.DataFrame]) -> pd.DataFrame | None:
    """A download only some people may take (stakeholder contact details), or None."""
    try:
        return read()
    except (NotSignedIn, NotAllowed):
        return None


def pick_from_table(selection, ids: pd.Series, target: str) -> bool:
    """A row clicked in a table chooses it in the edit form below (once per new click)."""
    rows = selection.selection.rows if selection is not None else []
    if not rows:
        st.session_state.pop(f"{target}_clicked", None)
        return False
    picked = int(ids.iloc[rows[0]])
    if st.session_state.get(f"{target}_clicked") != picked:
        st.session_state[f"{target}_clicked"] = picked
        st.session_state[target] = picked
    return True


def download(df: pd.DataFrame, label: str, file_name: str, key: str) -> None:
    """A CSV download whose cells cannot run as spreadsheet formulas."""
    st.download_button(
        label,
        # Built only when someone downloads it (Streamlit calls it then), not on every rerun
        # of the tab (about 2 ms of a filter change on the Stakeholders tab).
        data=functools.partial(to_csv_bytes, df),
        file_name=file_name,
        mime="text/csv",
        key=key,
        on_click="ignore",
        icon=":material/download:",
    )


@st.cache_resource(show_spinner=False, max_entries=48)
def _built(kind: str, version: tuple[str, str], inputs: Hashable, _build: Callable[[], T]) -> T:
    return _build()


def cached_built(db: Database, kind: str, inputs: Hashable, build: Callable[[], T]) -> T:
    """What ``build`` makes (a chart, its summary), made once per data version and
    ``inputs`` (the filters it depends on) and shared by every session: nothing in it
    changes until the data do. The result is read-only once built."""
    version = (str(db.path), database_service.data_version(db))  # the file, then its state
    return _built(kind, version, inputs, build)


def cached_figure(
    db: Database, kind: str, inputs: Hashable, build: Callable[[], go.Figure]
) -> go.Figure:
    """The chart ``build`` draws, once per data version and ``inputs``: building a plotly
    figure is most of a rerun's cost (``st.plotly_chart`` only serialises it)."""
    return cached_built(db, kind, inputs, build)


def chart_with_csv(
    fig: go.Figure,
    data: pd.DataFrame | None,
    *,
    key: str,
    summary: str,
    file_name: str,
    alt: str,
) -> None:
    """A chart, its accessible name, its text alternative and (when ``data`` is given) a
    formula-safe CSV of it.

    Like ``frame.chart_with_download``, with the same keys, but the CSV may be held back
    (contact details need an editor), so a hint takes its place.
    """
    st.plotly_chart(drawn(fig), config=PLOTLY_CONFIG, key=f"chart_{key}", alt=alt)
    st.caption(escape_markdown(summary))  # summaries quote stakeholder names
    if data is None:
        download_hint()
    else:
        download(data, "Download data (CSV)", file_name, f"download_{key}")


def form_panel(label: str, icon: str, key: str, *, opened: bool = False):
    """An add or edit panel whose contents the caller draws only while it is open (``key``
    keeps its state; ``opened`` opens it, as a click on a table row does)."""
    if opened:
        st.session_state[key] = True
    return st.expander(label, icon=icon, key=key, on_change="rerun")


def download_hint() -> None:
    st.caption(
        "Viewing only: downloading stakeholder details needs the editor role; owners, last "
        "contact and next steps leave the app only with an editor."
    )
