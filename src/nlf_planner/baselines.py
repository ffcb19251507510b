"""Fixed SPC baselines: the rules for a person's fix, and the suggestions offered to them.

A fixed baseline freezes a segment's limits on its first points (after N points, or on the
points up to a period), so later points are judged against the process as it was. Making
Data Count treats it, like a rebase, as a person's decision made for a stated reason; this
module checks a proposed fix, offers fixes (never applied by themselves) and words what a
fix would change, all pure so the service and the page share one rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

try:  # the engine's record; until the engine carries it, the same record lives here
    from nlf_planner.spc import FixedBaseline
except ImportError:  # pragma: no cover - removed once spc.FixedBaseline lands

    @dataclass(frozen=True)
    class FixedBaseline:  # type: ignore[no-redef]
        """Limits of one segment frozen on its first points."""

        segment_start: date | None = None
        points: int | None = None
        until: date | None = None


def _first_segment_first(fix: FixedBaseline) -> tuple[bool, date]:
    return (fix.segment_start is not None, fix.segment_start or date.min)


def for_series(
    fixes: Mapping[tuple[str, str | None], Sequence[FixedBaseline]],
    measure_code: str,
    geo_code: str,
) -> list[FixedBaseline]:
    """The fixes one series' limits use, from every fix keyed by (measure, geography), the
    geography None for a fix on every chart of the measure: segment by segment, the
    series' own fix, else the measure-wide one. So a measure-wide "before launch" fix still
    holds on a series that has its own fix only on a later, rebased segment."""
    chosen: dict[date | None, FixedBaseline] = {}
    for fix in fixes.get((measure_code, None), ()):
        chosen.setdefault(fix.segment_start, fix)
    own: dict[date | None, FixedBaseline] = {}
    for fix in fixes.get((measure_code, geo_code), ()):
        own.setdefault(fix.segment_start, fix)
    chosen.update(own)
    return sorted(chosen.values(), key=_first_segment_first)
