"""Run the real app (app.py with st.navigation) in AppTest against a given database file."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from nlf_planner.settings import PROJECT_ROOT

APP = str(PROJECT_ROOT / "app.py")
TIMEOUT_S = 60

#: A sign-in configuration for AppTest: ``[auth]`` present, so the app is not in local mode
#: (the provider is never contacted: ``at.user`` stands in for the ID token's claims).
AUTH_SECRETS: dict[str, Any] = {
    "redirect_uri": "http://127.0.0.1:8660/oauth2callback",
    "cookie_secret": "apptest-cookie-secret-not-used-by-apptest-0123456789",
    "nhs": {
        "client_id": "nlf-planner",
        "client_secret": "apptest",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    },
}


def signed_in(name: str, *roles: str, **claims: Any) -> dict[str, Any]:
    """ID-token claims for a person (``roles`` as the provider sends them; none given =
    admin, who may do everything, as the old typed-name local mode could)."""
    sub = claims.pop("sub", "sub-" + "-".join(name.lower().split()))
    email = claims.pop("email", ".".join(name.lower().split()) + "@nhs.net")
    return {
        "is_logged_in": True,
        "sub": sub,
        "email": email,
        "name": name,
        "roles": list(roles or ("admin",)),
        "iat": int(time.time()),
        **claims,
    }


def sign_in(at: AppTest, user: dict[str, Any] | str | None) -> None:
    """Sign ``at`` in as ``user`` (claims, or a name = admin) before its first run.

    app.py resolves the person; AppTest's later runs go straight to the page (legacy pages
    mode), so, as in a browser session, who is signed in is settled when the session starts.
    """
    if user is None:
        return
    at.secrets["auth"] = AUTH_SECRETS
    at.user = signed_in(user) if isinstance(user, str) else dict(user)


def run_page(
    url_path: str | None,
    db_path: Path,
    *,
    query: dict[str, str] | None = None,
    session: dict | None = None,
    user: dict[str, Any] | str | None = None,
) -> AppTest:
    """Open ``app.py`` on the page at ``url_path`` (None = default page) and run it.

    The database path is passed through NLF_DB_PATH, as in production. ``user`` signs in
    (claims from :func:`signed_in`, or a name for an admin); without it the app runs in
    local mode, as the one local admin.
    """
    os.environ["NLF_DB_PATH"] = str(db_path)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    sign_in(at, user)
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
