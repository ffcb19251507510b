"""Issue 7: how query time grows with data. The Regions matrix query and one full-history SPC
series at 1x, 10x and 100x the default history (``generate --scale N`` adds synthetic copies
of every ICB, so N x areas = N x rows). Target: 100x data costs at most 10x the time for the
matrix query. Times are best of N runs (the machine is shared).
"""

from __future__ import annotations

import gc
import tempfile
import time
from datetime import date
from pathlib import Path

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.services.seeding import seed_database
from nlf_planner.spc import spc
from nlf_planner.store import open_database
from nlf_planner.store.measurements import all_series, latest_values, series

SCALES = (1, 10, 100)
END_MONTH = date(2026, 10, 1)
SPC_MEASURE = "M08"  # monthly: the longest history (127 points)


def _best_s(fn, repeats: int) -> float:
    """Best of N: on a shared machine the minimum is the least disturbed by other load."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _matrix(db) -> int:
    """The Regions matrix's data: every region and England series, then the latest point."""
    df = all_series(db, levels=["england", "region"])
    return len(latest_values(df))


def _spc_series(db) -> int:
    """One full-history series (England, aggregated from every ICB) and its SPC chart."""
    s = series(db, SPC_MEASURE, ENGLAND_CODE)
    result = spc(s["period"], s["value"], polarity="lower_is_better")
    return len(result.values)


def _spc_england_only(db) -> int:
    """The same chart, asking the store for the England level only (no ICB rows returned)."""
    s = all_series(db, [SPC_MEASURE], levels=["england"])
    return len(spc(s["period"], s["value"], polarity="lower_is_better").values)


def _regions_model(db) -> int:
    """What the Regions page computes on a cold cache: every series (ICB level included) and
    SPC, comparisons and cells for each. Timed at 1x and 10x only: at 100x it holds ~71,000
    SPC results in memory, too much for the shared test machine."""
    from nlf_planner import regions as regions_domain
    from nlf_planner.store import reference as ref

    model = regions_domain.build_model(
        all_series(db), ref.measures(db), ref.priority_areas(db), ref.regions(db), ref.icbs(db)
    )
    return len(model.results)


def run() -> dict:
    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="nlf-bench-scale-") as tmp:
        for scale in SCALES:
            path = Path(tmp) / f"scale{scale}.duckdb"
            db = open_database(path)
            t = time.perf_counter()
            seed_database(db, end_month=END_MONTH, scale=scale)
            out[f"generate_{scale}x_s"] = round(time.perf_counter() - t, 2)
            out[f"measurement_rows_{scale}x"] = int(db.scalar("SELECT count(*) FROM measurements"))
            with db.cursor() as cur:
                cur.execute("CHECKPOINT")
            out[f"db_file_{scale}x_mb"] = round(path.stat().st_size / 2**20, 1)
            _matrix(db)  # warm up
            repeats = 15 if scale < 100 else 5
            out[f"matrix_query_{scale}x_s"] = round(_best_s(lambda db=db: _matrix(db), repeats), 4)
            out[f"spc_full_history_series_{scale}x_s"] = round(
                _best_s(lambda db=db: _spc_series(db), repeats), 4
            )
            out[f"spc_england_only_query_{scale}x_s"] = round(
                _best_s(lambda db=db: _spc_england_only(db), repeats), 4
            )
            if scale <= 10:
                out[f"regions_page_model_cold_{scale}x_s"] = round(
                    _best_s(lambda db=db: _regions_model(db), 2), 3
                )
            db.close()
            gc.collect()
    base_m, base_s = out["matrix_query_1x_s"], out["spc_full_history_series_1x_s"]
    base_e = out["spc_england_only_query_1x_s"]
    for scale in SCALES[1:]:
        out[f"matrix_query_growth_{scale}x_vs_1x"] = round(
            out[f"matrix_query_{scale}x_s"] / base_m, 2
        )
        out[f"spc_series_growth_{scale}x_vs_1x"] = round(
            out[f"spc_full_history_series_{scale}x_s"] / base_s, 2
        )
        out[f"spc_england_only_growth_{scale}x_vs_1x"] = round(
            out[f"spc_england_only_query_{scale}x_s"] / base_e, 2
        )
    out["matrix_query_target_met_100x_le_10x_time"] = out["matrix_query_growth_100x_vs_1x"] <= 10
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
