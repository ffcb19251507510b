"""The Making Data Count icons as boards know them, as SVG, with their text alternatives.

NHS England's "Making Data Count" summarises an SPC chart in two icons: *variation* (a circle
with H or L and an arrow for special cause, blue for improvement, orange for concern, purple
when the measure has no better direction; a grey circle with a flat run of points for common
cause) and *assurance* (a circle with P, F or ? against the target line; N when the limits do
not describe the latest points, so the target cannot be assessed). Boards read these at a
glance, so the app and all three packs draw the same icons, always beside the words
(``spc.VARIATION_LABEL`` / ``ASSURANCE_LABEL``): colour and shape only help.

One :class:`IconSpec` per icon is the single home of what an icon looks like; the SVG here,
and the native shapes in the PowerPoint and PDF packs, are all drawn from it. Pure: strings
in, strings out; no Streamlit.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

from nlf_planner.charts.theme import NHS_BLUE, NHS_DARK_GREY, NHS_MID_GREY, NHS_ORANGE
from nlf_planner.spc import (
    ASSURANCE_LABEL,
    ASSURANCE_LETTER,
    VARIATION_LABEL,
    VARIATION_LETTER,
    AssuranceIcon,
    VariationIcon,
)

# Ring colours follow the app's chart theme (blue improvement, orange concern, grey
# neutral); the MDC icons draw special cause with no better direction in purple. Letters use
# a darker shade of the same hue so they keep 4.5:1 against white (WCAG 1.4.3).
NHS_MDC_PURPLE = "#6B3FA0"
RING = {
    "improvement": NHS_BLUE,
    "concern": NHS_ORANGE,
    "neutral": NHS_MDC_PURPLE,
    "common": NHS_MID_GREY,
}
LETTER_COLOUR = {
    "improvement": NHS_BLUE,  # 6.3:1 on white
    "concern": "#A35400",  # 5.2:1 on white; NHS Orange itself is 2.3:1
    "neutral": "#4C2C73",
    "common": NHS_DARK_GREY,
}
Arrow = Literal["up", "down"] | None


@dataclass(frozen=True)
class IconSpec:
    """What one icon draws: ring colour, the letter and its colour, an arrow for special
    cause, the flat run of points for common cause, a target line for assurance, a dashed
    ring when the icon says "cannot say", and the words that are its text alternative."""

    ring: str
    letter: str
    letter_colour: str
    label: str
    arrow: Arrow = None
    points: bool = False  # common cause: a flat run of points instead of a letter
    target_line: bool = False  # assurance: the target as a line under the letter
    dashed: bool = False  # not assessable: a dashed ring

    @property
    def fill(self) -> str:
        return "#FFFFFF"


def _kind(icon: VariationIcon) -> str:
    return str(icon.value).split("_")[0]


def variation_spec(icon: VariationIcon | str) -> IconSpec:
    """How the variation icon is drawn (from the icon or its value, e.g. "concern_high")."""
    icon = VariationIcon(icon)
    kind = _kind(icon)
    if icon == VariationIcon.COMMON:
        return IconSpec(
            RING["common"], "", LETTER_COLOUR["common"], VARIATION_LABEL[icon], points=True
        )
    arrow: Arrow = "up" if icon.value.endswith("high") else "down"
    return IconSpec(
        RING[kind], VARIATION_LETTER[icon], LETTER_COLOUR[kind], VARIATION_LABEL[icon], arrow
    )


def assurance_spec(icon: AssuranceIcon | str) -> IconSpec:
    """How the assurance icon is drawn (P pass blue, F fail orange, ? hit or miss grey,
    N not assessable grey with a dashed ring)."""
    icon = AssuranceIcon(icon)
    kind = {AssuranceIcon.PASS: "improvement", AssuranceIcon.FAIL: "concern"}.get(icon, "common")
    return IconSpec(
        RING[kind],
        ASSURANCE_LETTER[icon],
        LETTER_COLOUR[kind],
        ASSURANCE_LABEL[icon],
        target_line=icon != AssuranceIcon.NOT_ASSESSABLE,
        dashed=icon == AssuranceIcon.NOT_ASSESSABLE,
    )


def _arrow(direction: Arrow, colour: str) -> str:
    """A small arrow at the right of the circle (100-unit view box)."""
    if direction == "up":
        path = "M72 44 L72 66 M64 52 L72 42 L80 52"
    else:
        path = "M72 34 L72 56 M64 48 L72 58 L80 48"
    return (
        f"<path d='{path}' fill='none' stroke='{colour}' stroke-width='5' "
        "stroke-linecap='round' stroke-linejoin='round'/>"
    )


def _points(colour: str) -> str:
    """Common cause: a run of points wandering about a flat line."""
    xs, ys = (24, 36, 48, 60, 72), (52, 44, 54, 46, 50)
    line = " ".join(f"{x},{y}" for x, y in zip(xs, ys, strict=True))
    dots = "".join(
        f"<circle cx='{x}' cy='{y}' r='4.5' fill='{colour}'/>" for x, y in zip(xs, ys, strict=True)
    )
    return f"<polyline points='{line}' fill='none' stroke='{colour}' stroke-width='3'/>{dots}"


def icon_svg(spec: IconSpec, size: int = 40) -> str:
    """One icon as a standalone SVG element, named for screen readers by its words."""
    label = spec.label
    dash = " stroke-dasharray='14 9'" if spec.dashed else ""
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{int(size)}' height='{int(size)}' "
        f"viewBox='0 0 100 100' role='img' aria-label={quoteattr(label)} "
        "focusable='false' class='nlf-mdc-icon'>",
        f"<title>{escape(label)}</title>",
        f"<circle cx='50' cy='50' r='44' fill='{spec.fill}' stroke='{spec.ring}' "
        f"stroke-width='8'{dash}/>",
    ]
    if spec.points:
        parts.append(_points(spec.ring))
    if spec.letter:
        x = 42 if spec.arrow else 50
        y = 58 if spec.target_line else 64
        parts.append(
            f"<text x='{x}' y='{y}' text-anchor='middle' font-family='Arial, Helvetica, "
            f"sans-serif' font-weight='bold' font-size='40' fill='{spec.letter_colour}'>"
            f"{escape(spec.letter)}</text>"
        )
    if spec.arrow:
        parts.append(_arrow(spec.arrow, spec.ring))
    if spec.target_line:
        parts.append(
            f"<line x1='24' y1='72' x2='76' y2='72' stroke='{spec.letter_colour}' "
            "stroke-width='4' stroke-dasharray='7 5'/>"
        )
    parts.append("</svg>")
    return "".join(parts)


def variation_svg(icon: VariationIcon | str, size: int = 40) -> str:
    """The variation icon as SVG (its words in ``<title>`` and ``aria-label``)."""
    return icon_svg(variation_spec(icon), size)


def assurance_svg(icon: AssuranceIcon | str, size: int = 40) -> str:
    """The assurance icon as SVG, including N (not assessable)."""
    return icon_svg(assurance_spec(icon), size)


def svg_data_uri(svg: str) -> str:
    """The SVG as a ``data:`` URI, for an ``<img src=…>`` that needs no network (HTML pack)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def icon_img(svg: str, label: str, size: int = 40) -> str:
    """An ``<img>`` of the icon with its words as ``alt`` (for Markdown-free HTML)."""
    return (
        f"<img src='{svg_data_uri(svg)}' alt={quoteattr(label)} width='{int(size)}' "
        f"height='{int(size)}' class='nlf-mdc-icon'>"
    )
