"""A throwaway PostgreSQL server for tests and benchmarks, from the installed server binaries.

Why: the store must be tested against a real PostgreSQL (no mocks), and the machine has
Debian's ``postgresql`` package installed but not running. This starts a private cluster on
a free loopback port with its own socket folder, trust authentication on 127.0.0.1 only,
durability switched off (a test server loses nothing worth keeping), and stops and deletes it
afterwards. PostgreSQL refuses to run as root, so as root ``initdb`` and ``pg_ctl`` run as the
``postgres`` operating-system user (``runuser``), as engineering-notes §7.2 describes.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: The loopback ports the tests may use (54339 is left for manual experiments).
PORTS = range(54330, 54339)


class PostgresMissing(RuntimeError):
    """The PostgreSQL server binaries cannot be found (install Debian's ``postgresql``)."""


def find_bindir() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl`` (``NLF_PG_BIN``, else the newest
    ``/usr/lib/postgresql/*/bin``, else ``pg_config --bindir``)."""
    if os.environ.get("NLF_PG_BIN"):
        return Path(os.environ["NLF_PG_BIN"])
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        candidate = Path(out.stdout.strip())
        if (candidate / "initdb").exists():
            return candidate
    raise PostgresMissing(
        "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install Debian's "
        "'postgresql' package (make test does it when run as root) or set NLF_PG_BIN."
    )


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port for a test PostgreSQL in {PORTS.start}-{PORTS.stop - 1}.")


def _as_server_user(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@dataclass
class ThrowawayPostgres:
    """One running throwaway server; ``url(dbname)`` connects to one of its databases."""

    root: Path
    port: int
    bindir: Path

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            _as_server_user([str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), *args]),
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def start(self) -> None:
        options = (
            f"-k {self.root} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._pg_ctl("-o", options, "-l", str(self.root / "log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "stop", check=False)

    def restart(self) -> None:
        """Stop and start the server again (every open connection is cut)."""
        self.stop("fast")
        self.start()

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


def start_throwaway() -> ThrowawayPostgres:
    """initdb a new cluster in a new folder and start it; raises :class:`PostgresMissing`."""
    bindir = find_bindir()
    root = Path(tempfile.mkdtemp(prefix="nlf-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    subprocess.run(
        _as_server_user(
            [
                str(bindir / "initdb"),
                "-D",
                str(root / "data"),
                "--auth=trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ]
        ),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    server = ThrowawayPostgres(root=root, port=_free_port(), bindir=bindir)
    try:
        server.start()
    except BaseException:
        with contextlib.suppress(Exception):
            shutil.rmtree(root, ignore_errors=True)
        raise
    return server
