"""Board packs from one :class:`~nlf_planner.deck.Deck`: PowerPoint, PDF and offline HTML.

- PowerPoint (python-pptx): one slide per deck slide, titles in title placeholders and speaker
  notes as real text, tables as native tables, charts as high-resolution PNGs.
- PDF (reportlab): the same slides on landscape 16:9 pages, one per page, same PNGs.
- HTML: one self-contained file (plotly.js inline, no network), interactive charts, arrow-key
  navigation, speaker notes on "N".

Chart images come from plotly + kaleido, which drives a local Chromium. All charts of a deck
are drawn once, in one batch (starting a browser costs seconds; each image after that a
fraction of one), and kept for that deck, so the PowerPoint and the PDF of one deck share
them. Without Chromium the image-based formats fail with :class:`ExportError` naming what to
install; HTML needs no browser.

Every pack is stamped with the data as-of date, plan version, scenarios, app version and,
when it applies, the illustrative-data notice (``Deck.stamp``).

Pure rendering: the deck comes from the board-deck service; the command line that writes a
pack from the database is ``python -m nlf_planner.cli.export``. One module per format
(``powerpoint``, ``pdf``, ``html_pack``), the shared slide geometry in ``layout`` and the
chart images in ``images``.
"""

from __future__ import annotations

from collections.abc import Iterable

from nlf_planner.deck import Deck
from nlf_planner.export.html_pack import to_html
from nlf_planner.export.images import (
    INSTALL_HINT,
    ExportError,
    Progress,
    cached_images,
    chromium_path,
    clear_image_cache,
    images_available,
    render_images,
)
from nlf_planner.export.layout import Box, layout
from nlf_planner.export.pdf import to_pdf
from nlf_planner.export.powerpoint import to_pptx

__all__ = [
    "FORMATS",
    "INSTALL_HINT",
    "MIME",
    "Box",
    "ExportError",
    "Progress",
    "cached_images",
    "chromium_path",
    "clear_image_cache",
    "export_all",
    "export_deck",
    "file_name",
    "images_available",
    "layout",
    "render_images",
    "to_html",
    "to_pdf",
    "to_pptx",
]

FORMATS = ("pptx", "pdf", "html")
MIME = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "html": "text/html",
}


def export_deck(deck: Deck, fmt: str, progress: Progress | None = None) -> bytes:
    """The deck as bytes in one format ("pptx", "pdf" or "html"). The charts of a deck are
    drawn once: a second image format of the same deck object reuses them."""
    if fmt == "html":
        return to_html(deck)
    if fmt == "pptx":
        return to_pptx(deck, progress=progress)
    if fmt == "pdf":
        return to_pdf(deck, progress=progress)
    raise ExportError(f"Unknown format {fmt!r}: choose one of {', '.join(FORMATS)}.")


def export_all(deck: Deck, formats: Iterable[str] = FORMATS) -> dict[str, bytes]:
    """Several formats at once, drawing each chart image only once."""
    return {fmt: export_deck(deck, fmt) for fmt in formats}


def file_name(deck: Deck, fmt: str) -> str:
    geo = "".join(ch if ch.isalnum() else "-" for ch in deck.stamp.geography).strip("-").lower()
    when = deck.stamp.data_as_of.strftime("%Y-%m") if deck.stamp.data_as_of else "no-data"
    return f"nlf-board-pack-{geo}-{when}.{fmt}"
