"""Every registered page runs in AppTest without an exception and shows its heading."""

import shutil

import pytest

from nlf_planner.services.database import open_store
from nlf_planner.ui.navigation import PAGES
from tests.apptest_utils import headings, run_page
from tests.db_holders import held_by_other_process


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_page_runs_and_shows_its_heading(spec, seeded_db_path) -> None:
    at = run_page(spec.url_path, seeded_db_path)
    assert not at.exception, [e.value for e in at.exception]
    assert spec.heading in headings(at)


def test_overview_shows_a_tile_per_priority_area(seeded_db_path) -> None:
    at = run_page(None, seeded_db_path)
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert len(labels) == 9
    assert any("Executive director posts vacant or interim" in label for label in labels)
    notices = [i.value for i in at.info]
    assert any("illustrative" in n for n in notices)


def test_overview_follows_the_region_in_the_url(seeded_db_path) -> None:
    at = run_page(None, seeded_db_path, query={"region": "E40000003"})
    assert not at.exception
    assert any("London" in h for h in headings(at))


def test_overview_ignores_an_unknown_region_in_the_url(seeded_db_path) -> None:
    at = run_page(None, seeded_db_path, query={"region": "DROP TABLE measures"})
    assert not at.exception
    assert any("England" in h for h in headings(at))


def test_a_file_locked_by_another_process_shows_a_message_not_a_traceback(tmp_path) -> None:
    path = tmp_path / "locked.duckdb"
    open_store(path).close()
    with held_by_other_process(path):
        at = run_page(None, path)
        assert not at.exception
        errors = [e.value for e in at.error]
        assert any("in use by another process" in e for e in errors)


def test_a_file_held_by_a_reader_opens_read_only_with_a_banner(seeded_db_path, tmp_path) -> None:
    path = tmp_path / "shared.duckdb"
    shutil.copy(seeded_db_path, path)
    with held_by_other_process(path, read_only=True):
        at = run_page(None, path)
        assert not at.exception
        assert any("Read-only" in w.value for w in at.warning)
        assert len(at.metric) == 9  # still readable
