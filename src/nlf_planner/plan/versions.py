"""Versions: what changed between two plans, and your edits put on top of a newer version.

``diff_plans`` feeds the history tab, the audit row of every save and the comparison shown
after a refused save; ``rebase_edits`` is the three-way merge behind "Put my edits on top of
version N"; ``stamp_updates`` marks the milestones a draft changed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict

from nlf_planner.geography import ENGLAND_CODE
from nlf_planner.plan._cells import fmt
from nlf_planner.plan.records import (
    COLUMN_LABELS,
    MILESTONE_FIELDS,
    STATUS_LABELS,
    Milestone,
    Plan,
    PlanTarget,
)


class Change(BaseModel):
    """One difference between two plan versions."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["added", "removed", "changed"]
    entity: Literal["plan", "target", "milestone"]
    key: str
    label: str
    field: str = ""
    before: Any = None
    after: Any = None

    def describe(self) -> str:
        if self.kind == "changed":
            return f"{self.label}: {self.field} {_show(self.before)} → {_show(self.after)}"
        return f"{self.kind.capitalize()} {self.entity} {self.label}"


def _show(v: Any) -> str:
    if v is None:
        return "(empty)"
    if isinstance(v, float):
        return fmt(v)
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def diff_plans(
    old: Plan,
    new: Plan,
    geo_names: Mapping[str, str] | None = None,
    measure_names: Mapping[str, str] | None = None,
) -> list[Change]:
    """What changed from ``old`` to ``new``: header fields, targets and milestones."""
    geo_names = geo_names or {}
    measure_names = measure_names or {}
    out: list[Change] = []
    for f in ("plan_name", "base_year", "trajectory"):
        if getattr(old, f) != getattr(new, f):
            out.append(
                Change(
                    kind="changed",
                    entity="plan",
                    key=f,
                    label="Plan",
                    field=COLUMN_LABELS[f],
                    before=getattr(old, f),
                    after=getattr(new, f),
                )
            )
    a, b = old.target_map(), new.target_map()

    def tlabel(k: tuple[str, str, int]) -> str:
        code, geo, h = k
        name = measure_names.get(code, "")
        g = "England" if geo == ENGLAND_CODE else geo_names.get(geo, geo)
        return f"{code}{' ' + name if name else ''} ({g}), year {h}"

    for k in sorted(a.keys() | b.keys()):
        key = f"{k[0]}|{k[1]}|{k[2]}"
        if k not in b:
            out.append(
                Change(
                    kind="removed",
                    entity="target",
                    key=key,
                    label=tlabel(k),
                    field="Target",
                    before=a[k],
                )
            )
        elif k not in a:
            out.append(
                Change(
                    kind="added",
                    entity="target",
                    key=key,
                    label=tlabel(k),
                    field="Target",
                    after=b[k],
                )
            )
        elif not math.isclose(a[k], b[k], rel_tol=0, abs_tol=1e-9):
            out.append(
                Change(
                    kind="changed",
                    entity="target",
                    key=key,
                    label=tlabel(k),
                    field="Target",
                    before=a[k],
                    after=b[k],
                )
            )
    ma = {m.item_id: m for m in old.milestones}
    mb = {m.item_id: m for m in new.milestones}
    for item in sorted(ma.keys() | mb.keys()):
        if item not in mb:
            out.append(
                Change(
                    kind="removed",
                    entity="milestone",
                    key=item,
                    label=f"“{ma[item].title}” ({ma[item].priority_area})",
                )
            )
        elif item not in ma:
            out.append(
                Change(
                    kind="added",
                    entity="milestone",
                    key=item,
                    label=f"“{mb[item].title}” ({mb[item].priority_area})",
                )
            )
        else:
            for f in MILESTONE_FIELDS:
                x, y = getattr(ma[item], f), getattr(mb[item], f)
                if x != y:
                    if f == "status":
                        x, y = STATUS_LABELS[x], STATUS_LABELS[y]
                    out.append(
                        Change(
                            kind="changed",
                            entity="milestone",
                            key=item,
                            label=f"“{mb[item].title}”",
                            field=COLUMN_LABELS[f],
                            before=x,
                            after=y,
                        )
                    )
    return out


def changes_frame(changes: Sequence[Change]) -> pd.DataFrame:
    cols = ["change", "what", "item", "field", "before", "after"]
    rows = [
        {
            "change": c.kind,
            "what": c.entity,
            "item": c.label,
            "field": c.field,
            "before": _show(c.before) if c.kind != "added" else "",
            "after": _show(c.after) if c.kind != "removed" else "",
        }
        for c in changes
    ]
    return pd.DataFrame(rows, columns=cols)


def summarise_changes(changes: Sequence[Change]) -> str:
    if not changes:
        return "No differences."
    counts = Counter(
        (c.kind, c.entity) for c in {(c.kind, c.entity, c.key): c for c in changes}.values()
    )
    parts = [
        f"{n} {entity}{'s' if n != 1 else ''} {kind}"
        for (kind, entity), n in sorted(counts.items(), key=lambda kv: -kv[1])
    ]
    return "; ".join(parts) + "."


class MergeConflict(BaseModel):
    """A change of yours that someone else also changed differently; theirs was kept."""

    model_config = ConfigDict(frozen=True)
    entity: Literal["plan", "target", "milestone"]
    key: str
    field: str
    yours: Any = None
    theirs: Any = None

    def describe(self) -> str:
        return (
            f"{self.entity} {self.key}, {self.field}: yours {_show(self.yours)}, "
            f"theirs {_show(self.theirs)} (theirs kept)"
        )


def rebase_edits(original: Plan, edited: Plan, latest: Plan) -> tuple[Plan, list[MergeConflict]]:
    """Apply the changes you made (``original`` → ``edited``) on top of ``latest``.

    After a refused save, this keeps your work without overwriting a colleague's: every
    target, milestone field and header field you changed is applied unless the colleague
    changed the same thing to something else, which is reported as a conflict and left as
    theirs. Items you added are added; items you removed are removed unless the colleague
    changed them. The result carries ``latest``'s version number, ready to save.
    """
    conflicts: list[MergeConflict] = []
    header: dict[str, Any] = {}
    for f in ("plan_name", "base_year", "trajectory"):
        mine, base, theirs = getattr(edited, f), getattr(original, f), getattr(latest, f)
        if mine != base:
            if theirs in (base, mine):
                header[f] = mine
            else:
                conflicts.append(
                    MergeConflict(entity="plan", key="plan", field=f, yours=mine, theirs=theirs)
                )

    o, e, t = original.target_map(), edited.target_map(), latest.target_map()
    merged_t = dict(t)
    for k in o.keys() | e.keys():
        mine, base = e.get(k), o.get(k)
        if mine == base:
            continue
        theirs = t.get(k)
        if theirs in (base, mine):
            if mine is None:
                merged_t.pop(k, None)
            else:
                merged_t[k] = mine
        else:
            conflicts.append(
                MergeConflict(
                    entity="target",
                    key="|".join(map(str, k)),
                    field="Target",
                    yours=mine,
                    theirs=theirs,
                )
            )

    om = {m.item_id: m for m in original.milestones}
    em = {m.item_id: m for m in edited.milestones}
    tm = {m.item_id: m for m in latest.milestones}
    merged_m = dict(tm)
    for item in om.keys() | em.keys():
        base, mine, theirs = om.get(item), em.get(item), tm.get(item)
        if mine == base:
            continue
        if base is None:  # you added it
            merged_m[item] = mine
        elif mine is None:  # you removed it
            if theirs == base:
                merged_m.pop(item, None)
            elif theirs is not None:
                conflicts.append(
                    MergeConflict(
                        entity="milestone",
                        key=item,
                        field="(removed)",
                        yours="removed",
                        theirs="changed",
                    )
                )
        elif theirs is None:  # they removed what you changed
            conflicts.append(
                MergeConflict(
                    entity="milestone",
                    key=item,
                    field="(removed)",
                    yours="changed",
                    theirs="removed",
                )
            )
        else:
            update = {}
            for f in MILESTONE_FIELDS:
                b, y, th = getattr(base, f), getattr(mine, f), getattr(theirs, f)
                if y == b:
                    continue
                if th in (b, y):
                    update[f] = y
                else:
                    conflicts.append(
                        MergeConflict(
                            entity="milestone", key=item, field=COLUMN_LABELS[f], yours=y, theirs=th
                        )
                    )
            merged_m[item] = theirs.model_copy(update=update)

    targets = [
        PlanTarget(measure_code=k[0], geo_code=k[1], horizon=k[2], target=v)
        for k, v in sorted(merged_t.items())
    ]
    order = [m.item_id for m in latest.milestones] + [
        i for i in (m.item_id for m in edited.milestones) if i not in tm
    ]
    milestones = [merged_m[i] for i in order if i in merged_m]
    merged = latest.model_copy(update={**header, "targets": targets, "milestones": milestones})
    return merged, conflicts


def stamp_updates(
    new: Sequence[Milestone], old: Sequence[Milestone], today: date
) -> list[Milestone]:
    """Set ``last_updated`` to today on new or changed milestones whose date the user did not
    change, so the stale list reflects real activity."""
    before = {m.item_id: m for m in old}
    out = []
    for m in new:
        prev = before.get(m.item_id)
        if prev is None:
            out.append(m if m.last_updated else m.model_copy(update={"last_updated": today}))
            continue
        changed = any(
            getattr(m, f) != getattr(prev, f) for f in MILESTONE_FIELDS if f != "last_updated"
        )
        if changed and m.last_updated == prev.last_updated:
            m = m.model_copy(update={"last_updated": today})
        out.append(m)
    return out
