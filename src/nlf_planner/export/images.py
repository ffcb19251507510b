"""Chart images for the PowerPoint and PDF packs: plotly + kaleido driving a local Chromium.

All charts of a pack are drawn under one kaleido sync server (starting a browser costs
seconds; each image after that a fraction of one). Without Chromium the image-based formats
fail with :class:`ExportError` naming what to install; HTML needs no browser.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import warnings
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
KALEIDO_TABS = 2  # parallel tabs in the one Chromium that draws a batch


_KALEIDO_LOCK = threading.Lock()


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


def render_images(deck: Deck) -> dict[int, bytes]:
    """PNG bytes for each slide's chart (keyed by slide index), drawn in one batch by one
    kaleido server (one Chromium, a few tabs in parallel)."""
    jobs = _figure_jobs(deck)
    if not jobs:
        return {}
    path = chromium_path()
    if path is None:
        raise ExportError(INSTALL_HINT)
    os.environ["BROWSER_PATH"] = path
    import kaleido

    with (
        _KALEIDO_LOCK,
        warnings.catch_warnings(),
        tempfile.TemporaryDirectory(prefix="nlf-charts-") as tmp,
    ):
        warnings.simplefilter("ignore")
        specs = [_image_spec(fig, box, Path(tmp) / f"{index}.png") for index, fig, box in jobs]
        try:
            kaleido.start_sync_server(n=min(KALEIDO_TABS, len(jobs)), silence_warnings=True)
        except Exception as exc:  # noqa: BLE001 - the browser could not start
            raise ExportError(f"The chart renderer could not start Chromium: {exc}") from exc
        try:
            kaleido.write_fig_from_object_sync(specs)
        except Exception as exc:  # noqa: BLE001 - surface as a plain message
            raise ExportError(f"The charts could not be drawn as images: {exc}") from exc
        finally:
            kaleido.stop_sync_server(silence_warnings=True)
        out = {}
        for index, _, _ in jobs:
            file = Path(tmp) / f"{index}.png"
            if not file.exists():
                raise ExportError(f"The chart on slide {index + 1} could not be drawn.")
            out[index] = file.read_bytes()
    return out


def _image_spec(fig: go.Figure, box: Box, path: Path) -> dict:
    width = int(box.width * PX_PER_IN)
    height = int(box.height * PX_PER_IN)
    figure = go.Figure(fig)
    figure.update_layout(width=width, height=height, autosize=False)
    return {
        "fig": figure.to_dict(),
        "path": str(path),
        "opts": {"format": "png", "width": width, "height": height, "scale": IMAGE_SCALE},
    }
