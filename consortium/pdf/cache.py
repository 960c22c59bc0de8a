"""Rendered PDFs kept on disk by content: the key is a hash of the HTML and the renderer.

A change to what a document prints changes its HTML and so its key: a new PDF is rendered,
while an unchanged one is read back. The key doubles as the response's ETag. Files sit in
a sub-folder named by the key's first two characters, like the materials' store.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from typing import NamedTuple

from ..files import instance_folder, read_cached, write_atomically
from ..kept import Kept
from .render import RENDERER


def content_key(html: str) -> str:
    """The hash of everything that makes a PDF's bytes."""
    return hashlib.sha256(f"{RENDERER}\n{html}".encode()).hexdigest()


def _path(key: str) -> str:
    return os.path.join(instance_folder("PDF_CACHE_FOLDER", "pdf-cache"), key[:2], f"{key}.pdf")


def read(key: str) -> bytes | None:
    """The cached PDF under that key, or None."""
    return read_cached(_path(key))


def pdf_for(html: str, render: Callable[[str], bytes]) -> tuple[str, bytes]:
    """(key, PDF bytes) for the HTML: read from the cache, or rendered and stored."""
    key = content_key(html)
    data = read(key)
    if data is None:
        data = render(html)
        write_atomically(_path(key), data)
    return key, data


class Known(NamedTuple):
    """What a document's version last rendered to."""

    key: str
    title: str
    public: bool


# Building a document's HTML costs as much as a page; its version (the updated_at and version
# columns of its rows, and what the visitor may see) costs one query. A version is trusted to
# give the same HTML for a minute: an edit that moves no version (a presenter renamed in the
# directory) reaches the PDF within that time, every other one at once. Each worker keeps its own.
versions = Kept(4096, max_age=60)
