"""Shared page furniture: the database handle, notices, the person making changes, charts
with downloads. Pages call these so every page behaves the same way."""

from __future__ import annotations

import functools
import gc
import logging
import secrets
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from nlf_planner import __version__
from nlf_planner.exports_tables import to_csv_bytes
from nlf_planner.periods import day_label
from nlf_planner.services import database as database_service
from nlf_planner.services import measurements as measurement_service
from nlf_planner.services.access import ROLE_LABEL
from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.database import Database
from nlf_planner.services.errors import ServiceError
from nlf_planner.settings import ILLUSTRATIVE_NOTICE, get_settings
from nlf_planner.ui.text import escape_markdown

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}

_LOG = logging.getLogger("nlf_planner.errors")

#: What a person sees when something unexpected breaks: no traceback, no server path, a
#: reference they can quote, and the honest rule about what was kept.
UNEXPECTED_ERROR = (
    "Something went wrong (reference {reference}). Your changes were not saved unless a "
    "success message said so. If it happens again, quote the reference to your support team."
)


def error_reference() -> str:
    """A short random reference ("7F3A-9C21") that ties the message on screen to the
    server log line holding the details; random, so it says nothing about the server."""
    raw = secrets.token_hex(4).upper()
    return f"{raw[:4]}-{raw[4:]}"


@contextmanager
def unexpected_errors_reported() -> Iterator[None]:
    """Run a page so that an unexpected exception becomes a plain message with a reference,
    while the traceback goes to the server log under the same reference.

    Streamlit's own stop and rerun signals derive from BaseException and pass through.
    """
    try:
        yield
    except Exception:  # the one place every unexpected error is turned into a message
        reference = error_reference()
        _LOG.exception("Unexpected error shown to the user as reference %s", reference)
        st.error(UNEXPECTED_ERROR.format(reference=reference), icon=":material/error:")


# --- the heap Streamlit sweeps after every run ------------------------------------------------


class SettledHeap:
    """Keeps the garbage collector's full sweep after each run small.

    Streamlit runs ``gc.collect(2)`` when every script run ends (``runner.postScriptGC``),
    which walks every object the process holds: the imported libraries (plotly, pandas,
    pyarrow), the caches' frames and figures. Here that was about 100 ms a run on 2 cores,
    most of a warm rerun's server time, and the whole of the process's CPU under load
    (issue 12). Objects that have lived through a slow full sweep are settled: they are
    frozen (``gc.freeze``), so later sweeps skip them and walk only what runs make since.

    Frozen objects are still freed as soon as nothing refers to them; only garbage in
    reference cycles among them waits. So every ``thaw_every_s`` seconds they are thawed:
    the next sweep walks (and frees) everything once more, is slow, and freezes again.
    """

    def __init__(
        self, *, slow_s: float = 0.02, min_gap_s: float = 5.0, thaw_every_s: float = 120.0
    ) -> None:
        self.slow_s = slow_s  # a full sweep slower than this asks for a freeze
        self.min_gap_s = min_gap_s  # at most one freeze this often (runs overlap: each
        # freeze also settles what other sessions' runs hold at that moment)
        self.thaw_every_s = thaw_every_s
        self.freezes = 0
        self._started: float | None = None
        self._freeze_due = False
        self._frozen_at: float | None = None
        self._lock = threading.Lock()

    def on_gc(self, phase: str, info: dict[str, int]) -> None:
        """``gc.callbacks`` hook: time each full sweep, and ask for a freeze after a slow one."""
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started is not None:
            if time.perf_counter() - self._started > self.slow_s:
                self._freeze_due = True
            self._started = None

    def settle(self) -> None:
        """Called as each run starts: freeze after a slow sweep, thaw when it is time."""
        with self._lock:
            now = time.monotonic()
            if self._freeze_due and (
                self._frozen_at is None or now - self._frozen_at >= self.min_gap_s
            ):
                gc.freeze()
                self.freezes += 1
                self._freeze_due = False
                self._frozen_at = now
            elif self._frozen_at is not None and now - self._frozen_at > self.thaw_every_s:
                gc.unfreeze()  # this run's sweep frees what settled and died since
                self._frozen_at = None


_HEAP = SettledHeap()
if _HEAP.on_gc not in gc.callbacks:
    gc.callbacks.append(_HEAP.on_gc)


def settle_heap() -> None:
    """Keep the sweep after every run to what runs made (app.py calls it as a run starts)."""
    _HEAP.settle()


@st.cache_resource(show_spinner=False)
def _open(path: str) -> Database:
    return database_service.open_store(path)


def _leave_legacy_pages_mode() -> None:
    """Make a shared link work on a freshly started server.

    Until some session has run ``app.py`` (which calls ``st.navigation``), Streamlit treats
    the ``pages/`` folder as a legacy multipage app and runs a linked page on its own,
    without the frame and the sidebar. Streamlit 1.67 keeps that switch in
    ``PagesManager.uses_pages_directory``; turning it off and rerunning sends this very
    request through ``app.py``. Checked against the pinned Streamlit version.
    """
    from streamlit import config
    from streamlit.runtime.pages_manager import PagesManager

    # AppTest sets its own option while it runs and resets the switch on every run itself.
    # (``config.get_option`` is looked up at call time: AppTest patches it there.)
    if config.get_option("global.appTest"):
        return
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


#: The run that last asked for the database in this thread, what it asked for and what it
#: got: the frame, the page and a fragment inside it all call :func:`get_db`, and one read
#: of the data version serves them all.
_THIS_RUN: ContextVar[tuple[object, str, Database] | None] = ContextVar(
    "nlf_run_database", default=None
)


def _run_token() -> object | None:
    """What tells one script run from the next: Streamlit 1.67 gives every run, a
    fragment's rerun included, a fresh single-use ``parallel_coordinator`` (checked
    against the pinned version). None outside a run."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return None if ctx is None else ctx.parallel_coordinator


def get_db() -> Database:
    """The process-wide database for the configured file; stops the page with a clear
    message (never a traceback) when it cannot be opened.

    The data version is read once per run: by the frame's call, then reused by the page's
    and its fragments' calls in the same run (each read cost a run 1.5–5 ms, three times on
    a Regions rerun). A fragment's rerun is a run of its own, so it reads the version
    again; a write during the run is seen by the services (the handle's commit count)."""
    _leave_legacy_pages_mode()
    path = str(get_settings().database_target)
    run = _run_token()
    seen = _THIS_RUN.get()
    if run is not None and seen is not None and seen[0] is run and seen[1] == path:
        return seen[2]
    try:
        db = _open(path)
        # Every cached read and figure this run uses is keyed on this version.
        database_service.begin_run(db)
        _THIS_RUN.set((run, path, db) if run is not None else None)
        return db
    except ServiceError as exc:
        show_error(exc)  # the file name may hold Markdown characters
        if database_service.is_server(path):
            _retry_shortly()
        st.stop()
    raise AssertionError("unreachable")


#: Seconds between automatic attempts to reach a database server that is down.
DB_RETRY_SECONDS = 5


def _retry_shortly() -> None:
    """A server that is down usually comes back (a restart, a failover): offer a button and
    try again by itself every few seconds, so the page recovers without a reload."""
    from streamlit import config

    st.button("Try again", key="db_try_again", type="primary")  # a click reruns the page
    st.caption(f"Trying again by itself every {DB_RETRY_SECONDS} seconds.")
    if config.get_option("global.appTest"):
        return  # AppTest would rerun for ever; its test checks the page and the button
    time.sleep(DB_RETRY_SECONDS)
    st.rerun()


def cached_series(
    db: Database, measure_codes: list[str] | None = None, levels: list[str] | None = None
) -> pd.DataFrame:
    """All series (ICB/region/England) for measures, cached per data version by the
    measurements service (a second Streamlit cache here would only copy the frame by pickle
    on every hit)."""
    return measurement_service.all_series(db, measure_codes, levels=levels)


#: The product's name, shown above every page's heading (issue 18: the name visible at the top).
PRODUCT_NAME = "NLF Planner"
PRODUCT_LINE = (
    f"<p class='nlf-product'><span>{PRODUCT_NAME}</span> · Developing People – Improving Care</p>"
)


def page_header(title: str, caption: str | None = None) -> None:
    """The product's name, then the page's one ``h1`` (``st.title``; no other element on a
    page may be a level-1 heading), then what the page is for."""
    st.markdown(PRODUCT_LINE, unsafe_allow_html=True)  # fixed text: no user input reaches it
    st.title(title, anchor=False)
    if caption:
        st.caption(caption)


def illustrative_notice(db: Database) -> None:
    """Say plainly that the history is generated, on every page that shows it."""
    if database_service.has_illustrative(db):
        st.info(ILLUSTRATIVE_NOTICE, icon=":material/info:")


def read_only_banner(db: Database) -> None:
    if db.read_only:
        st.warning(
            "Read-only: changes cannot be saved just now. " + db.read_only_reason,
            icon=":material/lock:",
        )


#: Where ``ui.signin.resolve_actor`` keeps this session's person (set by app.py every run).
ACTOR_KEY = "_nlf_actor"


def current_actor() -> Actor | None:
    """The person acting in this session: the signed-in identity, or the one local admin in
    local mode. Never typed: app.py resolves it before any page runs. Services check it on
    every write."""
    actor = st.session_state.get(ACTOR_KEY)
    return actor if isinstance(actor, Actor) else None


def require_actor(action: str = "make changes", role: Role = Role.EDITOR) -> Actor | None:
    """The acting person when they hold ``role``, or None after saying why the controls for
    ``action`` are off ("Viewing only: …").

    Pages use it to hide or disable write controls; the services check again on every write.
    """
    actor = current_actor()
    if actor is None:
        st.warning(f"Sign in to {action}.", icon=":material/person:")
        return None
    if not actor.has(role):
        st.info(
            f"Viewing only: to {action} you need the {ROLE_LABEL[role]} role.",
            icon=":material/visibility:",
        )
        return None
    return actor


def show_error(exc: ServiceError) -> None:
    """A service's refusal as the page shows it: its own words (escaped, since they may quote
    a file name, a cell or a person's text), never a traceback."""
    st.error(escape_markdown(exc), icon=":material/error:")


def show_outcome(key: str, *, quotes_user_text: bool = False) -> bool:
    """Show, once, the outcome a button's callback left under ``key`` in session state: a
    service's refusal (:func:`show_error`) or the success message; True when there was one
    (a panel opens to show it). ``quotes_user_text`` escapes a success message that names
    something a person typed (a peer group's name)."""
    outcome = st.session_state.pop(key, None)
    if isinstance(outcome, ServiceError):
        show_error(outcome)
    elif outcome:
        st.success(escape_markdown(outcome) if quotes_user_text else outcome)
    return outcome is not None


def chart_with_download(
    fig: go.Figure,
    data: pd.DataFrame,
    *,
    key: str,
    summary: str,
    file_name: str | None = None,
    alt: str | None = None,
) -> None:
    """A chart, its plain-English text alternative and a CSV of the data behind it.

    ``alt`` is the chart's accessible name (what it shows, for screen readers); without it
    the chart's own title is used, so no chart is ever unnamed. ``summary`` is plain text:
    it is escaped here (callers pass it unescaped), as it often quotes people's text."""
    st.plotly_chart(
        drawn(fig),
        config=PLOTLY_CONFIG,
        key=f"chart_{key}",
        alt=alt or _figure_title(fig) or summary,
    )
    st.caption(escape_markdown(summary))  # summaries quote names, notes and scenario names
    st.download_button(
        "Download data (CSV)",
        # Built only when someone downloads it (Streamlit calls it then), not on every rerun;
        # formula-safe: chart data carry people's text too.
        data=functools.partial(to_csv_bytes, data),
        file_name=file_name or f"{key}.csv",
        mime="text/csv",
        key=f"download_{key}",
        on_click="ignore",
        icon=":material/download:",
    )


class _DrawnFigure(go.Figure):
    """A figure as Streamlit's ``st.plotly_chart`` takes it, with its dict made once.

    Streamlit turns every figure into a dict on every rerun (``Figure.to_dict``, a deep
    copy: about 7 ms for an SPC chart), although the pages' figures are built once per data
    version and cached. This stand-in is a plotly Figure (so Streamlit does not validate it
    again) whose ``to_dict`` hands back the dict made the first time the figure was drawn.
    Checked against Streamlit 1.67, which calls only ``to_dict`` on it."""

    def __init__(self, spec: dict) -> None:  # deliberately not Figure.__init__: no copy
        object.__setattr__(self, "_nlf_spec", spec)

    def to_dict(self) -> dict:
        return self._nlf_spec


#: id of a drawn figure → (a weak reference to it, its dict); an entry goes with its figure.
_SPECS: dict[int, tuple[weakref.ref, dict]] = {}
_SPECS_LOCK = threading.Lock()


def drawn(fig: go.Figure) -> go.Figure:
    """``fig`` ready for ``st.plotly_chart``, its dict made once per figure object. Figures
    must not be changed after they are first drawn (cached figures never are: they are
    shared between sessions)."""
    ident = id(fig)
    with _SPECS_LOCK:
        entry = _SPECS.get(ident)
        if entry is not None and entry[0]() is fig:
            return _DrawnFigure(entry[1])
    spec = fig.to_dict()
    with _SPECS_LOCK:
        _SPECS[ident] = (weakref.ref(fig, lambda _ref: _forget(ident)), spec)
    return _DrawnFigure(spec)


def _forget(ident: int) -> None:
    with _SPECS_LOCK:
        _SPECS.pop(ident, None)


def _figure_title(fig: go.Figure) -> str:
    title = fig.layout.title.text if fig.layout.title else None
    return str(title or "").replace("<br>", " ").strip()


def query_param(
    name: str, default: str | None = None, allowed: list[str] | None = None
) -> str | None:
    """A URL parameter, treated as untrusted input: unknown values fall back to the default."""
    value = st.query_params.get(name)
    if value is None:
        return default
    if allowed is not None and value not in allowed:
        return default
    return value


def set_query_params(**values: Any) -> None:
    """Write selections to the URL (None removes a key) so a copied link reproduces the view."""
    for key, value in values.items():
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != str(value):
            st.query_params[key] = str(value)


def footer(db: Database) -> None:
    as_of = format_as_of(database_service.data_as_of(db))
    st.caption(
        f"{PRODUCT_NAME} {__version__} · data as of {as_of} · "
        f"database {escape_markdown(db.path.name)}"
    )


# --- the one way the UI writes dates (issue 18) ---------------------------------------------
# "1 Dec 2026"; with a time "1 Dec 2026 14:05"; a month "Oct 2026"; a financial year
# "2026/27" (``plan.fy_label``). No leading zero, abbreviated month, 24-hour clock.


def format_date(d: date | datetime | None) -> str:
    """A day as the UI writes it: "1 Dec 2026" ("—" when there is none)."""
    if d is None or _is_missing(d):
        return "—"
    return day_label(d)  # the one rule, shared with the packs (nlf_planner.periods)


def format_datetime(d: datetime | date | None) -> str:
    """A moment as the UI writes it: "1 Dec 2026 14:05" (a bare date gets no time)."""
    if d is None or _is_missing(d):
        return "—"
    if not isinstance(d, datetime):
        return format_date(d)
    return f"{format_date(d)} {d:%H:%M}"


def format_month(d: date | None) -> str:
    """A month as the UI writes it: "Oct 2026"."""
    return "—" if d is None or _is_missing(d) else f"{d:%b %Y}"


def format_as_of(value: str | date | None) -> str:
    """The data's as-of month (stored as ISO text, "2026-10" or "2026-10-01") as a month."""
    if value is None or value == "":
        return "—"
    if isinstance(value, date):
        return format_month(value)
    try:
        return format_month(date.fromisoformat(value if len(value) > 7 else f"{value}-01"))
    except ValueError:
        return escape_markdown(value)  # not a date after all: shown as stored, inert


def _is_missing(d: object) -> bool:
    """NaT and NaN (a missing cell in a DataFrame) count as no date."""
    return d is pd.NaT or (not isinstance(d, date) and bool(pd.isna(d)))
