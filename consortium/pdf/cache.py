"""Rendered PDFs kept by content in the "pdf-cache" store: the key is a hash of the HTML and the renderer.

A change to what a document prints changes its HTML and so its key: a new PDF is rendered,
while an unchanged one is read back. The key doubles as the response's ETag. Files sit in
a sub-folder named by the key's first two characters, like the materials.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import NamedTuple

from .. import jobs, storage
from ..kept import Kept
from .render import RENDERER, html_to_pdf


def content_key(html: str) -> str:
    """The hash of everything that makes a PDF's bytes."""
    return hashlib.sha256(f"{RENDERER}\n{html}".encode()).hexdigest()


def _stored(key: str) -> str:
    return storage.fanned_out(f"{key}.pdf")


def read(key: str) -> bytes | None:
    """The cached PDF under that key, or None."""
    return storage.store("pdf-cache").get(_stored(key))


def pdf_for(html: str, render: Callable[[str], bytes] = html_to_pdf) -> tuple[str, bytes]:
    """(key, PDF bytes) for the HTML: read from the cache, or rendered and stored."""
    key = content_key(html)
    data = read(key)
    if data is None:
        data = render(html)
        storage.store("pdf-cache").put(_stored(key), data)
    return key, data


def render_later(html: str) -> None:
    """Have a worker render the HTML into the cache (at once without a queue): once per key,
    however many visitors ask while it renders."""
    jobs.enqueue(render_job, html, once=f"pdf-{content_key(html)}")


def render_job(html: str) -> None:
    pdf_for(html)


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
