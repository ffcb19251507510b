"""Chart images for the PowerPoint and PDF packs: plotly + kaleido driving a local Chromium.

A deck's charts are drawn once, in one batch (one Chromium, a few tabs in parallel), and
kept for that deck object: the PowerPoint and the PDF of the same deck reuse the same PNGs,
so the second format costs only its writing (issue 12). A deck is built per data version
(the Present page caches it on ``services.deck.cache_key``), so keeping images per deck is
keeping them per deck and data version. Without Chromium the image-based formats fail with
:class:`ExportError` naming what to install; HTML needs no browser.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import threading
import warnings
import weakref
from collections.abc import Callable
from pathlib import Path

import plotly.graph_objects as go

from nlf_planner.deck import Deck
from nlf_planner.export.layout import Box, layout

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = (
    "PowerPoint and PDF packs draw their charts with a Chromium browser, and none was found. "
    "Install it with `apt-get install chromium` (Debian/Ubuntu; `make chromium` does this), "
    "or set BROWSER_PATH to a Chrome or Chromium executable. The HTML pack works without it."
)

PX_PER_IN = 120
IMAGE_SCALE = 2
KALEIDO_TABS = 2  # parallel tabs in the one Chromium that draws a batch (2 cores: 3 is slower)

#: Told how far a pack has got (0–1) and what is being drawn, in words for a progress bar.
Progress = Callable[[float, str], None]


def stage(progress: Progress | None, start: float, end: float) -> Progress | None:
    """A part of a pack's progress: reports 0–1 of this stage as ``start``–``end`` overall."""
    if progress is None:
        return None
    return lambda fraction, text: progress(start + (end - start) * fraction, text)


_KALEIDO_LOCK = threading.Lock()
_CACHE_LOCK = threading.Lock()
#: Images per live deck object (by id, dropped when the deck is garbage collected).
_IMAGES: dict[int, dict[int, bytes]] = {}


class ExportError(RuntimeError):
    """An export that cannot be made, with a message fit to show a user."""


def chromium_path() -> str | None:
    """The Chromium kaleido will use: BROWSER_PATH if it exists, else one on PATH."""
    env = os.environ.get("BROWSER_PATH")
    if env and Path(env).exists():
        return env
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def images_available() -> bool:
    return chromium_path() is not None


def _figure_jobs(deck: Deck) -> list[tuple[int, go.Figure, Box]]:
    jobs = []
    for i, slide in enumerate(deck.slides):
        if slide.figures:
            jobs.append((i, slide.figures[0], layout(slide)["figure"]))
    return jobs


def cached_images(deck: Deck) -> dict[int, bytes] | None:
    """The images already drawn for this deck object, if any (never draws)."""
    with _CACHE_LOCK:
        return _IMAGES.get(id(deck))


def _remember(deck: Deck, images: dict[int, bytes]) -> None:
    key = id(deck)
    with _CACHE_LOCK:
        if key not in _IMAGES:
            weakref.finalize(deck, _IMAGES.pop, key, None)
        _IMAGES[key] = images


def clear_image_cache() -> None:
    """Forget every deck's images (benchmarks time a cold render with it)."""
    with _CACHE_LOCK:
        _IMAGES.clear()


def render_images(
    deck: Deck, progress: Progress | None = None, *, reuse: bool = True
) -> dict[int, bytes]:
    """PNG bytes for each slide's chart (keyed by slide index), drawn once per deck in one
    batch by one Chromium with a few tabs in parallel; ``progress`` hears of each chart as
    it is drawn, naming its slide. With ``reuse`` (the default) a deck drawn before is
    answered from memory."""
    if reuse and (found := cached_images(deck)) is not None:
        if progress:
            progress(1.0, "Charts already drawn for this deck")
        return found
    jobs = _figure_jobs(deck)
    images = _draw(deck, jobs, progress) if jobs else {}
    _remember(deck, images)
    return images


def _draw(
    deck: Deck, jobs: list[tuple[int, go.Figure, Box]], progress: Progress | None
) -> dict[int, bytes]:
    path = chromium_path()
    if path is None:
        raise ExportError(INSTALL_HINT)
    os.environ["BROWSER_PATH"] = path
    specs = [(index, _image_spec(fig, box)) for index, fig, box in jobs]
    if progress:
        progress(0.0, f"Starting the chart renderer for {len(specs)} charts")
    out: dict[int, bytes] = {}

    def drawn(index: int, png: bytes) -> None:
        out[index] = png
        if progress:
            title = deck.slides[index].title
            progress(len(out) / len(specs), f"Drew the chart of slide {index + 1}: {title}")

    with _KALEIDO_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            _run_in_own_thread(lambda: asyncio.run(_draw_batch(specs, drawn)))
        except ExportError:
            raise
        except Exception as exc:  # noqa: BLE001 - surface as a plain message
            raise ExportError(f"The charts could not be drawn as images: {exc}") from exc
    return out


def _run_in_own_thread(work: Callable[[], None]) -> None:
    """Run ``work`` (an ``asyncio.run``) on a thread of its own and wait for it: the caller's
    thread may already run an event loop (Playwright's sync API does, and so may a host),
    where ``asyncio.run`` refuses to start."""
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="nlf-charts") as pool:
        pool.submit(work).result()


async def _draw_batch(specs: list[tuple[int, dict]], drawn: Callable[[int, bytes], None]) -> None:
    """Every chart under one kaleido browser, ``KALEIDO_TABS`` at a time; ``drawn`` hears of
    each as it finishes (in the thread running the batch)."""
    import kaleido

    try:
        browser = kaleido.Kaleido(n=min(KALEIDO_TABS, len(specs)), mathjax=False)
        await browser.open()
    except Exception as exc:  # noqa: BLE001 - the browser could not start
        raise ExportError(f"The chart renderer could not start Chromium: {exc}") from exc
    try:

        async def one(index: int, spec: dict) -> tuple[int, bytes]:
            return index, await browser.calc_fig(spec["fig"], opts=spec["opts"])

        tasks = [asyncio.ensure_future(one(index, spec)) for index, spec in specs]
        for task in asyncio.as_completed(tasks):
            index, png = await task
            drawn(index, png)
    finally:
        await browser.close()


MIN_SIDE_MARGIN = 24  # px: room so nothing at a chart's edge is cut ("outh East")


def _pack_layout(layout: dict, width: int, height: int) -> dict:
    """The chart's layout at its slide size: every axis grows its margin to fit its tick
    labels (automargin), and the side margins never drop to nothing, so the image never
    cuts a label at its edge."""
    out = {**layout, "width": width, "height": height, "autosize": False}
    axes = [k for k in out if k.startswith(("xaxis", "yaxis"))] or ["xaxis", "yaxis"]
    for key in axes:
        out[key] = {**(out.get(key) or {}), "automargin": True}
    margin = dict(out.get("margin") or {})
    for side in ("l", "r"):
        margin[side] = max(int(margin.get(side) or 0), MIN_SIDE_MARGIN)
    out["margin"] = margin
    title = out.get("title")
    if isinstance(title, dict) and title.get("text"):
        pad = dict(title.get("pad") or {})
        pad["l"] = max(int(pad.get("l") or 0), MIN_SIDE_MARGIN // 2)
        out["title"] = {**title, "pad": pad}
    return out


def _image_spec(fig: go.Figure, box: Box) -> dict:
    """What kaleido draws for one chart, sized to its box on the slide. Built from the
    figure's own JSON (no copy of the validated figure, which costs a tenth of a second a
    chart), and never changing the deck's figure."""
    width = int(box.width * PX_PER_IN)
    height = int(box.height * PX_PER_IN)
    spec = fig.to_plotly_json()
    figure = {"data": spec["data"], "layout": _pack_layout(spec["layout"], width, height)}
    return {
        "fig": figure,
        "opts": {"format": "png", "width": width, "height": height, "scale": IMAGE_SCALE},
    }


class PendingImages:
    """A deck's charts being drawn in a background thread while a pack writer works through
    the slides: :meth:`get` waits for one slide's chart only when the writer reaches it, so
    writing overlaps drawing and a pack made first costs little more than its charts. When
    every chart is drawn they are remembered for the deck, for the next format."""

    def __init__(self, deck: Deck, jobs: list[tuple[int, go.Figure, Box]]) -> None:
        path = chromium_path()
        if path is None:
            raise ExportError(INSTALL_HINT)
        os.environ["BROWSER_PATH"] = path
        self._deck = deck
        self._specs = [(index, _image_spec(fig, box)) for index, fig, box in jobs]
        self._ready = {index: threading.Event() for index, _ in self._specs}
        self._images: dict[int, bytes] = {}
        self._error: ExportError | None = None
        self._thread = threading.Thread(target=self._run, name="nlf-pack-charts", daemon=True)
        self._thread.start()

    def _drawn(self, index: int, png: bytes) -> None:
        self._images[index] = png
        if len(self._images) == len(self._specs):
            # Remembered before the last chart is handed over, so the next format finds
            # them even while the browser is still closing.
            _remember(self._deck, dict(self._images))
        self._ready[index].set()

    def _run(self) -> None:
        try:
            with _KALEIDO_LOCK, warnings.catch_warnings():
                warnings.simplefilter("ignore")
                asyncio.run(_draw_batch(self._specs, self._drawn))
        except Exception as exc:  # noqa: BLE001 - handed to the writer as a plain message
            self._error = (
                exc
                if isinstance(exc, ExportError)
                else ExportError(f"The charts could not be drawn as images: {exc}")
            )
        finally:
            for event in self._ready.values():
                event.set()

    def get(self, index: int, default: bytes | None = None) -> bytes | None:
        """The chart of slide ``index`` (waiting until it is drawn), or ``default`` for a
        slide with no chart; raises :class:`ExportError` if drawing failed."""
        event = self._ready.get(index)
        if event is None:
            return default
        event.wait()
        if self._error is not None:
            raise self._error
        return self._images[index]

    def ready(self, index: int) -> bool:
        event = self._ready.get(index)
        return event is None or event.is_set()


def pack_images(
    deck: Deck, images: dict[int, bytes] | None, progress: Progress | None
) -> tuple[dict[int, bytes] | PendingImages, Progress | None]:
    """The images a pack writer uses: given, remembered for this deck, or drawn now in the
    background while the writer works (the writer's ``.get(i)`` waits for slide ``i``)."""
    if images is not None:
        return images, progress
    found = cached_images(deck)
    if found is not None:
        return found, progress
    jobs = _figure_jobs(deck)
    if not jobs:
        _remember(deck, {})
        return {}, progress
    return PendingImages(deck, jobs), progress


def step_text(images, index: int, n: int, title: str, unit: str = "slide") -> str:
    """What a pack's progress bar says at slide ``index``: drawing its chart, or writing it."""
    if isinstance(images, PendingImages) and not images.ready(index):
        return f"Drawing the chart of {unit} {index + 1} of {n}: {title}"
    return f"Writing {unit} {index + 1} of {n}: {title}"
