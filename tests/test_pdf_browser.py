"""In Debian's Chromium at phone width: the pages' PDF links, and what they answer."""
from __future__ import annotations

import io
import os
from urllib.parse import urljoin

import pypdf
import pytest
from test_browser import CHROMIUM, _serious_violations, live_server, page  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")


@pytest.fixture(autouse=True)
def pdf_cache(app, tmp_path, monkeypatch):
    """Keep the live server's rendered PDFs in this test's own folder."""
    monkeypatch.setitem(app.config, "PDF_CACHE_FOLDER", str(tmp_path / "pdf-cache"))


def fetch_pdf(page, link) -> pypdf.PdfReader:  # noqa: F811
    """Follow a PDF link with the browser's session; check it answers a PDF shown inline."""
    response = page.request.get(urljoin(page.url, link.get_attribute("href")))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline;")
    return pypdf.PdfReader(io.BytesIO(response.body()))


def test_a_visitor_prints_the_agenda_and_the_published_summary(live_server, page):  # noqa: F811
    page.goto(f"{live_server}/consortia/")
    page.get_by_role("link", name="世田谷区地域経済の持続可能な発展を目指す会議").click()
    roster = fetch_pdf(page, page.locator('a[href$="/roster.pdf"]'))
    assert "長山 宗広" in roster.pages[0].extract_text()
    page.get_by_role("link", name="第4回 地域経済の持続可能な発展を目指す会議").first.click()
    page.wait_for_load_state()
    assert _serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    agenda = fetch_pdf(page, page.locator('a[href$="/agenda.pdf"]'))
    assert "令和5年（2023年）8月10日（木）" in agenda.pages[0].extract_text()
    summary = fetch_pdf(page, page.locator('a[href$="/minutes.pdf"]'))
    assert "議事要旨" in summary.pages[0].extract_text()

    page.goto(page.url + "/minutes")
    assert _serious_violations(page) == []
    assert page.locator('a[href$="/minutes.pdf"]').count() == 1
