"""The PowerPoint pack (python-pptx): one slide per deck slide, titles in title
placeholders and speaker notes as real text, tables as native tables, charts as PNGs."""

from __future__ import annotations

import copy
import io
from collections.abc import Iterable

from nlf_planner.charts.mdc_icons import IconSpec, assurance_spec, variation_spec
from nlf_planner.charts.theme import (
    NHS_BLACK,
    NHS_BLUE,
    NHS_DARK_BLUE,
    NHS_DARK_GREY,
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
    footer_size,
    layout,
    row_heights,
    text_size,
)


def _rgb(hex_colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def to_pptx(
    deck: Deck, images: dict[int, bytes] | None = None, progress: Progress | None = None
) -> bytes:
    """A .pptx with one slide per deck slide; charts need Chromium (see
    :func:`~nlf_planner.export.images.render_images`); ``progress`` hears of each chart
    drawn and each slide written."""
    from pptx import Presentation
    from pptx.util import Inches

    images, writing = pack_images(deck, images, progress)
    _ICON_TEMPLATES.clear()
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    props = prs.core_properties
    props.title = deck.title
    props.author = "NLF Planner"
    props.subject = deck.stamp.footer()[:255]
    props.comments = "\n".join(deck.stamp.lines()[:-1])[:255]
    props.keywords = "board report; SPC; Making Data Count"
    n = len(deck.slides)
    for i, slide in enumerate(deck.slides):
        if writing:
            writing(i / n, step_text(images, i, n, slide.title, "slide"))
        _pptx_slide(prs, deck, i, slide, images.get(i))
    buf = io.BytesIO()
    prs.save(buf)
    _ICON_TEMPLATES.clear()
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
    boxes = layout(slide)
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
            _text(tb.text_frame, lines, text_size(lines, box))
    footer = s.shapes.add_textbox(
        Inches(MARGIN), Inches(SLIDE_H - FOOTER_H - 0.05), Inches(SLIDE_W - 2 * MARGIN - 0.8),
        Inches(FOOTER_H),
    )  # fmt: skip
    colour = NHS_WHITE if is_title else NHS_DARK_GREY
    _text(footer.text_frame, [deck.stamp.footer()], footer_size(deck.stamp.footer()), colour)
    number = s.shapes.add_textbox(
        Inches(SLIDE_W - MARGIN - 0.8), Inches(SLIDE_H - FOOTER_H - 0.05), Inches(0.8),
        Inches(FOOTER_H),
    )  # fmt: skip
    _text(number.text_frame, [f"{index + 1} / {len(deck.slides)}"], 10, colour)
    number.text_frame.paragraphs[0].runs[0].font.size = Pt(10)
    notes = slide.notes or slide.narrative
    s.notes_slide.notes_text_frame.text = f"{notes}\n\n{deck.stamp.footer()}"


def _style_title(shape, size: int, colour: str, bold: bool = True) -> None:
    from pptx.util import Pt

    for p in shape.text_frame.paragraphs:
        for run in p.runs:
            run.font.size = Pt(size)
            run.font.bold = bold
            run.font.name = "Arial"
            run.font.color.rgb = _rgb(colour)
    shape.text_frame.word_wrap = True


def _pptx_table(s, table: SlideTable, box: Box) -> None:
    from pptx.util import Inches

    data = table.data.astype(str)
    n_rows, n_cols = len(data) + 1, len(data.columns)
    size = font_size(data, box)
    heights = row_heights(data, box.width, size)
    shape = s.shapes.add_table(
        n_rows, n_cols, Inches(box.left), Inches(box.top), Inches(box.width),
        Inches(sum(heights)),
    )  # fmt: skip
    t = shape.table
    for j, w in enumerate(column_weights(data)):
        t.columns[j].width = Inches(box.width * w)
    for i, h in enumerate(heights):
        t.rows[i].height = Inches(h)
    fills = table.fills
    weights = column_weights(data)
    icon = size * 1.3 / 72  # inches
    for j, col in enumerate(data.columns):
        _cell(t.cell(0, j), str(col), size, NHS_WHITE, NHS_DARK_BLUE, bold=True)
        left = box.left + box.width * sum(weights[:j])
        for i, value in enumerate(data[col], start=1):
            fill = ""
            if fills is not None and col in fills.columns and i - 1 < len(fills):
                fill = str(fills[col].iloc[i - 1] or "")
            bg = fill or (NHS_WHITE if i % 2 else "#F5F7F8")
            cell = t.cell(i, j)
            _cell(cell, value, size, NHS_BLACK, bg)
            spec = icon_spec(table.icon(i - 1, col))
            if spec is not None:
                cell.margin_left = Inches(0.08 + icon + 0.05)
                top = box.top + sum(heights[:i]) + (heights[i] - icon) / 2
                draw_icon(s.shapes, spec, left + 0.06, top, icon)


def icon_spec(ref: str) -> IconSpec | None:
    """The icon a table cell names (``deck.icons.icon_ref``), or None."""
    parsed = parse_icon_ref(ref)
    if parsed is None:
        return None
    kind, value = parsed
    return variation_spec(value) if kind == "variation" else assurance_spec(value)


def draw_icon(shapes, spec: IconSpec, left: float, top: float, size: float) -> None:
    """One Making Data Count icon as native shapes (a group named by its words, so a screen
    reader announces it), drawn from the same spec as ``charts.mdc_icons``; inches.

    The first icon of a kind on a slide is built shape by shape; later ones copy its XML
    and move it (python-pptx spends milliseconds per property, and a summary table has
    dozens of icons), with fresh shape ids so the slide stays valid."""
    from pptx.oxml.ns import qn
    from pptx.util import Inches

    templates = _ICON_TEMPLATES.setdefault(id(shapes._spTree), {})
    key = (spec, round(size, 4))
    template = templates.get(key)
    if template is None:
        templates[key] = _build_icon(shapes, spec, left, top, size)
        return
    element = copy.deepcopy(template)
    next_id = shapes._next_shape_id
    for k, c_nv_pr in enumerate(element.iter(qn("p:cNvPr"))):
        c_nv_pr.set("id", str(next_id + k))
    off = element.find(qn("p:grpSpPr")).find(qn("a:xfrm")).find(qn("a:off"))
    off.set("x", str(int(Inches(left))))
    off.set("y", str(int(Inches(top))))
    shapes._spTree.append(element)


#: Per slide (its shape tree), the first icon drawn of each kind, copied for the rest.
_ICON_TEMPLATES: dict[int, dict] = {}


def _build_icon(shapes, spec: IconSpec, left: float, top: float, size: float):
    from pptx.enum.dml import MSO_LINE
    from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches, Pt

    group = shapes.add_group_shape()
    group.name = f"MDC icon: {spec.label}"
    group._element.nvGrpSpPr.cNvPr.set("descr", spec.label)
    g = group.shapes

    def at(u: float, v: float) -> tuple[int, int]:
        return Inches(left + u * size / 100), Inches(top + v * size / 100)

    def line(u1, v1, u2, v2, colour: str, width: float, dashed: bool = False) -> None:
        conn = g.add_connector(MSO_CONNECTOR.STRAIGHT, *at(u1, v1), *at(u2, v2))
        conn.line.color.rgb = _rgb(colour)
        conn.line.width = Pt(width)
        if dashed:
            conn.line.dash_style = MSO_LINE.DASH

    pt = size * 72 / 100  # points per view-box unit
    ring = g.add_shape(MSO_SHAPE.OVAL, *at(10, 10), Inches(size * 0.8), Inches(size * 0.8))
    ring.fill.solid()
    ring.fill.fore_color.rgb = _rgb(spec.fill)
    ring.line.color.rgb = _rgb(spec.ring)
    ring.line.width = Pt(8 * pt)
    ring.shadow.inherit = False
    if spec.dashed:
        ring.line.dash_style = MSO_LINE.DASH
    if spec.points:
        pts = list(zip((24, 36, 48, 60, 72), (52, 44, 54, 46, 50), strict=True))
        for (u1, v1), (u2, v2) in zip(pts, pts[1:], strict=False):
            line(u1, v1, u2, v2, spec.ring, 3 * pt)
        for u, v in pts:
            dot = g.add_shape(MSO_SHAPE.OVAL, *at(u - 5, v - 5), *at(0, 0))
            dot.width = dot.height = Inches(size * 0.1)
            dot.fill.solid()
            dot.fill.fore_color.rgb = _rgb(spec.ring)
            dot.line.fill.background()
            dot.shadow.inherit = False
    if spec.letter:
        cx = 42 if spec.arrow else 50
        box = g.add_textbox(*at(cx - 22, 20), Inches(size * 0.44), Inches(size * 0.5))
        frame = box.text_frame
        frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
        frame.vertical_anchor = MSO_ANCHOR.MIDDLE
        para = frame.paragraphs[0]
        para.alignment = PP_ALIGN.CENTER
        run = para.add_run()
        run.text = spec.letter
        run.font.size = Pt(40 * pt)
        run.font.bold = True
        run.font.name = "Arial"
        run.font.color.rgb = _rgb(spec.letter_colour)
    if spec.arrow:
        top_v, bottom_v = (42, 66) if spec.arrow == "up" else (58, 34)
        head = 52 if spec.arrow == "up" else 48
        line(72, bottom_v, 72, top_v, spec.ring, 5 * pt)
        line(64, head, 72, top_v, spec.ring, 5 * pt)
        line(80, head, 72, top_v, spec.ring, 5 * pt)
    if spec.target_line:
        line(24, 72, 76, 72, spec.letter_colour, 4 * pt, dashed=True)
    return group._element


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
