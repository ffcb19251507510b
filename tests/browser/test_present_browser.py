"""Presenter mode in Chromium: full screen hides the sidebar and the menu, and the whole deck
steps through (arrow key, a remote's PageDown, the Next button) without an exception,
drawing every chart."""

from __future__ import annotations

import re

import pytest

from bench.browser_timing import wait_for_charts
from tests.browser.conftest import screenshot, wait_for_app_run


def _counter(page) -> tuple[int, int]:
    text = page.get_by_text(re.compile(r"^Slide \d+ of \d+$")).first.inner_text()
    current, total = re.findall(r"\d+", text)
    return int(current), int(total)


def test_presenter_mode_hides_the_sidebar_and_steps_through_every_slide(app_server, page):
    outside: list[str] = []
    local = (app_server, "data:", "blob:")

    def record(request) -> None:
        if not request.url.startswith(local):
            outside.append(request.url)

    page.on("request", record)
    page.goto(app_server)  # the frame first, as a bookmarked app would be opened
    wait_for_app_run(page)
    page.goto(f"{app_server}/present")
    wait_for_app_run(page)
    assert page.get_by_test_id("stSidebar").count() == 1
    page.get_by_role("button", name=re.compile("Full screen")).click()
    page.get_by_role("button", name=re.compile("Exit full screen")).wait_for()
    wait_for_app_run(page)
    page.get_by_test_id("stSidebar").first.wait_for(state="hidden", timeout=10_000)
    assert page.get_by_test_id("stSidebarNav").count() == 0
    assert not page.get_by_test_id("stHeader").first.is_visible()
    assert "full=1" in page.url
    screenshot(page, "present-full-screen")

    current, total = _counter(page)
    assert current == 1 and total >= 5
    seen_kinds = set()
    for expected in range(2, total + 1):
        if expected % 3 == 0:
            page.keyboard.press("ArrowRight")
        elif expected % 3 == 1:
            page.keyboard.press("PageDown")  # what presenter remotes send
        else:
            page.get_by_role("button", name=re.compile("^Next")).click()
        wait_for_app_run(page)
        wait_for_charts(page)
        assert page.get_by_test_id("stException").count() == 0, f"slide {expected}"
        assert _counter(page)[0] == expected
        assert f"slide={expected}" in page.url
        heading = page.locator(".st-key-present_slide").get_by_role("heading").first
        seen_kinds.add(heading.inner_text().split(":")[0])
    assert page.get_by_role("button", name=re.compile("^Next")).is_disabled()
    assert "Data notice and sources" in seen_kinds

    assert outside == [], f"the deck must work with the network unplugged: {sorted(set(outside))}"

    page.keyboard.press("Escape")
    page.get_by_role("button", name=re.compile("^Full screen")).wait_for()
    wait_for_app_run(page)
    page.get_by_test_id("stSidebar").first.wait_for(state="visible", timeout=10_000)
    assert "full=1" not in page.url


def test_the_html_pack_opens_offline_and_steps_with_the_keyboard(
    seeded_db_path, browser, tmp_path
) -> None:
    from nlf_planner.deck import DeckChoices
    from nlf_planner.export import to_html
    from nlf_planner.services.database import open_store
    from nlf_planner.services.deck import build_deck

    db = open_store(seeded_db_path)
    try:
        deck = build_deck(db, DeckChoices())
    finally:
        db.close()
    path = tmp_path / "pack.html"
    path.write_bytes(to_html(deck))
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    active = "section.slide.active"
    assert page.locator(active).get_attribute("data-key") == deck.slides[0].key
    with_chart = next(i for i, s in enumerate(deck.slides) if s.figures)
    for _ in range(with_chart):
        page.keyboard.press("ArrowRight")
    assert page.locator(active).get_attribute("data-key") == deck.slides[with_chart].key
    assert page.url.endswith(f"#{with_chart + 1}")
    page.locator(f"{active} .main-svg").first.wait_for(state="visible", timeout=10_000)
    page.keyboard.press("ArrowLeft")
    assert page.locator(active).get_attribute("data-key") == deck.slides[with_chart - 1].key
    page.keyboard.press("End")
    assert page.locator(active).get_attribute("data-key") == deck.slides[-1].key
    assert errors == []
    assert all(u.startswith(("file:", "data:", "blob:")) for u in requests), requests
    context.close()


_SLIDE_FACTS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const slide = document.querySelector('.st-key-present_slide');
  const zoom = parseFloat((slide && slide.style.zoom) || '1');
  const box = slide ? slide.getBoundingClientRect() : {bottom: 0};
  const cut = [...document.querySelectorAll('.st-key-present_controls button p')]
    .filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.innerText);
  const count = document.querySelector('.st-key-present_count p');
  const lineHeight = count ? parseFloat(getComputedStyle(count).lineHeight) : 0;
  const texts = [...document.querySelectorAll('.st-key-present_slide svg text')]
    .filter(t => t.textContent.trim() && t.getBBox().width > 0)
    .map(t => [parseFloat(getComputedStyle(t).fontSize) * zoom, t.textContent.slice(0, 40)])
    .sort((a, b) => a[0] - b[0]);
  return {
    scroll: main.scrollHeight, bottom: box.bottom, cut: cut,
    countLines: count ? Math.round(count.getBoundingClientRect().height / lineHeight) : 0,
    toolbars: [...document.querySelectorAll('.modebar')].filter(m => m.offsetParent).length,
    smallestText: texts.length ? texts[0] : null, zoom: zoom,
    charts: slide ? slide.querySelectorAll('.js-plotly-plot').length : 0,
  };
}"""


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (1920, 1080)])
def test_every_slide_fits_the_window_in_full_screen(app_server, browser, width, height):
    """Issue 18: at a projector's 1024×768 and at 1920×1080, every slide of the default deck
    shows whole with no scrolling; no control label is cut off, "Slide n of N" stays on one
    line, slides carry no plotly toolbar, and the region matrix's text is at least 12 px."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(app_server)
    wait_for_app_run(page)
    page.goto(f"{app_server}/present?full=1")
    wait_for_app_run(page)
    page.get_by_role("button", name=re.compile("Exit full screen")).wait_for()
    _, total = _counter(page)
    for number in range(1, total + 1):
        if number > 1:
            page.keyboard.press("ArrowRight")
            wait_for_app_run(page)
        wait_for_charts(page)
        page.wait_for_timeout(400)  # the fit runs on the next animation frame
        facts = page.evaluate(_SLIDE_FACTS)
        where = f"slide {number} at {width}×{height}"
        assert facts["scroll"] <= height, f"{where}: the page scrolls ({facts['scroll']} px)"
        assert facts["bottom"] <= height + 1, f"{where}: the slide ends below the window"
        assert facts["cut"] == [], f"{where}: control labels cut off: {facts['cut']}"
        assert facts["countLines"] == 1, f"{where}: the slide count wraps"
        assert facts["toolbars"] == 0, f"{where}: a plotly toolbar shows"
        heading = page.locator(".st-key-present_slide").get_by_role("heading").first.inner_text()
        if heading.startswith("Region comparison") and facts["charts"]:
            size, text = facts["smallestText"]
            assert size >= 12, f"{where}: {text!r} is {size:.1f} px (zoom {facts['zoom']})"
        if number in (1, 2, 3) or heading.startswith("Region comparison"):
            screenshot(page, f"present-fit-{width}x{height}-{number}")
    context.close()
