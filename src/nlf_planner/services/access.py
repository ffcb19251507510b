"""Who may do what: the checks every write (and every sensitive read) runs first.

One home for the rule, so a page that forgets to hide a button, or a command-line tool,
still cannot write without a known person holding the right role.
"""

from __future__ import annotations

from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.errors import NotAllowed, NotSignedIn

ROLE_LABEL: dict[Role, str] = {
    Role.VIEWER: "viewer",
    Role.EDITOR: "editor",
    Role.DATA_MANAGER: "data manager",
    Role.ADMIN: "admin",
}


def require(actor: Actor | None, role: Role, action: str = "make changes") -> Actor:
    """The actor, when known and holding ``role``; else a readable refusal."""
    if actor is None:
        raise NotSignedIn(f"Enter your name in the sidebar ('Your name') to {action}.")
    if not actor.has(role):
        raise NotAllowed(f"You need the {ROLE_LABEL[role]} role to {action}; nothing was changed.")
    return actor
