"""The settled heap: objects that lived through a slow full sweep are frozen, so the sweep
Streamlit runs after every script run skips them; thawed again later, so garbage in
reference cycles among them is freed in the end."""

from __future__ import annotations

import gc
import time
import weakref
from collections.abc import Iterator

import pytest

from nlf_planner.ui.frame import SettledHeap


class _Node:
    """An object the collector tracks, able to refer to itself (a reference cycle)."""

    def __init__(self) -> None:
        self.me: _Node | None = None


@pytest.fixture(autouse=True)
def _thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # leave the process's collector as the other tests expect it


def _tracked(obj: object) -> bool:
    """Whether a full sweep walks ``obj`` (frozen objects are in no generation)."""
    return any(o is obj for o in gc.get_objects())


def _sweep(heap: SettledHeap, seconds: float, generation: int = 2) -> None:
    """Tell ``heap`` a sweep of ``generation`` took ``seconds``."""
    heap.on_gc("start", {"generation": generation})
    time.sleep(seconds)
    heap.on_gc("stop", {"generation": generation, "collected": 0, "uncollectable": 0})


def test_a_slow_full_sweep_freezes_what_lived_through_it() -> None:
    heap = SettledHeap(slow_s=0.01)
    kept = _Node()
    assert _tracked(kept)
    _sweep(heap, 0.03)
    heap.settle()
    assert heap.freezes == 1
    assert not _tracked(kept)  # the next sweeps skip it
    assert gc.get_freeze_count() > 0


def test_fast_sweeps_and_young_generations_freeze_nothing() -> None:
    heap = SettledHeap(slow_s=0.5)
    kept = _Node()
    _sweep(heap, 0.0)
    heap.settle()
    young = SettledHeap(slow_s=0.01)
    _sweep(young, 0.03, generation=1)
    young.settle()
    assert heap.freezes == young.freezes == 0
    assert _tracked(kept)
    assert gc.get_freeze_count() == 0


def test_at_most_one_freeze_per_gap() -> None:
    heap = SettledHeap(slow_s=0.01, min_gap_s=60.0)
    _sweep(heap, 0.03)
    heap.settle()
    later = _Node()
    _sweep(heap, 0.03)
    heap.settle()
    assert heap.freezes == 1
    assert _tracked(later)  # made after the freeze, within the gap: still swept


def test_the_real_collector_calls_it() -> None:
    heap = SettledHeap(slow_s=0.0)  # every full sweep counts as slow
    kept = _Node()
    gc.callbacks.append(heap.on_gc)
    try:
        gc.collect(1)  # a young sweep asks for nothing
        heap.settle()
        assert heap.freezes == 0
        gc.collect(2)
    finally:
        gc.callbacks.remove(heap.on_gc)
    heap.settle()
    assert heap.freezes == 1
    assert not _tracked(kept)


def test_thawing_frees_the_cycles_that_died_while_frozen() -> None:
    heap = SettledHeap(slow_s=0.01, thaw_every_s=0.05)
    node = _Node()
    node.me = node  # only the collector can free it
    gone = weakref.ref(node)
    _sweep(heap, 0.03)
    heap.settle()
    del node
    gc.collect()
    assert gone() is not None  # frozen: the sweep did not look at it
    heap.settle()  # too soon to thaw
    gc.collect()
    assert gone() is not None
    time.sleep(0.06)
    heap.settle()  # time to thaw
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert gone() is None
