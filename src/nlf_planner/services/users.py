"""People who have signed in: recorded at each sign-in, listed for admins only (the list holds
names and email addresses), and each person's sign-out, which ends their other open tabs.

Streamlit keeps a signed-in identity in each open tab until that tab's session ends, even
after the person signs out in another tab. Recording the sign-out time here lets every tab
check, on its next run, that its sign-in was issued after the last sign-out.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pandas as pd

from nlf_planner.services.access import require
from nlf_planner.services.actor import Actor, Role
from nlf_planner.store import Database, StoreError
from nlf_planner.store import reference as reference_store
from nlf_planner.store import users as users_store

_LOGGER = logging.getLogger(__name__)

#: The admin view's columns, as people read them.
COLUMN_LABELS = {
    "name": "Name",
    "email": "Email",
    "roles": "Role",
    "role_source": "Where the role came from",
    "region_code": "Region scope",
    "first_seen": "First seen (UTC)",
    "last_seen": "Last seen (UTC)",
}

_ROLE_ORDER = (Role.ADMIN, Role.DATA_MANAGER, Role.EDITOR, Role.VIEWER)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def roles_text(actor: Actor) -> str:
    """The roles held, strongest first ("admin, editor, viewer")."""
    return ", ".join(r.value for r in _ROLE_ORDER if r in actor.roles) or Role.VIEWER.value


def record_sign_in(db: Database, actor: Actor) -> bool:
    """Note that the person is using the app (no role needed: everyone signed in is listed).

    Not an audited change: nothing in the plan or data moves. A read-only or failing store
    never stops the person working; it is logged and False returned.
    """
    if db.read_only:
        return False
    try:
        users_store.record_sign_in(
            db,
            subject=actor.id,
            email=actor.email,
            name=actor.display_name,
            roles=roles_text(actor),
            role_source=actor.role_source,
            region_code=actor.region_code,
            at=_now(),
        )
    except StoreError:
        _LOGGER.warning("Could not record the sign-in of %s", actor.id, exc_info=True)
        return False
    return True


def record_sign_out(db: Database, actor: Actor) -> None:
    """Note the sign-out, so the person's other tabs are signed out on their next run."""
    if db.read_only:
        return
    try:
        users_store.record_sign_out(db, subject=actor.id, at=_now())
    except StoreError:
        _LOGGER.warning("Could not record the sign-out of %s", actor.id, exc_info=True)


def sign_in_still_current(db: Database, actor: Actor, issued: datetime | None) -> bool:
    """False when the person signed out after this sign-in was issued (another tab's)."""
    out = users_store.signed_out_at(db, actor.id)
    if out is None:
        return True
    if issued is None:
        return False
    # The ID token's issue time has whole seconds: compare at that precision, so signing in
    # again within the second of signing out still counts.
    issued_naive = issued.astimezone(UTC).replace(tzinfo=None)
    return issued_naive >= out.replace(microsecond=0)


def list_users(db: Database, actor: Actor | None) -> pd.DataFrame:
    """Everyone who has signed in, most recently seen first (admin only: personal data)."""
    require(actor, Role.ADMIN, "see who has signed in")
    frame = users_store.list_users(db)
    names = {r.code: r.name for r in reference_store.regions(db)}
    frame["region_code"] = [
        f"{names.get(code, code)} ({code})" if isinstance(code, str) and code else "All England"
        for code in frame["region_code"]
    ]
    return frame[list(COLUMN_LABELS)].rename(columns=COLUMN_LABELS)
