"""Reads and view models kept per data version, so a rerun with no new data rebuilds nothing.

Why here: the services are where a page's data comes from, so a result cached here is the
same for every page and every session of the process, and one rule says when it is stale.
The key is the data version (``store.data_version``), which every audited write moves in
its own transaction (the audit row it writes is part of the version); several app
processes on one PostgreSQL therefore drop their cached results at their next read after
any of them writes.

The version is read once per script run (:func:`begin_run`, called by the frame before the
page) and pinned for that run; a write through this process during the run (the handle's
``commits`` count moves) makes the next read fetch it again, so a page shows its own save
at once. Outside a run (command line, tests, benchmarks) every call reads the version.

Cached values are shared between sessions: callers must treat them as read-only (copy a
DataFrame before changing it).
"""

from __future__ import annotations

import functools
import itertools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from nlf_planner.store import Database
from nlf_planner.store import data_version as version_store

P = ParamSpec("P")
T = TypeVar("T")

#: (the database handle's token, its commit count when pinned, the version read then).
_PINNED: ContextVar[tuple[int, int, str] | None] = ContextVar("nlf_data_version", default=None)

#: A token per open handle, never reused (``id()`` is, once a closed handle is collected, and
#: two copies of one database can reach the same version with different rows).
_TOKENS: weakref.WeakKeyDictionary[Database, int] = weakref.WeakKeyDictionary()
_NEXT_TOKEN = itertools.count(1)
_TOKEN_LOCK = threading.Lock()


def _token(db: Database) -> int:
    with _TOKEN_LOCK:
        token = _TOKENS.get(db)
        if token is None:
            token = _TOKENS[db] = next(_NEXT_TOKEN)
        return token


#: Every memoised function's table, so :func:`clear` can empty them all (a restore).
_TABLES: list[_Table] = []


def begin_run(db: Database) -> str:
    """Read the data version once for this run and pin it (the frame calls this first)."""
    version = version_store.data_version(db)
    _PINNED.set((_token(db), db.commits, version))
    return version


def current_version(db: Database) -> str:
    """The version pinned for this run, or a fresh read when nothing is pinned for this
    handle or this process has written since it was pinned."""
    pinned = _PINNED.get()
    if pinned is None or pinned[0] != _token(db):
        return version_store.data_version(db)
    if pinned[1] == db.commits:
        return pinned[2]
    return begin_run(db)  # written since the pin: read again, and pin that


def end_run() -> None:
    """Forget the pinned version (tests and tools that reuse a thread)."""
    _PINNED.set(None)


class _Table:
    """A bounded, thread-safe LRU table of results for one function."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self.entries: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> tuple[bool, Any]:
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                self.hits += 1
                return True, self.entries[key]
            self.misses += 1
            return False, None

    def put(self, key: Hashable, value: Any) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.maxsize:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def per_data_version(maxsize: int = 32) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorate a read ``fn(db, *args, **kwargs)`` so it runs once per data version and
    arguments (which must be hashable). Use it only for results that depend on nothing but
    the database's contents and the arguments: never on who is asking (check access before
    calling, or pass the deciding value as an argument).

    The wrapper's ``is_cached(db, *args, **kwargs)`` says whether a call would be answered
    from the table (a page shows a spinner only when it would not)."""

    def decorate(fn: Callable[P, T]) -> Callable[P, T]:
        table = _Table(maxsize)
        _TABLES.append(table)

        def key_of(args: tuple, kwargs: dict) -> Hashable:
            db = args[0] if args else None
            if not isinstance(db, Database):
                raise TypeError(f"{fn.__qualname__}: the first argument must be the database")
            return (_token(db), current_version(db), args[1:], tuple(sorted(kwargs.items())))

        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            key = key_of(args, kwargs)
            found, value = table.get(key)
            if found:
                return value
            value = fn(*args, **kwargs)
            table.put(key, value)
            return value

        def is_cached(*args: Any, **kwargs: Any) -> bool:
            key = key_of(args, kwargs)  # may read the version: outside the lock
            with table.lock:
                return key in table.entries

        wrapper.cache_table = table  # type: ignore[attr-defined]
        wrapper.is_cached = is_cached  # type: ignore[attr-defined]
        return wrapper

    return decorate


def clear() -> None:
    """Empty every table (after a restore replaces the database under a running process)."""
    for table in _TABLES:
        table.clear()
