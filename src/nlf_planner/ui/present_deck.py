"""The Present page's deck, built once per choice and per version of what it depends on, and
its packs, drawn once per deck: a presenter never waits for a rebuild mid-talk unless the
data, rebases, chart notes, plan versions or scenarios changed."""

from __future__ import annotations

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
    """Identifies one built deck for the caches of its images and packs."""
    return f"{deck.title}|{deck.stamp.generated_at.isoformat()}"


@st.cache_resource(show_spinner=False, max_entries=4)
def _images(_deck_obj: Deck, key: str) -> dict[int, bytes]:
    """The deck's charts as PNGs, drawn once and shared by the PowerPoint and the PDF."""
    del key
    return export.render_images(_deck_obj)


@st.cache_resource(show_spinner=False, max_entries=12)
def _pack(_deck_obj: Deck, key: str, fmt: str) -> bytes:
    if fmt == "html":
        return export.to_html(_deck_obj)
    writer = export.to_pptx if fmt == "pptx" else export.to_pdf
    return writer(_deck_obj, _images(_deck_obj, key))


def pack(deck: Deck, fmt: str) -> bytes:
    """An export of one cached deck, made at most once per format."""
    return _pack(deck, deck_key(deck), fmt)
