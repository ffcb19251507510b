"""The Regions matrix filter "Show only areas that are worse and getting worse" in Chromium:
ticking it (a click, as a person would) writes ``red_red=true`` into the address, keeps
only the marked areas' rows, and the filtered view has no WCAG A or AA violation."""

from __future__ import annotations

from axe_playwright_python import sync_playwright as axe_sync

from tests.browser.conftest import wait_for_app_run
from tests.browser.test_accessibility import WCAG_TAGS


def test_ticking_the_filter_keeps_it_in_the_url_and_passes_axe(app_server, page) -> None:
    page.goto(f"{app_server}/regions")
    wait_for_app_run(page)
    page.locator("h1").first.wait_for(state="attached", timeout=30_000)
    main = page.get_by_test_id("stMain")
    main.get_by_text("Show only areas that are worse and getting worse").click()
    wait_for_app_run(page)
    page.wait_for_function("() => location.search.includes('red_red=true')", timeout=15_000)
    main.get_by_text("Where the 7 NHS regions are worse than England").wait_for(timeout=15_000)
    notice = main.get_by_text("worse than England and getting worse (!!) on at least one")
    assert notice.count() == 1
    page.wait_for_timeout(800)  # the rug draws its SVG after the run ends
    assert "!!" in page.locator(".stPlotlyChart").first.inner_text()
    result = axe_sync.Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert result.response["violations"] == []
    page.reload()  # the link reopens the filtered view
    wait_for_app_run(page)
    main.get_by_text("Where the 7 NHS regions are worse than England").wait_for(timeout=30_000)
