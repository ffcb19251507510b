"""A write on any page shows at the next rerun of every page that uses it (issue 12).

Each case opens a page in AppTest on a private seeded database, checks that the value it is
about to write is not shown, writes it through the service layer as another person would
(on a second handle of the same database, from another thread: on PostgreSQL a second
connection pool, as a second app process has; on DuckDB a second connection to the same
file in this process), reruns the page that was already open and looks for the new value.
Caches keyed on the data version (reads, the Regions model, built figures) must not hold
the old one back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from nlf_planner.plan import PlanTarget
from nlf_planner.services import annotations as annotation_service
from nlf_planner.services import data_transfer, plan_editing
from nlf_planner.services import engagement as engagement_service
from nlf_planner.services import measurements as measurement_service
from nlf_planner.services import reference as reference_service
from nlf_planner.services import scenarios as scenario_service
from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.database import open_store
from nlf_planner.store import Database
from nlf_planner.units import format_value
from tests.apptest_utils import run_page

ENGLAND = "E92000001"
LONDON = "E40000003"
LONDON_ICB = "E54000027"
TODAY = date(2026, 11, 30)
#: Another person, writing through their own session (not the page's).
OTHER = Actor(
    id="test:other", display_name="Another Person", roles=frozenset({Role.ADMIN}), region_code=None
)


def _shown(at) -> str:
    """Everything the page put on the screen as text: Markdown, captions, metrics, tables,
    choices and the charts' specs (titles, hover text, annotations)."""
    bits: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning"):
        bits += [str(e.value) for e in at.get(kind)]
    bits += [f"{m.label}: {m.value}" for m in at.metric]
    bits += [df.value.to_string() for df in at.dataframe]
    for widget in (*at.selectbox, *at.multiselect, *at.radio):
        bits += [str(o) for o in widget.options]
    bits += [c.proto.spec for c in at.get("plotly_chart")]
    return "\n".join(bits)


def _elsewhere(target: Any, write: Callable[[Database], Any]) -> None:
    """Run ``write`` on a second handle of the database, from another thread."""
    other = open_store(target)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            write(other)
        except BaseException as exc:  # noqa: BLE001 - raised below, in the test
            errors.append(exc)

    try:
        thread = threading.Thread(target=work)
        thread.start()
        thread.join(timeout=120)
    finally:
        other.close()
    if errors:
        raise errors[0]


# --- the writes --------------------------------------------------------------------------------


def _headline(db: Database):
    """The first monthly headline percentage measure: the Overview shows its latest value."""
    return next(
        m
        for m in reference_service.measures(db)
        if m.headline and m.is_proportion and m.frequency == "monthly"
    )


def _import(db: Database) -> None:
    """Every ICB's value of a headline measure for a new month, 91.3% each: England's new
    latest value (the store's sum over sum) is what the Overview must show."""
    m = _headline(db)
    rows = "".join(f"{m.code},{i.code},2026-11-01,913,1000,\n" for i in reference_service.icbs(db))
    csv = "measure_code,geo_code,period,numerator,denominator,value\n" + rows
    checked = data_transfer.check_upload(db, "measurements", csv.encode(), "fresh.csv")
    assert checked.ok, checked.issues_frame()
    data_transfer.apply_import(db, OTHER, checked, backup_first=False)
    england = measurement_service.all_series(db, [m.code], ["england"])
    latest = england.sort_values("period").iloc[-1]
    assert str(latest.period)[:7] == "2026-11"
    assert format_value(latest.value, m.unit) == "91.3%"


def _plan_target(db: Database) -> None:
    """England's M10 targets moved to 97.3% at every horizon in a new plan version."""
    plan = plan_editing.load_plan(db)
    horizons = sorted(
        {t.horizon for t in plan.targets if t.measure_code == "M10" and t.geo_code == ENGLAND}
    ) or [1, 3, 5]
    kept = [t for t in plan.targets if not (t.measure_code == "M10" and t.geo_code == ENGLAND)]
    moved = [
        PlanTarget(measure_code="M10", geo_code=ENGLAND, horizon=h, target=97.3) for h in horizons
    ]
    plan_editing.save_draft(
        db,
        OTHER,
        plan.model_copy(update={"targets": kept + moved}),
        note="Freshness check",
        expected_version_id=plan.version_id,
        today=TODAY,
    )


def _scenario(db: Database) -> None:
    scenario_service.save(
        db,
        OTHER,
        name="Freshness scenario 4821",
        description="",
        params=scenario_service.baseline(db).params,
        draws=200,
        seed=1,
    )


def _note(db: Database) -> None:
    annotation_service.add_note(
        db,
        OTHER,
        measure_code="M10",
        geo_code=LONDON_ICB,
        period=date(2024, 1, 1),
        text="Freshness note 4821",
    )


def _stakeholder(db: Database) -> None:
    engagement_service.add_stakeholder(
        db,
        OTHER,
        {"name": "Freshness Person 4821", "group": "patient_org", "interest": 4, "influence": 3,
         "region_code": None},
        today=TODAY,
    )  # fmt: skip


@dataclass(frozen=True)
class Case:
    name: str
    page: str
    query: dict[str, str]
    write: Callable[[Database], None]
    expected: str  # what the page must show after the write, and not before


CASES = [
    Case("an import on the Overview", "overview", {}, _import, "91.3%"),
    Case(
        "a plan target on the Regions measure view",
        "regions",
        {"view": "Measure", "geo": ENGLAND, "measure": "M10"},
        _plan_target,
        "97.3%",
    ),
    Case(
        "a note on the Regions measure view",
        "regions",
        {"view": "Measure", "geo": LONDON_ICB, "measure": "M10", "region": LONDON},
        _note,
        "Freshness note 4821",
    ),
    Case("a scenario on the Scenarios page", "scenarios", {}, _scenario, "Freshness scenario 4821"),
    Case(
        "a stakeholder on the Engagement page",
        "engagement",
        {},
        _stakeholder,
        "Freshness Person 4821",
    ),
]


@pytest.fixture
def target(backend, request, monkeypatch) -> Any:
    """The private seeded database the app opens: a DuckDB file, or a PostgreSQL URL."""
    if backend == "postgres":
        monkeypatch.setenv("NLF_BACKUP_DIR", str(request.getfixturevalue("tmp_path") / "bk"))
        url = request.getfixturevalue("pg_seeded_url")
        monkeypatch.setenv("NLF_DATABASE_URL", url)
        return url
    monkeypatch.delenv("NLF_DATABASE_URL", raising=False)
    return request.getfixturevalue("fresh_seeded_db_path")


@pytest.mark.parametrize("backend", ["duckdb", "postgres"], indirect=True)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_write_elsewhere_shows_at_the_next_rerun_of_the_open_page(target, case) -> None:
    path = target if not isinstance(target, str) else "unused.duckdb"
    at = run_page(case.page, path, query=case.query, user="Ada Admin")
    assert not at.exception, [e.value for e in at.exception]
    at.run()  # warm: every cache of the page now holds the old data
    assert case.expected not in _shown(at), f"{case.name}: shown before it was written"
    _elsewhere(target, case.write)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert case.expected in _shown(at), f"{case.name}: {case.expected!r} not shown after"
