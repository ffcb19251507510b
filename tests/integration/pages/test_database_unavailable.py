"""A PostgreSQL server that cannot be reached: the page says what is wrong, offers to try
again, and recovers once the server is back; never a traceback."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.apptest_utils import APP, TIMEOUT_S


def _open(monkeypatch, url: str) -> AppTest:
    monkeypatch.setenv("NLF_DATABASE_URL", url)
    monkeypatch.setenv("NLF_DB_CONNECT_TIMEOUT", "2")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()
    return at


def test_an_unreachable_server_shows_a_clear_page_with_try_again(monkeypatch):
    at = _open(monkeypatch, "postgresql://postgres@127.0.0.1:54339/nowhere?connect_timeout=2")
    assert not at.exception
    text = " ".join(e.value for e in at.error).replace("\\", "")  # shown Markdown-escaped
    assert "cannot be reached" in text and "NLF_DATABASE_URL" in text
    assert "Connection refused" in text  # the server's own reason, not a pool timeout
    assert "Traceback" not in text
    assert [b.label for b in at.button] == ["Try again"]
    assert any("Trying again by itself" in c.value for c in at.caption)


def test_the_page_recovers_when_the_server_is_reachable(monkeypatch, pg_seeded_url):
    at = _open(monkeypatch, pg_seeded_url)
    assert not at.exception
    assert not [e.value for e in at.error if "cannot be reached" in e.value]
    assert "Try again" not in [b.label for b in at.button]
