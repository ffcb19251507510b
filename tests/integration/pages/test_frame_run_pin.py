"""One read of the data version per script run (``ui.frame.get_db``): the frame, the page
and a fragment in the same run share it, and the next run, or a fragment's rerun on its
own, reads it again. A write through another handle between two ``get_db`` calls of one
run is therefore seen at the next run, never half-way through this one."""

from __future__ import annotations

import inspect
import shutil

from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext
from streamlit.testing.v1 import AppTest

SCRIPT = """
import os
import streamlit as st
from nlf_planner.services.database import data_version
from nlf_planner.store.data_version import bump_data_version
from nlf_planner.store.db import open_database
from nlf_planner.ui.frame import get_db

first = get_db()
st.text("first:" + data_version(first))
other = open_database(os.environ["NLF_DB_PATH"], migrate=False)  # another handle: no pin
with other.transaction() as cur:
    bump_data_version(cur)
st.text("raw:" + data_version(other))
second = get_db()
st.text("second:" + data_version(second))

@st.fragment
def part():
    st.text("fragment:" + data_version(get_db()))

part()
"""


def _versions(at: AppTest) -> dict[str, str]:
    return dict(t.value.split(":", 1) for t in at.text)


def test_the_page_reuses_the_frames_read_and_the_next_run_reads_again(
    seeded_db_path, tmp_path, monkeypatch
) -> None:
    path = tmp_path / "pin.duckdb"
    shutil.copy(seeded_db_path, path)
    monkeypatch.setenv("NLF_DB_PATH", str(path))
    at = AppTest.from_string(SCRIPT, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    seen = _versions(at)
    # The write landed (the other handle reads its new version) ...
    assert seen["raw"] != seen["first"]
    # ... but this run keeps the version it started with, everywhere in it.
    assert seen["second"] == seen["first"]
    assert seen["fragment"] == seen["first"]

    at.run()  # the next run reads the version again: it sees the first run's write
    again = _versions(at)
    assert again["first"] == seen["raw"]
    assert again["second"] == again["first"] == again["fragment"]


def test_every_run_and_fragment_rerun_has_a_token_of_its_own() -> None:
    """The premise, checked against the pinned Streamlit: every run, a fragment's rerun
    included, starts with ``ScriptRunContext.reset``, which makes a fresh single-use
    ``parallel_coordinator`` (AppTest reruns a whole script even for a fragment's button, so
    the fragment's own rerun is timed by ``bench.bench_fragment`` over the websocket)."""
    source = inspect.getsource(ScriptRunContext.reset)
    assert "self.parallel_coordinator = ParallelFragmentCoordinator(" in source
    assert "ctx.reset(" in inspect.getsource(ScriptRunner._run_script)
