"""An uploaded roster waiting for confirmation: its bytes in the "imports" store, its key in the session.

The file stays on the server between preview and confirm, so the confirmed import is
exactly the file that was previewed, and the URL never carries it or its name.
"""
from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass

from flask import session
from flask_login import current_user

from .. import storage

SESSION_KEY = "roster_import"
MAX_AGE = 24 * 3600  # an upload left unconfirmed this long is swept away by the next upload
_NAME = re.compile(r"[0-9a-f]{32}")


@dataclass
class Pending:
    consortium_id: int
    filename: str
    data: bytes
    whole: bool = False  # the file is the whole roster: members it does not name leave
    name: str = ""  # its key in the "imports" store


def store(consortium_id: int, filename: str, data: bytes, whole: bool = False) -> None:
    """Keep the upload under a random name and remember it in the session, replacing any earlier one."""
    discard()
    _sweep()
    name = secrets.token_hex(16)
    storage.store("imports").put(name, data)
    session[SESSION_KEY] = {
        "name": name,
        "consortium_id": consortium_id,
        "filename": filename[:200],
        "whole": bool(whole),
        "user_id": current_user.get_id(),
    }


def _entry(consortium_id: int | None = None) -> dict | None:
    entry = session.get(SESSION_KEY)
    if not isinstance(entry, dict) or not _NAME.fullmatch(str(entry.get("name", ""))):
        return None
    if entry.get("user_id") != current_user.get_id():
        return None
    if consortium_id is not None and entry.get("consortium_id") != consortium_id:
        return None
    return entry


def load(consortium_id: int) -> Pending | None:
    """The upload waiting for this consortium in this session, or None."""
    entry = _entry(consortium_id)
    if entry is None:
        return None
    data = storage.store("imports").get(entry["name"])
    if data is None:
        return None
    return Pending(consortium_id, entry.get("filename") or "", data, entry.get("whole") is True, entry["name"])


def waiting(consortium_id: int) -> str | None:
    """The file name of an upload waiting for this consortium in this session, without reading it."""
    entry = _entry(consortium_id)
    return (entry.get("filename") or "—") if entry is not None else None


def forget() -> None:
    """Forget the waiting upload in this session, leaving its file to the job that imports it."""
    session.pop(SESSION_KEY, None)


def discard() -> None:
    """Delete the waiting upload, if any, and forget it."""
    entry = _entry()
    session.pop(SESSION_KEY, None)
    if entry is not None:
        storage.store("imports").delete(entry["name"])


def _sweep() -> None:
    """Remove uploads nobody confirmed or cancelled (a closed tab), a day after they came."""
    cutoff = time.time() - MAX_AGE
    imports = storage.store("imports")
    for blob in imports.blobs():
        if _NAME.fullmatch(blob.key) and blob.used < cutoff:
            imports.delete(blob.key)
