"""Issue 3: saving a full plan version through the plan service (rules checked, then the store
writes; target < 300 ms), loading and diffing it.

The plan: 17 measures x 3 horizons x 9 geographies (England, the 7 regions and one ICB) = 459
targets, plus 40 milestones spread over the 9 priority areas. Each save is a whole new
version on top of the previous one (validation, diff for the audit row, inserts, head move).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.plan import HORIZONS, Milestone, Plan, PlanTarget, horizon_window
from nlf_planner.services import plan_editing
from nlf_planner.services.actor import local_actor
from nlf_planner.store import open_database
from nlf_planner.store.reference import ensure_reference, icbs, measures, priority_areas, regions

ROUNDS = 7


def build_plan(db, bump: float = 0.0) -> Plan:
    geos = [ENGLAND_CODE, *(r.code for r in regions(db)), icbs(db)[0].code]
    targets = []
    for m in measures(db):
        top = 10.0 if m.unit == "score_0_10" else 100.0
        for g_i, geo in enumerate(geos):
            for h_i, h in enumerate(HORIZONS):
                v = min(top, round(m.baseline + 0.1 * g_i + (h_i + bump) * 0.01 * top, 2))
                if m.polarity == "lower_is_better":
                    v = max(0.0, round(m.baseline - 0.1 * g_i - (h_i + bump) * 0.5, 2))
                targets.append(PlanTarget(measure_code=m.code, geo_code=geo, horizon=h, target=v))
    areas = [a.code for a in priority_areas(db)]
    milestones = []
    for i in range(40):
        h = HORIZONS[i % 3]
        lo, _ = horizon_window(2026, h)
        milestones.append(
            Milestone(
                item_id=f"B-{i:02d}",
                priority_area=areas[i % len(areas)],
                title=f"Benchmark milestone {i}",
                horizon=h,
                due_date=lo + timedelta(days=30 + i),
                owner="Bench",
                status="on_track" if (i + int(bump)) % 4 else "at_risk",
                last_updated=date(2026, 10, 1),
            )
        )
    return Plan(base_year=2026, targets=targets, milestones=milestones)


BENCH_ACTOR = local_actor("Bench")


def run() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "bench.duckdb")
        ensure_reference(db)
        first = build_plan(db)
        latest = plan_editing.save_version(
            db, first, author="Bench", note="warm-up", expected_version_id=None
        )
        save_s, load_s, diff_s = [], [], []
        for r in range(1, ROUNDS + 1):
            plan = build_plan(db, bump=float(r))
            t0 = time.perf_counter()
            # The save a person makes: the service checks the rules, then the store writes.
            latest = plan_editing.save_draft(
                db, BENCH_ACTOR, plan, note=f"round {r}", expected_version_id=latest.version_id
            )
            save_s.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            plan_editing.load_plan(db, latest.version_id)
            load_s.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            plan_editing.diff_versions(db, latest.version_id - 1, latest.version_id)
            diff_s.append(time.perf_counter() - t0)
        db.close()
    out = {
        "plan_targets_count": len(first.targets),
        "plan_milestones_count": len(first.milestones),
        "plan_save_median_ms": round(statistics.median(save_s) * 1000, 1),
        "plan_save_max_ms": round(max(save_s) * 1000, 1),
        "plan_load_median_ms": round(statistics.median(load_s) * 1000, 1),
        "plan_diff_versions_median_ms": round(statistics.median(diff_s) * 1000, 1),
        "plan_save_target_ms": 300,
    }
    out.update(page_render_times())
    return out


def page_render_times(rounds: int = 5) -> dict:
    """Plan page against the Overview page in the same Chromium run (bar: within 1.5x)."""
    from playwright.sync_api import sync_playwright

    from bench.browser_timing import ROOT, alternate, launch, median, start, time_load
    from nlf_planner.services.seeding import seed_database

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        path = Path(tmp) / "nlf.duckdb"
        db = open_database(path)
        seed_database(db, end_month=date(2026, 10, 1))
        db.close()
        browser = launch(p)
        proc, url = start(ROOT / "app.py", path)
        try:
            time_load(browser, url)  # the root registers st.navigation before deep links
            times = alternate(
                browser, {"overview": f"{url}/overview", "plan": f"{url}/plan"}, rounds
            )
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            browser.close()
    plan_s, overview_s = median(times["plan"]), median(times["overview"])
    return {
        "plan_page_render_median_s": plan_s,
        "overview_page_render_median_s": overview_s,
        "plan_to_overview_render_ratio": round(plan_s / overview_s, 2),
    }


if __name__ == "__main__":
    print(run())
