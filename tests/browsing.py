"""Browser tests' shared pieces: a live server, Debian's Chromium driven by Playwright at phone
width (reading the site in English, so controls are found by their English labels; read_in_japanese
switches to Japanese, which sets wider), and checks.

conftest.py loads this module as a plugin, so its fixtures reach every test file.
"""
import os
import threading
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect
from werkzeug.serving import WSGIRequestHandler, make_server

from conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args):
        """Log no line per request: a failing test's report stays readable (errors are still logged)."""


@contextmanager
def serving(app):
    """Serve the app on a free loopback port, in a thread, for the `with` block; give its address."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture()
def live_server(app, db, upload_folder):
    """Serve the app, with an empty database and uploads in a temporary folder."""
    with serving(app) as address:
        yield address


@pytest.fixture(scope="module")
def browser():
    """Launch Debian's Chromium once for the module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture()
def new_page(browser, live_server):
    """Open a fresh phone-sized browser session (its own cookies) that reads the site in English;
    fail the test if the Content-Security-Policy refused anything the pages asked for."""
    contexts, refused = [], []

    def open_page():
        context = browser.new_context(viewport=PHONE, accept_downloads=True)
        context.set_default_timeout(10_000)
        context.add_cookies([{"name": "lang", "value": "en", "url": live_server}])
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert refused == [], refused


@pytest.fixture()
def page(new_page):
    return new_page()


# Rules axe-core still calls experimental, so does not run unless asked: links and buttons whose
# accessible name leaves out their visible text (speech users say what they see).
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"label-content-name-mismatch": {"enabled": True}}}


def serious_axe_findings(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    return [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def serious_violations(page):
    return [v["id"] for v in serious_axe_findings(page)]


def check_page(page):
    """Nothing serious for axe-core, and nothing wider than the phone's screen."""
    assert serious_violations(page) == [], page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def sign_in(page, base, user, check=False):
    page.goto(f"{base}/accounts/login")
    if check:
        check_page(page)
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


def read_in_japanese(page, base) -> None:
    """Switch a signed-in session to Japanese, which sets wider than English, for the checks that follow."""
    page.context.add_cookies([{"name": "lang", "value": "ja", "url": base}])


def expect_flash(page, text: str) -> None:
    """Wait for the page after a POST to say what happened (the page before may have had a message too)."""
    expect(page.locator(".flashes")).to_contain_text(text)
