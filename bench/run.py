"""Run every bench/bench_*.py module's ``run()`` and write bench/results.json.

Each module reports its own numbers (units in the key names). A module that fails records
its error instead of stopping the others.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
import traceback
from datetime import datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results.json"


def main(argv: list[str]) -> int:
    only = set(argv)
    modules = sorted(p.stem for p in BENCH_DIR.glob("bench_*.py"))
    results: dict = {}
    if RESULTS.exists() and only:
        results = json.loads(RESULTS.read_text()).get("results", {})
    failed = False
    for name in modules:
        if only and name not in only:
            continue
        print(f"-- {name}", flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"bench.{name}")
            numbers = module.run()
            numbers["bench_wall_s"] = round(time.perf_counter() - started, 2)
            results[name] = numbers
        except Exception:  # noqa: BLE001 - record and go on
            failed = True
            results[name] = {"error": traceback.format_exc(limit=5)}
        print(json.dumps(results[name], indent=2), flush=True)
    payload = {
        "written_at": datetime.now().isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "results": results,
    }
    RESULTS.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"wrote {RESULTS}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
