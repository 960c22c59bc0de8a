"""Real-browser checks: Debian's Chromium driven by Playwright, against a live server."""
import os
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")


@pytest.fixture()
def live_server(app, demo):
    """Serve the app with the demo data on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture()
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
        yield context.new_page()
        browser.close()


def _serious_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_setagaya_council_page_shows_seventeen_roster_rows(live_server, page):
    page.goto(f"{live_server}/consortia/")
    page.get_by_role("link", name="世田谷区地域経済の持続可能な発展を目指す会議").click()
    page.wait_for_load_state()
    rows = page.locator("#roster ~ div table tbody tr").filter(has=page.locator("td"))
    assert rows.count() == 17
    assert rows.nth(16).inner_text().startswith("⑰")
    assert _serious_violations(page) == []


def test_search_by_keyboard_and_meeting_page_is_accessible(live_server, page):
    page.goto(f"{live_server}/consortia/")
    page.get_by_label("名称").fill("ＮＡＧＡＮＯ")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="NAGANO×KANTO 地域SDGsコンソーシアム").click()
    page.get_by_role("link", name="長野県・関東経済産業局の連携による地域SDGsコンソーシアムキックオフ会議").click()
    assert "平成30年（2018年）5月25日（金） 14:15–15:15" in page.inner_text("main")
    assert _serious_violations(page) == []
    # Nothing wider than the phone's screen, apart from tables that scroll inside their box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
