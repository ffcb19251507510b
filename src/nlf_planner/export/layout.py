"""Where things go on a 16:9 slide, shared by the PowerPoint and the PDF so they match:
the boxes for text, table and chart, and the font sizes at which text and tables fit."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from nlf_planner.deck import Slide

# Slide geometry in inches (16:9) and image resolution.
SLIDE_W, SLIDE_H = 13.333, 7.5
MARGIN = 0.45
BAND_H = 1.0
TITLE_H = 0.8
FOOTER_H = 0.35


@dataclass(frozen=True)
class Box:
    """A rectangle on the slide, in inches."""

    left: float
    top: float
    width: float
    height: float


def layout(slide: Slide) -> dict[str, Box]:
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


def text_size(lines: Iterable[str], box: Box, largest: int = 16, smallest: int = 9) -> int:
    """The largest font size (points) at which the lines, wrapped, fit the text box."""
    lines = list(lines)
    for size in range(largest, smallest - 1, -1):
        per_line = max(int(box.width * 72 / (size * 0.5)), 1)
        rows = sum(math.ceil(max(len(t), 1) / per_line) for t in lines)
        height = (rows * 1.2 + len(lines) * 0.4) * size / 72
        if height <= box.height:
            return size
    return smallest


def footer_size(text: str) -> float:
    """Keep the stamp on one line above the slide's bottom edge (about 0.47 em a character)."""
    room_pt = (SLIDE_W - 2 * MARGIN - 0.8) * 72
    return max(6.0, min(9.0, room_pt / (max(len(text), 1) * 0.47)))


CHAR_EM = 0.47  # Arial averages a little under half an em per character
BOLD_CHAR_EM = 0.56  # bold headers, and long words, run wider
CELL_PAD_IN = 0.1  # left + right cell padding


def longest_word(data: pd.DataFrame, col) -> int:
    """Characters in the longest word of a column (header included): a column narrower
    than it would break the word ("Mileston es"), so widths and sizes keep it whole."""
    texts = [str(col), *(str(v) for v in data[col].head(40))]
    return max((len(w) for t in texts for w in t.split()), default=1)


def column_weights(data: pd.DataFrame) -> list[float]:
    """Share of the table width per column, by its longest text (bounded both ways), and
    never less than its longest word."""
    weights = []
    for col in data.columns:
        longest = max([len(str(col))] + [len(str(v)) for v in data[col].head(40)])
        weights.append(max(min(max(longest, 7), 55), longest_word(data, col) + 1))
    total = sum(weights)
    return [w / total for w in weights]


def words_fit(data: pd.DataFrame, width: float, size: float) -> bool:
    """Whether every column's longest word fits on one line of its cell at ``size``."""
    widths = [width * w - CELL_PAD_IN for w in column_weights(data)]
    return all(
        longest_word(data, col) * size * BOLD_CHAR_EM / 72 <= w
        for col, w in zip(data.columns, widths, strict=True)
    )


def row_heights(data: pd.DataFrame, width: float, size: float) -> list[float]:
    """Estimated height (inches) of each row, header first, with text wrapped at ``size``."""
    char_w = size * CHAR_EM / 72
    line_h = size * 1.2 / 72
    widths = [max(width * w - 0.1, 0.2) for w in column_weights(data)]
    heights = []
    for row in [list(map(str, data.columns)), *data.astype(str).values.tolist()]:
        lines = max(
            math.ceil(max(len(v), 1) * char_w / w) for v, w in zip(row, widths, strict=True)
        )
        heights.append(lines * line_h + 0.08)
    return heights


def font_size(data: pd.DataFrame, box: Box, largest: int = 16, smallest: int = 7) -> int:
    """The largest font size at which the table fits its box with no word broken."""
    for size in range(largest, smallest - 1, -1):
        if words_fit(data, box.width, size) and sum(row_heights(data, box.width, size)) <= (
            box.height
        ):
            return size
    return smallest
