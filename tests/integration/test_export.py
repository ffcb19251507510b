"""Board packs open and hold the deck: PPTX read back with python-pptx, PDF pages counted,
HTML parsed; every pack stamped; without Chromium image packs fail clearly, HTML still works."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import date
from html.parser import HTMLParser

import pandas as pd
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
    fresh = dataclasses.replace(deck)  # a deck whose charts were never drawn
    for fmt in ("pptx", "pdf"):
        with pytest.raises(export.ExportError, match="apt-get install chromium"):
            export.export_deck(fresh, fmt)
    assert export.export_deck(fresh, "html").startswith(b"<!DOCTYPE html>")


# --------------------------------------------------------------------------- issue 12


def test_the_second_format_reuses_the_charts_drawn_for_the_first(
    deck, monkeypatch, tmp_path
) -> None:
    """PowerPoint first draws the charts once; the PDF of the same deck then needs no
    browser at all (shown by taking Chromium away), and both carry the same images."""
    fresh = dataclasses.replace(deck)
    assert export.cached_images(fresh) is None
    messages: list[tuple[float, str]] = []
    pptx = export.export_deck(fresh, "pptx", lambda f, t: messages.append((f, t)))
    drawn = export.cached_images(fresh)
    assert drawn is not None and sorted(drawn) == [
        i for i, s in enumerate(fresh.slides) if s.figures
    ]
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    assert export.chromium_path() is None
    pdf = export.export_deck(fresh, "pdf")
    assert pdf.startswith(b"%PDF") and _pdf_pages(pdf) == len(fresh.slides)
    prs = Presentation(io.BytesIO(pptx))
    blobs = {
        i: next(s.image.blob for s in ppt.shapes if s.shape_type == 13)
        for i, ppt in enumerate(prs.slides)
        if any(s.shape_type == 13 for s in ppt.shapes)
    }
    assert blobs == drawn
    # The progress named every slide, in order, and only moved forward.
    fractions = [f for f, _ in messages]
    assert fractions == sorted(fractions) and fractions[0] >= 0 and fractions[-1] <= 1
    for i, slide in enumerate(fresh.slides):
        assert any(f"slide {i + 1} of {len(fresh.slides)}: {slide.title}" in t for _, t in messages)


def test_render_images_reports_each_chart_by_its_slide(deck) -> None:
    fresh = dataclasses.replace(deck)
    messages: list[str] = []
    images = export.render_images(fresh, lambda f, t: messages.append(t))
    for index in images:
        assert any(f"slide {index + 1}: {fresh.slides[index].title}" in m for m in messages)
    again: list[str] = []
    assert export.render_images(fresh, lambda f, t: again.append(t)) is images
    assert again == ["Charts already drawn for this deck"]


def test_charts_are_drawn_even_when_the_caller_runs_an_event_loop(deck) -> None:
    """A host with its own event loop in this thread (Playwright's sync API in the browser
    tests, an async server) must not stop a pack: asyncio.run refuses to nest."""
    import asyncio
    import concurrent.futures

    fresh = dataclasses.replace(deck)

    async def inside_a_loop() -> dict:
        return export.render_images(fresh)

    # The loop is started on a thread of the test's own, since this thread may already run
    # one (Playwright's, when browser tests ran earlier in the session).
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        images = pool.submit(asyncio.run, inside_a_loop()).result()
    assert images and all(png[:8] == b"\x89PNG\r\n\x1a\n" for png in images.values())


# --------------------------------------------------------------------------- issue 18


def test_pdf_has_title_language_and_a_bookmark_per_slide(deck, images) -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(export.to_pdf(deck, images)))
    assert reader.metadata.title == deck.title
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"]
    outline = reader.outline
    assert [o.title for o in outline] == [
        f"{i}. {s.title}" for i, s in enumerate(deck.slides, start=1)
    ]
    assert [reader.get_destination_page_number(o) for o in outline] == list(range(len(deck.slides)))


def test_pdf_tables_read_in_order_with_whole_words(deck, images) -> None:
    """Text extraction (what a screen reader gets) reads the summary table's header left to
    right, then its rows in order; no header word is split across lines."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(export.to_pdf(deck, images)))
    for i, slide in enumerate(deck.slides):
        if not slide.tables:
            continue
        text = reader.pages[i].extract_text()
        words = text.split()
        table = slide.tables[0].data
        for col in table.columns:
            for word in str(col).split():
                assert word in words, (slide.key, word)
        if slide.kind == "summary":
            # The header from left to right, then each row's measure, in the table's order.
            at = text.index(f"\n{table.columns[0]}\n")
            for value in [*table.columns[1:], *table["Measure"]]:
                at = text.index(str(value), at + 1)


def test_icons_are_drawn_beside_their_words_in_every_pack(deck, images) -> None:
    summary_index = deck.kinds().index("summary")
    table = deck.slides[summary_index].tables[0]
    refs = [table.icon(i, c) for i in range(len(table.data)) for c in table.data.columns]
    labels = [r for r in refs if r]
    assert labels, "the summary names its icons"
    # PowerPoint: one named shape group per icon, the words still in the cell.
    prs = Presentation(io.BytesIO(export.to_pptx(deck, images)))
    groups = [s for s in prs.slides[summary_index].shapes if s.shape_type == 6]
    assert len(groups) == len(labels)
    assert all(g.name.startswith("MDC icon: ") for g in groups)
    cells = next(s for s in prs.slides[summary_index].shapes if s.has_table).table
    assert cells.cell(1, list(table.data.columns).index("Variation")).text == str(
        table.data["Variation"].iloc[0]
    )
    # HTML: inline SVG named by the words.
    html = export.to_html(deck).decode()
    assert html.count("class='nlf-mdc-icon'") >= len(labels)
    assert 'aria-label="Special-cause' in html or 'aria-label="Common-cause' in html


# --------------------------------------------------------------------------- issue 15

HOSTILE = 'Mallory ![t](http://127.0.0.1:9/track.png) <a href="http://127.0.0.1:9/x">x</a> *b*'


def _hostile_deck(deck):
    """The deck with people's text in every slide field and the stamp."""
    from nlf_planner.deck import SlideTable

    slide = dataclasses.replace(
        deck.slides[1],
        title=f"Summary {HOSTILE}",
        subtitle=HOSTILE,
        bullets=(HOSTILE,),
        notes=HOSTILE,
        tables=(SlideTable(pd.DataFrame({"Name": [HOSTILE]}), caption=HOSTILE),),
    )
    stamp = dataclasses.replace(deck.stamp, plan_version=HOSTILE, scenarios=(HOSTILE,))
    return dataclasses.replace(deck, slides=(deck.slides[0], slide), stamp=stamp)


def test_the_html_pack_shows_peoples_text_as_typed_never_as_markup(deck) -> None:
    html = export.to_html(_hostile_deck(deck)).decode()
    assert '<a href="http://127.0.0.1:9' not in html
    assert "<a href=" not in html.split("<script>")[0]  # no link in the markup before plotly.js
    assert "&lt;a href=&quot;http://127.0.0.1:9/x&quot;&gt;" in html or "&lt;a href=" in html
    parsed = _Deck()
    parsed.feed(html)
    assert parsed.external == []  # nothing fetched from the tracking address
