"""The pages of the app, in navigation order: one entry per file in ``pages/``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    file: str  # relative to the project root
    title: str
    icon: str
    url_path: str
    heading: str  # the page's main heading, checked by the tests


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "Overview", ":material/dashboard:", "overview", "Overview"),
    PageSpec("pages/plan.py", "Plan", ":material/flag:", "plan", "The 1/3/5-year plan"),
    PageSpec(
        "pages/regions.py",
        "Regions",
        ":material/map:",
        "regions",
        "Regions and integrated care systems",
    ),
    PageSpec(
        "pages/scenarios.py",
        "Scenarios",
        ":material/tune:",
        "scenarios",
        "Leadership capacity scenarios",
    ),
    PageSpec("pages/engagement.py", "Engagement", ":material/groups:", "engagement", "Engagement"),
    PageSpec("pages/present.py", "Present", ":material/slideshow:", "present", "Board deck"),
    PageSpec("pages/data.py", "Data", ":material/database:", "data", "Data"),
)
