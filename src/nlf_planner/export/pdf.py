"""The PDF pack (reportlab): the deck's slides on landscape 16:9 pages, one per page, with
the same chart images and layout as the PowerPoint.

For readers using assistive technology the file carries its title (shown as the window
title), its language (en-GB) and one bookmark per slide in the outline; each page is drawn
in reading order (title, subtitle, table row by row, chart, text, footer), so text
extraction reads it as a person would. Making Data Count icons are drawn as native vector
shapes beside their words (``charts.mdc_icons``).
"""

from __future__ import annotations

import html
import io

from nlf_planner.charts.mdc_icons import IconSpec, assurance_spec, variation_spec
from nlf_planner.charts.theme import (
    NHS_BLACK,
    NHS_BLUE,
    NHS_DARK_BLUE,
    NHS_DARK_GREY,
    NHS_PALE_GREY,
    NHS_WHITE,
)
from nlf_planner.deck import Deck, Slide, SlideTable
from nlf_planner.deck.icons import parse_icon_ref
from nlf_planner.export.images import Progress, pack_images, step_text
from nlf_planner.export.layout import (
    BAND_H,
    FOOTER_H,
    MARGIN,
    SLIDE_H,
    SLIDE_W,
    TITLE_H,
    Box,
    column_weights,
    font_size,
    layout,
    text_size,
)

LANGUAGE = "en-GB"


def to_pdf(
    deck: Deck, images: dict[int, bytes] | None = None, progress: Progress | None = None
) -> bytes:
    """Landscape 16:9 pages, one per slide, laid out like the PowerPoint; ``progress``
    hears of each chart drawn and each page written."""
    from reportlab import rl_config
    from reportlab.lib.pagesizes import inch
    from reportlab.pdfgen.canvas import Canvas

    images, writing = pack_images(deck, images, progress)
    buf = io.BytesIO()
    # Images go in binary (FlateDecode only): ASCII85 is pure Python here and took most of
    # the PDF's writing time, for a file a quarter larger.
    a85 = rl_config.useA85
    rl_config.useA85 = 0
    try:
        c = Canvas(buf, pagesize=(SLIDE_W * inch, SLIDE_H * inch), pageCompression=1, lang=LANGUAGE)
        c.setTitle(deck.title)
        c.setAuthor("NLF Planner")
        c.setSubject(deck.stamp.footer())
        c.setKeywords(["board report", "SPC", "Making Data Count"])
        c.setCreator("NLF Planner " + deck.stamp.app_version)
        c.setViewerPreference("DisplayDocTitle", "true")
        n = len(deck.slides)
        for i, slide in enumerate(deck.slides):
            if writing:
                writing(i / n, step_text(images, i, n, slide.title, "page"))
            key = f"slide-{i + 1}"
            c.bookmarkPage(key)
            c.addOutlineEntry(f"{i + 1}. {slide.title}", key, level=0)
            _pdf_page(c, deck, i, slide, images.get(i))
            c.showPage()
        c.showOutline()
        c.save()
    finally:
        rl_config.useA85 = a85
    return buf.getvalue()


#: Characters the pack's words use that the built-in fonts (cp1252) lack, and what they
#: print as instead of "?": Laney's p′ (prime) reads p' as NHS reports write it.
_CP1252_STAND_INS = str.maketrans(
    {"′": "'", "″": '"', "σ": "sigma ", "φ": "phi", "τ": "tau", "χ": "chi"}
)


def _cp1252(text: str) -> str:
    """Keep to characters the built-in fonts draw, with readable stand-ins first."""
    return text.translate(_CP1252_STAND_INS).encode("cp1252", errors="replace").decode("cp1252")


def _pdf_text(text: str) -> str:
    """Escape for reportlab paragraphs and keep to characters the built-in fonts draw."""
    return html.escape(_cp1252(text))


def _pdf_page(c, deck: Deck, index: int, slide: Slide, image: bytes | None) -> None:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import inch
    from reportlab.lib.styles import ParagraphStyle
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
                _image_reader(image), box.left * inch, h - (box.top + box.height) * inch,
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


def _image_reader(png: bytes):
    """The chart as an opaque RGB image: the charts have a white paper, and handing
    reportlab RGB (not RGBA, whose alpha it splits out and compares) halves its work."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    with Image.open(io.BytesIO(png)) as img:
        return ImageReader(img.convert("RGB"))


def _pdf_plain(text: str) -> str:
    return _cp1252(text)


def draw_icon(c, spec: IconSpec, x: float, y: float, size: float) -> None:
    """One Making Data Count icon as vector shapes, its lower-left corner at (x, y) points:
    the same drawing as ``charts.mdc_icons`` (a 100-unit box, y downwards)."""
    from reportlab.lib.colors import HexColor

    def px(u: float) -> float:
        return x + u * size / 100

    def py(u: float) -> float:
        return y + (100 - u) * size / 100

    c.saveState()
    ring = HexColor(spec.ring)
    c.setStrokeColor(ring)
    c.setFillColor(HexColor(spec.fill))
    c.setLineWidth(size * 0.08)
    if spec.dashed:
        c.setDash(size * 0.14, size * 0.09)
    c.circle(px(50), py(50), size * 0.44, stroke=1, fill=1)
    c.setDash()
    if spec.points:
        pts = list(zip((24, 36, 48, 60, 72), (52, 44, 54, 46, 50), strict=True))
        c.setLineWidth(size * 0.03)
        path = c.beginPath()
        path.moveTo(px(pts[0][0]), py(pts[0][1]))
        for u, v in pts[1:]:
            path.lineTo(px(u), py(v))
        c.drawPath(path, stroke=1, fill=0)
        c.setFillColor(ring)
        for u, v in pts:
            c.circle(px(u), py(v), size * 0.045, stroke=0, fill=1)
    if spec.letter:
        c.setFillColor(HexColor(spec.letter_colour))
        c.setFont("Helvetica-Bold", size * 0.4)
        c.drawCentredString(
            px(42 if spec.arrow else 50), py(58 if spec.target_line else 64), spec.letter
        )
    if spec.arrow:
        top, bottom = (42, 66) if spec.arrow == "up" else (58, 34)
        head = 52 if spec.arrow == "up" else 48
        c.setLineWidth(size * 0.05)
        c.setLineCap(1)
        c.line(px(72), py(top), px(72), py(bottom))
        c.line(px(64), py(head), px(72), py(top))
        c.line(px(80), py(head), px(72), py(top))
    if spec.target_line:
        c.setStrokeColor(HexColor(spec.letter_colour))
        c.setLineWidth(size * 0.04)
        c.setDash(size * 0.07, size * 0.05)
        c.line(px(24), py(72), px(76), py(72))
    c.restoreState()


def _icon_spec(ref: str) -> IconSpec | None:
    parsed = parse_icon_ref(ref)
    if parsed is None:
        return None
    kind, value = parsed
    return variation_spec(value) if kind == "variation" else assurance_spec(value)


def _icon_cell(spec: IconSpec, paragraph, size: float):
    """A table cell with the icon before its words (the words keep the meaning)."""
    from reportlab.platypus import Flowable

    class IconText(Flowable):
        def __init__(self) -> None:
            super().__init__()
            self.icon = size * 1.3
            self.gap = size * 0.35

        def wrap(self, avail_w, avail_h):
            _, h = paragraph.wrap(max(avail_w - self.icon - self.gap, 1), avail_h)
            self.width, self.height = avail_w, max(h, self.icon)
            self._text_h = h
            return self.width, self.height

        def draw(self):
            draw_icon(self.canv, spec, 0, (self.height - self.icon) / 2, self.icon)
            paragraph.drawOn(self.canv, self.icon + self.gap, (self.height - self._text_h) / 2)

    return IconText()


def _pdf_table(c, table: SlideTable, box: Box) -> None:
    """A native table, read in order: the header row, then each row left to right. Columns
    are never narrower than their longest word and words are never split."""
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
    icons = [[_icon_spec(table.icon(i, col)) for col in data.columns] for i in range(len(data))]
    values = data.values.tolist()

    def build(size: float):
        cell_style = ParagraphStyle(
            "c", fontName="Helvetica", fontSize=size, leading=size * 1.15, splitLongWords=0
        )
        head_style = ParagraphStyle(
            "h", parent=cell_style, fontName="Helvetica-Bold", textColor=HexColor(NHS_WHITE)
        )
        rows = [[Paragraph(_pdf_text(str(col)), head_style) for col in data.columns]]
        for r, specs in zip(values, icons, strict=True):
            cells = []
            for v, spec in zip(r, specs, strict=True):
                para = Paragraph(_pdf_text(v), cell_style)
                cells.append(_icon_cell(spec, para, size) if spec else para)
            rows.append(cells)
        t = Table(rows, colWidths=widths, repeatRows=1)
        t.setStyle(TableStyle(commands))
        return t, t.wrap(box.width * inch, box.height * inch)[1]

    # Start from the shared estimate (the PowerPoint's size) and step down until it fits.
    size = font_size(data, box)
    t, height = build(size)
    while height > box.height * inch and size > 6:
        size -= 1
        t, height = build(size)
    t.drawOn(c, box.left * inch, (SLIDE_H - box.top) * inch - height)
