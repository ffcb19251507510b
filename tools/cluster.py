"""A whole deployment on one machine: PostgreSQL, app replicas and HAProxy in front.

Why: one Streamlit process is one interpreter on about one core, and DuckDB allows one
writing process per file, so serving many people means several replicas on a shared
PostgreSQL behind a load balancer with session affinity. This module starts exactly that
topology locally (``make cluster`` / ``make cluster-stop``), and the cluster tests and the
load benchmark start their own copies on private ports through the same code.

Run: ``python -m tools.cluster start|stop|status [--dir DIR]``. Everything lives under one
folder (default ``data/cluster/``): the PostgreSQL data directory and socket, the rendered
HAProxy config, the shared Streamlit cookie secret (made once, kept), logs and pid files.
Everything listens on 127.0.0.1 only; PostgreSQL trusts loopback connections, so this is for
one machine, never a shared host (docs/DEPLOY.md describes a real deployment).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT / "data" / "cluster"
TEMPLATE = ROOT / "deploy" / "haproxy.cfg.template"
HOST = "127.0.0.1"
DATABASE = "nlf"


class ClusterError(RuntimeError):
    """Something the person starting the cluster can fix (a missing program, a busy port)."""


@dataclass(frozen=True)
class Layout:
    """Where the cluster lives and which loopback ports it uses.

    ``database_url`` points the replicas at an existing PostgreSQL instead of starting one.
    """

    root: Path = DEFAULT_DIR
    haproxy_port: int = 8500
    replica_ports: tuple[int, ...] = (8511, 8512)
    pg_port: int = 54400
    database_url: str | None = None
    replica_env: dict[str, str] = field(default_factory=dict)

    @property
    def run_dir(self) -> Path:
        return self.root / "run"

    @property
    def log_dir(self) -> Path:
        return self.root / "logs"

    @property
    def pg_dir(self) -> Path:
        return self.root / "pg"

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.haproxy_port}"

    @property
    def stats_socket(self) -> Path:
        return self.run_dir / "haproxy.sock"

    def replica_name(self, index: int) -> str:
        return f"r{index + 1}"

    def replica_url(self, index: int) -> str:
        return f"http://{HOST}:{self.replica_ports[index]}"

    def own_database_url(self) -> str:
        return self.database_url or f"postgresql://postgres@{HOST}:{self.pg_port}/{DATABASE}"


# --- programs -------------------------------------------------------------------------------


def postgres_bin() -> Path:
    """The newest installed PostgreSQL server binaries (Debian keeps them per version)."""
    if os.environ.get("NLF_PG_BIN"):  # as the test server (tests/pg_server.py) honours it
        return Path(os.environ["NLF_PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    if not found:
        raise ClusterError(
            "PostgreSQL server binaries are missing: run 'make cluster' as root (it installs "
            "Debian's postgresql) or 'sudo apt-get install postgresql'"
        )
    return found[-1].parent


def haproxy_bin() -> str:
    found = shutil.which("haproxy") or (
        "/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None
    )
    if not found:
        raise ClusterError(
            "HAProxy is missing: run 'make cluster' as root (it installs Debian's haproxy) "
            "or 'sudo apt-get install haproxy'"
        )
    return found


def _as_postgres_user(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the ``postgres`` OS user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def port_is_free(port: int) -> bool:
    """Nobody listens on ``port`` (connections lingering in TIME_WAIT from an earlier run
    do not count: servers bind with SO_REUSEADDR, and so does this check)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


#: Loopback ports the cluster tests and benchmarks pick from (``make cluster`` keeps 8500,
#: 8511, 8512 and 54400): apps and HAProxy, and PostgreSQL.
PRIVATE_APP_PORTS = range(8513, 8520)
PRIVATE_PG_PORTS = range(54401, 54410)


def pick_ports(count: int, ports: range) -> list[int]:
    """``count`` free ports from ``ports`` (so private clusters stay in their own range)."""
    chosen = [p for p in ports if port_is_free(p)][:count]
    if len(chosen) < count:
        raise ClusterError(f"fewer than {count} free ports in {ports.start}-{ports.stop - 1}")
    return chosen


def private_layout(root: Path, **extra) -> Layout:
    """A layout for a private cluster (tests, benchmarks): free ports from the private
    ranges, everything else as ``make cluster``."""
    haproxy_port, r1, r2 = pick_ports(3, PRIVATE_APP_PORTS)
    (pg_port,) = pick_ports(1, PRIVATE_PG_PORTS)
    return Layout(
        root=root, haproxy_port=haproxy_port, replica_ports=(r1, r2), pg_port=pg_port, **extra
    )


def free_ports(count: int) -> list[int]:
    """``count`` distinct free loopback ports (tests and benchmarks use private ones)."""
    sockets, ports = [], []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind((HOST, 0))
            sockets.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in sockets:
            s.close()
    return ports


def wait_for_health(
    url: str, timeout_s: float = 90.0, proc: subprocess.Popen | None = None
) -> None:
    """Wait until ``url``/_stcore/health answers ``ok`` (fails early if ``proc`` exits)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise ClusterError(f"{url} exited with code {proc.returncode} while starting")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise ClusterError(f"{url} did not answer its health check within {timeout_s:.0f} s")


# --- pid files --------------------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _stop_pid_file(path: Path, expect_in_cmdline: str, timeout_s: float = 15.0) -> bool:
    """Stop the process a pid file names, only if it is still the program we started (a
    recycled pid must never be signalled). Returns whether something was stopped."""
    pid = _read_pid(path)
    path.unlink(missing_ok=True)
    if pid is None or not _pid_alive(pid) or expect_in_cmdline not in _cmdline(pid):
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and _pid_alive(pid):
        time.sleep(0.1)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reap it when it is our own child
    if _pid_alive(pid):
        os.kill(pid, signal.SIGKILL)
    return True


# --- the cluster ------------------------------------------------------------------------------


class Cluster:
    """Start, inspect, break and stop one local cluster laid out by ``layout``."""

    def __init__(self, layout: Layout | None = None) -> None:
        self.layout = layout or Layout()
        self._children: dict[str, subprocess.Popen] = {}

    # paths
    def _pid_file(self, name: str) -> Path:
        return self.layout.run_dir / f"{name}.pid"

    def _log(self, name: str) -> Path:
        return self.layout.log_dir / f"{name}.log"

    @property
    def database_url(self) -> str:
        return self.layout.own_database_url()

    @property
    def url(self) -> str:
        return self.layout.url

    # the shared secret
    def cookie_secret(self) -> str:
        """One ``server.cookieSecret`` for every replica, made once and kept: a browser's
        signed cookies (XSRF, sign-in) must verify on whichever replica it reaches."""
        path = self.layout.root / "cookie_secret"
        if not path.exists():
            self.layout.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
        return path.read_text().strip()

    # PostgreSQL
    def start_postgres(self) -> None:
        """A private PostgreSQL on loopback (trust authentication there only), data and
        socket under the cluster folder, and the app's database in it."""
        if self.layout.database_url:
            return
        bin_dir = postgres_bin()
        pg = self.layout.pg_dir
        data = pg / "data"
        pg.mkdir(parents=True, exist_ok=True)
        self.layout.log_dir.mkdir(parents=True, exist_ok=True)
        log = pg / "postgres.log"  # the server writes it, so it lives in its own folder
        if os.geteuid() == 0:
            shutil.chown(pg, "postgres")
            reachable = subprocess.run(["runuser", "-u", "postgres", "--", "test", "-w", str(pg)])
            if reachable.returncode != 0:
                raise ClusterError(
                    f"the postgres user cannot reach {pg}: let others enter its parent folders "
                    "(chmod o+x) or choose a folder under /tmp"
                )
        if not (data / "PG_VERSION").exists():
            self._run(
                _as_postgres_user(
                    [str(bin_dir / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres"]
                ),
                "initdb",
            )
        if self._postgres_running():
            return
        if not port_is_free(self.layout.pg_port):
            raise ClusterError(f"port {self.layout.pg_port} for PostgreSQL is busy")
        options = f"-k {pg} -p {self.layout.pg_port} -c listen_addresses={HOST}"
        self._run(
            _as_postgres_user(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(log),
                    "-w",
                    "start",
                ]
            ),
            "pg_ctl start",
        )
        created = subprocess.run(
            [
                str(bin_dir / "createdb"),
                "-h",
                HOST,
                "-p",
                str(self.layout.pg_port),
                "-U",
                "postgres",
                DATABASE,
            ],
            capture_output=True,
            text=True,
        )
        if created.returncode != 0 and "already exists" not in created.stderr:
            raise ClusterError(f"createdb failed: {created.stderr.strip()}")

    def _postgres_running(self) -> bool:
        data = self.layout.pg_dir / "data"
        if not data.exists():
            return False
        status = subprocess.run(
            _as_postgres_user([str(postgres_bin() / "pg_ctl"), "-D", str(data), "status"]),
            capture_output=True,
        )
        return status.returncode == 0

    def stop_postgres(self) -> None:
        if self.layout.database_url or not self._postgres_running():
            return
        data = self.layout.pg_dir / "data"
        self._run(
            _as_postgres_user(
                [str(postgres_bin() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]
            ),
            "pg_ctl stop",
        )

    @property
    def _unused_file(self) -> Path:
        return self.layout.root / "must-not-exist.duckdb"

    def seed(self, end_month: str | None = None) -> None:
        """Migrate and seed the shared database with the default data, once: the generate
        command leaves a database that already holds history as it is."""
        cmd = [sys.executable, "-m", "nlf_planner.cli.generate"]
        if end_month:
            cmd += ["--end-month", end_month]
        self._run(cmd, "seeding", env=self._app_env())
        if self._unused_file.exists():
            raise ClusterError(
                "seeding wrote a DuckDB file instead of PostgreSQL: this version of the app "
                "does not read NLF_DATABASE_URL"
            )

    # replicas
    def _app_env(self) -> dict[str, str]:
        return {
            **os.environ,
            # The shared database, never a DuckDB file: a file appearing here means the app
            # ignored NLF_DATABASE_URL (checked after seeding), and nothing else was touched.
            "NLF_DB_PATH": str(self._unused_file),
            "NLF_DATABASE_URL": self.database_url,
            # One backup folder for every replica (on a cloud: a shared file share).
            "NLF_BACKUP_DIR": str(self.layout.root / "backups"),
            "STREAMLIT_SERVER_COOKIE_SECRET": self.cookie_secret(),
            **self.layout.replica_env,
        }

    def start_replica(self, index: int, wait: bool = True) -> None:
        name = self.layout.replica_name(index)
        port = self.layout.replica_ports[index]
        pid = _read_pid(self._pid_file(name))
        if pid and _pid_alive(pid) and "streamlit" in _cmdline(pid):
            return
        if not port_is_free(port):
            raise ClusterError(f"port {port} for replica {name} is busy")
        cmd = [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
            "--server.port", str(port),
            "--server.address", HOST,
            "--server.headless", "true",
            "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
            "--global.developmentMode", "false",
        ]  # fmt: skip
        proc = self._spawn(name, cmd, self._app_env())
        if wait:
            wait_for_health(self.layout.replica_url(index), proc=proc)

    def kill_replica(self, index: int, sig: int = signal.SIGKILL) -> None:
        """Signal a replica as a crash would (tests of faults)."""
        name = self.layout.replica_name(index)
        pid = _read_pid(self._pid_file(name))
        if pid is None:
            raise ClusterError(f"replica {name} is not running")
        os.kill(pid, sig)
        child = self._children.pop(name, None)
        if child is not None:
            child.wait(timeout=15)

    def replica_pid(self, index: int) -> int | None:
        return _read_pid(self._pid_file(self.layout.replica_name(index)))

    # HAProxy
    def render_haproxy_config(self) -> Path:
        servers = "\n".join(
            f"    server {self.layout.replica_name(i)} {HOST}:{port} check "
            f"cookie {self.layout.replica_name(i)}"
            for i, port in enumerate(self.layout.replica_ports)
        )
        text = Template(TEMPLATE.read_text()).substitute(
            bind_address=HOST,
            port=self.layout.haproxy_port,
            stats_socket=self.layout.stats_socket,
            servers=servers,
        )
        path = self.layout.run_dir / "haproxy.cfg"
        self.layout.run_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def start_haproxy(self) -> None:
        pid = _read_pid(self._pid_file("haproxy"))
        if pid and _pid_alive(pid) and "haproxy" in _cmdline(pid):
            return
        if not port_is_free(self.layout.haproxy_port):
            raise ClusterError(f"port {self.layout.haproxy_port} for HAProxy is busy")
        binary = haproxy_bin()
        config = self.render_haproxy_config()
        self._run([binary, "-c", "-q", "-f", str(config)], "haproxy config check")
        proc = self._spawn("haproxy", [binary, "-f", str(config)], dict(os.environ))
        wait_for_health(self.url, timeout_s=30, proc=proc)

    def haproxy_command(self, command: str) -> str:
        """One command on HAProxy's admin socket (``show stat``, ``set server …``)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(str(self.layout.stats_socket))
            s.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def server_states(self) -> dict[str, str]:
        """Each replica's state as HAProxy's health checks see it: UP, DOWN, MAINT, …"""
        lines = self.haproxy_command("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        states = {}
        for line in lines[1:]:
            row = dict(zip(header, line.split(","), strict=False))
            if row.get("pxname") == "replicas" and row.get("svname") not in ("BACKEND", None):
                states[row["svname"]] = row["status"]
        return states

    def wait_for_state(self, name: str, prefix: str, timeout_s: float = 20.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.server_states().get(name, "").startswith(prefix):
                return
            time.sleep(0.2)
        raise ClusterError(f"{name} did not become {prefix} within {timeout_s:.0f} s")

    def set_replica_enabled(self, index: int, enabled: bool) -> None:
        """Take a replica in or out of the load balancer (``ready`` / ``maint``)."""
        state = "ready" if enabled else "maint"
        self.haproxy_command(f"set server replicas/{self.layout.replica_name(index)} state {state}")

    # whole cluster
    def start(self, seed: bool = True, end_month: str | None = None) -> str:
        self.layout.run_dir.mkdir(parents=True, exist_ok=True)
        # The folder holds a secret and a database: keep it out of git wherever it is.
        (self.layout.root / ".gitignore").write_text("*\n")
        self.start_postgres()
        if seed:
            self.seed(end_month)
        for i in range(len(self.layout.replica_ports)):
            self.start_replica(i, wait=False)
        for i in range(len(self.layout.replica_ports)):
            name = self.layout.replica_name(i)
            wait_for_health(self.layout.replica_url(i), proc=self._children.get(name))
        if self._unused_file.exists():
            raise ClusterError(
                "a replica opened a DuckDB file instead of PostgreSQL: this version of the "
                "app does not read NLF_DATABASE_URL"
            )
        self.start_haproxy()
        return self.url

    def stop(self) -> None:
        _stop_pid_file(self._pid_file("haproxy"), "haproxy")
        for i in range(len(self.layout.replica_ports)):
            _stop_pid_file(self._pid_file(self.layout.replica_name(i)), "streamlit")
        for child in self._children.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=5)
        self._children.clear()
        self.stop_postgres()

    def status(self) -> list[str]:
        lines = [f"HAProxy  {self.url}"]
        for name in ["haproxy"] + [
            self.layout.replica_name(i) for i in range(len(self.layout.replica_ports))
        ]:
            pid = _read_pid(self._pid_file(name))
            alive = bool(pid and _pid_alive(pid))
            lines.append(f"  {name:8} pid {pid or '-':>7}  {'running' if alive else 'stopped'}")
        if self.layout.stats_socket.exists():
            with contextlib.suppress(OSError):
                for name, state in self.server_states().items():
                    lines.append(f"  HAProxy sees {name}: {state}")
        pg = (
            "external"
            if self.layout.database_url
            else ("running" if self._postgres_running() else "stopped")
        )
        lines.append(f"  PostgreSQL {pg}: {self.database_url}")
        return lines

    # helpers
    def _spawn(self, name: str, cmd: list[str], env: dict[str, str]) -> subprocess.Popen:
        """A long-running process in its own session (it outlives ``make``), its output in
        its log file and its pid in its pid file."""
        self.layout.log_dir.mkdir(parents=True, exist_ok=True)
        self.layout.run_dir.mkdir(parents=True, exist_ok=True)
        with open(self._log(name), "ab") as log:
            proc = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        self._pid_file(name).write_text(str(proc.pid))
        self._children[name] = proc
        return proc

    def _run(self, cmd: list[str], what: str, env: dict[str, str] | None = None) -> None:
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            raise ClusterError(f"{what} failed: " + " / ".join(detail))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.cluster", description=__doc__.splitlines()[0]
    )
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="cluster folder")
    args = parser.parse_args(argv)
    cluster = Cluster(Layout(root=args.dir.resolve()))
    try:
        if args.action == "start":
            url = cluster.start()
            replicas = ", ".join(
                cluster.layout.replica_url(i) for i in range(len(cluster.layout.replica_ports))
            )
            print(f"NLF Planner cluster: {url}")
            print(f"  replicas {replicas}; PostgreSQL {cluster.database_url}")
            print("Stop it with: make cluster-stop")
        elif args.action == "stop":
            cluster.stop()
            print("Cluster stopped.")
        else:
            print("\n".join(cluster.status()))
    except ClusterError as exc:
        print(f"cluster: {exc}", file=sys.stderr)
        if args.action == "start":
            print("cluster: 'make cluster-stop' stops whatever did start", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
