"""An unexpected exception on a page: a plain message with a reference the person can quote,
the traceback in the server log under the same reference, and nothing that exposes the server
(issue 15)."""

from __future__ import annotations

import logging
import re
import tomllib

import pytest

from nlf_planner.settings import PROJECT_ROOT
from nlf_planner.ui import frame
from tests.apptest_utils import run_page

REFERENCE = re.compile(r"reference ([0-9A-F]{4}-[0-9A-F]{4})")


def test_a_crash_on_a_page_shows_a_reference_and_logs_the_details(
    seeded_db_path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(db) -> None:
        raise RuntimeError("boom in /srv/nlf/secret/path.py")

    monkeypatch.setattr(frame, "illustrative_notice", broken)  # the Overview calls it
    with caplog.at_level(logging.ERROR, logger="nlf_planner.errors"):
        at = run_page(None, seeded_db_path)

    assert not at.exception, "no traceback element reaches the browser"
    messages = [e.value for e in at.error if "Something went wrong" in e.value]
    assert len(messages) == 1, [e.value for e in at.error]
    assert "not saved unless a success message said so" in messages[0]
    assert "/srv/nlf" not in messages[0] and "RuntimeError" not in messages[0]
    match = REFERENCE.search(messages[0])
    assert match, messages[0]
    logged = [r for r in caplog.records if match.group(1) in r.getMessage()]
    assert len(logged) == 1
    assert logged[0].exc_info is not None
    assert "boom in /srv/nlf/secret/path.py" in str(logged[0].exc_info[1])


def test_the_sidebar_still_draws_when_the_page_breaks(seeded_db_path, monkeypatch) -> None:
    monkeypatch.setattr(frame, "illustrative_notice", lambda db: 1 / 0)
    at = run_page(None, seeded_db_path)
    assert not at.exception
    assert any(s.label == "Region" for s in at.sidebar.selectbox)


def test_references_differ_and_read_as_two_groups_of_four() -> None:
    refs = {frame.error_reference() for _ in range(50)}
    assert len(refs) == 50
    assert all(re.fullmatch(r"[0-9A-F]{4}-[0-9A-F]{4}", r) for r in refs)


def test_the_server_config_hides_details_and_serves_nothing_extra() -> None:
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["enableStaticServing"] is False
    assert not (PROJECT_ROOT / "static").exists()
    assert config["server"]["address"] == "127.0.0.1"  # no outside call to find the machine IP
