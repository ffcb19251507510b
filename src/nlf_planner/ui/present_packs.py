"""The Present page's packs: PowerPoint, PDF and offline HTML of the cached deck, and the
list of what is and is not in this deck.

An image pack is made when asked for (a button), with a progress bar naming the slide being
drawn, then offered for download; once made it is kept for the deck, for every session. The
offline HTML needs no browser and is made on download.
"""

from __future__ import annotations

import streamlit as st

from nlf_planner import export
from nlf_planner.deck import Deck
from nlf_planner.ui.present_deck import make_pack, pack, ready_pack
from nlf_planner.ui.text import escape_markdown

LABELS = {"pptx": "PowerPoint", "pdf": "PDF", "html": "HTML"}
ICONS = {
    "pptx": ":material/slideshow:",
    "pdf": ":material/picture_as_pdf:",
    "html": ":material/html:",
}
IMAGE_WAIT = "Draws every chart as an image first: about 10–30 seconds, with a progress bar."
HELP = {
    "pptx": "The deck as a PowerPoint (.pptx). " + IMAGE_WAIT,
    "pdf": "The deck as a PDF, one page per slide, with bookmarks. " + IMAGE_WAIT,
    "html": "One offline HTML file that opens in any browser, with no network: ← → to move.",
}


def _download(deck: Deck, fmt: str) -> None:
    st.download_button(
        f"Download {LABELS[fmt]}",
        data=lambda: pack(deck, fmt),
        file_name=export.file_name(deck, fmt),
        mime=export.MIME[fmt],
        key=f"present_download_{fmt}",
        on_click="ignore",
        icon=ICONS[fmt],
        width="stretch",
        help=HELP[fmt],
    )


def _make(deck: Deck, fmt: str) -> None:
    """Make the pack here, with a progress bar naming each slide as it is drawn."""
    bar = st.progress(0.0, text=f"Making the {LABELS[fmt]}…")

    def progress(fraction: float, text: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=escape_markdown(text))

    try:
        make_pack(deck, fmt, progress)
    except export.ExportError as exc:
        bar.empty()
        st.error(escape_markdown(str(exc)), icon=":material/error:")
        return
    bar.empty()
    st.rerun()


def _image_pack(deck: Deck, fmt: str, images: bool) -> None:
    if ready_pack(deck, fmt) is not None:
        _download(deck, fmt)
        return
    clicked = st.button(
        f"Make {LABELS[fmt]}",
        key=f"present_make_{fmt}",
        icon=ICONS[fmt],
        disabled=not images,
        width="stretch",
        help=HELP[fmt],
    )
    if clicked:
        _make(deck, fmt)


def downloads(deck: Deck) -> None:
    """The three packs; image packs are disabled, with the fix, without Chromium."""
    images = export.images_available()
    cols = st.columns(3)
    for col, fmt in zip(cols, ("pptx", "pdf"), strict=False):
        with col:
            _image_pack(deck, fmt, images)
    with cols[2]:
        _download(deck, "html")
    if not images:
        st.warning(export.INSTALL_HINT, icon=":material/warning:")  # our own words
    st.caption(
        "Packs carry the same slides, stamped with: "
        + escape_markdown(deck.stamp.footer().replace(" · ", "; "))
    )


def sections(deck: Deck) -> None:
    """Which sections are in the deck (with slide counts) and why any are not."""
    included = ", ".join(f"{s.label} ({s.slides})" for s in deck.sections if s.included)
    st.caption(f"Slides in this deck: {escape_markdown(included)}.")
    for s in deck.missing():
        st.caption(
            f":material/info: Not in this deck: {escape_markdown(s.label)} — "
            f"{escape_markdown(s.reason)}."
        )
