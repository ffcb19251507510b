"""Every registered page opens in headless Chromium, finishes running, shows its heading and
no exception."""

import re

import pytest

from nlf_planner.ui.navigation import PAGES
from tests.browser.conftest import screenshot, wait_for_app_run


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_page_opens_without_exception(spec, app_server, page) -> None:
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            None if r.url.startswith((app_server, "data:", "blob:")) else outside.append(r.url)
        ),
    )
    page.goto(f"{app_server}/{spec.url_path}")
    wait_for_app_run(page)
    screenshot(page, f"page-{spec.url_path}")
    assert page.get_by_test_id("stException").count() == 0
    assert outside == [], f"works offline: no request may leave the machine ({outside})"
    heading = page.get_by_role("heading", name=spec.heading).first
    assert heading.is_visible()


def test_overview_draws_its_driver_diagram_and_tiles(app_server, page) -> None:
    page.goto(app_server)
    wait_for_app_run(page)
    page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg", timeout=30_000)
    assert page.get_by_test_id("stMetric").count() == 9
    assert page.get_by_text("illustrative", exact=False).first.is_visible()


def test_changing_region_in_the_sidebar_updates_tiles_and_url(app_server, page) -> None:
    page.goto(app_server)
    wait_for_app_run(page)
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name="London").click()
    wait_for_app_run(page)
    assert "region=E40000003" in page.url
    assert page.get_by_role("heading", name="headline measure for London").first.is_visible()


@pytest.fixture(scope="module")
def crash_server(browser_db_path):
    from tests.browser.conftest import PROJECT_ROOT, start_streamlit, stop

    proc, url = start_streamlit(
        PROJECT_ROOT / "tests" / "browser" / "crash_app.py", browser_db_path
    )
    try:
        yield url
    finally:
        stop(proc)


def test_an_unexpected_error_shows_a_reference_and_no_details(crash_server, page) -> None:
    """Issue 15: the app's frame turns a crash into a message with a reference; outside it,
    Streamlit (showErrorDetails = none) still shows no traceback, type or server path."""
    page.goto(crash_server)
    wait_for_app_run(page)
    alert = page.get_by_text("Something went wrong (reference ").first
    alert.wait_for(timeout=20_000)
    assert re.search(r"reference [0-9A-F]{4}-[0-9A-F]{4}\)", alert.inner_text())
    body = page.locator("body").inner_text()
    for leak in ("Traceback", "RuntimeError", "/srv/nlf", "framed failure"):
        assert leak not in body, leak

    page.goto(f"{crash_server}/?bare=1")
    wait_for_app_run(page)
    page.get_by_test_id("stException").first.wait_for(timeout=20_000)
    body = page.locator("body").inner_text()
    for leak in ("Traceback", "RuntimeError", "/srv/nlf", "bare failure"):
        assert leak not in body, leak
