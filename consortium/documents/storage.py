"""The store of materials: bytes under random keys, in the "uploads" area (consortium/storage.py).

The uploaded name is never used as a key (it is only shown and offered as the download name),
so no name can reach another area or overwrite another file. Keys are 32 hex characters, fanned
out by their first two (storage.fanned_out).
"""
from __future__ import annotations

import re
import secrets
from typing import BinaryIO

from .. import storage

KEY = re.compile(r"[0-9a-f]{32}")


def _stored(key: str) -> str:
    """Where a key's bytes live in the area; a malformed key is refused before it names anything."""
    if not KEY.fullmatch(key or ""):
        raise ValueError(f"not a storage key: {key!r}")
    return storage.fanned_out(key)


def save(data: bytes) -> str:
    """Store bytes under a new random key and return the key."""
    key = secrets.token_hex(16)
    storage.store("uploads").put(_stored(key), data)
    return key


def open(key: str) -> BinaryIO:  # the store's own verb: storage.open(key)
    """Open a stored file for reading; FileNotFoundError when it is missing."""
    return storage.store("uploads").open(_stored(key))


def exists(key: str) -> bool:
    return storage.store("uploads").exists(_stored(key))


def delete(key: str) -> None:
    """Remove a stored file; one already gone is not an error."""
    storage.store("uploads").delete(_stored(key))
