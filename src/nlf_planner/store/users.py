"""People who have signed in (``app_users``): the admin view's list, and each person's last
sign-out, which ends their other open tabs.

Times are passed in from Python as naive UTC, so the SQL is the same on every backend.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from nlf_planner.store.db import Database

USER_COLUMNS = (
    "subject",
    "name",
    "email",
    "roles",
    "role_source",
    "region_code",
    "first_seen",
    "last_seen",
    "signed_out_at",
)


def record_sign_in(
    db: Database,
    *,
    subject: str,
    email: str,
    name: str,
    roles: str,
    role_source: str,
    region_code: str | None,
    at: datetime,
) -> None:
    """Add the person or refresh what the provider last said about them (first seen kept)."""
    db.write(
        lambda cur: cur.execute(
            """INSERT INTO app_users (subject, email, name, roles, role_source, region_code,
                   first_seen, last_seen)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (subject) DO UPDATE SET email = EXCLUDED.email,
                   name = EXCLUDED.name, roles = EXCLUDED.roles,
                   role_source = EXCLUDED.role_source, region_code = EXCLUDED.region_code,
                   last_seen = EXCLUDED.last_seen""",
            [subject, email, name, roles, role_source, region_code, at, at],
        )
    )


def record_sign_out(db: Database, *, subject: str, at: datetime) -> None:
    """Note when the person signed out; sign-ins issued before it no longer count."""
    db.write(
        lambda cur: cur.execute(
            "UPDATE app_users SET signed_out_at = ? WHERE subject = ?", [at, subject]
        )
    )


def signed_out_at(db: Database, subject: str) -> datetime | None:
    """The person's last sign-out (naive UTC), or None."""
    value = db.scalar("SELECT signed_out_at FROM app_users WHERE subject = ?", [subject])
    return value if isinstance(value, datetime) else None


def list_users(db: Database) -> pd.DataFrame:
    """Everyone who has signed in, most recently seen first."""
    return db.df(
        f"SELECT {', '.join(USER_COLUMNS)} FROM app_users ORDER BY last_seen DESC, subject"
    )
