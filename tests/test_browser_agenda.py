"""The agenda editor and the minutes' Add-a-row in Chromium at a phone's width, by keyboard,
with the page loads counted (issue 17: six items used to take twelve)."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from browsing import check_page, expect_flash, needs_chromium, sign_in
from playwright.sync_api import expect

from consortium.models import AgendaItem, DiscussionPoint, GrantRole

pytestmark = needs_chromium

PASTED = "1. 開会\n2. 報告事項\n　(1) 県の取組\n　(2) 市の取組\n3. 意見交換\n4. 閉会"


@pytest.fixture()
def secretariat(make_consortium, make_meeting, make_user):
    consortium = make_consortium(name="地域SDGsコンソーシアム")
    return make_meeting(consortium, title="第1回 推進会議"), make_user({consortium: GrantRole.SECRETARIAT})


def count_loads(page) -> list[str]:
    loads: list[str] = []
    page.on("load", lambda p: loads.append(p.url))
    return loads


def titles(db, meeting) -> list[tuple[bool, str]]:
    from consortium.meetings.services import in_agenda_order

    db.session.expire_all()
    items = db.session.execute(sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)).scalars().all()
    return [(item.parent_id is not None, item.title) for item in in_agenda_order(items)]


def test_a_secretariat_pastes_a_six_item_agenda_in_one_submit_then_adds_and_moves_by_keyboard(
    live_server, page, db, secretariat
):
    meeting, user = secretariat
    sign_in(page, live_server, user)
    loads = count_loads(page)
    page.goto(f"{live_server}/meetings/{meeting.id}")
    page.get_by_role("link", name="Edit the whole agenda, or paste it as text").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the agenda")
    check_page(page)
    page.get_by_label("Add items pasted as text").fill(PASTED)
    page.get_by_role("button", name="Save the agenda").click()
    expect_flash(page, "The agenda has been saved: 6 added, 0 changed, 0 removed.")
    page.wait_for_load_state("load")
    assert len(loads) == 3, loads  # the meeting, the editor, the meeting again after the one submit
    agenda = page.locator("ol.agenda > li")
    expect(agenda).to_have_count(6)
    expect(page.locator("ol.agenda > li.sub-item")).to_have_text([re.compile("県の取組"), re.compile("市の取組")])
    expect(agenda.nth(1)).to_contain_text("報告事項")

    # Back in the editor: a row added and moved up by keyboard, without a reload.
    page.get_by_role("link", name="Edit the whole agenda, or paste it as text").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the agenda")
    page.wait_for_load_state("load")
    loads_before = len(loads)
    page.get_by_role("button", name="Add a row").focus()
    page.keyboard.press("Enter")
    title = page.locator("input[name='items-9-title']")
    expect(title).to_be_focused()
    page.keyboard.type("その他")
    row = page.locator("fieldset.agenda-row").filter(has=title)
    up = row.get_by_role("button", name="Up")
    up.focus()
    for _ in range(4):
        page.keyboard.press("Enter")
    expect(up).to_be_focused()  # the focus stays on the button, so it can be pressed again
    expect(page.locator("#agenda-status")).to_have_text("Moved to place 6.")
    expect(page.locator("fieldset.agenda-row").nth(5).locator("input[name$='-title']")).to_have_value("その他")
    assert len(loads) == loads_before  # adding and moving rows loaded nothing
    check_page(page)
    page.get_by_role("button", name="Save the agenda").click()
    expect_flash(page, "1 added")
    assert titles(db, meeting) == [
        (False, "開会"), (False, "報告事項"), (True, "県の取組"), (True, "市の取組"), (False, "意見交換"), (False, "その他"), (False, "閉会"),
    ]


def test_the_minutes_editor_adds_rows_without_a_round_trip(live_server, page, db, secretariat):
    meeting, user = secretariat
    sign_in(page, live_server, user)
    page.goto(f"{live_server}/meetings/{meeting.id}/minutes/edit")
    page.wait_for_load_state("load")
    loads = count_loads(page)
    add = page.get_by_role("button", name="Add a discussion point")
    for n in range(2):
        add.focus()
        page.keyboard.press("Enter")
        text = page.locator(f"textarea[name='points-{3 + n}-text']")
        expect(text).to_be_focused()
        page.keyboard.type(f"追加の発言{n + 1}")
    expect(page.get_by_role("group", name="Point 5")).to_be_visible()
    page.get_by_role("button", name="Add an action item").click()
    expect(page.locator("input[name='actions-3-owner']")).to_be_visible()
    assert loads == []
    check_page(page)
    page.get_by_role("button", name="Save the minutes").click()
    expect_flash(page, "The minutes have been saved")
    db.session.expire_all()
    assert db.session.execute(sa.select(DiscussionPoint.text).order_by(DiscussionPoint.position)).scalars().all() == [
        "追加の発言1", "追加の発言2",
    ]
