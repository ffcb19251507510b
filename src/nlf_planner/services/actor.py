"""The acting user: who is making a change or asking for a sensitive read.

Every service that writes takes an :class:`Actor`, so the audit trail and (later) role checks
have one typed source. Today the name typed in the sidebar becomes the actor; sign-in will
fill the same record from the identity provider.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """What a person may do. Viewer reads; the others add the writes named."""

    VIEWER = "viewer"
    EDITOR = "editor"  # plan, milestones, engagement, notes, scenarios
    DATA_MANAGER = "data_manager"  # imports, SPC annotations and rebases, templates
    ADMIN = "admin"  # restore, full backup, kept backups, users


#: Without sign-in the app runs for one person on one machine, who may do everything.
LOCAL_ROLES: frozenset[Role] = frozenset(Role)


@dataclass(frozen=True)
class Actor:
    """A person acting through the app or a command-line tool.

    ``id`` is stable (the identity provider's subject, or ``local:<name>`` without sign-in);
    ``display_name`` is what the audit log and the pages show.
    """

    id: str
    display_name: str
    roles: frozenset[Role] = field(default_factory=lambda: frozenset({Role.VIEWER}))

    def has(self, role: Role) -> bool:
        return role in self.roles or Role.ADMIN in self.roles


def _slug(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip()).lower()


def local_actor(name: str | None) -> Actor | None:
    """The actor for a name typed in the sidebar (local mode), or None when none is given."""
    clean = re.sub(r"\s+", " ", (name or "").strip())
    if not clean:
        return None
    return Actor(id=f"local:{_slug(clean)}", display_name=clean, roles=LOCAL_ROLES)


#: The actor for command-line tools run on the server itself (make backup, restore, db).
SYSTEM = Actor(id="system:cli", display_name="command line", roles=LOCAL_ROLES)
