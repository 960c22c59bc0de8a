"""Issue 3's user flows in a real browser: Debian's Chromium driven by Playwright, against a live server.

The browser asks for English (the lang cookie) so that controls are found by their English labels.
"""
import re
from datetime import datetime, timezone

import pytest
from browsing import check_page, expect_flash, needs_chromium, sign_in
from playwright.sync_api import expect

from conftest import PASSWORD
from consortium.models import (
    AgendaItem,
    Decision,
    DiscussionPoint,
    GrantRole,
    Minutes,
    MinutesStatus,
    Visibility,
)

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

pytestmark = needs_chromium


@pytest.fixture()
def members_only(make_consortium):
    return make_consortium(name="非公開テスト推進協議会", visibility=Visibility.MEMBERS)


@pytest.fixture()
def published(db, upload_folder, members_only, make_meeting, make_user):
    """A members-only consortium's meeting with a material and published minutes, and one of its members."""
    from consortium.documents.services import add_document

    meeting = make_meeting(members_only, title="第1回 非公開推進会議")
    item = AgendaItem(meeting=meeting, label="(1)", title="事業計画について", position=1)
    db.session.add(item)
    document = add_document(meeting, PDF, "資料1 事業計画（案）.pdf", title="事業計画（案）", label="資料1")
    minutes = Minutes(
        meeting=meeting,
        status=MinutesStatus.PUBLISHED,
        published_at=datetime.now(timezone.utc),
        points=[DiscussionPoint(text="地域の担い手の確保が課題である。", agenda_item=item, position=1)],
        decisions=[Decision(text="事業計画案を承認した。", agenda_item=item, position=1)],
    )
    db.session.add(minutes)
    db.session.commit()
    member = make_user(grants={members_only: GrantRole.MEMBER})
    return meeting, document, member


def test_secretariat_runs_a_meeting_from_agenda_to_published_minutes(live_server, page, members_only, make_user):
    secretariat = make_user(grants={members_only: GrantRole.SECRETARIAT})
    sign_in(page, live_server, secretariat, check=True)

    page.goto(f"{live_server}/consortia/{members_only.id}")
    page.get_by_role("link", name="Plan a meeting").click()
    check_page(page)
    page.get_by_label("Title", exact=True).fill("第2回 推進会議")
    page.get_by_label("Date", exact=True).fill("2030-05-10")
    page.get_by_label("Starts at").fill("14:00")
    page.get_by_label("Ends at").fill("16:00")
    page.get_by_role("button", name="Save").click()
    expect_flash(page, "The meeting has been created")
    assert page.get_by_role("heading", level=1).inner_text() == "第2回 推進会議"
    meeting_url = page.url.split("#")[0]

    page.get_by_role("link", name="Add an agenda item").click()
    check_page(page)
    page.get_by_label("Label", exact=True).fill("(1)")
    page.get_by_label("Title", exact=True).fill("事業計画について")
    page.get_by_role("button", name="Save").click()
    expect_flash(page, "The agenda item has been added")
    page.get_by_role("link", name="Add an agenda item").click()
    page.get_by_label("Label", exact=True).fill("(1)-1")
    page.get_by_label("Title", exact=True).fill("人事案件")
    page.get_by_label("Under item").select_option(label="(1) 事業計画について")
    page.get_by_label("Open to the public").uncheck()
    page.get_by_role("button", name="Save").click()
    agenda = page.locator("ol.agenda")
    assert agenda.locator("li").nth(0).inner_text().startswith("(1) 事業計画について")
    nested = agenda.locator("li.sub-item")
    assert nested.count() == 1 and "人事案件" in nested.inner_text() and "Closed" in nested.inner_text()

    page.get_by_role("link", name="Upload a material").click()
    check_page(page)
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "資料1 事業計画（案）.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label("Label", exact=True).fill("資料1")
    page.get_by_label("Title", exact=True).fill("事業計画（案）")
    page.get_by_role("button", name="Upload").click()
    expect_flash(page, "The material has been uploaded")
    # One-line fields keep what was typed: the full-width brackets stay.
    expect(page.get_by_role("link", name="資料1 事業計画（案）")).to_be_visible()
    check_page(page)  # the meeting page, with its agenda and materials

    page.get_by_role("link", name="Write the minutes").click()
    check_page(page)
    point = page.get_by_role("group", name="Point 1", exact=True)
    point.get_by_label("Text", exact=True).fill("地域の担い手の確保が課題である。")
    point.get_by_label("Speaker").fill("座長")
    point.get_by_label("Agenda item").select_option(label="(1) 事業計画について")
    page.get_by_role("group", name="Decision 1", exact=True).get_by_label("Text", exact=True).fill("事業計画案を承認した。")
    action = page.get_by_role("group", name="Action item 1", exact=True)
    action.get_by_label("Text", exact=True).fill("修正案を委員に送付する。")
    action.get_by_label("Owner").fill("事務局")
    action.get_by_label("Due date").fill("2030-06-01")
    page.get_by_role("button", name="Save the minutes").click()
    expect_flash(page, "The minutes have been saved (version 1)")
    main = page.locator("main")
    for text in ("地域の担い手の確保が課題である。", "事業計画案を承認した。", "修正案を委員に送付する。"):
        assert text in main.inner_text()

    page.get_by_role("button", name="Send for review").click()
    expect_flash(page, "The minutes are now in review")
    page.get_by_label("Signatory", exact=True).select_option(label=secretariat.display_name)
    page.get_by_label("Capacity").fill("署名委員")
    page.get_by_role("button", name="Add signatory").click()
    expect_flash(page, f"{secretariat.display_name} will sign the minutes")
    check_page(page)  # the minutes page in review, with its approval and comment forms
    page.get_by_role("button", name="Approve these minutes").click()
    expect_flash(page, "Every signatory has now approved them")
    page.get_by_role("button", name="Publish", exact=True).click()
    expect_flash(page, "The minutes are published")
    assert re.search(r"Status\s+Published", page.locator("main dl.facts").inner_text())
    check_page(page)

    page.goto(meeting_url)
    assert "Published" in page.locator(".minutes-panel").inner_text()


def test_member_downloads_the_material_and_reads_the_published_minutes(live_server, page, published):
    meeting, document, member = published
    sign_in(page, live_server, member)
    page.goto(f"{live_server}/meetings/{meeting.id}")

    with page.expect_download() as info:
        page.get_by_role("link", name="資料1 事業計画（案）").click()
    download = info.value
    assert download.suggested_filename == "資料1 事業計画（案）.pdf"
    with open(download.path(), "rb") as saved:
        assert saved.read() == PDF

    page.get_by_role("link", name="Read the minutes").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Minutes: {meeting.title}"
    main = page.locator("main").inner_text()
    assert "地域の担い手の確保が課題である。" in main and "事業計画案を承認した。" in main
    check_page(page)


def test_anonymous_visitor_sees_neither_material_nor_minutes_of_a_members_only_consortium(live_server, page, published):
    meeting, document, _member = published
    for path in (f"/meetings/{meeting.id}", f"/documents/{document.id}", f"/meetings/{meeting.id}/minutes"):
        response = page.goto(f"{live_server}{path}")
        assert response.status == 404, path
        text = page.locator("body").inner_text()
        assert meeting.title not in text and "地域の担い手" not in text, path


def _tab_to(page, element_id: str) -> None:
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_sign_in_works_by_keyboard_alone_and_announces_errors(live_server, page, make_user):
    user = make_user()
    page.goto(f"{live_server}/accounts/login")

    _tab_to(page, "email")
    page.keyboard.type(user.email)
    page.keyboard.press("Enter")  # the password left empty
    expect(page.get_by_role("alert")).to_be_visible()
    password = page.get_by_label("Password", exact=True)
    assert password.get_attribute("aria-invalid") == "true"
    assert "Enter your password." in page.locator(f"#{password.get_attribute('aria-describedby')}").inner_text()
    assert page.get_by_label("Email address").input_value() == user.email
    check_page(page)

    _tab_to(page, "password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Sign out").wait_for()
    assert user.display_name in page.locator("header").inner_text()


def test_roster_import_and_admin_users_pages_are_accessible_on_a_phone(live_server, page, members_only, make_user):
    admin = make_user(is_admin=True, grants={members_only: GrantRole.SECRETARIAT})
    sign_in(page, live_server, admin)
    page.goto(f"{live_server}/consortia/{members_only.id}")
    page.get_by_role("link", name="Import a roster from CSV or Excel").click()
    assert page.get_by_role("heading", level=1).is_visible()
    check_page(page)
    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Users", exact=True).click()
    assert admin.email in page.locator("main").inner_text()
    check_page(page)
