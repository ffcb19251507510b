"""Who is using this session: OIDC sign-in through ``st.login`` when ``[auth]`` is configured
in ``secrets.toml``, else local mode (one local admin, loopback only).

app.py calls :func:`resolve_actor` before anything else is drawn. It returns the acting
person, or draws the one page a visitor may see (sign in, or why the app refuses to run) and
stops, so a signed-out visitor never reaches a page, a sidebar or the database's content.
The rules (claims → roles, loopback, expiry) live in ``services.identity``; this module only
reads Streamlit's state and draws.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import streamlit as st

from nlf_planner.services import identity
from nlf_planner.services import reference as reference_service
from nlf_planner.services import users as users_service
from nlf_planner.services.actor import Actor
from nlf_planner.services.database import Database
from nlf_planner.ui.frame import ACTOR_KEY
from nlf_planner.ui.navigation import PAGES
from nlf_planner.ui.text import escape_markdown

#: Refresh a person's "last seen" at most this often per session (a write each rerun would
#: cost every click a transaction).
SEEN_EVERY = timedelta(minutes=5)
_SEEN_KEY = "_nlf_seen"
_NOTICE_KEY = "_nlf_signin_notice"

DOCS = "docs/SIGN-IN.md"
PROVIDER_DOWN = (
    "The NHS sign-in service cannot be reached just now, so you cannot sign in yet. Try again "
    "in a few minutes; if it keeps happening, tell the team that runs NLF Planner."
)


@dataclass(frozen=True)
class AuthConfig:
    """The ``[auth]`` section as the app uses it: which provider, and what is missing."""

    provider: str | None  # None: the provider's settings sit in [auth] itself
    metadata_url: str
    problems: tuple[str, ...]


def _plain(value: Any) -> Any:
    """Streamlit's secrets sections as plain dicts (they are read-only mappings)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _secret_section(name: str) -> dict[str, Any] | None:
    try:
        value = st.secrets.get(name)
    except FileNotFoundError:  # no secrets.toml at all: local mode
        return None
    return _plain(value) if isinstance(value, Mapping) else None


def auth_config() -> AuthConfig | None:
    """The configured sign-in, or None when ``[auth]`` is absent (local mode)."""
    auth = _secret_section("auth")
    if auth is None:
        return None
    providers = {k: v for k, v in auth.items() if isinstance(v, dict)}
    problems = [
        f"[auth] needs {key}" for key in ("redirect_uri", "cookie_secret") if not auth.get(key)
    ]
    if len(providers) > 1:
        problems.append("[auth] must name one provider section, not " + ", ".join(providers))
    name, settings = next(iter(providers.items()), (None, auth))
    where = f"[auth.{name}]" if name else "[auth]"
    for key in ("client_id", "client_secret", "server_metadata_url"):
        if not settings.get(key):
            problems.append(f"{where} needs {key}")
    return AuthConfig(name, str(settings.get("server_metadata_url") or ""), tuple(problems))


def identity_settings() -> identity.IdentitySettings:
    return identity.parse_settings(_secret_section("nlf"))


def _server_address() -> str | None:
    from streamlit import config  # looked up at call time, like ui.frame's AppTest check

    return config.get_option("server.address")


# --- the pages a visitor sees before any other ---------------------------------------------


def _brand(subtitle: str) -> None:
    st.markdown(
        "<div style='background:#005EB8;color:#FFFFFF;padding:1rem 1.5rem;"
        "border-radius:4px;margin-bottom:1.5rem'>"
        "<span style='font-size:1.6rem;font-weight:700'>NLF Planner</span><br>"
        "<span>Developing People – Improving Care</span></div>",
        unsafe_allow_html=True,  # fixed text only: no user input reaches this HTML
    )
    st.title(subtitle)


def _sign_in_page(config: AuthConfig, notice: str | None = None) -> None:
    """Plain English, one button; a provider that is down gets a message, not a raw error."""
    _brand("Sign in")
    st.write(
        "NLF Planner holds the national plan for leadership development and improvement, "
        "with data for NHS England's 7 regions and 42 integrated care systems. Sign in to "
        "see it. What you can change depends on the role your organisation has given you."
    )
    if notice:
        st.info(notice, icon=":material/info:")
    if st.button("Sign in with your NHS account", type="primary", icon=":material/login:"):
        if identity.provider_reachable(config.metadata_url):
            st.login(config.provider) if config.provider else st.login()
        else:
            st.error(PROVIDER_DOWN, icon=":material/error:")


def _config_problem_page(problems: tuple[str, ...] | list[str]) -> None:
    _brand("Sign-in is not set up correctly")
    st.error(
        "NLF Planner will not start until its sign-in settings are fixed: "
        + escape_markdown("; ".join(problems))
        + f". See {DOCS}.",
        icon=":material/error:",
    )


def _refusal_page(address: str | None) -> None:
    """Local mode on a reachable address would give everyone on the network admin rights."""
    _brand("Sign-in is needed on a network address")
    shown = escape_markdown(address or "every network interface (no address set)")
    st.error(
        f"NLF Planner is set to listen on {shown}, but no sign-in is configured. Without "
        "sign-in the app acts as one local admin, so it only runs on this computer "
        "(address 127.0.0.1).",
        icon=":material/lock:",
    )
    st.markdown(
        "To fix it, either:\n"
        "- run it for yourself only: `make run` (it listens on 127.0.0.1), or\n"
        "- configure sign-in: add an `[auth]` section to `.streamlit/secrets.toml` with your "
        "organisation's identity provider (Microsoft Entra ID), as described in "
        f"`{DOCS}` (start from `.streamlit/secrets.example.toml`)."
    )


def _stop_on(draw, *args) -> None:
    """Show the one page a visitor may see, with nothing else: no menu, no sidebar.

    Every page's address leads to it too, so a shared link to /plan shows the sign-in page
    rather than Streamlit's "page not found" box.
    """
    paths = ["signin", *(spec.url_path for spec in PAGES)]
    pages = [
        st.Page(lambda: draw(*args), title="NLF Planner", url_path=path, default=(i == 0))
        for i, path in enumerate(paths)
    ]
    st.navigation(pages, position="hidden").run()
    st.stop()


# --- the acting person ---------------------------------------------------------------------


def _logged_in() -> bool:
    # ``get``: st.user carries no ``is_logged_in`` at all until [auth] is read (AppTest).
    return bool(st.user.get("is_logged_in", False))


def _claims() -> dict[str, Any]:
    return _plain(st.user.to_dict()) if _logged_in() else {}


def _known_regions(db: Database) -> set[str]:
    return {r.code for r in reference_service.regions(db)}


def _note_seen(db: Database, actor: Actor) -> None:
    """Record the sign-in once per session, and refresh it every few minutes."""
    now = datetime.now(UTC)
    last = st.session_state.get(_SEEN_KEY)
    if last and last[0] == actor and now - last[1] < SEEN_EVERY:
        return
    users_service.record_sign_in(db, actor)
    st.session_state[_SEEN_KEY] = (actor, now)


def _signed_in_actor(db: Database, config: AuthConfig) -> Actor:
    """The signed-in person's actor, or the sign-in page (and stop) with why."""
    try:
        settings = identity_settings()
    except identity.IdentitySettingsError as exc:
        _stop_on(_config_problem_page, [str(exc)])
    notice = st.session_state.pop(_NOTICE_KEY, None)
    if not _logged_in():
        _stop_on(_sign_in_page, config, notice)
    claims = _claims()
    actor = identity.actor_from_claims(claims, settings, _known_regions(db))
    if actor is None:
        _stop_on(_sign_in_page, config, "Your sign-in did not say who you are. Sign in again.")
    if identity.sign_in_expired(claims, settings):
        _stop_on(_sign_in_page, config, "Your sign-in has expired. Sign in again to carry on.")
    if not users_service.sign_in_still_current(db, actor, identity.issued_at(claims)):
        _stop_on(_sign_in_page, config, "You signed out in another tab. Sign in again.")
    _note_seen(db, actor)
    return actor


def resolve_actor(db: Database) -> Actor:
    """Who this session acts as, kept where ``ui.frame.current_actor`` reads it.

    Draws the sign-in, refusal or settings-problem page and stops when there is nobody yet.
    """
    st.session_state.pop(ACTOR_KEY, None)  # nobody until this run says who
    config = auth_config()
    if config is None:
        address = _server_address()
        if not identity.is_loopback(address):
            _stop_on(_refusal_page, address)
        actor = identity.local_mode_actor(getpass.getuser())
    elif config.problems:
        _stop_on(_config_problem_page, config.problems)
    else:
        actor = _signed_in_actor(db, config)
    st.session_state[ACTOR_KEY] = actor
    return actor


def local_mode() -> bool:
    return auth_config() is None


def sign_out(db: Database, actor: Actor) -> None:
    """End the sign-in here and in the person's other tabs (their next run checks)."""
    users_service.record_sign_out(db, actor)
    st.session_state.pop(ACTOR_KEY, None)
    st.session_state.pop(_SEEN_KEY, None)
    st.logout()
