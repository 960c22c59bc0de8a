"""Files the application writes to its instance folder."""
from __future__ import annotations

import os
import tempfile

from flask import current_app


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
