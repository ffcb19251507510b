"""Crash a write on purpose: run one operation in a forked child and SIGKILL it mid-way.

Why fork: the parent has already imported everything (pandas, DuckDB, the services), so a
child starts in about a millisecond and the loop can crash many writes in seconds. The child
opens the database itself (a connection made before the fork must never be shared), gets
its operation ready, tells the parent it is about to write, writes through the services,
and leaves with ``os._exit`` (never back into pytest). The parent waits for that word,
sleeps a chosen moment and sends SIGKILL, as a crash or an OOM kill would.

The digest is of every table's rows, order-free, with the values a write stamps with the
clock or a random id (``TIMESTAMP`` columns, the restore's marker) replaced by whether they
are set: two uninterrupted runs of the same change then give the same digest, and a killed
one must give the digest from before or the one from after, nothing in between.
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import signal
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nlf_planner.services.database import open_store
from nlf_planner.store import Database
from nlf_planner.store.backup import table_columns, table_names

#: app_meta keys whose value is a fresh random id on every run of the same change.
VOLATILE_META = {"restore_id"}
CHILD_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Operation:
    """One write to crash: ``prepare(db)`` (reads, parsing: not the write) and then
    ``apply(db, prepared)``, the write itself through the services."""

    name: str
    prepare: Callable[[Database], Any]
    apply: Callable[[Database, Any], Any]


@dataclass(frozen=True)
class ChildResult:
    """How the child ended: ``killed`` (SIGKILL arrived while it ran), ``finished`` (it
    wrote and exited before the kill), or ``failed`` (an exception; ``error`` says which)."""

    outcome: str
    write_s: float | None = None
    error: str | None = None


def digest(db: Database) -> dict[str, str]:
    """A content hash of every table (rows sorted, volatile values masked)."""
    columns = table_columns(db)
    out: dict[str, str] = {}
    for name in sorted(table_names(db)):
        df = db.df(f'SELECT * FROM "{name}"')  # a name the store listed, never user text
        for column, kind in columns[name]:
            if "TIMESTAMP" in kind.upper():
                df[column] = df[column].notna()  # set or not: when is the clock's business
        if name == "app_meta" and len(df):
            df.loc[df["key"].isin(VOLATILE_META), "value"] = "<random id>"
        # One 64-bit hash per row, sorted: order-free, and vectorised (a digest per attempt).
        rows = np.sort(pd.util.hash_pandas_object(df, index=False).to_numpy())
        h = hashlib.sha256(json.dumps([str(c) for c in df.columns]).encode())
        h.update(rows.tobytes())
        out[name] = h.hexdigest()
    return out


def _child(
    target: str | Path, op: Operation, ready_w: int, done_w: int, tmp_dir: Path | None
) -> None:
    """The child's whole life; never returns."""
    code = 0
    try:
        if tmp_dir is not None:  # what a killed write leaves in the temp folder is counted
            tmp_dir.mkdir(parents=True, exist_ok=True)
            tempfile.tempdir = str(tmp_dir)
            # A server database keeps its backups here (a DuckDB file: beside the file).
            os.environ["NLF_BACKUP_DIR"] = str(tmp_dir / "backups")
        db = open_store(target)
        prepared = op.prepare(db)
        os.write(ready_w, b"R")
        started = time.perf_counter()
        op.apply(db, prepared)
        elapsed = time.perf_counter() - started
        db.close()
        os.write(done_w, json.dumps({"write_s": elapsed}).encode())
    except BaseException:  # noqa: BLE001 - the parent is told, the child always exits
        os.write(ready_w, b"R")
        os.write(done_w, json.dumps({"error": traceback.format_exc(limit=6)}).encode())
        code = 3
    finally:
        os._exit(code)


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks)


def run_child(
    target: str | Path, op: Operation, kill_after_s: float | None, tmp_dir: Path | None = None
) -> ChildResult:
    """Run ``op`` on ``target`` in a forked child; SIGKILL it ``kill_after_s`` after it
    says it is about to write (None: let it finish). The child's temporary files go to
    ``tmp_dir`` when given. Returns how it ended."""
    ready_r, ready_w = os.pipe()
    done_r, done_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_r)
        os.close(done_r)
        _child(target, op, ready_w, done_w, tmp_dir)
    os.close(ready_w)
    os.close(done_w)
    try:
        readable, _, _ = select.select([ready_r], [], [], CHILD_TIMEOUT_S)
        if not readable or not os.read(ready_r, 1):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return ChildResult("failed", error="the child never got ready to write")
        if kill_after_s is not None:
            time.sleep(kill_after_s)
            os.kill(pid, signal.SIGKILL)
        else:
            readable, _, _ = select.select([done_r], [], [], CHILD_TIMEOUT_S)
            if not readable:
                os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        report = _read_all(done_r)
    finally:
        os.close(ready_r)
        os.close(done_r)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL and not report:
        if kill_after_s is None:
            return ChildResult("failed", error=f"the write took over {CHILD_TIMEOUT_S:.0f} s")
        return ChildResult("killed")
    details = json.loads(report) if report else {}
    if "write_s" in details:  # done and closed, whether or not the kill came before the exit
        return ChildResult("finished", write_s=details["write_s"])
    return ChildResult("failed", error=details.get("error") or f"exit status {status}")


def backup_kinds(folder: Path) -> Counter:
    """What a folder of backups holds after a crash: signed, unsigned or damaged zips, and
    the temporary folders a backup is written in before it is moved into place."""
    from nlf_planner.services.data_transfer import signing, validate_backup
    from nlf_planner.services.errors import ServiceError

    kinds: Counter = Counter()
    if not folder.exists():
        return kinds
    key = os.environ["NLF_BACKUP_KEY"].encode()
    for path in folder.iterdir():
        if path.is_dir():
            kinds["unfinished backup folder"] += 1
            continue
        try:
            validate_backup(path)
            status = signing.signature_status(path, key)
        except ServiceError:
            kinds["damaged backup"] += 1
            continue
        kinds["signed backup" if status == signing.VERIFIED else "unsigned backup"] += 1
    return kinds
