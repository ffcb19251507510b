"""The Present page's packs: PowerPoint, PDF and offline HTML of the cached deck (each made
at most once per deck and format, only when asked for), and the list of what is and is not
in this deck."""

from __future__ import annotations

import streamlit as st

from nlf_planner import export
from nlf_planner.deck import Deck
from nlf_planner.ui.present_deck import pack

LABELS = {"pptx": "PowerPoint (.pptx)", "pdf": "PDF", "html": "Offline HTML"}
ICONS = {
    "pptx": ":material/slideshow:",
    "pdf": ":material/picture_as_pdf:",
    "html": ":material/html:",
}
IMAGE_WAIT = "Takes 10–30 seconds after you click: every chart is drawn as an image."
HELP = {
    "pptx": IMAGE_WAIT,
    "pdf": IMAGE_WAIT,
    "html": "One file that opens in any browser, with no network: ← → to move.",
}


def downloads(deck: Deck) -> None:
    """Three download buttons; image packs are disabled, with the fix, without Chromium."""
    images = export.images_available()
    for col, fmt in zip(st.columns(3), ("pptx", "pdf", "html"), strict=True):
        ok = images or fmt == "html"
        col.download_button(
            f"Download {LABELS[fmt]}",
            data=(lambda f=fmt: pack(deck, f)) if ok else b"",
            file_name=export.file_name(deck, fmt),
            mime=export.MIME[fmt],
            key=f"present_download_{fmt}",
            on_click="ignore",
            icon=ICONS[fmt],
            disabled=not ok,
            width="stretch",
            help=HELP[fmt],
        )
    if not images:
        st.warning(export.INSTALL_HINT, icon=":material/warning:")
    st.caption(
        "Packs carry the same slides, stamped with: " + deck.stamp.footer().replace(" · ", "; ")
    )


def sections(deck: Deck) -> None:
    """Which sections are in the deck (with slide counts) and why any are not."""
    included = ", ".join(f"{s.label} ({s.slides})" for s in deck.sections if s.included)
    st.caption(f"Slides in this deck: {included}.")
    for s in deck.missing():
        st.caption(f":material/info: Not in this deck: {s.label} — {s.reason}.")
