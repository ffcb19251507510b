"""The app's global CSS: what the Streamlit theme cannot set, for WCAG 2.2 AA.

Drawn once per run by app.py, before any page, so every page gets the same rules:

- Captions in NHS Dark Grey (#425563, 7.6:1 on white, 7.0:1 on the sidebar's
  grey): Streamlit's faded text (#7b7979) is 4.32:1 on white, under the 4.5:1 that WCAG's
  contrast rule asks for small text.
- A focus ring on every focusable element, the NHS design system's way: NHS Yellow (#FFEB3B)
  around a dark inner ring (#212B32), so it shows on white, grey and NHS Blue alike and can
  never be mistaken for the current page's highlight (a tinted background). Shown for the
  keyboard only (``:focus-visible``), so a mouse click does not leave rings behind.
- A button's keyboard-shortcut hint at its label's contrast (Streamlit fades it to 60%),
  and a date field's day and month at least 24 px wide (the WCAG 2.2 target size).
- The product's name line above each page's heading (``ui.frame.page_header``).

Fixed text only: nothing a person types reaches this HTML.
"""

from __future__ import annotations

import html

import streamlit as st

NHS_DARK_GREY = "#425563"
FOCUS_YELLOW = "#FFEB3B"
FOCUS_DARK = "#212B32"

#: Elements a person can reach with Tab, ringed themselves (text fields: see ``_FIELDS``).
_FOCUSABLE = ", ".join(
    f"{selector}:focus-visible"
    for selector in (
        "a",
        "button",
        "summary",
        "select",
        "[role='tab']",
        "[role='button']",
        "[role='link']",
        "[role='checkbox']",
        "[role='radio']",
        "[role='switch']",
        "[role='slider']",
        "[role='option']",
        "[role='gridcell']",
        "[tabindex]:not([tabindex='-1'])",
    )
)
#: Text fields, pickers and switches sit inside a rounded box that clips anything drawn
#: around them, so the box itself (the field's parent) carries the ring; likewise a date
#: field's group of day/month/year parts and a data grid's frame (its canvas is clipped).
#: (``:not(#_)`` lifts the rule above ``[tabindex]:focus-visible`` for the field itself.)
_FIELDS = ", ".join(f"{tag}:focus:not(#_)" for tag in ("input", "textarea"))
_WRAPPERS = ", ".join(
    (
        "*:has(> input:focus)",
        "*:has(> textarea:focus)",
        "[role='group']:has(> [role='spinbutton']:focus)",
        "[data-testid='stDataFrame']:focus-within",
    )
)

CSS = f"""
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] *,
.nlf-product {{
  color: {NHS_DARK_GREY};
}}
[data-testid="stCaptionContainer"] {{
  opacity: 1 !important;  /* Streamlit fades captions to 60%: the grey alone is the contrast */
}}
{_FOCUSABLE} {{
  outline: 3px solid {FOCUS_YELLOW} !important;
  outline-offset: 2px !important;
  box-shadow: 0 0 0 2px {FOCUS_DARK} !important;
}}
{_FIELDS}, [role='group'] > [role='spinbutton']:focus,
[data-testid="stDataFrame"] canvas:focus-visible {{
  outline: none !important;  /* clipped by its own box: the box carries the ring */
  box-shadow: none !important;
}}
{_WRAPPERS} {{
  outline: 3px solid {FOCUS_YELLOW} !important;
  outline-offset: 2px !important;
  box-shadow: 0 0 0 2px {FOCUS_DARK} !important;
}}
button:not(:disabled) kbd {{
  color: inherit !important;  /* a button's shortcut hint (Esc, arrows) at the label's contrast */
  opacity: 1 !important;
}}
[role="group"] > [role="spinbutton"] {{
  display: inline-block;  /* a date field's day and month: 24 px targets (WCAG 2.5.8) */
  min-width: 24px;
  min-height: 24px;
  line-height: 24px;
  text-align: center;
}}
[data-testid="stElementContainer"]:has(.nlf-visually-hidden) {{
  position: absolute !important;  /* read by screen readers, takes no room on a slide */
  width: 1px;
  height: 1px;
  overflow: hidden;
  clip-path: inset(50%);
  white-space: nowrap;
}}
.nlf-product {{
  font-weight: 700;
  letter-spacing: 0.02em;
  margin: 0 0 -0.75rem 0;
}}
.nlf-product span {{ color: #005EB8; }}
"""


#: The element app.py adds on every run, built once per process.
STYLE_ELEMENT = f"<style>{CSS}</style>"


def apply_global_styles() -> None:
    """Add the app's CSS to this run's page (it takes no space on the page)."""
    st.html(STYLE_ELEMENT)


def hidden_heading(text: str) -> None:
    """The page's ``h1`` for screen readers only, where the page shows no heading of its own
    (the deck in full screen: the slide's title is its visible heading)."""
    st.markdown(f"<h1 class='nlf-visually-hidden'>{html.escape(text)}</h1>", unsafe_allow_html=True)
