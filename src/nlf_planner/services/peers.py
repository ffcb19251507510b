"""Peer groups: save, edit (a new version), delete, suggest nearest neighbours, and compare
an area with its peers' aggregate.

Writes need an editor; a region-scoped editor may save or delete only groups whose home area
lies in their region (``access.require_scope`` on the home, before and after an edit). Each
draft is checked by the domain's rules (``nlf_planner.peers``: every issue at once) before
anything is written; the store writes each version with its members and its audit row in one
transaction. Reads are kept per data version, which every save moves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd

from nlf_planner import peers as domain
from nlf_planner.peers import PeerComparison, PeerGroup
from nlf_planner.regions import RegionsModel
from nlf_planner.services import measurements as measurement_service
from nlf_planner.services import reference as reference_service
from nlf_planner.services.access import require, require_scope
from nlf_planner.services.actor import Actor, Role
from nlf_planner.services.cache import per_data_version
from nlf_planner.services.errors import (
    NotFound,
    ReadOnly,
    ServiceError,
    StaleVersion,
    ValidationFailed,
)
from nlf_planner.store import Database, ReadOnlyError, StoreError
from nlf_planner.store import peers as store

#: How many neighbours a suggestion offers unless asked otherwise.
DEFAULT_NEIGHBOURS = 5


@contextmanager
def _readable_errors(action: str) -> Iterator[None]:
    try:
        yield
    except store.StalePeerGroup as exc:
        raise StaleVersion(
            f"Not {action}: {exc} Your changes are still here: reload the group to see theirs, "
            "then make yours again.",
            exc.current_version,
        ) from exc
    except store.PeerGroupNotFound as exc:
        raise NotFound(str(exc)) from exc
    except ReadOnlyError as exc:
        raise ReadOnly(str(exc)) from exc
    except StoreError as exc:
        raise ServiceError(f"Not {action}: {exc}") from exc


# --------------------------------------------------------------------------- reads


@per_data_version(maxsize=4)
def _levels(db: Database) -> dict[str, str]:
    out = {r.code: "region" for r in reference_service.regions(db)}
    out.update({i.code: "icb" for i in reference_service.icbs(db)})
    return out


@per_data_version(maxsize=4)
def _groups(db: Database) -> tuple[PeerGroup, ...]:
    return tuple(store.list_groups(db))


def list_groups(
    db: Database, *, level: str | None = None, home: str | None = None
) -> list[PeerGroup]:
    """The newest version of each saved group (by name), optionally only one level's or one
    home area's."""
    return [
        g
        for g in _groups(db)
        if (level is None or g.level == level) and (home is None or g.home_geo == home)
    ]


@per_data_version(maxsize=32)
def _group(db: Database, peer_group_id: int, version: int | None) -> PeerGroup | None:
    return store.load_group(db, peer_group_id, version)


def group(db: Database, peer_group_id: int, version: int | None = None) -> PeerGroup:
    """One version of a group (the newest when ``version`` is None); :class:`NotFound`
    when it is missing or deleted."""
    found = _group(db, int(peer_group_id), int(version) if version is not None else None)
    if found is None:
        raise NotFound(f"Peer group {peer_group_id} does not exist or was deleted.")
    return found


def versions(db: Database, peer_group_id: int) -> pd.DataFrame:
    """Every version of one group, newest first."""
    return _versions(db, int(peer_group_id)).copy()


@per_data_version(maxsize=16)
def _versions(db: Database, peer_group_id: int) -> pd.DataFrame:
    return store.list_versions(db, peer_group_id)


def suggest_nearest(
    db: Database, home: str, measure_code: str, k: int = DEFAULT_NEIGHBOURS
) -> pd.DataFrame:
    """The ``k`` areas of ``home``'s level closest to it on the measure's latest value
    (``peers.nearest_neighbours``), with their names; a suggestion, nothing is saved."""
    return _suggest(db, home, measure_code, int(k)).copy()


@per_data_version(maxsize=16)
def _suggest(db: Database, home: str, measure_code: str, k: int) -> pd.DataFrame:
    levels = _levels(db)
    level = levels.get(home)
    if level is None:
        raise ValidationFailed(f"{home} is not a region or ICS, so it has no neighbours.")
    if reference_service.measure(db, measure_code) is None:
        raise ValidationFailed(f"Unknown measure {measure_code}.")
    same = [g for g, lv in levels.items() if lv == level]
    found = domain.nearest_neighbours(
        measurement_service.all_series(db), measure_code, home, same, k
    )
    names = reference_service.geography_names(db)
    return found.assign(name=[names.get(g, g) for g in found.geo_code])


def peer_comparison(
    db: Database, model: RegionsModel, group_: PeerGroup, measure_code: str
) -> PeerComparison:
    """The group's home against its peers' aggregate on one measure, at the measure's
    latest period in the model (the benchmark's period); kept per data version."""
    data = model.series[model.series.measure_code == measure_code]
    period = pd.Timestamp(data.period.max()).date() if not data.empty else None
    return _comparison(db, group_, measure_code, period)


@per_data_version(maxsize=256)
def _comparison(db: Database, group_: PeerGroup, measure_code: str, period) -> PeerComparison:
    measure = reference_service.measure(db, measure_code)
    if measure is None:
        raise ValidationFailed(f"Unknown measure {measure_code}.")
    return domain.compare_with_peers(measurement_service.all_series(db), measure, group_, period)


def peer_profile(db: Database, model: RegionsModel, group_: PeerGroup) -> pd.DataFrame:
    """The home against its peers on every measure with data (one row each, the CSV's
    columns of ``peers.comparison_frame``), in the model's measure order."""
    rows = [
        peer_comparison(db, model, group_, code)
        for code in model.measures
        if (model.series.measure_code == code).any()
    ]
    frame = domain.comparison_frame(rows, model.names)
    if not frame.empty:
        frame.insert(5, "measure", [model.measures[c].name for c in frame.measure_code])
    return frame


# --------------------------------------------------------------------------- writes


def _checked(db: Database, draft: PeerGroup) -> PeerGroup:
    try:
        return domain.check(draft, _levels(db), [m.code for m in reference_service.measures(db)])
    except domain.PeerGroupInvalid as exc:
        raise ValidationFailed(str(exc), exc.issues) from exc


def save_group(
    db: Database,
    actor: Actor | None,
    draft: PeerGroup,
    expected_version: int | None = None,
    *,
    reason: str | None = None,
) -> PeerGroup:
    """Save ``draft`` as a new group (no ``peer_group_id``) or the next version of one.

    ``expected_version`` is the version the edit started from (:class:`StaleVersion` when
    someone saved a newer one; nothing is written). A region-scoped editor may save only
    groups whose home, before and after the edit, is in their region."""
    require(actor, Role.EDITOR, "save a peer group")
    homes: list[str | None] = [draft.home_geo]
    if draft.peer_group_id is not None:
        current = store.load_group(db, int(draft.peer_group_id))
        if current is None:
            raise NotFound(f"Peer group {draft.peer_group_id} does not exist or was deleted.")
        homes.append(current.home_geo)
    who = require_scope(db, actor, Role.EDITOR, "save a peer group", homes)
    clean = _checked(db, draft)
    if reason:
        try:
            domain.textcheck.check_text(reason, "Why", multiline=True)
        except ValueError as exc:
            raise ValidationFailed(f"Not saved: {exc}") from exc
    with _readable_errors("saved"):
        return store.save_group(
            db, clean, actor=who.display_name, expected_version=expected_version,
            reason=reason or None,
        )  # fmt: skip


def delete_group(db: Database, actor: Actor | None, peer_group_id: int, *, reason: str) -> None:
    """Delete a group (every version kept, hidden), with a reason the audit log keeps."""
    require(actor, Role.EDITOR, "delete a peer group")
    current = store.load_group(db, int(peer_group_id))
    if current is None:
        raise NotFound(f"Peer group {peer_group_id} does not exist or was already deleted.")
    who = require_scope(db, actor, Role.EDITOR, "delete a peer group", [current.home_geo])
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed("Not deleted: say why the group is no longer needed.")
    try:
        domain.textcheck.check_text(text, "Why", multiline=True)
    except ValueError as exc:
        raise ValidationFailed(f"Not deleted: {exc}") from exc
    with _readable_errors("deleted"):
        store.delete_group(db, int(peer_group_id), actor=who.display_name, reason=text)
