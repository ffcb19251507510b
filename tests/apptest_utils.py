"""Run the real app (app.py with st.navigation) in AppTest against a given database file."""

from __future__ import annotations

import os
from pathlib import Path

from streamlit.testing.v1 import AppTest

from nlf_planner.settings import PROJECT_ROOT

APP = str(PROJECT_ROOT / "app.py")
TIMEOUT_S = 60


def run_page(
    url_path: str | None,
    db_path: Path,
    *,
    query: dict[str, str] | None = None,
    session: dict | None = None,
) -> AppTest:
    """Open ``app.py`` on the page at ``url_path`` (None = default page) and run it.

    The database path is passed through NLF_DB_PATH, as in production.
    """
    os.environ["NLF_DB_PATH"] = str(db_path)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    for key, value in (session or {}).items():
        at.session_state[key] = value
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if url_path:
        at.switch_page(f"pages/{url_path}.py")
        at.run()
    return at


def headings(at: AppTest) -> list[str]:
    return (
        [t.value for t in at.title] + [h.value for h in at.header] + [s.value for s in at.subheader]
    )
