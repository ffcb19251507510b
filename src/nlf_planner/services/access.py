"""Who may do what: the checks every write (and every sensitive read) runs first.

One home for the rule, so a page that forgets to hide a button, or a command-line tool,
still cannot write without a known person holding the right role.

Two checks, both raising before anything is read for writing:

* :func:`require`: the person is known and holds the role (roles combine by
  :data:`~nlf_planner.services.actor.IMPLIED_ROLES`: separate grants, admin carries all).
* :func:`require_scope`: the same, and every row the action writes lies in the person's
  region scope. An editor or data manager with ``Actor.region_code`` set (a regional
  director) may write only rows of that region or an ICB in it; England-level rows (national
  targets, milestones, national series, national engagement records, the capacity model) need
  someone without a region scope. An admin is never narrowed: restoring or seeding replaces
  the whole database anyway.

The refusal names the role or region needed and who the person is signed in as, and says
nothing was changed, because nothing was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.errors import NotAllowed, NotSignedIn
from nlf_planner.store import Database
from nlf_planner.store import reference as reference_store

ROLE_LABEL: dict[Role, str] = {
    Role.VIEWER: "viewer",
    Role.EDITOR: "editor",
    Role.DATA_MANAGER: "data manager",
    Role.ADMIN: "admin",
}

#: The geographies of an England-level write (the capacity scenarios, the whole plan): passed
#: to :func:`require_scope` so a region-scoped person is refused it by the one rule.
NATIONAL: tuple[str | None, ...] = (None,)

#: The order roles are named in ("an editor and a data manager").
_ROLE_ORDER = (Role.EDITOR, Role.DATA_MANAGER, Role.ADMIN, Role.VIEWER)


def _article(label: str) -> str:
    return ("an " if label[0] in "aeiou" else "a ") + label


def describe_roles(actor: Actor) -> str:
    """The roles held, as a person would say them: "a viewer", "an editor and a data manager"."""
    if Role.ADMIN in actor.roles:  # admin carries every other role, so naming them adds nothing
        return "an admin"
    held = [ROLE_LABEL[r] for r in _ROLE_ORDER if r in actor.roles and r is not Role.VIEWER]
    words = [_article(label) for label in held] or ["a viewer"]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def require(actor: Actor | None, role: Role, action: str = "make changes") -> Actor:
    """The actor, when known and holding ``role``; else a readable refusal."""
    if actor is None:
        raise NotSignedIn(f"Sign in to {action}: every change records who made it.")
    if not actor.has(role):
        raise NotAllowed(
            f"You need the {ROLE_LABEL[role]} role to {action}; you are signed in as "
            f"{describe_roles(actor)}, so nothing was changed."
        )
    return actor


def region_scope(actor: Actor) -> str | None:
    """The region code the actor's writes are narrowed to, or None for all England."""
    if actor.has(Role.ADMIN):
        return None
    return actor.region_code or None


def scope_guard(db: Database, actor: Actor, action: str) -> Callable[[str | None], None]:
    """A check of one geography against the actor's region scope, raising :class:`NotAllowed`
    for a row outside it (None or England's code: an England-level row).

    The reference data are read once, here, so the check itself reads nothing: a store may
    call it inside its transaction on the row it is about to change.
    """
    scope = region_scope(actor)
    if scope is None:
        return _anywhere
    names = reference_store.geography_names(db)
    region_name = names.get(scope, scope)
    region_codes = {r.code for r in reference_store.regions(db)}
    icb_region = {i.code: i.region_code for i in reference_store.icbs(db)}

    def check(geo: str | None) -> None:
        if not geo or geo == ENGLAND_CODE:
            raise NotAllowed(
                f"You may {action} only for {region_name} (your region scope): England-level "
                "rows (national targets, milestones, national series and records) need someone "
                "without a region scope, so nothing was changed."
            )
        in_region = geo if geo in region_codes else icb_region.get(geo)
        if in_region != scope:
            raise NotAllowed(
                f"You may {action} only for {region_name} (your region scope): "
                f"{names.get(geo, geo)} is outside it, so nothing was changed."
            )

    return check


def _anywhere(geo: str | None) -> None:
    """The scope check of someone without a region scope: every row is theirs."""


def require_scope(
    db: Database,
    actor: Actor | None,
    role: Role,
    action: str,
    geo_codes: Iterable[str | None],
) -> Actor:
    """:func:`require`, then every geography in ``geo_codes`` (a row the action writes; None
    or England's code for an England-level row) must lie in the actor's region scope.

    ``geo_codes`` is only read for a region-scoped actor, so callers may pass a generator
    that works the geographies out lazily.
    """
    who = require(actor, role, action)
    if region_scope(who) is None:
        return who
    check = scope_guard(db, who, action)
    for geo in geo_codes:
        check(geo)
    return who
