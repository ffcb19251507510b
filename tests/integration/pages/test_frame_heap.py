"""The app keeps Streamlit's post-run sweep small: Streamlit (the pinned version) sweeps the
whole heap when a run ends, and app.py freezes what lived through a slow sweep as the next
run starts (``ui.frame.settle_heap``)."""

import gc
import inspect

from streamlit import config
from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

from nlf_planner.ui import frame
from tests.apptest_utils import run_page


def test_streamlit_sweeps_the_whole_heap_after_every_run() -> None:
    """The premise, checked against the pinned Streamlit: a version without the sweep makes
    the freeze pointless (and a configuration that turns it off too)."""
    assert config.get_option("runner.postScriptGC") is True
    assert "gc.collect(2)" in inspect.getsource(ScriptRunner._on_script_finished)


def test_a_run_after_a_slow_sweep_freezes_what_survived_it(seeded_db_path, monkeypatch) -> None:
    gc.unfreeze()
    monkeypatch.setattr(frame._HEAP, "slow_s", 0.0)  # every full sweep counts as slow
    monkeypatch.setattr(frame._HEAP, "min_gap_s", 0.0)
    monkeypatch.setattr(frame._HEAP, "thaw_every_s", 3600.0)
    monkeypatch.setattr(frame._HEAP, "_freeze_due", False)
    before = frame._HEAP.freezes
    try:
        # AppTest's runner skips the sweep the server runs after each run: sweep here, as
        # the server does after the run before this one.
        gc.collect(2)
        at = run_page(None, seeded_db_path)  # app.py starts by freezing what it kept
        assert not at.exception
        assert frame._HEAP.freezes == before + 1
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_no_sweep_no_freeze(seeded_db_path, monkeypatch) -> None:
    gc.unfreeze()
    monkeypatch.setattr(frame._HEAP, "_freeze_due", False)
    monkeypatch.setattr(frame._HEAP, "slow_s", 3600.0)  # no sweep is slow
    gc.collect(2)
    before = frame._HEAP.freezes
    at = run_page(None, seeded_db_path)
    assert not at.exception
    assert frame._HEAP.freezes == before
    assert gc.get_freeze_count() == 0
