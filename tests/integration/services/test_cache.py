"""The per-data-version cache: one computation per version, fresh after any write."""

from __future__ import annotations

import threading

from nlf_planner.services import cache
from nlf_planner.store import Database
from nlf_planner.store import measurements as measurement_store


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
