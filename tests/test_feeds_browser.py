"""The personal feed page and the calendar links in a real browser: Debian's Chromium at phone width."""
import re
import urllib.error
import urllib.request

from icalendar import Calendar
from browsing import check_page, needs_chromium
from playwright.sync_api import expect

from conftest import PASSWORD
from consortium.models import GrantRole, Visibility

pytestmark = needs_chromium


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
    check_page(page)

    page.get_by_role("button", name="Create my feed address").click()
    address = page.get_by_label("Address of your feed")
    expect(address).to_have_value(re.compile(re.escape(f"{live_server}/feeds/personal/") + r"[\w-]{43}\.ics"))
    first = address.input_value()
    webcal = page.get_by_role("link", name="Subscribe in your calendar app").get_attribute("href")
    assert webcal == "webcal://" + first.split("://", 1)[1]
    check_page(page)

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
    check_page(page)


def test_a_meeting_pages_calendar_links_work_at_phone_width(live_server, page, make_consortium, make_meeting):
    meeting = make_meeting(make_consortium(name="地域SDGsコンソーシアム"), title="第2回 推進会議", venue="長野県庁")
    page.goto(f"{live_server}/meetings/{meeting.id}")
    google = page.get_by_role("link", name="Add to Google Calendar").get_attribute("href")
    assert google.startswith("https://calendar.google.com/calendar/render?action=TEMPLATE&text=")
    ics = page.get_by_role("link", name="Add to your calendar (.ics)").get_attribute("href")
    status, body = _fetch(live_server + ics)
    assert status == 200 and b"SUMMARY:\xe7\xac\xac2\xe5\x9b\x9e" in body  # 第2回
    check_page(page)
