"""Every write service × every role and region scope, against real database files.

One table, :data:`CASES`: each write (and each sensitive read) with the role it needs and the
geography of the rows it touches (London, East of England, or England-level). Each case runs
for every actor of :data:`ACTORS` (viewer, editor, data manager, admin; all England or scoped
to London) on its own copy of the seeded database. The expected outcome is worked out from
the rule, not listed by hand: allowed when the actor holds the role and, for someone with a
region scope who is not an admin, every row touched is in London. A refused call must raise
:class:`NotAllowed` naming the role or region and leave every table exactly as it was; an
allowed one must succeed (and, for a write, add its audit row).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pytest

from nlf_planner.baselines import FixedBaseline
from nlf_planner.peers import PeerGroup
from nlf_planner.plan import PlanTarget
from nlf_planner.services import annotations as annotation_service
from nlf_planner.services import chart_types as chart_type_service
from nlf_planner.services import data_transfer, plan_editing
from nlf_planner.services import engagement as engagement_service
from nlf_planner.services import peers as peer_service
from nlf_planner.services import scenarios as scenario_service
from nlf_planner.services.access import ROLE_LABEL
from nlf_planner.services.actor import SYSTEM, Actor, Role
from nlf_planner.services.errors import NotAllowed
from nlf_planner.services.seeding import seed_database
from nlf_planner.store import Database
from tests.conftest import PINNED_END_MONTH
from tests.integration.services.test_data_transfer import snapshot

LONDON = "E40000003"
LONDON_ICB = "E54000027"
EAST = "E40000007"
EAST_ICB = "E54000024"
ENGLAND = None  # an England-level row: national target, milestone, scenario, national record

#: Where a case's rows lie: the region code (and an ICB in it) or England-level.
PLACES: dict[str, tuple[str | None, str | None]] = {
    "London": (LONDON, LONDON_ICB),
    "East": (EAST, EAST_ICB),
    "England": (ENGLAND, ENGLAND),
}
TODAY = date(2026, 11, 30)


def _actor(key: str, *roles: Role, region: str | None = None) -> Actor:
    return Actor(id=f"test:{key}", display_name=key, roles=frozenset(roles), region_code=region)


ACTORS: dict[str, Actor] = {
    "viewer": _actor("viewer", Role.VIEWER),
    "viewer-London": _actor("viewer-London", Role.VIEWER, region=LONDON),
    "editor": _actor("editor", Role.EDITOR),
    "editor-London": _actor("editor-London", Role.EDITOR, region=LONDON),
    "data manager": _actor("data manager", Role.DATA_MANAGER),
    "data manager-London": _actor("data manager-London", Role.DATA_MANAGER, region=LONDON),
    "admin": _actor("admin", Role.ADMIN),
    "admin-London": _actor("admin-London", Role.ADMIN, region=LONDON),
}

_counter = itertools.count(1)


@dataclass(frozen=True)
class Case:
    """One service call: the role it needs, where its rows lie, how to prepare it (as the
    command line, before the snapshot) and how to make it as a given actor."""

    name: str
    role: Role
    place: str
    call: Callable[[Database, Actor, Any], Any]
    setup: Callable[[Database, str], Any] = lambda db, place: None
    writes: bool = True  # False for a sensitive read or a backup file (no row changes)


def expected_allowed(actor: Actor, case: Case) -> bool:
    """The rule, restated from the issue: the role, then the region scope (never an admin's)."""
    if not actor.has(case.role):
        return False
    if actor.has(Role.ADMIN) or actor.region_code is None:
        return True
    return case.place == "London"


# --- plan ----------------------------------------------------------------------------------


def _plan_change(db: Database, place: str):
    """The latest plan with one measure's targets moved a little: England's own targets, or
    a regional override (added or changed) for the place's region; a new amount each time."""
    plan = plan_editing.load_plan(db)
    region = PLACES[place][0]
    england = {(t.measure_code, t.horizon): t.target for t in plan.targets if t.geo_code != region}
    england = {k: v for k, v in england.items() if k[0] == "M08"}
    step = (1 + next(_counter) % 500) * 0.01  # new each call, bounded in a long run
    geo = region or "E92000001"
    kept = [t for t in plan.targets if not (t.measure_code == "M08" and t.geo_code == geo)]
    moved = [
        PlanTarget(measure_code="M08", geo_code=geo, horizon=h, target=round(v + step, 2))
        for (_, h), v in sorted(england.items())
    ]
    return plan.model_copy(update={"targets": kept + moved}), plan.version_id


def _save_plan(db, actor, ctx):
    draft, head = ctx
    return plan_editing.save_draft(
        db, actor, draft, note="matrix", expected_version_id=head, today=TODAY
    )


def _restore_setup(db, place):
    """A version that changes only ``place``'s rows, so restoring the one before it
    changes only those rows back."""
    draft, head = _plan_change(db, place)
    saved = plan_editing.save_draft(db, SYSTEM, draft, note="set up", expected_version_id=head)
    return head, saved.version_id


def _restore_plan(db, actor, ctx):
    old, head = ctx
    return plan_editing.restore_version(db, actor, old, expected_version_id=head)


# --- notes and rebases ---------------------------------------------------------------------


def _note_args(place: str) -> dict:
    return {"period": date(2020, 1, 1), "text": "Matrix note", "measure_code": "M10",
            "geo_code": PLACES[place][1]}  # fmt: skip


def _rebase_args(place: str) -> dict:
    # A month not used before in this test's database; the cycle (2017-2024) keeps the date
    # valid however many cases ran before (a rebase may not be far in the future).
    n = next(_counter) % 96
    return {"measure_code": "M10", "geo_code": PLACES[place][1] or LONDON_ICB,
            "period": date(2017 + n // 12, 1 + n % 12, 1), "reason": "Matrix rebase"}  # fmt: skip


def _note_setup(db, place):
    return annotation_service.add_note(db, SYSTEM, **_note_args(place))


def _rebase_setup(db, place):
    return annotation_service.add_rebase(db, SYSTEM, **_rebase_args(place))


# --- fixed baselines -----------------------------------------------------------------------

_BEFORE_LAUNCH = FixedBaseline(None, until=date(2016, 11, 1))


def _baseline_geo(place: str) -> str | None:
    """The chart a case fixes: the place's ICB, or (England) every chart of M10."""
    return PLACES[place][1]


def _baseline_free_setup(db, place):
    """The first segment of the case's chart without a fix, so each actor's fix is new."""
    geo = _baseline_geo(place)
    for row in annotation_service.baselines_for(db, "M10", geo or LONDON_ICB).itertuples():
        if row.geo_code == geo:
            annotation_service.remove_baseline(db, SYSTEM, row.baseline_id, "Matrix reset")


def _baseline_setup(db, place):
    _baseline_free_setup(db, place)
    geo = _baseline_geo(place)
    return annotation_service.add_baseline(db, SYSTEM, "M10", geo, _BEFORE_LAUNCH, "Matrix fix")


# --- engagement ----------------------------------------------------------------------------


def _person(place: str) -> dict:
    return {"name": f"Matrix person {next(_counter)}", "group": "patient_org", "interest": 4,
            "influence": 3, "region_code": PLACES[place][0]}  # fmt: skip


def _event_data(place: str, sids=()) -> dict:
    return {"event_date": date(2024, 6, 14), "title": f"Matrix event {next(_counter)}",
            "event_type": "workshop", "region_code": PLACES[place][0],
            "stakeholder_ids": list(sids), "priority_areas": ["P1"]}  # fmt: skip


def _stakeholder_setup(db, place, retired=False):
    sid = engagement_service.add_stakeholder(db, SYSTEM, _person(place), today=TODAY).stakeholder_id
    if retired:
        engagement_service.retire_stakeholder(db, SYSTEM, sid, reason="set up")
    return sid


def _event_setup(db, place):
    return engagement_service.add_event(db, SYSTEM, _event_data(place)).event_id


def _contact_setup(db, place):
    return _event_setup(db, place), _stakeholder_setup(db, place)


# --- imports -------------------------------------------------------------------------------


def _import_setup(db, place):
    icb = PLACES[place][1]
    n = next(_counter)
    csv = (
        "measure_code,geo_code,period,numerator,denominator,value\n"
        f"M08,{icb},2024-04-01,{10 + n % 100},150,\n"
    )
    return data_transfer.check_upload(db, "measurements", csv.encode(), "matrix.csv")


def _plan_import_setup(db, place):
    """A plan-targets file of England targets (an England-level change) from the template's
    own columns, with new values."""
    plan = plan_editing.load_plan(db)
    n = (1 + next(_counter) % 500) * 0.01  # new each call, bounded in a long run
    by_horizon = {
        t.horizon: round(t.target + n, 2)
        for t in plan.targets
        if t.measure_code == "M08" and t.geo_code == "E92000001"
    }
    csv = f"measure_code,geo_code,y1,y3,y5\nM08,,{by_horizon[1]},{by_horizon[3]},{by_horizon[5]}\n"
    checked = data_transfer.check_upload(db, "plan_targets", csv.encode(), "targets.csv")
    assert checked.ok, checked.issues_frame()
    return checked


# --- chart types ---------------------------------------------------------------------------


def _chart_type_setup(db, place):
    """M10 back on the XmR chart, so each actor's change to the p′-chart is a change."""
    if chart_type_service.chart_type(db, "M10") != "xmr":
        chart_type_service.set_chart_type(db, SYSTEM, "M10", "xmr", "Matrix reset")


# --- peer groups ---------------------------------------------------------------------------

#: Two other ICSs of each place's region, the peers of a group homed at its ICB.
_PEERS = {"London": ("E54000028", "E54000029"), "East": ("E54000056", "E54000025")}


def _peer_draft(place: str) -> PeerGroup:
    return PeerGroup(name=f"Matrix peers {next(_counter)}", home_geo=PLACES[place][1],
                     level="icb", members=_PEERS[place])  # fmt: skip


def _peer_setup(db, place):
    return peer_service.save_group(db, SYSTEM, _peer_draft(place))


# --- scenarios, backups, seeding -----------------------------------------------------------


def _clone_setup(db, place):
    return scenario_service.clone(
        db, SYSTEM, scenario_service.baseline_id(db), "To delete"
    ).scenario_id


def _backup_setup(db, place):
    return data_transfer.backup_download(db, SYSTEM)


CASES: list[Case] = [
    *[
        Case(f"save the plan ({p})", Role.EDITOR, p, _save_plan, _plan_change)
        for p in ("London", "East", "England")
    ],
    *[
        Case(f"restore a plan version ({p})", Role.EDITOR, p, _restore_plan, _restore_setup)
        for p in ("London", "England")
    ],
    *[
        Case(
            f"add a note ({p})",
            Role.DATA_MANAGER,
            p,
            lambda db, a, ctx, p=p: annotation_service.add_note(db, a, **_note_args(p)),
        )
        for p in ("London", "East", "England")
    ],
    *[
        Case(
            f"remove a note ({p})",
            Role.DATA_MANAGER,
            p,
            lambda db, a, note_id: annotation_service.delete_note(db, a, note_id, reason="x"),
            _note_setup,
        )
        for p in ("London", "East", "England")
    ],
    *[
        Case(
            f"rebase a chart ({p})",
            Role.DATA_MANAGER,
            p,
            lambda db, a, ctx, p=p: annotation_service.add_rebase(db, a, **_rebase_args(p)),
        )
        for p in ("London", "East")
    ],
    Case(
        "remove a rebase (East)",
        Role.DATA_MANAGER,
        "East",
        lambda db, a, rid: annotation_service.remove_rebase(db, a, rid, reason="Withdrawn"),
        _rebase_setup,
    ),
    Case(
        "remove a rebase (London)",
        Role.DATA_MANAGER,
        "London",
        lambda db, a, rid: annotation_service.remove_rebase(db, a, rid, reason="Withdrawn"),
        _rebase_setup,
    ),
    *[
        Case(
            f"fix a chart's baseline ({p})",
            Role.DATA_MANAGER,
            p,  # England: every chart of the measure, an England-level fix
            lambda db, a, ctx, p=p: annotation_service.add_baseline(
                db, a, "M10", _baseline_geo(p), _BEFORE_LAUNCH, "Before launch"
            ),
            _baseline_free_setup,
        )
        for p in ("London", "East", "England")
    ],
    *[
        Case(
            f"remove a fixed baseline ({p})",
            Role.DATA_MANAGER,
            p,
            lambda db, a, bid: annotation_service.remove_baseline(db, a, bid, "Withdrawn"),
            _baseline_setup,
        )
        for p in ("London", "East", "England")
    ],
    *[
        Case(
            f"add a stakeholder ({p})",
            Role.EDITOR,
            p,
            lambda db, a, ctx, p=p: engagement_service.add_stakeholder(
                db, a, _person(p), today=TODAY
            ),
        )
        for p in ("London", "East", "England")
    ],
    *[
        Case(
            f"edit a stakeholder ({p})",
            Role.EDITOR,
            p,
            lambda db, a, sid: engagement_service.edit_stakeholder(
                db, a, sid, {"next_step": "Call back"}, today=TODAY
            ),
            _stakeholder_setup,
        )
        for p in ("London", "East")
    ],
    Case(
        "move a stakeholder out of the region (London → East)",
        Role.EDITOR,
        "East",
        lambda db, a, sid: engagement_service.edit_stakeholder(
            db, a, sid, {"region_code": EAST}, today=TODAY
        ),
        lambda db, place: _stakeholder_setup(db, "London"),
    ),
    Case(
        "retire a stakeholder (East)",
        Role.EDITOR,
        "East",
        lambda db, a, sid: engagement_service.retire_stakeholder(db, a, sid, reason="Left"),
        _stakeholder_setup,
    ),
    Case(
        "restore a stakeholder (London)",
        Role.EDITOR,
        "London",
        lambda db, a, sid: engagement_service.restore_stakeholder(db, a, sid),
        lambda db, place: _stakeholder_setup(db, place, retired=True),
    ),
    *[
        Case(
            f"add an event ({p})",
            Role.EDITOR,
            p,
            lambda db, a, ctx, p=p: engagement_service.add_event(db, a, _event_data(p)),
        )
        for p in ("London", "England")
    ],
    Case(
        "edit an event (East)",
        Role.EDITOR,
        "East",
        lambda db, a, eid: engagement_service.edit_event(db, a, eid, {"outcome": "Agreed"}),
        _event_setup,
    ),
    Case(
        "add to the engagement log (London)",
        Role.EDITOR,
        "London",
        lambda db, a, ctx: engagement_service.log_contact(db, a, ctx[0], [ctx[1]]),
        _contact_setup,
    ),
    *[
        Case(
            f"delete an event ({p})",
            Role.EDITOR,
            p,
            lambda db, a, eid: engagement_service.delete_event(db, a, eid, reason="Cancelled"),
            _event_setup,
        )
        for p in ("London", "England")
    ],
    *[
        Case(
            f"import measurements ({p})",
            Role.DATA_MANAGER,
            p,
            lambda db, a, checked: data_transfer.apply_import(db, a, checked, backup_first=False),
            _import_setup,
        )
        for p in ("London", "East")
    ],
    Case(
        "import England plan targets",
        Role.DATA_MANAGER,
        "England",
        lambda db, a, checked: data_transfer.apply_import(db, a, checked, backup_first=False),
        _plan_import_setup,
    ),
    *[
        Case(
            f"save a peer group ({p})",
            Role.EDITOR,
            p,
            lambda db, a, ctx, p=p: peer_service.save_group(db, a, _peer_draft(p)),
        )
        for p in ("London", "East")
    ],
    Case(
        "edit a peer group (East)",
        Role.EDITOR,
        "East",
        lambda db, a, g: peer_service.save_group(db, a, replace(g, name="Renamed"), g.version),
        _peer_setup,
    ),
    *[
        Case(
            f"delete a peer group ({p})",
            Role.EDITOR,
            p,
            lambda db, a, g: peer_service.delete_group(db, a, g.peer_group_id, reason="Done"),
            _peer_setup,
        )
        for p in ("London", "East")
    ],
    Case(
        "choose the chart a measure's limits come from",
        Role.DATA_MANAGER,
        "England",  # one chart for every series of the measure: England-level
        lambda db, a, ctx: chart_type_service.set_chart_type(db, a, "M10", "pp", "Large n"),
        _chart_type_setup,
    ),
    Case(
        "clone a scenario",
        Role.EDITOR,
        "England",
        lambda db, a, ctx: scenario_service.clone(db, a, scenario_service.baseline_id(db)),
    ),
    Case(
        "save a scenario",
        Role.EDITOR,
        "England",
        lambda db, a, ctx: scenario_service.save(
            db,
            a,
            name=f"Matrix scenario {next(_counter)}",
            description="",
            params=scenario_service.baseline(db).params,
            draws=200,
            seed=1,
        ),
    ),
    Case(
        "import a scenario",
        Role.EDITOR,
        "England",
        lambda db, a, ctx: scenario_service.import_scenario(
            db, a, scenario_service.export_json(scenario_service.baseline(db))
        ),
    ),
    Case(
        "delete a scenario",
        Role.EDITOR,
        "England",
        lambda db, a, sid: scenario_service.delete(db, a, sid, reason="Not needed"),
        _clone_setup,
    ),
    Case(
        "restore a backup",
        Role.ADMIN,
        "England",
        lambda db, a, data: data_transfer.restore_backup(db, a, data, reason="matrix"),
        _backup_setup,
    ),
    Case(
        "seed the database",
        Role.ADMIN,
        "England",
        lambda db, a, ctx: seed_database(db, a, end_month=PINNED_END_MONTH),
        writes=False,  # already seeded: allowed, and nothing new to write
    ),
    # Sensitive reads: nothing is written either way, but a refusal must still be a refusal.
    Case(
        "make a backup",
        Role.ADMIN,
        "England",
        lambda db, a, ctx: data_transfer.create_backup(db, a),
        writes=False,
    ),
    Case(
        "download a full backup",
        Role.ADMIN,
        "England",
        lambda db, a, ctx: data_transfer.backup_download(db, a),
        writes=False,
    ),
    Case(
        "see the kept backups",
        Role.ADMIN,
        "England",
        lambda db, a, ctx: data_transfer.kept_backups(db, a),
        writes=False,
    ),
    Case(
        "download the stakeholders table",
        Role.EDITOR,
        "England",  # a table export is not narrowed, so it is England-level
        lambda db, a, ctx: data_transfer.table_file(db, a, "stakeholders", "csv"),
        writes=False,
    ),
    Case(
        "see who has signed in (the app_users table)",
        Role.ADMIN,
        "England",
        lambda db, a, ctx: data_transfer.table_preview(db, a, "app_users", 10),
        writes=False,
    ),
    Case(
        "download every table",
        Role.ADMIN,
        "England",
        lambda db, a, ctx: data_transfer.all_tables_workbook(db, a),
        writes=False,
    ),
    Case(
        "download stakeholder details",
        Role.EDITOR,
        "London",  # a region-scoped editor gets their region's rows only (tested below)
        lambda db, a, ctx: engagement_service.stakeholder_export(db, a, as_of=TODAY),
        writes=False,
    ),
]


def _audit_rows(db: Database) -> int:
    return len(data_transfer.table_rows(db, "audit_log"))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_write_is_allowed_or_refused_by_role_and_region(fresh_seeded_db, case):
    db = fresh_seeded_db
    for key, actor in ACTORS.items():
        ctx = case.setup(db, case.place)
        audit_before = _audit_rows(db)
        if expected_allowed(actor, case):
            case.call(db, actor, ctx)
            if case.writes:
                assert _audit_rows(db) > audit_before, f"{key}: allowed but nothing audited"
        else:
            before = snapshot(db)
            with pytest.raises(NotAllowed) as refused:
                case.call(db, actor, ctx)
            message = str(refused.value)
            assert "nothing was changed" in message, message
            if not actor.has(case.role):
                assert f"{ROLE_LABEL[case.role]} role" in message, message
            else:
                assert "London (your region scope)" in message, message
            assert snapshot(db) == before, f"{key}: refused {case.name!r} but data changed"


def test_the_matrix_covers_every_role_both_scopes_and_each_outcome():
    """The table is not one-sided: each role is both allowed and refused somewhere, and the
    region scope both lets a call through and stops one."""
    outcomes = {
        (key, expected_allowed(actor, case)) for key, actor in ACTORS.items() for case in CASES
    }
    for key in ACTORS:
        if key.startswith("admin"):
            continue
        assert (key, True) in outcomes or key.startswith("viewer")
        assert (key, False) in outcomes
    scoped = [c for c in CASES if expected_allowed(ACTORS["editor"], c)]
    assert any(expected_allowed(ACTORS["editor-London"], c) for c in scoped)
    assert not all(expected_allowed(ACTORS["editor-London"], c) for c in scoped)


def test_a_region_scoped_editor_downloads_only_their_regions_stakeholders(fresh_seeded_db):
    db = fresh_seeded_db
    engagement_service.add_stakeholder(db, SYSTEM, _person("London"), today=TODAY)
    engagement_service.add_stakeholder(db, SYSTEM, _person("East"), today=TODAY)
    everyone = engagement_service.stakeholder_export(db, ACTORS["editor"], as_of=TODAY)
    london = engagement_service.stakeholder_export(db, ACTORS["editor-London"], as_of=TODAY)
    assert set(everyone["region_name"]) > {"London"}
    assert len(london) and set(london["region_name"]) == {"London"}
    assert len(london) < len(everyone)
