"""Backups signed with a key only this server holds, so an edited backup is refused.

A backup's ``manifest.json`` carries the SHA-256 of every table file, and restore checks each
file against it; but anyone can recompute those checksums after editing a table (the audit
log included) and rewrite the manifest. So the manifest's exact bytes are signed with
HMAC-SHA256 under a server-side key, and the signature is kept in the zip as
``signature.json``. Editing any table then means editing the manifest, which breaks the
signature, and forging a new one needs the key.

The key: ``NLF_BACKUP_KEY`` (the key itself, any text) when set; else the file named by
``NLF_BACKUP_KEY_FILE``; else ``backup.key`` beside the database's folder of backups (e.g.
data/backup.key, gitignored), generated once with 0600 permissions. A backup moved to another
server restores there only if that server has the same key.

Signing works on the store's finished zip (bytes or a file), so the store's backup format is
unchanged; a backup from before signing simply has no ``signature.json`` (see
:data:`UNSIGNED`).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import secrets
import zipfile
from collections import Counter
from pathlib import Path

from nlf_planner.services.errors import ValidationFailed

SIGNATURE = "signature.json"
MANIFEST = "manifest.json"
ALGORITHM = "HMAC-SHA256"
KEY_ENV = "NLF_BACKUP_KEY"
KEY_FILE_ENV = "NLF_BACKUP_KEY_FILE"
KEY_FILE_NAME = "backup.key"
MIN_KEY_LENGTH = 32  # characters: a guessable key would let anyone re-sign an edited backup

#: Signature states, as the restore's audit row and the pages word them.
VERIFIED = "signature verified"
UNSIGNED = "unsigned"

REFUSED = "This file cannot be restored"
UNCHANGED = "The current data are unchanged."


# --- the key -------------------------------------------------------------------------------


def key_path(home: Path | str) -> Path:
    """Where the key file is: ``NLF_BACKUP_KEY_FILE``, else ``backup.key`` in ``home`` (the
    folder that holds the database and its backups folder)."""
    named = os.environ.get(KEY_FILE_ENV)
    return Path(named) if named else Path(home) / KEY_FILE_NAME


def backup_key(home: Path | str) -> bytes:
    """The server's signing key (see the module docstring), made on first use."""
    given = os.environ.get(KEY_ENV)
    if given:
        if len(given.strip()) < MIN_KEY_LENGTH:
            raise ValidationFailed(
                f"{KEY_ENV} is too short to sign backups: give at least {MIN_KEY_LENGTH} "
                "characters (for example the output of `openssl rand -hex 32`)."
            )
        return given.strip().encode("utf-8")
    path = key_path(home)
    if not path.exists():
        _create_key_file(path)
    key = path.read_bytes().strip()
    if len(key) < MIN_KEY_LENGTH:
        raise ValidationFailed(
            f"The backup signing key in {path} is empty or too short (under 32 characters); "
            f"delete the file to make a new one, or set {KEY_ENV}."
        )
    return key


def _create_key_file(path: Path) -> None:
    """Write a new random key readable by this user only; a key made meanwhile by another
    process is kept (O_EXCL), so two processes never sign with different keys."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32) + "\n")


def key_id(key: bytes) -> str:
    """A short fingerprint of the key (not the key), so a refusal can say "another key"."""
    return hashlib.sha256(b"nlf-backup-key-id:" + key).hexdigest()[:16]


def _mac(key: bytes, manifest: bytes) -> str:
    return hmac.new(key, manifest, hashlib.sha256).hexdigest()


# --- signing -------------------------------------------------------------------------------


def _signature_member(key: bytes, manifest: bytes) -> str:
    return json.dumps(
        {"algorithm": ALGORITHM, "key_id": key_id(key), "manifest_hmac": _mac(key, manifest)},
        indent=2,
        sort_keys=True,
    )


def sign_bytes(data: bytes, key: bytes) -> bytes:
    """The backup zip ``data`` with its manifest's signature added."""
    buffer = io.BytesIO(data)
    _sign_zip(buffer, key)
    return buffer.getvalue()


def sign_file(path: Path | str, key: bytes) -> Path:
    """Add the signature to the backup zip at ``path`` (in place); returns the path."""
    with Path(path).open("r+b") as fh:
        _sign_zip(fh, key)
    return Path(path)


def _sign_zip(fh, key: bytes) -> None:
    with zipfile.ZipFile(fh, "a") as zf:
        names = zf.namelist()
        if SIGNATURE in names:
            raise ValueError("The backup is already signed.")
        zf.writestr(SIGNATURE, _signature_member(key, zf.read(MANIFEST)))


# --- verifying -----------------------------------------------------------------------------


def signature_status(source: bytes | Path | str, key: bytes) -> str:
    """:data:`VERIFIED` or :data:`UNSIGNED`; :class:`ValidationFailed` when the signature
    does not match (the manifest, and so some table, was edited), was made with another key,
    or the zip is not a single clean copy of each file."""
    try:
        with _open(source) as zf:
            counts = Counter(zf.namelist())
            doubled = sorted(n for n, c in counts.items() if c > 1)
            if doubled:
                raise _refuse(
                    f"it holds more than one copy of {', '.join(doubled)}, so what would be "
                    "restored is not what was checked."
                )
            if SIGNATURE not in counts:
                return UNSIGNED
            if MANIFEST not in counts:
                raise _refuse("it has no manifest.json.")
            manifest = zf.read(MANIFEST)
            signature = json.loads(zf.read(SIGNATURE).decode("utf-8"))
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        raise _refuse("its signature cannot be read (the file is damaged or was edited).") from exc
    if not isinstance(signature, dict) or signature.get("algorithm") != ALGORITHM:
        raise _refuse("its signature is not one this app makes.")
    if signature.get("key_id") != key_id(key):
        raise _refuse(
            "it was signed with another key (a backup from another server, or this server's "
            "key was changed). Restore it on the server that made it, or give this server "
            f"that server's key ({KEY_ENV} or {KEY_FILE_NAME})."
        )
    if not hmac.compare_digest(str(signature.get("manifest_hmac", "")), _mac(key, manifest)):
        raise _refuse(
            "its contents were changed after it was made (the manifest no longer matches its "
            "signature), so its tables, the audit log included, cannot be trusted."
        )
    return VERIFIED


def _open(source: bytes | Path | str) -> zipfile.ZipFile:
    if isinstance(source, (bytes, bytearray)):
        return zipfile.ZipFile(io.BytesIO(source))
    return zipfile.ZipFile(Path(source))


def _refuse(why: str) -> ValidationFailed:
    return ValidationFailed(f"{REFUSED}: {why} {UNCHANGED}")


def unsigned_refusal() -> ValidationFailed:
    """The refusal of an unsigned backup restored without the admin's explicit say-so."""
    return ValidationFailed(
        f"{REFUSED} without your confirmation: it is not signed (made before backups were "
        "signed, or its signature was removed), so nothing shows it is unedited. If you know "
        "where it came from, tick 'Restore an unsigned backup' (command line: "
        f"--allow-unsigned) and restore again. {UNCHANGED}"
    )
