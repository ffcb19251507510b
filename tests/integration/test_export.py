"""Board packs open and hold the deck: PPTX read back with python-pptx, PDF pages counted,
HTML parsed; every pack stamped; without Chromium image packs fail clearly, HTML still works."""

from __future__ import annotations

import io
import re
from datetime import date
from html.parser import HTMLParser

import pytest
from pptx import Presentation

from nlf_planner import export
from nlf_planner.deck import DeckChoices
from nlf_planner.services.deck import build_deck
from nlf_planner.settings import ILLUSTRATIVE_NOTICE
from nlf_planner.store import open_database

TODAY = date(2026, 11, 15)


@pytest.fixture(scope="module")
def deck(seeded_db_path):
    db = open_database(seeded_db_path, migrate=False)
    try:
        return build_deck(db, DeckChoices(today=TODAY))
    finally:
        db.close()


@pytest.fixture(scope="module")
def images(deck):
    """Every chart drawn once by kaleido and Debian's Chromium (one server for the batch)."""
    return export.render_images(deck)


def test_chart_images_are_high_resolution_pngs(deck, images) -> None:
    with_charts = [i for i, s in enumerate(deck.slides) if s.figures]
    assert sorted(images) == with_charts
    for index, png in images.items():
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width = int.from_bytes(png[16:20], "big")
        box = export.layout(deck.slides[index])["figure"]
        assert width / box.width >= 200  # at least 200 pixels per inch on the slide


def test_pptx_has_one_slide_per_deck_slide_with_titles_notes_and_charts(deck, images) -> None:
    data = export.to_pptx(deck, images)
    prs = Presentation(io.BytesIO(data))
    assert len(prs.slides) == len(deck.slides)
    for i, (ppt, slide) in enumerate(zip(prs.slides, deck.slides, strict=True)):
        assert ppt.shapes.title.text == slide.title
        pictures = [s for s in ppt.shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
        assert len(pictures) == (1 if slide.figures else 0), slide.key
        tables = [s for s in ppt.shapes if s.has_table]
        assert len(tables) == len(slide.tables[:1]), slide.key
        notes = ppt.notes_slide.notes_text_frame.text
        assert (slide.notes or slide.narrative)[:40] in notes
        texts = " ".join(s.text_frame.text for s in ppt.shapes if s.has_text_frame)
        assert "Data as of Oct 2026" in texts and f"{i + 1} / {len(deck.slides)}" in texts
    assert prs.core_properties.title == deck.title
    summary_table = next(s for s in prs.slides[1].shapes if s.has_table).table
    assert len(summary_table.rows) == len(deck.slides[1].tables[0].data) + 1
    assert summary_table.cell(0, 0).text == "Area"


def _pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def test_pdf_has_one_landscape_page_per_slide(deck, images) -> None:
    data = export.to_pdf(deck, images)
    assert data.startswith(b"%PDF")
    assert _pdf_pages(data) == len(deck.slides)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes and all(float(w) > float(h) for w, h in boxes)
    assert b"NLF Planner" in data  # creator metadata


class _Deck(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.slides: list[dict] = []
        self.meta: dict[str, str] = {}
        self.external: list[str] = []
        self.charts = 0
        self.inline_script_chars = 0
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "slide" in (a.get("class") or ""):
            self.slides.append(a)
        if tag == "meta" and a.get("name", "").startswith("nlf-"):
            self.meta[a["name"]] = a.get("content", "")
        for attr in ("src", "href"):
            if a.get(attr, "").startswith(("http:", "https:", "//")):
                self.external.append(a[attr])
        if tag == "div" and (a.get("id") or "").startswith("chart-"):
            self.charts += 1
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.inline_script_chars += len(data)


def test_html_is_one_offline_file_in_deck_order_with_keyboard_navigation(deck) -> None:
    text = export.to_html(deck).decode("utf-8")
    parsed = _Deck()
    parsed.feed(text)
    assert [s["data-key"] for s in parsed.slides] == [s.key for s in deck.slides]
    assert parsed.charts == sum(len(s.figures) for s in deck.slides)
    assert parsed.external == []
    assert "<script src=" not in text
    assert parsed.inline_script_chars > 1_000_000  # plotly.js itself is inline
    assert "ArrowRight" in text and "ArrowLeft" in text
    assert parsed.meta["nlf-data-as-of"] == "2026-10-01"
    assert parsed.meta["nlf-plan-version"].startswith("plan version")
    assert parsed.meta["nlf-illustrative"] == "yes"
    assert parsed.meta["nlf-app-version"] == deck.stamp.app_version
    assert ILLUSTRATIVE_NOTICE in text


def test_without_chromium_image_packs_say_what_to_install_and_html_works(
    deck, monkeypatch, tmp_path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    assert export.chromium_path() is None
    for fmt in ("pptx", "pdf"):
        with pytest.raises(export.ExportError, match="apt-get install chromium"):
            export.export_deck(deck, fmt)
    assert export.export_deck(deck, "html").startswith(b"<!DOCTYPE html>")
