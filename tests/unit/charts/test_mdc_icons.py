"""The Making Data Count icons: well-formed SVG, named by the same words as the tables, the
letters and arrows boards know, and the colours of improvement, concern and common cause."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

import pytest

from nlf_planner.charts import mdc_icons
from nlf_planner.charts.theme import NHS_BLUE, NHS_MID_GREY, NHS_ORANGE
from nlf_planner.spc import (
    ASSURANCE_LABEL,
    ASSURANCE_LETTER,
    VARIATION_LABEL,
    VARIATION_LETTER,
    AssuranceIcon,
    VariationIcon,
)

NS = {"s": "http://www.w3.org/2000/svg"}


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _contrast(hex_colour: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    h = hex_colour.lstrip("#")
    r, g, b = (channel(int(h[i : i + 2], 16)) for i in (0, 2, 4))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


@pytest.mark.parametrize("icon", list(VariationIcon))
def test_variation_icon_is_named_by_its_words(icon):
    root = _parse(mdc_icons.variation_svg(icon, size=32))
    assert root.get("role") == "img"
    assert root.get("aria-label") == VARIATION_LABEL[icon]
    assert root.find("s:title", NS).text == VARIATION_LABEL[icon]
    assert root.get("width") == "32" and root.get("height") == "32"


@pytest.mark.parametrize("icon", list(AssuranceIcon))
def test_assurance_icon_is_named_by_its_words_and_shows_its_letter(icon):
    root = _parse(mdc_icons.assurance_svg(icon))
    assert root.get("aria-label") == ASSURANCE_LABEL[icon]
    assert root.find("s:title", NS).text == ASSURANCE_LABEL[icon]
    assert root.find("s:text", NS).text == ASSURANCE_LETTER[icon]


@pytest.mark.parametrize(
    ("icon", "ring", "arrow"),
    [
        (VariationIcon.IMPROVEMENT_HIGH, NHS_BLUE, "up"),
        (VariationIcon.IMPROVEMENT_LOW, NHS_BLUE, "down"),
        (VariationIcon.CONCERN_HIGH, NHS_ORANGE, "up"),
        (VariationIcon.CONCERN_LOW, NHS_ORANGE, "down"),
        (VariationIcon.NEUTRAL_HIGH, mdc_icons.NHS_MDC_PURPLE, "up"),
    ],
)
def test_special_cause_has_letter_arrow_and_colour(icon, ring, arrow):
    spec = mdc_icons.variation_spec(icon)
    assert (spec.ring, spec.arrow, spec.letter) == (ring, arrow, VARIATION_LETTER[icon])
    root = _parse(mdc_icons.variation_svg(icon))
    assert root.find("s:circle", NS).get("stroke") == ring
    assert root.find("s:text", NS).text == VARIATION_LETTER[icon]
    assert root.find("s:path", NS) is not None  # the arrow


def test_arrows_point_the_way_of_the_letter():
    up = _parse(mdc_icons.variation_svg(VariationIcon.CONCERN_HIGH)).find("s:path", NS)
    down = _parse(mdc_icons.variation_svg(VariationIcon.CONCERN_LOW)).find("s:path", NS)
    # The arrow head (the path's last segment) is above the shaft's middle for H, below for L.
    assert up.get("d") != down.get("d")
    assert "L72 42" in up.get("d") and "L72 58" in down.get("d")


def test_common_cause_is_a_grey_circle_of_points_without_letter_or_arrow():
    root = _parse(mdc_icons.variation_svg(VariationIcon.COMMON))
    assert root.find("s:circle", NS).get("stroke") == NHS_MID_GREY
    assert root.find("s:text", NS) is None
    assert root.find("s:path", NS) is None
    assert root.find("s:polyline", NS) is not None


def test_not_assessable_is_a_dashed_grey_n():
    spec = mdc_icons.assurance_spec(AssuranceIcon.NOT_ASSESSABLE)
    assert spec.letter == "N" and spec.dashed and not spec.target_line
    ring = _parse(mdc_icons.assurance_svg("not_assessable")).find("s:circle", NS)
    assert ring.get("stroke-dasharray")
    assert ring.get("stroke") == NHS_MID_GREY


def test_pass_is_blue_and_fail_is_orange():
    assert mdc_icons.assurance_spec(AssuranceIcon.PASS).ring == NHS_BLUE
    assert mdc_icons.assurance_spec(AssuranceIcon.FAIL).ring == NHS_ORANGE
    assert mdc_icons.assurance_spec(AssuranceIcon.HIT_OR_MISS).ring == NHS_MID_GREY


def test_letters_meet_text_contrast_on_white():
    specs = [mdc_icons.variation_spec(v) for v in VariationIcon]
    specs += [mdc_icons.assurance_spec(a) for a in AssuranceIcon]
    for spec in specs:
        assert _contrast(spec.letter_colour) >= 4.5, spec


def test_data_uri_round_trips_the_svg():
    svg = mdc_icons.assurance_svg(AssuranceIcon.FAIL)
    uri = mdc_icons.svg_data_uri(svg)
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode("utf-8") == svg


def test_img_carries_the_words_as_alt():
    svg = mdc_icons.variation_svg(VariationIcon.CONCERN_LOW)
    img = mdc_icons.icon_img(svg, VARIATION_LABEL[VariationIcon.CONCERN_LOW], 24)
    root = ET.fromstring(img.replace(">", "/>", 1) if not img.endswith("/>") else img)
    assert root.get("alt") == VARIATION_LABEL[VariationIcon.CONCERN_LOW]
    assert root.get("src") == mdc_icons.svg_data_uri(svg)


def test_unknown_icon_is_refused():
    with pytest.raises(ValueError):
        mdc_icons.variation_svg("sideways")
