"""The escaping helpers: hostile text is shown as typed, never styled, linked or fetched."""

from __future__ import annotations

import re

import plotly.graph_objects as go
import pytest

from nlf_planner.ui.text import escape_markdown, escape_plotly

HOSTILE = (
    'Mallory ![t](http://127.0.0.1:9/track.png) <a href="http://127.0.0.1:9/x">x</a> '
    '=HYPERLINK("x") *b*'
)


#: Characters CommonMark (and Streamlit's Markdown) can give a meaning to.
SPECIAL = set("\\`*_{}[]()#+-.!|<>~$")


@pytest.mark.parametrize("text", ["", "plain", "A&E 5 < 6 > 4", HOSTILE, "a\\b `c` #d"])
def test_every_markdown_character_is_backslash_escaped(text: str) -> None:
    out = escape_markdown(text)
    i = 0
    while i < len(out):
        if out[i] == "\\":
            assert out[i + 1] in SPECIAL  # an escape, never a lone backslash
            i += 2
            continue
        assert out[i] not in SPECIAL, (out, i)
        i += 1
    assert re.sub(r"\\(.)", r"\1", out) == text  # shown exactly as typed
    assert "![" not in out


def test_none_is_empty() -> None:
    assert escape_markdown(None) == "" and escape_plotly(None) == ""


def test_plotly_escape_turns_tags_into_entities() -> None:
    out = escape_plotly(HOSTILE)
    assert "<" not in out and ">" not in out
    assert "&lt;a href=" in out
    assert escape_plotly("A&E") == "A&amp;E"
    assert escape_plotly(42) == "42"


def test_an_escaped_annotation_in_a_figure_carries_no_link() -> None:
    fig = go.Figure()
    fig.add_annotation(text=escape_plotly(HOSTILE), x=0, y=0)
    fig.update_layout(title=escape_plotly(HOSTILE))
    assert "<a href" not in fig.to_json()


def test_escaping_twice_changes_nothing_but_new_text_is_escaped_again() -> None:
    once = escape_markdown(HOSTILE)
    assert escape_markdown(once) == once  # marked as escaped: a helper may escape again
    joined = f"{once} and *more*"  # a plain str again: escaped in full
    assert escape_markdown(joined) != joined
    assert type(joined) is str
