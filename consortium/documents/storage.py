"""The file store of materials: bytes on local disk, outside the web root, under random names.

The uploaded name is never used on disk (it is only shown and offered as the download name),
so no name can reach another folder or overwrite another file. Keys are 32 hex characters;
files sit in a sub-folder named by the first two, so no folder grows past a few thousand.
"""
from __future__ import annotations

import builtins
import os
import re
import secrets
from typing import BinaryIO

from ..files import instance_folder, write_atomically

KEY = re.compile(r"[0-9a-f]{32}")


def folder() -> str:
    """The upload folder: UPLOAD_FOLDER, or uploads/ in the instance folder."""
    return instance_folder("UPLOAD_FOLDER", "uploads")


def path(key: str) -> str:
    """Where a key's bytes live; a malformed key is refused before it can name any path."""
    if not KEY.fullmatch(key or ""):
        raise ValueError(f"not a storage key: {key!r}")
    return os.path.join(folder(), key[:2], key)


def save(data: bytes) -> str:
    """Store bytes under a new random key and return the key."""
    key = secrets.token_hex(16)
    write_atomically(path(key), data)
    return key


def open(key: str) -> BinaryIO:  # the store's own verb: storage.open(key)
    """Open a stored file for reading."""
    return builtins.open(path(key), "rb")


def exists(key: str) -> bool:
    return os.path.isfile(path(key))


def delete(key: str) -> None:
    """Remove a stored file; one already gone is not an error."""
    try:
        os.remove(path(key))
    except FileNotFoundError:
        pass
