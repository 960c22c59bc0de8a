"""The calendar and the scheduling aids in a real browser at a phone's width: Debian's Chromium, Playwright, axe-core."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from browsing import check_page, expect_flash, needs_chromium, serious_violations, sign_in
from playwright.sync_api import expect

from consortium.japanese import today_tokyo, tokyo_datetime
from consortium.models import DatePrecision, GrantRole, Meeting, MeetingStatus

pytestmark = needs_chromium


@pytest.fixture()
def busy_november(make_consortium, make_meeting):
    """A public consortium with a full November 2026: a meeting on 勤労感謝の日, a cancelled and a tentative one,
    a date-only and a month-only one, and long titles."""
    consortium = make_consortium(name="信州SDGs推進コンソーシアム", short_name="信州SDGs")
    november = {
        "第5回 全体会議（地域循環共生圏の構築に向けた意見交換）": {"starts_at": tokyo_datetime(2026, 11, 23, 13, 30)},
        "第2回 幹事会": {"status": MeetingStatus.CANCELLED, "starts_at": tokyo_datetime(2026, 11, 4, 10)},
        "ワークショップ": {"status": MeetingStatus.TENTATIVE, "starts_at": tokyo_datetime(2026, 11, 14, 14)},
        "現地視察": {"precision": DatePrecision.DAY, "starts_at": tokyo_datetime(2026, 11, 27), "ends_at": None},
        "成果報告会": {"precision": DatePrecision.MONTH, "starts_at": tokyo_datetime(2026, 11, 1), "ends_at": None},
    }
    for title, facts in november.items():
        make_meeting(consortium, title=title, **facts)
    return consortium


def test_month_and_list_views_with_a_holiday_are_accessible_on_a_phone(live_server, page, busy_november):
    page.goto(f"{live_server}/consortia/{busy_november.id}")
    page.get_by_role("link", name="Calendar of meetings, with national holidays").click()
    page.wait_for_url(f"{live_server}/consortia/{busy_november.id}/calendar")
    page.goto(f"{live_server}/consortia/{busy_november.id}/calendar?month=2026-11")
    check_page(page)
    holiday = page.locator("td.holiday", has_text="勤労感謝の日")
    expect(holiday).to_be_visible()
    expect(holiday).to_contain_text("第5回 全体会議")
    expect(page.locator("td.holiday", has_text="文化の日")).to_be_visible()  # a holiday with no meeting still shows
    expect(page.locator("tr.unfixed")).to_contain_text("成果報告会")
    # On a phone the grid is a list of the days with something on them: quiet days are hidden.
    expect(page.locator("td.quiet:not([aria-current])").first).to_be_hidden()

    page.get_by_role("link", name="List view").click()
    expect(page.get_by_role("heading", name="National holidays in November 2026 (Reiwa 8)")).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="December 2026 (Reiwa 8) →").click()
    expect(page.locator("main")).to_contain_text("No meetings in December 2026 (Reiwa 8).")
    assert "view=list" in page.url


@pytest.mark.parametrize("width", [700, 1280])
def test_the_month_grid_is_a_grid_on_wider_screens(live_server, new_page, busy_november, width):
    wide = new_page()
    wide.set_viewport_size({"width": width, "height": 900})
    wide.goto(f"{live_server}/consortia/{busy_november.id}/calendar?month=2026-11")
    assert serious_violations(wide) == []
    expect(wide.get_by_role("columnheader", name="Sunday")).to_be_visible()
    quiet = next(day for day in (24, 25) if date(2026, 11, day) != today_tokyo())  # "today" is marked
    expect(wide.get_by_role("cell", name=str(quiet), exact=True)).to_be_visible()  # a quiet day keeps its place
    assert wide.evaluate("document.documentElement.scrollWidth") <= width


def test_picking_a_holiday_in_the_meeting_form_warns_live_and_saving_still_works(
    db, live_server, page, busy_november, make_user
):
    secretariat = make_user(grants={busy_november: GrantRole.SECRETARIAT})
    sign_in(page, live_server, secretariat)
    page.goto(f"{live_server}/consortia/{busy_november.id}/meetings/new")
    page.get_by_label("Title", exact=True).fill("第6回 全体会議")
    page.get_by_label("Starts at").fill("10:00")
    page.get_by_label("Date", exact=True).fill("2026-11-23")
    warnings = page.locator("#schedule-warnings")
    expect(warnings).to_contain_text("is a national holiday: 勤労感謝の日")
    expect(warnings).to_contain_text("you can still save")
    check_page(page)
    page.get_by_label("Date", exact=True).fill("2026-11-25")
    expect(warnings).to_be_empty()
    page.get_by_label("Date", exact=True).fill("2026-11-23")
    expect(warnings).to_contain_text("勤労感謝の日")
    assert page.get_by_label("Title", exact=True).input_value() == "第6回 全体会議"  # nothing typed is lost

    page.get_by_role("button", name="Save").click()
    expect_flash(page, "The meeting has been created")
    expect(page.locator(".flashes")).to_contain_text("勤労感謝の日")
    db.session.expire_all()
    saved = db.session.execute(sa.select(Meeting).where(Meeting.title == "第6回 全体会議")).scalar_one()
    assert saved.starts_at == tokyo_datetime(2026, 11, 23, 10)
    check_page(page)
