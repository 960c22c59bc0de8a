"""The PDF renderer and its cache as plain functions: the URL fetcher that serves only the
shipped fonts, and PDFs stored by the hash of their HTML."""
from __future__ import annotations

import io
import urllib.request

import pypdf
import pytest
import weasyprint

from consortium import files
from consortium.pdf import cache, render


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "http://example.com/", "https://example.com/x.css", "data:text/css,body{}",
    "font:../../../etc/passwd", "font:ipaexm.ttf/../../x",
])
def test_the_fetcher_refuses_everything_but_the_shipped_fonts(url):
    with pytest.raises(render.RefusedURL):
        render.ShippedFontsOnly().fetch(url)


def test_the_fetcher_serves_the_shipped_fonts():
    for url in ("font:ipaexm.ttf", "font:ipaexg.ttf"):
        response = render.ShippedFontsOnly().fetch(url)
        assert response.read(4) == b"\x00\x01\x00\x00"  # a TrueType font
        response.close()


def test_html_cannot_make_the_renderer_read_files_or_reach_hosts(tmp_path, monkeypatch):
    evil = tmp_path / "evil.css"
    evil.write_text('body::after { content: "LEAKED"; }')
    html = (
        f'<html lang="ja"><head><link rel="stylesheet" href="{evil.as_uri()}">'
        '<style>@import url("http://example.com/evil.css"); body { font-family: "IPAexMincho"; }'
        '@font-face { font-family: "IPAexMincho"; src: url("font:ipaexm.ttf"); }</style></head>'
        '<body><p>本文</p><img src="file:///etc/passwd"><img src="http://example.com/x.png"></body></html>'
    )
    # WeasyPrint's own fetcher reads the file (shown on the file: link alone, so nothing goes out).
    leaked = weasyprint.HTML(string=f'<link rel="stylesheet" href="{evil.as_uri()}"><p>本文</p>').write_pdf()
    assert "LEAKED" in pypdf.PdfReader(io.BytesIO(leaked)).pages[0].extract_text().replace("\x00", "")

    opened = []
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", lambda self, *a, **k: opened.append(a))
    page = pypdf.PdfReader(io.BytesIO(render.html_to_pdf(html))).pages[0]
    assert "本文" in page.extract_text() and "LEAKED" not in page.extract_text()
    assert opened == []




# ---------------------------------------------------------------------------------------------
# The cache


@pytest.fixture()
def folder(app, tmp_path, monkeypatch):
    """The cache in this test's own folder, inside an application context."""
    monkeypatch.setitem(app.config, "PDF_CACHE_FOLDER", str(tmp_path / "pdf-cache"))
    with app.app_context():
        yield tmp_path / "pdf-cache"


def test_the_key_covers_the_html_and_the_renderer(monkeypatch):
    key = cache.content_key("<p>議事録</p>")
    assert cache.content_key("<p>議事録</p>") == key != cache.content_key("<p>議事録（案）</p>")
    monkeypatch.setattr(cache, "RENDERER", render.RENDERER + " next")
    assert cache.content_key("<p>議事録</p>") != key


def test_a_pdf_is_rendered_once_and_stored_whole(folder):
    calls = []

    def fake_render(html):
        calls.append(html)
        return b"%PDF-1.7 " + html.encode()

    key, data = cache.pdf_for("<p>一</p>", fake_render)
    assert cache.pdf_for("<p>一</p>", fake_render) == (key, data) and len(calls) == 1
    assert [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()] == [f"{key[:2]}/{key}.pdf"]
    assert (folder / key[:2] / f"{key}.pdf").read_bytes() == data


def test_a_failed_write_leaves_no_file(folder, monkeypatch):
    def fail(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(OSError):
        cache.pdf_for("<p>二</p>", lambda html: b"%PDF-1.7")
    assert [p for p in folder.rglob("*") if p.is_file()] == []
