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


#: What each role carries with it: the one table of how roles combine. Roles are separate
#: grants (a person may hold several, as Entra app roles are a list), so a data manager who
#: imports files does not by that alone edit the plan; only admin carries every other role,
#: and everyone signed in is a viewer. ``services.access`` and docs/ARCHITECTURE.md use it.
IMPLIED_ROLES: dict[Role, frozenset[Role]] = {
    Role.VIEWER: frozenset({Role.VIEWER}),
    Role.EDITOR: frozenset({Role.VIEWER, Role.EDITOR}),
    Role.DATA_MANAGER: frozenset({Role.VIEWER, Role.DATA_MANAGER}),
    Role.ADMIN: frozenset(Role),
}

#: Without sign-in the app runs for one person on one machine, who may do everything.
LOCAL_ROLES: frozenset[Role] = frozenset(Role)


class ActorName(str):
    """The name an audit row shows, carrying the identity that proves who it was.

    Every store write already takes the acting person's name for its audit row; passing the
    name as this ``str`` subclass lets ``store.audit.record`` also keep the subject and email
    without widening every store function's signature (the store never imports services).
    """

    subject: str
    email: str

    def __new__(cls, name: str, subject: str = "", email: str = "") -> ActorName:
        made = super().__new__(cls, name)
        made.subject = subject
        made.email = email
        return made

    def __reduce__(self):  # pickles (Streamlit caches) with the identity kept
        return (ActorName, (str(self), self.subject, self.email))


@dataclass(frozen=True)
class Actor:
    """A person acting through the app or a command-line tool.

    ``id`` is stable (the identity provider's subject, or ``local:<name>`` without sign-in);
    ``display_name`` is what the audit log and the pages show. ``email`` is kept beside them so
    the audit trail names a reachable person, not only an opaque subject. ``region_code`` is the
    region scope: an NHS England region code (E40000xxx, as in data/reference) narrows an editor
    or data manager to that region's rows; None means all England. ``role_source`` says where the
    roles came from (e.g. "roles claim: editor", "default: no roles claim", "local mode"), so an
    admin can see why someone holds a role.
    """

    id: str
    display_name: str
    roles: frozenset[Role] = field(default_factory=lambda: frozenset({Role.VIEWER}))
    email: str = ""
    region_code: str | None = None
    role_source: str = ""

    def __post_init__(self) -> None:
        # The display name doubles as the audit trail's proof of identity (see ActorName).
        object.__setattr__(
            self, "display_name", ActorName(str(self.display_name), self.id, self.email)
        )

    def has(self, role: Role) -> bool:
        """Whether any role held carries ``role`` (by :data:`IMPLIED_ROLES`); every known
        person is at least a viewer."""
        return role is Role.VIEWER or any(role in IMPLIED_ROLES[held] for held in self.roles)


def _slug(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip()).lower()


def local_actor(name: str | None) -> Actor | None:
    """The actor for a name typed in the sidebar (local mode), or None when none is given."""
    clean = re.sub(r"\s+", " ", (name or "").strip())
    if not clean:
        return None
    return Actor(
        id=f"local:{_slug(clean)}",
        display_name=clean,
        roles=LOCAL_ROLES,
        role_source="local mode",
    )


#: The actor for command-line tools run on the server itself (make backup, restore, db).
SYSTEM = Actor(
    id="system:cli",
    display_name="command line",
    roles=LOCAL_ROLES,
    role_source="command line on the server's own machine",
)
