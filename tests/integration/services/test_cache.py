"""The per-data-version cache: one computation per version, fresh after any write."""

from __future__ import annotations

import threading
from datetime import date

import pandas as pd
import pytest

from nlf_planner.services import annotations as annotation_service
from nlf_planner.services import audit as audit_service
from nlf_planner.services import cache, plan_editing, regions_view
from nlf_planner.services import measurements as measurement_service
from nlf_planner.services import reference as reference_service
from nlf_planner.services.database import open_store
from nlf_planner.store import Database, open_database
from nlf_planner.store import audit as audit_store
from nlf_planner.store import data_version as version_store
from nlf_planner.store import measurements as measurement_store
from tests.integration.services.test_access_matrix import ACTORS, CASES


def _counting() -> tuple[list[int], object]:
    calls: list[int] = []

    @cache.per_data_version(maxsize=4)
    def read(db: Database, n: int) -> int:
        calls.append(n)
        return n * 2

    return calls, read


def _bump(db: Database) -> None:
    db.write(measurement_store.bump_data_version)


def test_a_read_runs_once_per_version_and_again_after_a_write(db: Database) -> None:
    calls, read = _counting()
    cache.begin_run(db)
    assert read(db, 3) == 6
    assert read(db, 3) == 6
    assert calls == [3]
    _bump(db)  # a write through this handle during the run: the next read sees it
    assert read(db, 3) == 6
    assert calls == [3, 3]
    cache.end_run()


def test_the_pinned_version_is_read_once_per_run(db: Database) -> None:
    first = cache.begin_run(db)
    # Another writer changes the counter behind this handle's back (as another process on
    # the same server would): inside the run the pinned version holds ...
    with db.cursor() as cur:
        measurement_store.bump_data_version(cur)
    assert cache.current_version(db) == first
    # ... and the next run reads the new one.
    assert cache.begin_run(db) != first
    cache.end_run()


def test_without_a_pinned_run_every_call_reads_the_version(db: Database) -> None:
    calls, read = _counting()
    cache.end_run()
    read(db, 1)
    with db.cursor() as cur:  # bypasses the commit count, as another process would
        measurement_store.bump_data_version(cur)
    read(db, 1)
    assert calls == [1, 1]


def test_the_table_is_bounded_and_keys_on_arguments(db: Database) -> None:
    calls, read = _counting()
    cache.begin_run(db)
    for n in range(6):
        read(db, n)
    assert len(read.cache_table.entries) == 4
    read(db, 5)
    assert calls == [0, 1, 2, 3, 4, 5]
    read(db, 0)  # evicted: computed again
    assert calls[-1] == 0
    cache.end_run()


def test_pins_are_per_thread(db: Database) -> None:
    mine = cache.begin_run(db)
    seen: list[str | None] = []
    thread = threading.Thread(target=lambda: seen.append(cache._PINNED.get()))
    thread.start()
    thread.join()
    assert seen == [None] and cache.current_version(db) == mine
    cache.end_run()


# --- every audited write moves the version; a read does not ----------------------------------

_WRITES = [c for c in CASES if c.writes]
_READS = [c for c in CASES if not c.writes]


@pytest.mark.parametrize("case", _WRITES, ids=[c.name for c in _WRITES])
def test_each_write_through_its_service_moves_the_data_version(fresh_seeded_db, case) -> None:
    """Import, plan save, scenario save, annotation, rebase, engagement edit, restore: each
    moves the version a reader on this handle sees, so nothing cached on it goes stale."""
    db = fresh_seeded_db
    ctx = case.setup(db, case.place)
    cache.begin_run(db)  # a page's run, pinned before the write
    before = cache.current_version(db)
    case.call(db, ACTORS["admin"], ctx)
    after = cache.current_version(db)
    cache.end_run()
    assert after != before, f"{case.name}: written, but the data version did not move"
    assert version_store.data_version(db) == after  # a fresh read agrees with the re-pin


@pytest.mark.parametrize("case", _READS, ids=[c.name for c in _READS])
def test_a_read_only_action_leaves_the_data_version(fresh_seeded_db, case) -> None:
    db = fresh_seeded_db
    ctx = case.setup(db, case.place)
    before = version_store.data_version(db)
    case.call(db, ACTORS["admin"], ctx)
    assert version_store.data_version(db) == before, f"{case.name} moved the data version"


def test_a_write_from_another_handle_moves_the_version_at_the_next_run(
    fresh_seeded_db, backend, request
) -> None:
    """Another process (a second handle on the same PostgreSQL database; on DuckDB, which
    allows one process per file, a write from another thread): the pinned run keeps its
    version, the next run sees the new one."""
    db = fresh_seeded_db
    first = cache.begin_run(db)
    other = open_database(request.getfixturevalue("pg_seeded_url")) if backend == "postgres" else db
    try:
        thread = threading.Thread(
            target=lambda: annotation_service.add_note(
                other,
                ACTORS["admin"],
                measure_code="M10",
                geo_code="E54000027",
                period=date(2020, 1, 1),
                text="From elsewhere",
            )
        )
        thread.start()
        thread.join()
    finally:
        if other is not db:
            other.close()
    if backend == "postgres":  # this handle's commit count did not move: the pin holds
        assert cache.current_version(db) == first
    assert cache.begin_run(db) != first
    cache.end_run()


def test_concurrent_writers_in_threads_do_not_conflict_on_the_version(db: Database) -> None:
    """Moving the version must not make two people saving at once conflict: eight threads,
    five audited changes each, all land (a counter row updated by every write lost saves on
    DuckDB; the version counts the audit trail instead)."""
    errors: list[BaseException] = []
    before = version_store.data_version(db)

    def work(i: int) -> None:
        try:
            for n in range(5):
                db.write(
                    lambda cur, i=i, n=n: audit_store.record(
                        cur, actor=f"Person {i}", action="test", entity="test", entity_id=str(n)
                    )
                )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert db.scalar("SELECT count(*) FROM audit_log WHERE entity = 'test'") == 40
    assert version_store.data_version(db) != before


# --- reads and view models behind the services ------------------------------------------------


def _note(db: Database, text: str, period: date = date(2020, 1, 1)) -> int:
    return annotation_service.add_note(
        db, ACTORS["admin"], measure_code="M10", geo_code="E54000027", period=period, text=text
    )


def test_two_databases_at_the_same_version_never_share_a_result(tmp_path) -> None:
    """Two handles whose data differ but whose versions read the same (the same number of
    audited changes): each sees its own notes. A key on ``id(db)`` could mix them up once a
    closed handle's id is reused; the cache keys on a token per handle."""
    one, two = open_store(tmp_path / "one.duckdb"), open_store(tmp_path / "two.duckdb")
    try:
        _note(one, "Only in one")
        _note(two, "Only in two")
        assert version_store.data_version(one) == version_store.data_version(two)
        assert annotation_service.notes_for(one, "M10", "E54000027").text.tolist() == [
            "Only in one"
        ]
        assert annotation_service.notes_for(two, "M10", "E54000027").text.tolist() == [
            "Only in two"
        ]
    finally:
        one.close()
        two.close()


def test_series_are_read_once_per_version_and_a_callers_change_stays_its_own(
    fresh_seeded_db,
) -> None:
    db = fresh_seeded_db
    table = measurement_service._all_series.cache_table
    cache.begin_run(db)
    first = measurement_service.all_series(db, ["M10"], ["england"])
    misses = table.misses
    first["value"] = -1.0  # a careless caller
    first.loc[first.index[0], "period"] = None
    again = measurement_service.all_series(db, ["M10"], ["england"])
    assert table.misses == misses  # no second read
    assert (again["value"] >= 0).all() and again["period"].notna().all()
    cache.end_run()


def test_the_regions_model_is_built_once_and_again_after_a_rebase(fresh_seeded_db) -> None:
    db = fresh_seeded_db
    plan_id = plan_editing.latest_version_id(db)
    cache.begin_run(db)
    assert not regions_view.model_ready(db, plan_id)
    model = regions_view.model_for_version(db, plan_id)
    assert regions_view.model_ready(db, plan_id)
    assert regions_view.model_for_version(db, plan_id) is model
    assert model.plan is not None and model.plan.version_id == plan_id
    when = pd.Timestamp(model.result("M10", "E54000027").periods[-24]).date()
    annotation_service.add_rebase(
        db, ACTORS["admin"], measure_code="M10", geo_code="E54000027", period=when,
        reason="New survey method",
    )  # fmt: skip
    rebuilt = regions_view.model_for_version(db, plan_id)
    cache.end_run()
    assert rebuilt is not model
    assert model.result("M10", "E54000027").rebase_periods == ()  # the old one is untouched
    assert list(rebuilt.result("M10", "E54000027").rebase_periods) == [when]


def test_reference_reads_come_back_as_each_callers_own_list(db: Database) -> None:
    cache.begin_run(db)
    mine = reference_service.measures(db)
    mine.clear()
    names = reference_service.geography_names(db)
    names["E92000001"] = "Changed"
    assert len(reference_service.measures(db)) > 0
    assert reference_service.region_name(db, "E92000001") != "Changed"
    assert reference_service.measure(db, "M10") is not None
    cache.end_run()


def test_the_audit_log_is_read_once_per_version_and_shows_the_next_change(db: Database) -> None:
    cache.begin_run(db)
    _note(db, "First")
    log = audit_service.audit_log(db, entity="annotation")
    assert len(log) == 1
    log["description"] = "changed by a careless caller"
    again = audit_service.recent_changes(db)
    assert "careless" not in " ".join(again["description"])
    _note(db, "Second", period=date(2020, 2, 1))  # through this handle: re-pinned at once
    assert len(audit_service.audit_log(db, entity="annotation")) == 2
    assert audit_service.filter_choices(db).entities == ["annotation"]
    cache.end_run()
