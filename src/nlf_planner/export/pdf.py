"""The PDF pack (reportlab): the deck's slides on landscape 16:9 pages, one per page, with
the same chart images and layout as the PowerPoint."""

from __future__ import annotations

import html
import io

from nlf_planner.charts.theme import (
    NHS_BLACK,
    NHS_BLUE,
    NHS_DARK_BLUE,
    NHS_DARK_GREY,
    NHS_PALE_GREY,
    NHS_WHITE,
)
from nlf_planner.deck import Deck, Slide, SlideTable
from nlf_planner.export.images import render_images
from nlf_planner.export.layout import (
    BAND_H,
    FOOTER_H,
    MARGIN,
    SLIDE_H,
    SLIDE_W,
    TITLE_H,
    Box,
    column_weights,
    layout,
    text_size,
)


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
    boxes = layout(slide)

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
            size = text_size(lines, boxes["text"]) - 1
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
    widths = [box.width * inch * w for w in column_weights(data)]
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
