"""Every registered page runs in AppTest without an exception and shows its heading."""

import pytest

from nlf_planner.ui.registry import available_pages
from tests.apptest_utils import headings, run_page

PAGES = available_pages()


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
