"""Issue 12: server time of one warm rerun of every page, as a ratio to a one-chart page.

Each page is opened in AppTest on the seeded default data (end month pinned, as the tests
pin it), run once to warm, then rerun ``REPEATS`` times with no new data; the median is
reported beside the same measure of ``bench/minimal_app.py`` (one small plotly chart) taken
in the same run, interleaved, so machine load affects both alike. The bar is each page
≤ 15× the one-chart page.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
MINIMAL = str(ROOT / "bench" / "minimal_app.py")
REPEATS = 6
TARGET_RATIO = 15.0
END_MONTH = "2026-10"
PAGES = ("overview", "plan", "regions", "scenarios", "engagement", "present", "data")


def _seed(path: Path) -> None:
    from nlf_planner.services.actor import SYSTEM
    from nlf_planner.services.database import open_store
    from nlf_planner.services.seeding import seed_database

    db = open_store(path)
    try:
        seed_database(db, SYSTEM, end_month=date.fromisoformat(END_MONTH + "-01"))
    finally:
        db.close()


def _open(page: str | None) -> AppTest:
    if page is None:
        at = AppTest.from_file(MINIMAL, default_timeout=120)
        at.run()
        return at
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].message}")
    return at


def _rerun_ms(at: AppTest) -> float:
    started = time.perf_counter()
    at.run()
    return (time.perf_counter() - started) * 1000


def measure(pages: tuple[str, ...] = PAGES, repeats: int = REPEATS) -> dict:
    """Median warm rerun (ms) per page and of the one-chart page, and the ratios."""
    apps = {page: _open(page) for page in pages}
    minimal = _open(None)
    for at in [*apps.values(), minimal]:  # one more warm-up each: caches, imports
        at.run()
    times: dict[str, list[float]] = {page: [] for page in pages}
    floor: list[float] = []
    for _ in range(repeats):
        for page, at in apps.items():
            times[page].append(_rerun_ms(at))
            floor.append(_rerun_ms(minimal))
    floor_ms = statistics.median(floor)
    out: dict = {"one_chart_page_rerun_median_ms": round(floor_ms, 1)}
    for page in pages:
        median = statistics.median(times[page])
        out[f"{page}_rerun_median_ms"] = round(median, 1)
        out[f"{page}_to_one_chart_ratio"] = round(median / floor_ms, 1)
    out["worst_ratio"] = max(out[f"{p}_to_one_chart_ratio"] for p in pages)
    out["target_ratio"] = TARGET_RATIO
    return out


def run() -> dict:
    with tempfile.TemporaryDirectory(prefix="nlf-bench-rerun-") as tmp:
        path = Path(tmp) / "bench.duckdb"
        _seed(path)
        os.environ["NLF_DB_PATH"] = str(path)
        os.environ.pop("NLF_DATABASE_URL", None)
        return measure()


if __name__ == "__main__":  # python -m bench.bench_rerun [page …]: a quick probe
    chosen = tuple(sys.argv[1:]) or PAGES
    with tempfile.TemporaryDirectory(prefix="nlf-bench-rerun-") as tmp:
        path = Path(tmp) / "bench.duckdb"
        _seed(path)
        os.environ["NLF_DB_PATH"] = str(path)
        os.environ.pop("NLF_DATABASE_URL", None)
        for key, value in measure(chosen).items():
            print(f"{key}: {value}")
