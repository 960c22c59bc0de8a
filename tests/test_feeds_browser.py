"""The personal feed page and the calendar links in a real browser: Debian's Chromium at phone width."""
import os
import re
import threading
import urllib.error
import urllib.request

import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from werkzeug.serving import make_server

from conftest import PASSWORD
from consortium.models import GrantRole, Visibility

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")


@pytest.fixture()
def live_server(app, db):
    """Serve the app on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture()
def page(live_server):
    """A phone-sized Chromium page that reads the site in English."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        context = browser.new_context(viewport=PHONE)
        context.set_default_timeout(10_000)
        context.add_cookies([{"name": "lang", "value": "en", "url": live_server}])
        yield context.new_page()
        browser.close()


def _check_page(page):
    from axe_playwright_python.sync_playwright import Axe

    violations = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert violations == [], page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def _fetch(url: str) -> tuple[int, bytes]:
    """GET as a calendar app does: no cookie."""
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def test_a_member_creates_subscribes_to_replaces_and_turns_off_their_feed(live_server, page, make_consortium, make_meeting, make_user):
    consortium = make_consortium(name="非公開テスト推進協議会", visibility=Visibility.MEMBERS)
    make_meeting(consortium, title="第1回 非公開推進会議")
    member = make_user({consortium: GrantRole.MEMBER})

    page.goto(f"{live_server}/accounts/login?next=/feeds/mine")
    page.get_by_label("Email address").fill(member.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your calendar feed")).to_be_visible()
    _check_page(page)

    page.get_by_role("button", name="Create my feed address").click()
    address = page.get_by_label("Address of your feed")
    expect(address).to_have_value(re.compile(re.escape(f"{live_server}/feeds/personal/") + r"[\w-]{43}\.ics"))
    first = address.input_value()
    webcal = page.get_by_role("link", name="Subscribe in your calendar app").get_attribute("href")
    assert webcal == "webcal://" + first.split("://", 1)[1]
    _check_page(page)

    status, body = _fetch(first)
    assert status == 200
    assert [str(e["SUMMARY"]) for e in Calendar.from_ical(body).walk("VEVENT")] == ["第1回 非公開推進会議"]

    page.get_by_role("button", name="Make a new address").click()
    expect(page.locator(".flashes")).to_contain_text("The old one no longer works")
    second = page.get_by_label("Address of your feed").input_value()
    assert second != first
    assert _fetch(first)[0] == 404 and _fetch(second)[0] == 200

    page.get_by_role("button", name="Turn the address off").click()
    expect(page.get_by_role("button", name="Create my feed address")).to_be_visible()
    assert _fetch(second)[0] == 404
    _check_page(page)


def test_a_meeting_pages_calendar_links_work_at_phone_width(live_server, page, make_consortium, make_meeting):
    meeting = make_meeting(make_consortium(name="地域SDGsコンソーシアム"), title="第2回 推進会議", venue="長野県庁")
    page.goto(f"{live_server}/meetings/{meeting.id}")
    google = page.get_by_role("link", name="Add to Google Calendar").get_attribute("href")
    assert google.startswith("https://calendar.google.com/calendar/render?action=TEMPLATE&text=")
    ics = page.get_by_role("link", name="Add to your calendar (.ics)").get_attribute("href")
    status, body = _fetch(live_server + ics)
    assert status == 200 and b"SUMMARY:\xe7\xac\xac2\xe5\x9b\x9e" in body  # 第2回
    _check_page(page)
