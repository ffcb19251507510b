"""Issue 4: SPC for every series of the default data (17 measures × 50 areas), the whole
Regions model, and the matrix view's render time in Chromium against the Overview's.

Bars: every series < 1 s; the matrix renders within 1.5× of the Overview in the same run.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from nlf_planner import regions as R
from nlf_planner.services import reference as ref
from nlf_planner.services.database import open_store
from nlf_planner.services.measurements import all_series
from nlf_planner.services.seeding import seed_database
from nlf_planner.spc import SPCOptions, spc_many, summary_table

END_MONTH = date(2026, 10, 1)


def _median_s(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _browser(db_path: Path) -> dict:
    from playwright.sync_api import sync_playwright

    from bench.browser_timing import ROOT, alternate, launch, median, start

    with sync_playwright() as p:
        browser = launch(p)
        app, url = start(ROOT / "app.py", db_path)
        try:
            times = alternate(
                browser, {"overview": f"{url}/overview", "matrix": f"{url}/regions"}, rounds=5
            )
        finally:
            app.terminate()
            app.wait(timeout=10)
            browser.close()
    overview, matrix = median(times["overview"]), median(times["matrix"])
    return {
        "overview_render_median_s": overview,
        "regions_matrix_render_median_s": matrix,
        "regions_matrix_over_overview_ratio": round(matrix / overview, 2),
    }


def run() -> dict:
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "nlf.duckdb"
        db = open_store(db_path)
        seed_database(db, end_month=END_MONTH)
        series = all_series(db)
        measures = ref.measures(db)
        args = (measures, ref.priority_areas(db), ref.regions(db), ref.icbs(db))
        plan = None
        try:
            from nlf_planner.store.plans import load_plan

            plan = load_plan(db)
        except Exception:  # noqa: BLE001 - the plan feature is optional
            plan = None
        db.close()
        polarity = {m.code: m.polarity for m in measures}
        options = SPCOptions(7)
        results = spc_many(series, polarity=polarity, options=options)
        out["series_count"] = len(results)
        out["points_count"] = int(sum(r.n for r in results.values()))
        out["spc_all_series_s"] = round(
            _median_s(lambda: spc_many(series, polarity=polarity, options=options), 5), 3
        )
        out["spc_summary_table_s"] = round(
            _median_s(lambda: summary_table(results, ["measure_code", "geo_code"]), 5), 3
        )
        out["regions_model_build_s"] = round(
            _median_s(lambda: R.build_model(series, *args, plan=plan, options=options), 3), 3
        )
        try:
            out.update(_browser(db_path))
        except Exception as exc:  # noqa: BLE001 - report the SPC numbers even without Chromium
            out["browser_error"] = str(exc)[:200]
    return out


if __name__ == "__main__":
    print(run())
