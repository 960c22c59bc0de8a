"""HTML to PDF bytes with WeasyPrint, typeset in the shipped IPAex fonts and reading nothing else.

The print templates name their fonts as font:ipaexm.ttf and font:ipaexg.ttf. The URL fetcher
serves those two files and refuses every other URL (file:, http:, data: …), so text a user
typed can never make the renderer read a file of the server or reach another host.
"""
from __future__ import annotations

import os
import threading

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

FONT_FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fonts")
FONTS = {"font:ipaexm.ttf": "ipaexm.ttf", "font:ipaexg.ttf": "ipaexg.ttf"}  # IPAex Mincho, IPAex Gothic

# What besides the HTML makes the bytes, in every cache key: WeasyPrint, the fonts, and this
# module's own version (raise it when a change here alters the output of the same HTML).
RENDERER = "weasyprint {}; fonts {}; render.py 1".format(
    weasyprint.__version__,
    ",".join(f"{name}:{os.path.getsize(os.path.join(FONT_FOLDER, name))}" for name in sorted(FONTS.values())),
)


class RefusedURL(ValueError):
    """A URL the renderer may not fetch."""


class ShippedFontsOnly(URLFetcher):
    """A URL fetcher that serves the shipped fonts and refuses everything else."""

    def fetch(self, url, headers=None):
        name = FONTS.get(url)
        if name is None:
            raise RefusedURL(f"the PDF renderer fetches only its own fonts, not {url[:100]!r}")
        with open(os.path.join(FONT_FOLDER, name), "rb") as font:
            return URLFetcherResponse(url, font.read(), {"Content-Type": "font/ttf"})


# Fontconfig and Pango objects are not safe to share between threads: one rendering at a time.
_rendering = threading.Lock()


def html_to_pdf(html: str) -> bytes:
    """Render a complete HTML document (its CSS inline) to PDF bytes."""
    with _rendering:
        # A configuration of its own each time: one kept across renderings has been seen to embed
        # the shipped fonts under a wrong name after some documents (tests/test_pdf.py checks it).
        return weasyprint.HTML(string=html, url_fetcher=ShippedFontsOnly()).write_pdf(font_config=FontConfiguration())
