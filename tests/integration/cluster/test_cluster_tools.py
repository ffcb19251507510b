"""The cluster tooling without a browser: HAProxy's rendered configuration is one HAProxy
itself accepts and routes as documented, and stopping never signals a process that is not
the one the cluster started."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tools.cluster import (
    PRIVATE_APP_PORTS,
    Cluster,
    Layout,
    _stop_pid_file,
    haproxy_bin,
    pick_ports,
    wait_for_health,
)

HEALTH_APP = """
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"ok"
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def _layout(tmp_path: Path) -> Layout:
    haproxy_port, r1, r2 = pick_ports(3, PRIVATE_APP_PORTS)
    return Layout(root=tmp_path, haproxy_port=haproxy_port, replica_ports=(r1, r2))


def test_rendered_haproxy_config_is_valid_and_sticky(tmp_path: Path) -> None:
    cluster = Cluster(_layout(tmp_path))
    config = cluster.render_haproxy_config()
    checked = subprocess.run([haproxy_bin(), "-c", "-f", str(config)], capture_output=True)
    assert checked.returncode == 0, checked.stderr.decode()
    text = config.read_text()
    assert "cookie SERVERID insert indirect nocache" in text
    assert "option httpchk GET /_stcore/health" in text
    assert "timeout tunnel 1h" in text
    for i, port in enumerate(cluster.layout.replica_ports):
        assert f"server r{i + 1} 127.0.0.1:{port} check cookie r{i + 1}" in text
    assert "$" not in text  # every placeholder filled


def test_haproxy_pins_by_cookie_and_takes_a_dead_server_out(tmp_path: Path) -> None:
    """Two tiny health-answering servers stand in for the replicas (the routing is
    HAProxy's; the browser test drives the real app)."""
    cluster = Cluster(_layout(tmp_path))
    servers = [
        subprocess.Popen([sys.executable, "-c", HEALTH_APP, str(port)])
        for port in cluster.layout.replica_ports
    ]
    try:
        for i in range(2):
            wait_for_health(cluster.layout.replica_url(i), timeout_s=20)
        cluster.start_haproxy()

        def served_by(cookie: str | None) -> tuple[str, str]:
            headers = {"Cookie": f"SERVERID={cookie}"} if cookie else {}
            request = urllib.request.Request(f"{cluster.url}/_stcore/health", headers=headers)
            with urllib.request.urlopen(request, timeout=5) as r:
                return r.headers["X-NLF-Replica"], r.headers.get("Set-Cookie") or ""

        first, set_cookie = served_by(None)
        assert set_cookie.startswith(f"SERVERID={first};")  # affinity cookie inserted
        assert {served_by(None)[0] for _ in range(4)} == {"r1", "r2"}  # round robin
        assert {served_by("r2")[0] for _ in range(4)} == {"r2"}  # pinned
        assert served_by("r2")[1] == ""  # a valid cookie is not re-sent (indirect)

        servers[1].kill()
        servers[1].wait()
        cluster.wait_for_state("r2", "DOWN")
        replica, set_cookie = served_by("r2")
        assert replica == "r1" and set_cookie.startswith("SERVERID=r1;")  # moved over
        cluster.set_replica_enabled(0, False)
        cluster.wait_for_state("r1", "MAINT")
        cluster.set_replica_enabled(0, True)
        cluster.wait_for_state("r1", "UP")
    finally:
        cluster.stop()
        for s in servers:
            s.kill()
            s.wait()


def test_stop_never_signals_a_process_it_did_not_start(tmp_path: Path) -> None:
    """A pid file whose process is now some other program (pids are reused) is dropped,
    and that program keeps running."""
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        deadline = time.monotonic() + 10  # until the child has exec'd (its own cmdline)
        cmdline = Path(f"/proc/{other.pid}/cmdline")
        while b"time.sleep" not in cmdline.read_bytes() and time.monotonic() < deadline:
            time.sleep(0.01)
        pid_file = tmp_path / "r1.pid"
        pid_file.write_text(str(other.pid))
        assert _stop_pid_file(pid_file, "streamlit") is False
        assert other.poll() is None
        assert not pid_file.exists()
        pid_file.write_text(str(other.pid))
        assert _stop_pid_file(pid_file, "time.sleep") is True
        assert other.wait(timeout=20) is not None
    finally:
        if other.poll() is None:
            other.kill()
