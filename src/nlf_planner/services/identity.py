"""Who is acting: the signed-in identity (OIDC ID-token claims) or, without sign-in, the
one local admin, turned into the :class:`Actor` every service checks.

One home for the rules that decide a person's roles and region scope, so the pages, the
admin view and the tests read the same answer:

- Roles come from the ID token's ``roles`` claim (Microsoft Entra ID app roles) through a
  mapping in settings (``[nlf.roles]`` in ``secrets.toml``). Without a mapping the claim's
  values are read as they are (``viewer``, ``editor``, ``data_manager``, ``admin``) or as the
  Entra app-role values ``NLF.Viewer``, ``NLF.Editor``, ``NLF.DataManager``, ``NLF.Admin``.
  Missing, empty or unknown values mean viewer: signing in never grants more than reading.
- A region scope narrows an editor or data manager to one NHS region. It comes from a mapped
  value written ``"editor:E40000003"`` or from a ``region`` claim holding a region code
  (``E40000xxx``). An unknown code, or two different regions at once, is refused: the person
  keeps only the viewer role, so a mistake in the provider never widens access.
- Admin is never region-scoped (restore and full backups cover every region).

Nothing here touches Streamlit: the ui hands in the claims and the settings it read.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.error
import urllib.request
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from nlf_planner.services.actor import LOCAL_ROLES, Actor, Role

#: Values of the ``roles`` claim understood without any settings: the role names themselves
#: and the Entra app-role values docs/SIGN-IN.md tells an administrator to create.
DEFAULT_ROLE_MAPPING: dict[str, str] = {
    **{role.value: role.value for role in Role},
    "NLF.Viewer": Role.VIEWER.value,
    "NLF.Editor": Role.EDITOR.value,
    "NLF.DataManager": Role.DATA_MANAGER.value,
    "NLF.Admin": Role.ADMIN.value,
}

#: How long one sign-in lasts before the app asks again (Streamlit's own cookie lasts 30 days
#: and cannot be shortened, so the app checks the ID token's issue time itself).
DEFAULT_SIGN_IN_HOURS = 12

REGION_CODE = re.compile(r"^E40000\d{3}$")
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})

SOURCE_LOCAL = "local mode: no sign-in"
SOURCE_DEFAULT = "default viewer"


class IdentitySettingsError(ValueError):
    """The sign-in settings cannot be used; the message says which entry and why."""


@dataclass(frozen=True)
class IdentitySettings:
    """The ``[nlf]`` sign-in settings: the role mapping and how long a sign-in lasts."""

    role_mapping: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ROLE_MAPPING))
    mapping_configured: bool = False
    sign_in_hours: float = DEFAULT_SIGN_IN_HOURS


@dataclass(frozen=True)
class _Grant:
    role: Role
    region: str | None
    claim_value: str


def parse_settings(section: Mapping[str, Any] | None) -> IdentitySettings:
    """Read ``[nlf]`` (``roles`` mapping, ``sign_in_hours``), refusing a value that names no
    role so a typo in the mapping is found at start-up, not by a person locked out."""
    section = section or {}
    raw_roles = section.get("roles")
    mapping = dict(DEFAULT_ROLE_MAPPING)
    configured = False
    if raw_roles is not None:
        if not isinstance(raw_roles, Mapping):
            raise IdentitySettingsError("[nlf.roles] must be a table of claim value = role.")
        mapping, configured = {}, True
        for claim_value, target in raw_roles.items():
            _parse_target(str(target), where=f"[nlf.roles] {claim_value!r}")
            mapping[str(claim_value)] = str(target)
    hours = section.get("sign_in_hours", DEFAULT_SIGN_IN_HOURS)
    try:
        hours = float(hours)
    except (TypeError, ValueError):
        raise IdentitySettingsError("[nlf] sign_in_hours must be a number of hours.") from None
    if not 0 < hours <= 24 * 30:
        raise IdentitySettingsError("[nlf] sign_in_hours must be between 0 and 720 hours.")
    return IdentitySettings(
        role_mapping=mapping, mapping_configured=configured, sign_in_hours=hours
    )


def _parse_target(target: str, *, where: str) -> tuple[Role, str | None]:
    """``"editor"`` or ``"editor:E40000003"`` → (role, region code or None)."""
    name, _, region = target.strip().partition(":")
    try:
        role = Role(name.strip())
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise IdentitySettingsError(f"{where}: {name!r} is not a role ({known}).") from None
    region = region.strip() or None
    if region is not None and not REGION_CODE.match(region):
        raise IdentitySettingsError(f"{where}: {region!r} is not an NHS region code (E40000xxx).")
    if region is not None and role is Role.ADMIN:
        raise IdentitySettingsError(f"{where}: the admin role covers every region.")
    return role, region


def _claim_values(claims: Mapping[str, Any]) -> list[str]:
    """The ``roles`` claim as a list of strings (a lone string is one value)."""
    raw = claims.get("roles")
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, (list, tuple)):
        return []
    return [str(v).strip() for v in raw if str(v).strip()]


def _text(claims: Mapping[str, Any], *keys: str) -> str:
    for key in keys:
        value = claims.get(key)
        if isinstance(value, str) and value.strip():
            return re.sub(r"\s+", " ", value.strip())
    return ""


def _viewer(subject: str, name: str, email: str, source: str) -> Actor:
    return Actor(
        id=subject,
        display_name=name,
        roles=frozenset({Role.VIEWER}),
        email=email,
        region_code=None,
        role_source=source,
    )


def actor_from_claims(
    claims: Mapping[str, Any],
    settings: IdentitySettings | None = None,
    known_regions: Collection[str] | None = None,
) -> Actor | None:
    """The actor for a signed-in person's ID-token claims; None without a subject.

    ``id`` is the subject (stable per person and app), ``display_name`` the name (else the
    email, else the subject), ``role_source`` says in words where the roles came from.
    """
    settings = settings or IdentitySettings()
    subject = _text(claims, "sub")
    if not subject:
        return None
    email = _text(claims, "email", "preferred_username", "upn")
    name = _text(claims, "name") or email or subject
    values = _claim_values(claims)
    if not values:
        return _viewer(subject, name, email, f"{SOURCE_DEFAULT} (no roles claim)")
    grants, unknown = [], []
    for value in values:
        target = settings.role_mapping.get(value)
        if target is None:
            unknown.append(value)
            continue
        role, region = _parse_target(target, where=f"roles claim {value!r}")
        grants.append(_Grant(role, region, value))
    if not grants:
        shown = ", ".join(repr(v) for v in unknown)
        return _viewer(subject, name, email, f"{SOURCE_DEFAULT} (unknown roles claim {shown})")
    return _with_region(subject, name, email, claims, grants, settings, known_regions)


def _with_region(
    subject: str,
    name: str,
    email: str,
    claims: Mapping[str, Any],
    grants: list[_Grant],
    settings: IdentitySettings,
    known_regions: Collection[str] | None,
) -> Actor:
    """Apply the one region scope (mapped or from the ``region`` claim) to the grants."""
    regions = {g.region for g in grants if g.region}
    claimed = _text(claims, "region")
    if claimed:
        regions.add(claimed)
    if len(regions) > 1:
        listed = ", ".join(sorted(regions))
        return _viewer(
            subject, name, email, f"{SOURCE_DEFAULT} (conflicting region scopes {listed})"
        )
    region = next(iter(regions), None)
    if region is not None and (
        not REGION_CODE.match(region) or (known_regions is not None and region not in known_regions)
    ):
        return _viewer(subject, name, email, f"{SOURCE_DEFAULT} (unknown region {region!r})")
    roles = frozenset({Role.VIEWER, *(g.role for g in grants)})
    if Role.ADMIN in roles:
        region = None  # admin covers every region
    how = "settings mapping" if settings.mapping_configured else "claim value"
    values = ", ".join(g.claim_value for g in grants)
    source = f"roles claim {values} ({how})"
    if region and claimed:
        source += f"; region claim {region}"
    return Actor(
        id=subject,
        display_name=name,
        roles=roles,
        email=email,
        region_code=region,
        role_source=source,
    )


def local_mode_actor(os_user: str) -> Actor:
    """The one person a laptop run serves: every role, named after the operating-system user."""
    name = re.sub(r"\s+", " ", (os_user or "").strip()) or "local user"
    return Actor(
        id=f"local:{name.lower()}",
        display_name=name,
        roles=LOCAL_ROLES,
        email="",
        region_code=None,
        role_source=SOURCE_LOCAL,
    )


def is_loopback(address: str | None) -> bool:
    """True only for an address that this machine alone can reach.

    Streamlit listens on every interface when no address is set, so ``None`` or ``""`` is
    not loopback.
    """
    if not address:
        return False
    address = address.strip().strip("[]")
    if address.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def issued_at(claims: Mapping[str, Any]) -> datetime | None:
    """When the identity provider issued the ID token (``iat``), in UTC, if it says."""
    value = claims.get("iat")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def sign_in_expired(
    claims: Mapping[str, Any], settings: IdentitySettings, now: datetime | None = None
) -> bool:
    """True when the sign-in is older than ``sign_in_hours`` (or carries no issue time)."""
    issued = issued_at(claims)
    if issued is None:
        return True
    now = now or datetime.now(UTC)
    return now - issued > timedelta(hours=settings.sign_in_hours)


def provider_reachable(metadata_url: str, timeout_s: float = 5.0) -> bool:
    """True when the provider's discovery document answers, so a sign-in can start.

    Checked before sending someone to the provider: otherwise Streamlit answers a failed
    redirect with a bare "Authentication error" page.
    """
    try:
        with urllib.request.urlopen(metadata_url, timeout=timeout_s) as response:  # noqa: S310
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False
