"""Chart text: people's words inert for plotly, labels wrapped to fit a 1024-pixel screen."""

from __future__ import annotations

from nlf_planner.charts.labels import safe, title_lines, title_position, wrap, wrap_title


def test_safe_makes_plotly_html_inert_and_keeps_what_was_typed():
    assert safe("<a href='x'>A&E</a>") == "&lt;a href='x'&gt;A&amp;E&lt;/a&gt;"
    assert safe(None) == ""


def test_wrap_breaks_between_words_and_halves_a_word_far_too_long():
    assert wrap("North East and Yorkshire", 13) == "North East<br>and Yorkshire"
    assert wrap("Compassionate and inclusive leadership", 9, 3) == "Compass-<br>ionate<br>and…"
    for line in wrap("Improvement capability at every level", 9).split("<br>"):
        assert len(line) <= 10


def test_wrap_title_wraps_each_line_and_keeps_every_subtitle_line_small():
    title = (
        "ICSs with a system leadership programme in place: regions against England, Oct 2026"
        "<br><sup>%, bars with 95% (thick) and 99.8% (thin) intervals<br>sorted by value</sup>"
    )
    wrapped = wrap_title(title)
    lines = wrapped.split("<br>")
    assert lines[:2] == [
        "ICSs with a system leadership programme in place:",
        "regions against England, Oct 2026",
    ]
    assert lines[2:] == [
        "<sup>%, bars with 95% (thick) and 99.8% (thin) intervals</sup>",
        "<sup>sorted by value</sup>",
    ]
    assert title_lines(wrapped) == 4
    assert title_position(wrapped)["pad"]["t"] > title_position("one line")["pad"]["t"]
