"""The Present page's deck, built once per choice and per version of what it depends on, and
its packs, made once per deck (charts drawn once per deck for both image formats): a
presenter never waits for a rebuild mid-talk unless the data, rebases, chart notes, plan
versions or scenarios changed."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date

import streamlit as st

from nlf_planner import export
from nlf_planner.deck import Deck, DeckChoices
from nlf_planner.services import deck as deck_service
from nlf_planner.services.database import Database
from nlf_planner.services.deck import DeckOptions
from nlf_planner.ui.frame import get_db


@st.cache_resource(show_spinner="Building the deck…", max_entries=12)
def _deck(
    path: str,
    version: str,
    region: str,
    plan: int | None,
    scenarios: tuple[str, ...] | None,
    today: date,
) -> Deck:
    """One deck per choice and version of the data, rebases, plan versions and scenarios,
    shared by every session (a read-only object); no expiry."""
    del path, version  # cache keys only
    return deck_service.build_deck(get_db(), DeckChoices(region, plan, scenarios, today))


def current_deck(
    db: Database,
    options: DeckOptions,
    region: str,
    plan: int | None,
    scenarios: list[str],
) -> Deck:
    """The cached deck for the choices (raises the service's errors)."""
    return _deck(
        str(db.path),
        deck_service.cache_key(db, options),
        region,
        plan,
        tuple(scenarios) if scenarios else None,
        date.today(),
    )


def deck_key(deck: Deck) -> str:
    """Identifies one built deck for the store of its packs."""
    return f"{deck.title}|{deck.stamp.generated_at.isoformat()}"


PACKS_KEPT = 12


@st.cache_resource(show_spinner=False)
def _pack_store() -> tuple[OrderedDict[tuple[str, str], bytes], threading.Lock]:
    """Packs made so far, shared by every session (the newest ``PACKS_KEPT``): a pack of a
    cached deck is made once, by whoever asks first."""
    return OrderedDict(), threading.Lock()


def ready_pack(deck: Deck, fmt: str) -> bytes | None:
    """The pack if it has been made for this deck (never makes it)."""
    store, lock = _pack_store()
    with lock:
        return store.get((deck_key(deck), fmt))


def make_pack(deck: Deck, fmt: str, progress: export.Progress | None = None) -> bytes:
    """Make one pack of the deck (its charts are drawn once per deck, so the second image
    format reuses them) and keep it; ``progress`` hears of each slide as it is drawn."""
    found = ready_pack(deck, fmt)
    if found is not None:
        return found
    data = export.export_deck(deck, fmt, progress)
    store, lock = _pack_store()
    with lock:
        store[(deck_key(deck), fmt)] = data
        while len(store) > PACKS_KEPT:
            store.popitem(last=False)
    return data


def pack(deck: Deck, fmt: str) -> bytes:
    """An export of one cached deck, made at most once per format."""
    return make_pack(deck, fmt)
