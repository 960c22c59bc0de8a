"""Where to send the visitor back to, taken only from paths on this site (never an open redirect)."""
from __future__ import annotations

from urllib.parse import urlsplit


def local_path(target: str | None, fallback: str) -> str:
    """The target when it is a path on this site, else the fallback."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target or urlsplit(target).netloc:
        return fallback
    return target
