"""Text that goes into plotly: people's words made inert, and labels wrapped to fit a laptop.

Why one module: plotly reads a small HTML subset in every text property (``<a href>``,
``<b>``, ``<br>``), in the app and in the HTML pack, so any name or note that reaches a chart
must be escaped the same way (issue 15); and a chart has no idea how wide the page is, so
long titles and tick labels are wrapped here to widths that fit the 1024-pixel screen
(issue 18). Pure code cannot import ``ui.text.escape_plotly``; :func:`safe` is the same rule.
"""

from __future__ import annotations

import html

#: Characters per title line that fit a chart at 1024×768 with the sidebar open (~560 px
#: at 17 px bold).
TITLE_CHARS = 52


def safe(text: object) -> str:
    """``text`` inert for plotly: ``<``, ``>`` and ``&`` as entities, shown as typed."""
    return html.escape("" if text is None else str(text), quote=False)


def _pieces(word: str, width: int) -> list[str]:
    """A word much longer than a line, hyphenated in two (a narrow column header such as
    "Compassionate" must not spill into its neighbour); a word a little too long stays."""
    if len(word) <= width + 1 or "&" in word:
        return [word]
    half = (len(word) + 1) // 2
    return [word[:half] + "-", word[half:]]


def wrap(label: str, width: int, lines: int | None = None) -> str:
    """``label`` on lines of at most ``width`` characters (breaking between words, and
    hyphenating a word longer than a line), joined by ``<br>``; with ``lines``, at most that
    many, the last ending in "…" when cut."""
    out: list[str] = []
    line = ""
    for word in (p for w in label.split() for p in _pieces(w, width)):
        if line and (len(line) + 1 + len(word) > width or line.endswith("-")):
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    out.append(line)
    if lines is not None and len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: max(1, width - 1)].rstrip("-") + "…"
    return "<br>".join(out)


def wrap_title(title: str, width: int = TITLE_CHARS) -> str:
    """A chart title whose lines are wrapped to ``width`` characters; subtitle lines (inside
    ``<sup>``, a smaller font) get three quarters as many again and each keeps its own ``<sup>``.
    Existing ``<br>`` breaks are kept."""
    out: list[str] = []
    in_sup = False
    for part in title.split("<br>"):
        opens = part.startswith("<sup>")
        body = part[5:] if opens else part
        closes = body.endswith("</sup>")
        body = body[:-6] if closes else body
        small = in_sup or opens
        lines = wrap(body, width * 7 // 4 if small else width).split("<br>")
        out += [f"<sup>{line}</sup>" for line in lines] if small else lines
        in_sup = small and not closes
    return "<br>".join(out)


def title_position(title: str) -> dict:
    """Pin a (wrapped) title to the top of the figure. Plotly places a multi-line title by
    its first line, so each further line needs a little more padding to stay inside."""
    breaks = title.count("<br>")
    return {"yref": "container", "y": 1.0, "yanchor": "top", "pad": {"t": 10 + 7 * breaks}}


def title_lines(title: str) -> int:
    """How many lines a (wrapped) title takes, for the top margin."""
    return title.count("<br>") + 1
