"""The Overview page: people's text shown as typed, sparklines named, writes seen at once."""

from __future__ import annotations

import re

from nlf_planner.services.database import open_store
from nlf_planner.store import audit as audit_store
from tests.apptest_utils import run_page

HOSTILE = "Mallory ![t](http://127.0.0.1:9/track.png) <img src=x onerror=alert(1)>"


def _record(path, actor: str, reason: str | None) -> None:
    db = open_store(path)
    try:
        db.write(
            lambda cur: audit_store.record(
                cur, actor=actor, action="update", entity="plan_version", reason=reason
            )
        )
    finally:
        db.close()


def _markdown(at) -> list[str]:
    return [m.value for m in at.markdown]


def test_recent_changes_show_a_hostile_name_and_reason_as_text(fresh_seeded_db_path) -> None:
    _record(fresh_seeded_db_path, HOSTILE, f"because {HOSTILE}")
    at = run_page(None, fresh_seeded_db_path)
    assert not at.exception
    lines = [m for m in _markdown(at) if "Mallory" in m]
    assert lines, "the change is listed"
    text = "\n".join(lines)
    # Every markup character escaped: no bare image, link or tag is left to render.
    assert re.search(r"(?<!\\)[<>\[\]!()]", text) is None
    assert r"\!\[t\]\(http" in text and r"\<img" in text


def test_an_empty_reason_shows_no_nan(fresh_seeded_db_path) -> None:
    _record(fresh_seeded_db_path, "Ann Example", None)
    at = run_page(None, fresh_seeded_db_path)
    block = next(m for m in _markdown(at) if "Ann Example" in m)
    line = next(x for x in block.splitlines() if "Ann Example" in x)
    assert "nan" not in line and "—" not in line.split("Ann Example", 1)[1]


def test_a_change_shows_at_the_next_rerun_of_the_same_session(fresh_seeded_db_path) -> None:
    """The recent changes are kept per data version: a new audit row must show at once."""
    at = run_page(None, fresh_seeded_db_path)
    assert not any("Bea Later" in m for m in _markdown(at))
    _record(fresh_seeded_db_path.with_name(fresh_seeded_db_path.name), "Bea Later", "why")
    at.run()
    assert any("Bea Later" in m for m in _markdown(at))


def test_every_sparkline_is_an_image_with_alt_text_saying_what_it_shows(seeded_db_path) -> None:
    at = run_page(None, seeded_db_path)
    images = [m for m in _markdown(at) if m.startswith("<img ")]
    assert len(images) == 9
    assert all('alt="Trend over the last ' in m for m in images)


def test_each_tile_names_its_measure_in_words_that_wrap(seeded_db_path) -> None:
    at = run_page(None, seeded_db_path)
    assert any(m.startswith("Executive director posts vacant or interim") for m in _markdown(at))
    assert sum(m.startswith("On a year ago: ") for m in _markdown(at)) == 9
