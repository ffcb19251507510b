"""Time pages in Chromium the way a person waits: until the script has finished and every
plotly chart has drawn."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from tools.app_server import start_streamlit as start  # noqa: F401 - used by the benches
from tools.screenshot import CHROMIUM_ARGS, chromium_path, wait_for_app_run

ROOT = Path(__file__).resolve().parents[1]


def wait_for_charts(page, timeout_ms: int = 60_000) -> None:
    page.wait_for_function(
        """() => {
            const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
            return Array.from(charts).every(c => c.querySelector('.main-svg'));
        }""",
        timeout=timeout_ms,
    )


def time_load(browser, url: str) -> float:
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    wait_for_app_run(page)
    wait_for_charts(page)
    elapsed = time.perf_counter() - started
    errors = page.get_by_test_id("stException").count()
    context.close()
    if errors:
        raise RuntimeError(f"{url} showed {errors} exception(s)")
    return elapsed


def alternate(browser, urls: dict[str, str], rounds: int = 7) -> dict[str, list[float]]:
    """Load each URL in turn, ``rounds`` times, after one warm-up each."""
    for url in urls.values():
        time_load(browser, url)
    times: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(rounds):
        for name, url in urls.items():
            times[name].append(time_load(browser, url))
    return times


def launch(p):
    return p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)
