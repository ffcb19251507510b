"""Board packs from one :class:`~nlf_planner.deck.Deck`: PowerPoint, PDF and offline HTML.

- PowerPoint (python-pptx): one slide per deck slide, titles in title placeholders and speaker
  notes as real text, tables as native tables, charts as high-resolution PNGs.
- PDF (reportlab): the same slides on landscape 16:9 pages, one per page, same PNGs.
- HTML: one self-contained file (plotly.js inline, no network), interactive charts, arrow-key
  navigation, speaker notes on "N".

Chart images come from plotly + kaleido, which drives a local Chromium. All charts of a pack
are drawn under one kaleido sync server (starting a browser costs seconds; each image after
that a fraction of one). Without Chromium the image-based formats fail with
:class:`ExportError` naming what to install; HTML needs no browser.

Every pack is stamped with the data as-of date, plan version, scenarios, app version and,
when it applies, the illustrative-data notice (``Deck.stamp``).

Pure rendering: the deck comes from the board-deck service; the command line that writes a
pack from the database is ``python -m nlf_planner.cli.export`` (:mod:`nlf_planner.cli.export`).
"""

from __future__ import annotations

import html
import io
import math
import os
import shutil
import tempfile
import threading
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from nlf_planner.charts.theme import (
    NHS_BLACK,
    NHS_BLUE,
    NHS_DARK_BLUE,
    NHS_DARK_GREY,
    NHS_PALE_GREY,
    NHS_WHITE,
)
from nlf_planner.deck import Deck, Slide, SlideTable

FORMATS = ("pptx", "pdf", "html")
MIME = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "html": "text/html",
}
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = (
    "PowerPoint and PDF packs draw their charts with a Chromium browser, and none was found. "
    "Install it with `apt-get install chromium` (Debian/Ubuntu; `make chromium` does this), "
    "or set BROWSER_PATH to a Chrome or Chromium executable. The HTML pack works without it."
)

# Slide geometry in inches (16:9) and image resolution.
SLIDE_W, SLIDE_H = 13.333, 7.5
MARGIN = 0.45
BAND_H = 1.0
TITLE_H = 0.8
FOOTER_H = 0.35
PX_PER_IN = 120
IMAGE_SCALE = 2
KALEIDO_TABS = 2  # parallel tabs in the one Chromium that draws a batch

_KALEIDO_LOCK = threading.Lock()


class ExportError(RuntimeError):
    """An export that cannot be made, with a message fit to show a user."""


# --------------------------------------------------------------------------- chart images


def chromium_path() -> str | None:
    """The Chromium kaleido will use: BROWSER_PATH if it exists, else one on PATH."""
    env = os.environ.get("BROWSER_PATH")
    if env and Path(env).exists():
        return env
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def images_available() -> bool:
    return chromium_path() is not None


@dataclass(frozen=True)
class Box:
    """A rectangle on the slide, in inches."""

    left: float
    top: float
    width: float
    height: float


def _layout(slide: Slide) -> dict[str, Box]:
    """Where the text, table and chart go; shared by PowerPoint and PDF so they match."""
    top = BAND_H + (0.6 if slide.subtitle else 0.2)
    bottom = SLIDE_H - FOOTER_H - 0.15
    full_w = SLIDE_W - 2 * MARGIN
    boxes: dict[str, Box] = {}
    if slide.kind == "title":
        return {"text": Box(MARGIN + 0.3, 3.3, full_w - 0.6, bottom - 3.3)}
    if slide.figures and slide.kind == "exception":
        table_h = 0.62 if slide.tables else 0.0
        if table_h:
            boxes["table"] = Box(MARGIN, top, full_w, table_h)
        chart_top = top + table_h + 0.1
        chart_w = full_w * 0.64
        boxes["figure"] = Box(MARGIN, chart_top, chart_w, bottom - chart_top)
        boxes["text"] = Box(
            MARGIN + chart_w + 0.2, chart_top, full_w - chart_w - 0.2, bottom - chart_top
        )
        return boxes
    if slide.figures:
        text_h = 0.9 if slide.narrative else 0.0
        boxes["figure"] = Box(MARGIN, top, full_w, bottom - top - text_h)
        if text_h:
            boxes["text"] = Box(MARGIN, bottom - text_h + 0.05, full_w, text_h - 0.05)
        return boxes
    if slide.tables:
        n_bullets = len(slide.bullets)
        text_h = min(1.5, 0.38 * n_bullets + 0.1) if n_bullets else 0.0
        if text_h:
            boxes["text"] = Box(MARGIN, top, full_w, text_h)
        boxes["table"] = Box(MARGIN, top + text_h + 0.05, full_w, bottom - top - text_h - 0.05)
        return boxes
    boxes["text"] = Box(MARGIN, top, full_w, bottom - top)
    return boxes


def _figure_jobs(deck: Deck) -> list[tuple[int, go.Figure, Box]]:
    jobs = []
    for i, slide in enumerate(deck.slides):
        if slide.figures:
            jobs.append((i, slide.figures[0], _layout(slide)["figure"]))
    return jobs


def render_images(deck: Deck) -> dict[int, bytes]:
    """PNG bytes for each slide's chart (keyed by slide index), drawn in one batch by one
    kaleido server (one Chromium, a few tabs in parallel)."""
    jobs = _figure_jobs(deck)
    if not jobs:
        return {}
    path = chromium_path()
    if path is None:
        raise ExportError(INSTALL_HINT)
    os.environ["BROWSER_PATH"] = path
    import kaleido

    with (
        _KALEIDO_LOCK,
        warnings.catch_warnings(),
        tempfile.TemporaryDirectory(prefix="nlf-charts-") as tmp,
    ):
        warnings.simplefilter("ignore")
        specs = [_image_spec(fig, box, Path(tmp) / f"{index}.png") for index, fig, box in jobs]
        try:
            kaleido.start_sync_server(n=min(KALEIDO_TABS, len(jobs)), silence_warnings=True)
        except Exception as exc:  # noqa: BLE001 - the browser could not start
            raise ExportError(f"The chart renderer could not start Chromium: {exc}") from exc
        try:
            kaleido.write_fig_from_object_sync(specs)
        except Exception as exc:  # noqa: BLE001 - surface as a plain message
            raise ExportError(f"The charts could not be drawn as images: {exc}") from exc
        finally:
            kaleido.stop_sync_server(silence_warnings=True)
        out = {}
        for index, _, _ in jobs:
            file = Path(tmp) / f"{index}.png"
            if not file.exists():
                raise ExportError(f"The chart on slide {index + 1} could not be drawn.")
            out[index] = file.read_bytes()
    return out


def _image_spec(fig: go.Figure, box: Box, path: Path) -> dict:
    width = int(box.width * PX_PER_IN)
    height = int(box.height * PX_PER_IN)
    figure = go.Figure(fig)
    figure.update_layout(width=width, height=height, autosize=False)
    return {
        "fig": figure.to_dict(),
        "path": str(path),
        "opts": {"format": "png", "width": width, "height": height, "scale": IMAGE_SCALE},
    }


# --------------------------------------------------------------------------- PowerPoint


def _rgb(hex_colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def to_pptx(deck: Deck, images: dict[int, bytes] | None = None) -> bytes:
    """A .pptx with one slide per deck slide; charts need Chromium (see :func:`render_images`)."""
    from pptx import Presentation
    from pptx.util import Inches

    images = render_images(deck) if images is None else images
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    props = prs.core_properties
    props.title = deck.title
    props.author = "NLF Planner"
    props.subject = deck.stamp.footer()[:255]
    props.comments = "\n".join(deck.stamp.lines()[:-1])[:255]
    props.keywords = "board report; SPC; Making Data Count"
    for i, slide in enumerate(deck.slides):
        _pptx_slide(prs, deck, i, slide, images.get(i))
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def _text(frame, lines: Iterable[str], size: float, colour: str = NHS_BLACK, bold=False) -> None:
    from pptx.util import Pt

    frame.word_wrap = True
    first = True
    for line in lines:
        p = frame.paragraphs[0] if first else frame.add_paragraph()
        first = False
        run = p.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.name = "Arial"
        run.font.color.rgb = _rgb(colour)
        p.space_after = Pt(size * 0.4)


def _pptx_slide(prs, deck: Deck, index: int, slide: Slide, image: bytes | None) -> None:
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches, Pt

    is_title = slide.kind == "title"
    s = prs.slides.add_slide(prs.slide_layouts[0 if is_title else 5])
    boxes = _layout(slide)
    title = s.shapes.title
    if is_title:
        s.background.fill.solid()
        s.background.fill.fore_color.rgb = _rgb(NHS_BLUE)
        title.left, title.top = Inches(MARGIN + 0.3), Inches(0.9)
        title.width, title.height = Inches(SLIDE_W - 2 * MARGIN - 0.6), Inches(1.6)
        title.text = slide.title
        _style_title(title, 36, NHS_WHITE)
        sub = s.placeholders[1]
        sub.left, sub.top = Inches(MARGIN + 0.3), Inches(2.5)
        sub.width, sub.height = Inches(SLIDE_W - 2 * MARGIN - 0.6), Inches(0.7)
        sub.text = slide.subtitle
        _style_title(sub, 20, NHS_WHITE, bold=False)
        box = boxes["text"]
        tb = s.shapes.add_textbox(
            Inches(box.left), Inches(box.top), Inches(box.width), Inches(box.height)
        )
        _text(tb.text_frame, slide.bullets, 16, NHS_WHITE)
    else:
        band = s.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, prs.slide_width, Inches(BAND_H))
        band.fill.solid()
        band.fill.fore_color.rgb = _rgb(NHS_BLUE)
        band.line.fill.background()
        band.shadow.inherit = False
        # Keep the band behind the title placeholder.
        s.shapes._spTree.remove(band._element)
        s.shapes._spTree.insert(2, band._element)
        title.left, title.top = Inches(MARGIN), Inches(0.1)
        title.width, title.height = Inches(SLIDE_W - 2 * MARGIN), Inches(TITLE_H)
        title.text = slide.title
        _style_title(title, 26 if len(slide.title) < 70 else 22, NHS_WHITE)
        if slide.subtitle:
            sub = s.shapes.add_textbox(
                Inches(MARGIN), Inches(BAND_H + 0.05), Inches(SLIDE_W - 2 * MARGIN),
                Inches(0.45),
            )  # fmt: skip
            _text(sub.text_frame, [slide.subtitle], 15, NHS_DARK_GREY, bold=True)
        if "table" in boxes and slide.tables:
            _pptx_table(s, slide.tables[0], boxes["table"])
        if "figure" in boxes and image is not None:
            box = boxes["figure"]
            pic = s.shapes.add_picture(
                io.BytesIO(image), Inches(box.left), Inches(box.top), Inches(box.width),
                Inches(box.height),
            )  # fmt: skip
            pic._element.nvPicPr.cNvPr.set("descr", slide.narrative[:1000])
        if "text" in boxes:
            box = boxes["text"]
            tb = s.shapes.add_textbox(
                Inches(box.left), Inches(box.top), Inches(box.width), Inches(box.height)
            )
            lines = slide.bullets if slide.kind != "benchmark" else (slide.narrative,)
            if slide.figures and slide.kind not in ("exception",):
                lines = (slide.narrative,)
            if slide.kind == "closing":
                lines = (*slide.bullets, *deck.stamp.lines()[:-1])
            _text(tb.text_frame, lines, _text_size(lines, box))
    footer = s.shapes.add_textbox(
        Inches(MARGIN), Inches(SLIDE_H - FOOTER_H - 0.05), Inches(SLIDE_W - 2 * MARGIN - 0.8),
        Inches(FOOTER_H),
    )  # fmt: skip
    colour = NHS_WHITE if is_title else NHS_DARK_GREY
    _text(footer.text_frame, [deck.stamp.footer()], _footer_size(deck.stamp.footer()), colour)
    number = s.shapes.add_textbox(
        Inches(SLIDE_W - MARGIN - 0.8), Inches(SLIDE_H - FOOTER_H - 0.05), Inches(0.8),
        Inches(FOOTER_H),
    )  # fmt: skip
    _text(number.text_frame, [f"{index + 1} / {len(deck.slides)}"], 10, colour)
    number.text_frame.paragraphs[0].runs[0].font.size = Pt(10)
    notes = slide.notes or slide.narrative
    s.notes_slide.notes_text_frame.text = f"{notes}\n\n{deck.stamp.footer()}"


def _text_size(lines: Iterable[str], box: Box, largest: int = 16, smallest: int = 9) -> int:
    """The largest font size (points) at which the lines, wrapped, fit the text box."""
    lines = list(lines)
    for size in range(largest, smallest - 1, -1):
        per_line = max(int(box.width * 72 / (size * 0.5)), 1)
        rows = sum(math.ceil(max(len(t), 1) / per_line) for t in lines)
        height = (rows * 1.2 + len(lines) * 0.4) * size / 72
        if height <= box.height:
            return size
    return smallest


def _footer_size(text: str) -> float:
    """Keep the stamp on one line above the slide's bottom edge (about 0.47 em a character)."""
    room_pt = (SLIDE_W - 2 * MARGIN - 0.8) * 72
    return max(6.0, min(9.0, room_pt / (max(len(text), 1) * 0.47)))


def _style_title(shape, size: int, colour: str, bold: bool = True) -> None:
    from pptx.util import Pt

    for p in shape.text_frame.paragraphs:
        for run in p.runs:
            run.font.size = Pt(size)
            run.font.bold = bold
            run.font.name = "Arial"
            run.font.color.rgb = _rgb(colour)
    shape.text_frame.word_wrap = True


def _column_weights(data: pd.DataFrame) -> list[float]:
    """Share of the table width per column, by its longest text (bounded both ways)."""
    weights = []
    for col in data.columns:
        longest = max([len(str(col))] + [len(str(v)) for v in data[col].head(40)])
        weights.append(min(max(longest, 7), 55))
    total = sum(weights)
    return [w / total for w in weights]


def _row_heights(data: pd.DataFrame, width: float, size: float) -> list[float]:
    """Estimated height (inches) of each row, header first, with text wrapped at ``size``."""
    char_w = size * 0.47 / 72  # Arial averages a little under half an em per character
    line_h = size * 1.2 / 72
    widths = [max(width * w - 0.1, 0.2) for w in _column_weights(data)]
    heights = []
    for row in [list(map(str, data.columns)), *data.astype(str).values.tolist()]:
        lines = max(
            math.ceil(max(len(v), 1) * char_w / w) for v, w in zip(row, widths, strict=True)
        )
        heights.append(lines * line_h + 0.08)
    return heights


def _font_size(data: pd.DataFrame, box: Box, largest: int = 16, smallest: int = 7) -> int:
    """The largest font size at which the table fits its box."""
    for size in range(largest, smallest - 1, -1):
        if sum(_row_heights(data, box.width, size)) <= box.height:
            return size
    return smallest


def _pptx_table(s, table: SlideTable, box: Box) -> None:
    from pptx.util import Inches

    data = table.data.astype(str)
    n_rows, n_cols = len(data) + 1, len(data.columns)
    size = _font_size(data, box)
    heights = _row_heights(data, box.width, size)
    shape = s.shapes.add_table(
        n_rows, n_cols, Inches(box.left), Inches(box.top), Inches(box.width),
        Inches(sum(heights)),
    )  # fmt: skip
    t = shape.table
    for j, w in enumerate(_column_weights(data)):
        t.columns[j].width = Inches(box.width * w)
    for i, h in enumerate(heights):
        t.rows[i].height = Inches(h)
    fills = table.fills
    for j, col in enumerate(data.columns):
        _cell(t.cell(0, j), str(col), size, NHS_WHITE, NHS_DARK_BLUE, bold=True)
        for i, value in enumerate(data[col], start=1):
            fill = ""
            if fills is not None and col in fills.columns and i - 1 < len(fills):
                fill = str(fills[col].iloc[i - 1] or "")
            bg = fill or (NHS_WHITE if i % 2 else "#F5F7F8")
            _cell(t.cell(i, j), value, size, NHS_BLACK, bg)


def _cell(cell, text: str, size: int, colour: str, fill: str, bold: bool = False) -> None:
    from pptx.util import Inches, Pt

    cell.text = text
    cell.fill.solid()
    cell.fill.fore_color.rgb = _rgb(fill)
    cell.margin_left = cell.margin_right = Inches(0.05)
    cell.margin_top = cell.margin_bottom = Inches(0.02)
    for p in cell.text_frame.paragraphs:
        for run in p.runs:
            run.font.size = Pt(size)
            run.font.bold = bold
            run.font.name = "Arial"
            run.font.color.rgb = _rgb(colour)


# --------------------------------------------------------------------------- PDF


def to_pdf(deck: Deck, images: dict[int, bytes] | None = None) -> bytes:
    """Landscape 16:9 pages, one per slide, laid out like the PowerPoint."""
    from reportlab.lib.pagesizes import inch
    from reportlab.pdfgen.canvas import Canvas

    images = render_images(deck) if images is None else images
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(SLIDE_W * inch, SLIDE_H * inch), pageCompression=1)
    c.setTitle(deck.title)
    c.setAuthor("NLF Planner")
    c.setSubject(deck.stamp.footer())
    c.setKeywords(["board report", "SPC", "Making Data Count"])
    c.setCreator("NLF Planner " + deck.stamp.app_version)
    for i, slide in enumerate(deck.slides):
        _pdf_page(c, deck, i, slide, images.get(i))
        c.showPage()
    c.save()
    return buf.getvalue()


def _pdf_text(text: str) -> str:
    """Escape for reportlab paragraphs and keep to characters the built-in fonts draw."""
    safe = text.encode("cp1252", errors="replace").decode("cp1252")
    return html.escape(safe)


def _pdf_page(c, deck: Deck, index: int, slide: Slide, image: bytes | None) -> None:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import inch
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Frame, Paragraph

    h = SLIDE_H * inch
    boxes = _layout(slide)

    def frame(box: Box, flowables: list) -> None:
        f = Frame(
            box.left * inch, h - (box.top + box.height) * inch, box.width * inch,
            box.height * inch, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
        )  # fmt: skip
        f.addFromList(flowables, c)

    def style(size: float, colour: str, bold: bool = False) -> ParagraphStyle:
        return ParagraphStyle(
            "s", fontName="Helvetica-Bold" if bold else "Helvetica", fontSize=size,
            leading=size * 1.25, textColor=HexColor(colour), spaceAfter=size * 0.45,
        )  # fmt: skip

    is_title = slide.kind == "title"
    if is_title:
        c.setFillColor(HexColor(NHS_BLUE))
        c.rect(0, 0, SLIDE_W * inch, h, stroke=0, fill=1)
        frame(
            Box(MARGIN + 0.3, 0.9, SLIDE_W - 2 * MARGIN - 0.6, 2.3),
            [
                Paragraph(_pdf_text(slide.title), style(34, NHS_WHITE, True)),
                Paragraph(_pdf_text(slide.subtitle), style(19, NHS_WHITE)),
            ],
        )
        frame(boxes["text"], [Paragraph(_pdf_text(b), style(15, NHS_WHITE)) for b in slide.bullets])
    else:
        c.setFillColor(HexColor(NHS_BLUE))
        band_h = BAND_H * inch
        c.rect(0, h - band_h, SLIDE_W * inch, band_h, stroke=0, fill=1)
        size = 24 if len(slide.title) < 70 else 20
        frame(
            Box(MARGIN, 0.2, SLIDE_W - 2 * MARGIN, TITLE_H),
            [Paragraph(_pdf_text(slide.title), style(size, NHS_WHITE, True))],
        )
        if slide.subtitle:
            frame(
                Box(MARGIN, BAND_H + 0.12, SLIDE_W - 2 * MARGIN, 0.42),
                [Paragraph(_pdf_text(slide.subtitle), style(14, NHS_DARK_GREY, True))],
            )
        if "table" in boxes and slide.tables:
            _pdf_table(c, slide.tables[0], boxes["table"])
        if "figure" in boxes and image is not None:
            box = boxes["figure"]
            c.drawImage(
                ImageReader(io.BytesIO(image)), box.left * inch, h - (box.top + box.height) * inch,
                box.width * inch, box.height * inch, preserveAspectRatio=True, anchor="n",
            )  # fmt: skip
        if "text" in boxes:
            lines = list(slide.bullets)
            if slide.figures and slide.kind != "exception":
                lines = [slide.narrative]
            if slide.kind == "closing":
                lines = [*slide.bullets, *deck.stamp.lines()[:-1]]
            size = _text_size(lines, boxes["text"]) - 1
            frame(boxes["text"], [Paragraph(_pdf_text(t), style(size, NHS_BLACK)) for t in lines])
    colour = HexColor(NHS_WHITE if is_title else NHS_DARK_GREY)
    c.setFillColor(colour)
    stamp = _pdf_plain(deck.stamp.footer())
    room = (SLIDE_W - 2 * MARGIN - 0.9) * inch
    size = 8.5
    while size > 5 and c.stringWidth(stamp, "Helvetica", size) > room:
        size -= 0.5
    c.setFont("Helvetica", size)
    c.drawString(MARGIN * inch, (FOOTER_H - 0.1) * inch, stamp)
    c.setFont("Helvetica", 10)
    c.drawRightString(
        (SLIDE_W - MARGIN) * inch, (FOOTER_H - 0.1) * inch, f"{index + 1} / {len(deck.slides)}"
    )


def _pdf_plain(text: str) -> str:
    return text.encode("cp1252", errors="replace").decode("cp1252")


def _pdf_table(c, table: SlideTable, box: Box) -> None:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import inch
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle

    data = table.data.astype(str)
    widths = [box.width * inch * w for w in _column_weights(data)]
    commands = [
        ("BACKGROUND", (0, 0), (-1, 0), HexColor(NHS_DARK_BLUE)),
        ("GRID", (0, 0), (-1, -1), 0.4, HexColor(NHS_PALE_GREY)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    fills = table.fills
    if fills is not None:
        for j, col in enumerate(data.columns):
            if col not in fills.columns:
                continue
            for i, value in enumerate(fills[col].tolist()[: len(data)], start=1):
                if value:
                    commands.append(("BACKGROUND", (j, i), (j, i), HexColor(str(value))))
    size = 16
    while True:
        cell_style = ParagraphStyle("c", fontName="Helvetica", fontSize=size, leading=size * 1.15)
        head_style = ParagraphStyle(
            "h", parent=cell_style, fontName="Helvetica-Bold", textColor=HexColor(NHS_WHITE)
        )
        rows = [[Paragraph(_pdf_text(str(col)), head_style) for col in data.columns]]
        for _, r in data.iterrows():
            rows.append([Paragraph(_pdf_text(v), cell_style) for v in r])
        t = Table(rows, colWidths=widths, repeatRows=1)
        t.setStyle(TableStyle(commands))
        _, height = t.wrap(box.width * inch, box.height * inch)
        if height <= box.height * inch or size <= 6:
            break
        size -= 1
    t.drawOn(c, box.left * inch, (SLIDE_H - box.top) * inch - height)


# --------------------------------------------------------------------------- HTML

_HTML_CSS = """
*{box-sizing:border-box}
html,body{margin:0;height:100%;font-family:Arial,Helvetica,sans-serif;color:#231F20;background:#fff}
.slide{display:none;position:absolute;inset:0 0 3rem 0;padding:0 3vw 1vh;overflow:auto}
.slide.active{display:block}
.slide header{background:#005EB8;color:#fff;margin:0 -3vw 1.2vh;padding:1.6vh 3vw}
.slide h1{font-size:clamp(1.4rem,2.6vw,2.6rem);margin:0}
.slide .subtitle{font-weight:bold;color:#fff;font-size:clamp(1rem,1.5vw,1.5rem);margin:.4em 0 0}
.slide.title{background:#005EB8;color:#fff}
.slide.title header{margin-top:18vh;padding-top:0}
.slide.title h1{font-size:clamp(2rem,4vw,3.6rem)}
.slide.title .subtitle{color:#fff}
.slide ul{font-size:clamp(1rem,1.45vw,1.5rem);line-height:1.45}
.slide .body{display:flex;gap:2vw;align-items:flex-start}
.slide .body .chart{flex:2 1 0;min-width:0}
.slide .body .text{flex:1 1 0}
.chart .plot{width:100%;height:62vh}
table{border-collapse:collapse;font-size:clamp(.75rem,1vw,1.05rem);width:100%;margin:.5em 0}
th{background:#003087;color:#fff;text-align:left;padding:.3em .4em}
td{border:1px solid #E8EDEE;padding:.25em .4em}
caption{caption-side:bottom;text-align:left;color:#425563;padding:.3em 0}
.notes{display:none;border-top:2px solid #005EB8;margin-top:1em;padding:.6em;background:#F0F4F5;
  font-size:1.05rem}
body.show-notes .notes{display:block}
nav{position:fixed;left:0;right:0;bottom:0;height:3rem;display:flex;align-items:center;gap:1rem;
  padding:0 1rem;background:#E8EDEE;font-size:.95rem}
nav button{font-size:1.1rem;padding:.2rem .9rem;border:2px solid #005EB8;background:#fff;
  color:#005EB8;border-radius:4px;cursor:pointer}
nav button:focus{outline:3px solid #FFB81C}
nav .stamp{flex:1;color:#425563;font-size:.8rem}
@media print{nav{display:none}.slide{display:block!important;position:static;
  page-break-after:always;height:auto}}
"""

_HTML_JS = """
(function(){
  var slides=[].slice.call(document.querySelectorAll('.slide'));
  var counter=document.getElementById('counter');
  var current=0;
  function show(i){
    if(i<0||i>=slides.length)return;
    slides[current].classList.remove('active');
    current=i;slides[i].classList.add('active');
    counter.textContent=(i+1)+' / '+slides.length;
    if(location.hash!=='#'+(i+1))history.replaceState(null,'','#'+(i+1));
    slides[i].querySelectorAll('.js-plotly-plot').forEach(function(p){
      if(window.Plotly){Plotly.Plots.resize(p);}
    });
  }
  window.deckShow=show;
  window.deckCurrent=function(){return current;};
  document.getElementById('prev').onclick=function(){show(current-1);};
  document.getElementById('next').onclick=function(){show(current+1);};
  document.getElementById('notes').onclick=function(){document.body.classList.toggle('show-notes');};
  document.addEventListener('keydown',function(e){
    var k=e.key;
    if(k==='ArrowRight'||k==='PageDown'||k===' '){show(current+1);e.preventDefault();}
    else if(k==='ArrowLeft'||k==='PageUp'){show(current-1);e.preventDefault();}
    else if(k==='Home'){show(0);}
    else if(k==='End'){show(slides.length-1);}
    else if(k==='n'||k==='N'){document.body.classList.toggle('show-notes');}
  });
  var start=parseInt((location.hash||'#1').slice(1),10);
  slides[0].classList.add('active');
  show(isNaN(start)?0:Math.min(Math.max(start-1,0),slides.length-1));
})();
"""


def _html_table(table: SlideTable) -> str:
    data = table.data.astype(str)
    fills = table.fills
    head = "".join(f"<th scope='col'>{html.escape(str(c))}</th>" for c in data.columns)
    body = []
    for i in range(len(data)):
        cells = []
        for col in data.columns:
            fill = ""
            if fills is not None and col in fills.columns and i < len(fills):
                fill = str(fills[col].iloc[i] or "")
            style = f" style='background:{html.escape(fill)}'" if fill else ""
            cells.append(f"<td{style}>{html.escape(data[col].iloc[i])}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    caption = f"<caption>{html.escape(table.caption)}</caption>" if table.caption else ""
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _html_slide(deck: Deck, i: int, slide: Slide) -> str:
    parts = [
        f"<section class='slide {slide.kind}' id='slide-{i + 1}' data-kind='{slide.kind}' "
        f"data-key='{html.escape(slide.key)}' aria-label='Slide {i + 1} of {len(deck.slides)}'>",
        f"<header><h1>{html.escape(slide.title)}</h1>",
    ]
    if slide.subtitle:
        parts.append(f"<p class='subtitle'>{html.escape(slide.subtitle)}</p>")
    parts.append("</header>")
    for t in slide.tables:
        parts.append(_html_table(t))
    bullets = list(slide.bullets)
    if slide.kind == "closing":
        bullets += deck.stamp.lines()[:-1]
    text = "<ul>" + "".join(f"<li>{html.escape(b)}</li>" for b in bullets) + "</ul>"
    if slide.figures:
        charts = "".join(
            pio.to_html(
                fig,
                full_html=False,
                include_plotlyjs=False,
                config={"displaylogo": False, "responsive": True},
                default_width="100%",
                default_height="62vh",
                div_id=f"chart-{i + 1}-{k}",
            )
            for k, fig in enumerate(slide.figures)
        )
        side = text if slide.bullets else f"<p>{html.escape(slide.narrative)}</p>"
        parts.append(f"<div class='body'><div class='chart'>{charts}</div>")
        parts.append(f"<div class='text'>{side}</div></div>")
    elif bullets:
        parts.append(text)
    if slide.notes:
        parts.append(f"<aside class='notes'><strong>Notes.</strong> {html.escape(slide.notes)}")
        parts.append("</aside>")
    parts.append("</section>")
    return "".join(parts)


def to_html(deck: Deck) -> bytes:
    """One self-contained HTML file: plotly.js inline, keyboard navigation, no network."""
    from plotly.offline import get_plotlyjs

    stamp = deck.stamp
    meta = "".join(
        f"<meta name='{n}' content='{html.escape(v)}'>"
        for n, v in (
            ("nlf-data-as-of", stamp.data_as_of.isoformat() if stamp.data_as_of else ""),
            ("nlf-plan-version", stamp.plan_version),
            ("nlf-scenarios", "; ".join(stamp.scenarios)),
            ("nlf-app-version", stamp.app_version),
            ("nlf-illustrative", "yes" if stamp.illustrative else "no"),
        )
    )
    slides = "".join(_html_slide(deck, i, s) for i, s in enumerate(deck.slides))
    doc = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(deck.title)}</title>{meta}<style>{_HTML_CSS}</style>"
        f"<script>{get_plotlyjs()}</script></head><body>"
        f"<main>{slides}</main>"
        "<nav aria-label='Slides'><button id='prev' aria-label='Previous slide'>&#8592; Back"
        "</button><span id='counter' aria-live='polite'></span><button id='next' "
        "aria-label='Next slide'>Next &#8594;</button><button id='notes'>Notes (N)</button>"
        f"<span class='stamp'>{html.escape(stamp.footer())}</span></nav>"
        f"<script>{_HTML_JS}</script></body></html>"
    )
    return doc.encode("utf-8")


# --------------------------------------------------------------------------- entry points


def export_deck(deck: Deck, fmt: str) -> bytes:
    """The deck as bytes in one format ("pptx", "pdf" or "html")."""
    if fmt == "html":
        return to_html(deck)
    if fmt == "pptx":
        return to_pptx(deck)
    if fmt == "pdf":
        return to_pdf(deck)
    raise ExportError(f"Unknown format {fmt!r}: choose one of {', '.join(FORMATS)}.")


def export_all(deck: Deck, formats: Iterable[str] = FORMATS) -> dict[str, bytes]:
    """Several formats at once, drawing each chart image only once."""
    formats = list(formats)
    images = render_images(deck) if {"pptx", "pdf"} & set(formats) else {}
    out = {}
    for fmt in formats:
        if fmt == "pptx":
            out[fmt] = to_pptx(deck, images)
        elif fmt == "pdf":
            out[fmt] = to_pdf(deck, images)
        else:
            out[fmt] = export_deck(deck, fmt)
    return out


def file_name(deck: Deck, fmt: str) -> str:
    geo = "".join(ch if ch.isalnum() else "-" for ch in deck.stamp.geography).strip("-").lower()
    when = deck.stamp.data_as_of.strftime("%Y-%m") if deck.stamp.data_as_of else "no-data"
    return f"nlf-board-pack-{geo}-{when}.{fmt}"
