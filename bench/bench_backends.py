"""Issue 13: the shared PostgreSQL backend against the embedded DuckDB file, same run.

Bars (ratios PostgreSQL / DuckDB, measured here on the same data, the same machine, the same
moment): hot reads (the regions matrix's series read, one SPC series, a plan load) at most
3x DuckDB's; a plan save at most 2x. PostgreSQL is a throwaway server from the installed
binaries (tests/pg_server.py) on loopback, with its durability settings switched off as a
test server has them, so the ratio measures the store's code paths and the wire, not disks.
Both databases are seeded the same way (the seeding service, history to 2026-10).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.bench_plan import BENCH_ACTOR, build_plan
from nlf_planner.services import measurements as measurement_service
from nlf_planner.services import plan_editing
from nlf_planner.services.actor import SYSTEM
from nlf_planner.services.database import open_store
from nlf_planner.services.seeding import seed_database
from nlf_planner.store import measurements as measurement_store
from tests.conftest import create_database
from tests.pg_server import start_throwaway

ROUNDS = 9
END = date(2026, 10, 1)
BARS = {"matrix_read": 3.0, "spc_series": 3.0, "plan_load": 3.0, "plan_save": 2.0}


def _median_ms(fn, rounds: int = ROUNDS) -> float:
    fn()  # warm: first call pays for connections, prepared statements and caches
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times) * 1000, 2)


def _measure(db) -> dict[str, float]:
    region = "E40000003"  # London
    out = {
        "matrix_read": _median_ms(lambda: measurement_service.all_series(db)),
        "spc_series": _median_ms(lambda: measurement_store.series(db, "M01", region)),
        "plan_load": _median_ms(lambda: plan_editing.load_plan(db)),
    }
    latest = plan_editing.load_plan(db)
    bump = [0.0]

    def save() -> None:
        nonlocal latest
        bump[0] += 1
        latest = plan_editing.save_draft(
            db,
            BENCH_ACTOR,
            build_plan(db, bump=bump[0]),
            note=f"round {bump[0]:.0f}",
            expected_version_id=latest.version_id,
        )

    out["plan_save"] = _median_ms(save)
    return out


def run() -> dict:
    server = start_throwaway()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            duck = open_store(Path(tmp) / "bench.duckdb")
            pg = open_store(server.url(create_database(server)))
            try:
                for db in (duck, pg):
                    seed_database(db, SYSTEM, end_month=END)
                rows = int(duck.scalar("SELECT count(*) FROM measurements"))
                d, p = _measure(duck), _measure(pg)
            finally:
                duck.close()
                pg.close()
    finally:
        server.destroy()
    result: dict = {"measurement_rows": rows}
    for key in BARS:
        ratio = round(p[key] / d[key], 2) if d[key] else None
        result[f"{key}_duckdb_median_ms"] = d[key]
        result[f"{key}_postgres_median_ms"] = p[key]
        result[f"{key}_postgres_to_duckdb_ratio"] = ratio
        result[f"{key}_ratio_bar"] = BARS[key]
        result[f"{key}_bar_met"] = ratio is not None and ratio <= BARS[key]
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
