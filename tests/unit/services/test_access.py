"""The role rule on its own: how roles combine, and what a refusal says.

The region scope needs the reference data, so it is tested against real database files in
tests/integration/services/test_access_matrix.py.
"""

from __future__ import annotations

import pytest

from nlf_planner.services.access import describe_roles, region_scope, require
from nlf_planner.services.actor import IMPLIED_ROLES, SYSTEM, Actor, Role, local_actor
from nlf_planner.services.errors import NotAllowed, NotSignedIn


def _actor(*roles: Role, region: str | None = None) -> Actor:
    return Actor(id="sso:x", display_name="X", roles=frozenset(roles), region_code=region)


@pytest.mark.parametrize(
    ("held", "allowed"),
    [
        ((Role.VIEWER,), {Role.VIEWER}),
        ((Role.EDITOR,), {Role.VIEWER, Role.EDITOR}),
        ((Role.DATA_MANAGER,), {Role.VIEWER, Role.DATA_MANAGER}),
        ((Role.EDITOR, Role.DATA_MANAGER), {Role.VIEWER, Role.EDITOR, Role.DATA_MANAGER}),
        ((Role.ADMIN,), set(Role)),
        ((), {Role.VIEWER}),  # a known person with no roles is still a viewer
    ],
)
def test_roles_are_separate_grants_and_only_admin_carries_the_others(held, allowed):
    actor = _actor(*held)
    assert {r for r in Role if actor.has(r)} == allowed


def test_the_table_names_every_role_and_each_carries_viewer():
    assert set(IMPLIED_ROLES) == set(Role)
    for role, carried in IMPLIED_ROLES.items():
        assert {Role.VIEWER, role} <= carried


def test_a_refusal_names_the_role_needed_and_the_role_held():
    with pytest.raises(NotAllowed) as refused:
        require(_actor(Role.VIEWER), Role.ADMIN, "restore a backup")
    assert str(refused.value) == (
        "You need the admin role to restore a backup; you are signed in as a viewer, "
        "so nothing was changed."
    )
    with pytest.raises(NotAllowed, match="signed in as an editor and a data manager"):
        require(_actor(Role.EDITOR, Role.DATA_MANAGER), Role.ADMIN, "restore a backup")


def test_no_person_is_not_signed_in():
    with pytest.raises(NotSignedIn, match="to import data"):
        require(None, Role.VIEWER, "import data")


def test_require_returns_the_actor_that_holds_the_role():
    editor = _actor(Role.EDITOR)
    assert require(editor, Role.EDITOR) is editor


@pytest.mark.parametrize(
    ("actor", "scope"),
    [
        (_actor(Role.EDITOR, region="E40000003"), "E40000003"),
        (_actor(Role.DATA_MANAGER), None),
        (_actor(Role.ADMIN, region="E40000003"), None),  # an admin is never narrowed
        (_actor(Role.EDITOR, region=""), None),
    ],
)
def test_region_scope_narrows_only_non_admins_with_a_region(actor, scope):
    assert region_scope(actor) == scope


def test_local_mode_and_the_command_line_are_admins_for_all_england():
    for actor in (local_actor("Ada"), SYSTEM):
        assert actor is not None and actor.has(Role.ADMIN)
        assert region_scope(actor) is None
        assert actor.role_source
    assert describe_roles(SYSTEM) == "an admin"
