"""Files the application writes on this machine's disk: the local store's folders (storage.py), the outbox."""
from __future__ import annotations

import os
import tempfile
import time

from flask import current_app

# A cached file's modification time records its last use (atime is not kept on most mounts);
# marking it once a day is enough for pruning by weeks and spares a write on every read.
MARK_USED_EVERY = 24 * 3600


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
