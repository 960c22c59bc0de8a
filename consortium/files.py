"""Files the application writes to its instance folder."""
from __future__ import annotations

import os
import tempfile
import time
from typing import NamedTuple

from flask import current_app

# A cached file's modification time records its last use (atime is not kept on most mounts);
# marking it once a day is enough for pruning by weeks and spares a write on every read.
MARK_USED_EVERY = 24 * 3600
# A .part file this old belongs to a write that died: a live one is a few seconds old.
ABANDONED_PART = 3600


def instance_folder(setting: str, name: str) -> str:
    """The folder a setting names, or by default the named folder in the instance folder."""
    return current_app.config.get(setting) or os.path.join(current_app.instance_path, name)


def write_atomically(target: str, data: bytes) -> None:
    """Write a file aside and rename it into place: a reader never sees half a file (even when the
    disk fills up), and two workers writing the same target each write their own temporary file."""
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=folder, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(partial, target)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise


def read_cached(path: str) -> bytes | None:
    """A cached file's bytes, or None; marks the file as used, for prune()."""
    try:
        with open(path, "rb") as cached:
            if time.time() - os.fstat(cached.fileno()).st_mtime > MARK_USED_EVERY:
                os.utime(cached.fileno())
            return cached.read()
    except FileNotFoundError:
        return None


class Pruned(NamedTuple):
    removed: int
    freed: int  # bytes
    kept: int
    kept_bytes: int


def prune(folder: str, unused_days: int, max_bytes: int) -> Pruned:
    """Remove the cached files unused for that many days, then the least recently used ones until
    the folder holds at most max_bytes. Safe while workers read and write: a file removed under a
    reader is read from its open handle, and one found missing is made again."""
    now = time.time()
    files = []
    for parent, _folders, names in os.walk(folder):
        for name in names:
            path = os.path.join(parent, name)
            try:
                stat = os.stat(path)
            except FileNotFoundError:
                continue
            files.append((stat.st_mtime, stat.st_size, path))
    files.sort()  # least recently used first
    total = sum(size for _used, size, _path in files)
    removed = freed = 0
    for used, size, path in files:
        unused = now - used > unused_days * 24 * 3600
        abandoned = path.endswith(".part") and now - used > ABANDONED_PART
        if not (unused or abandoned or total > max_bytes):
            continue
        try:
            os.remove(path)
        except FileNotFoundError:
            pass
        total -= size
        removed, freed = removed + 1, freed + size
    return Pruned(removed, freed, len(files) - removed, total)
