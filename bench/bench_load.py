"""Issue 13: throughput of 20 concurrent sessions through HAProxy, one replica against two,
on the same PostgreSQL, measured in the same run.

A private cluster (tools.cluster: PostgreSQL, two replicas, HAProxy, all on free loopback
ports) is started; both replicas are warmed; then the websocket load generator
(bench.ws_load) runs the Overview page in 20 sessions with replica 2 in maintenance (one
replica), and again with both in service, twice each, interleaved. Reported: runs per
second, rerun p50/p95, errors, the ratio two/one, and where the machine's CPU went in each
phase (replicas, the load generator, the whole machine), because on a small machine the
replicas compete for the same cores with the load generator, PostgreSQL and HAProxy.
"""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from bench.ws_load import measure, run_once
from tools.cluster import Cluster, private_layout

SESSIONS = 20
WINDOW_S = 20.0
ROUNDS = 2
WARMUP_S = 8.0
TARGET_RATIO = 1.6
END_MONTH = "2026-10"  # pinned, as the tests pin it, so runs compare
_TICK = os.sysconf("SC_CLK_TCK")


def _process_cpu_s(pid: int | None) -> float:
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime


def _machine_busy_s() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / _TICK, sum(values) / _TICK


def _self_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _warm(cluster: Cluster) -> None:
    """One session per replica, straight to its port, so both have warm caches."""
    import websockets

    for i in range(len(cluster.layout.replica_ports)):
        url = cluster.layout.replica_url(i).replace("http://", "ws://") + "/_stcore/stream"
        async with websockets.connect(
            url, subprotocols=["streamlit"], max_size=None, open_timeout=60
        ) as ws:
            for _ in range(2):
                await run_once(ws)


def _phase(cluster: Cluster) -> dict:
    pids = [cluster.replica_pid(i) for i in range(len(cluster.layout.replica_ports))]
    replicas_before = [_process_cpu_s(p) for p in pids]
    busy_before, total_before = _machine_busy_s()
    self_before = _self_cpu_s()
    started = time.monotonic()
    result = asyncio.run(measure(cluster.url, SESSIONS, WINDOW_S, warmup_s=WARMUP_S))
    wall = time.monotonic() - started
    busy_after, total_after = _machine_busy_s()
    replicas = [
        round((_process_cpu_s(p) - b) / wall, 2) for p, b in zip(pids, replicas_before, strict=True)
    ]
    machine_cores = (busy_after - busy_before) / wall
    result["cpu_cores_used_by_replica"] = replicas
    result["cpu_cores_used_by_load_generator"] = round((_self_cpu_s() - self_before) / wall, 2)
    result["cpu_cores_used_by_machine"] = round(machine_cores, 2)
    result["machine_cores"] = round((total_after - total_before) / wall, 1)
    return result


def run() -> dict:
    root = Path(tempfile.mkdtemp(prefix="nlf-bench-cluster-"))
    root.chmod(0o755)  # PostgreSQL runs as the postgres user and must reach its folder
    cluster = Cluster(private_layout(root))
    out: dict = {"sessions": SESSIONS, "window_s": WINDOW_S, "rounds": ROUNDS, "page": "Overview"}
    try:
        out["machine_load_average_1min_at_start"] = round(os.getloadavg()[0], 2)
        started = time.perf_counter()
        cluster.start(end_month=END_MONTH)
        out["cluster_start_s"] = round(time.perf_counter() - started, 1)
        asyncio.run(_warm(cluster))

        # One, two, one, two: the machine is shared (other work comes and goes), so each
        # setting is measured twice, interleaved, and the runs are pooled.
        phases: dict[str, list[dict]] = {"one_replica": [], "two_replicas": []}
        for _ in range(ROUNDS):
            cluster.set_replica_enabled(1, False)
            cluster.wait_for_state("r2", "MAINT")
            phases["one_replica"].append(_phase(cluster))
            cluster.set_replica_enabled(1, True)
            cluster.wait_for_state("r2", "UP")
            phases["two_replicas"].append(_phase(cluster))

        for name, results in phases.items():
            runs = sum(r["runs"] for r in results)
            window = sum(r["window_s"] for r in results)
            cores = sum(sum(r["cpu_cores_used_by_replica"]) for r in results) / len(results)
            out[name] = {
                "runs_per_s": round(runs / window, 3),
                "runs": runs,
                # What the replicas got of the machine, and what they did with each core: on
                # a saturated machine two replicas share the same cores one replica had.
                "replica_cores_used": round(cores, 2),
                "runs_per_replica_core_s": round(runs / window / cores, 3) if cores else None,
                "errors": sum(r["errors"] for r in results),
                "rounds": results,
            }
        one, two = out["one_replica"]["runs_per_s"], out["two_replicas"]["runs_per_s"]
        out["two_to_one_throughput_ratio"] = round(two / one, 2) if one else None
        out["target_ratio"] = TARGET_RATIO
        out["replica_cores_ratio_two_to_one"] = round(
            out["two_replicas"]["replica_cores_used"] / out["one_replica"]["replica_cores_used"], 2
        )
        out["machine_load_average_1min_at_end"] = round(os.getloadavg()[0], 2)
        out["errors"] = out["one_replica"]["errors"] + out["two_replicas"]["errors"]
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
