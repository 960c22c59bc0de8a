"""Answering a date poll through a personal link, by keyboard, in Chromium at a phone's width, checked by axe."""
from __future__ import annotations


import pytest
import sqlalchemy as sa
from browsing import check_page, expect_flash, needs_chromium, sign_in
from playwright.sync_api import expect

from consortium.japanese import tokyo_datetime
from consortium.models import Answer, Poll, PollAnswer, PollSlot, Visibility
from consortium.personal_links import make_token

pytestmark = needs_chromium


@pytest.fixture()
def invited(db, make_consortium, make_meeting, make_member, make_person):
    """A members-only council's poll of three slots and the personal link of one of its members."""
    consortium = make_consortium(name="世田谷区地域経済の持続可能な発展を目指す会議", visibility=Visibility.MEMBERS)
    meeting = make_meeting(consortium, title="第5回 世田谷区地域経済の持続可能な発展を目指す会議")
    member = make_member(consortium, person=make_person(family_name="長山", given_name="宗広", email="nagayama@example.jp"))
    slots = [(10, 1, 14), (10, 3, 10), (10, 8, 15)]
    poll = Poll(
        meeting=meeting, title="第5回 日程調整", message="ご都合をお知らせください。",
        respond_by=tokyo_datetime(2030, 9, 20, 23, 59),
        slots=[PollSlot(starts_at=tokyo_datetime(2030, m, d, h), ends_at=tokyo_datetime(2030, m, d, h + 2)) for m, d, h in slots],
    )
    db.session.add(poll)
    db.session.commit()
    return {"poll": poll, "member": member, "token": make_token("poll", poll.id, member.id)}


def test_a_member_answers_through_their_link_by_keyboard_on_a_phone(live_server, page, db, invited):
    url = f"{live_server}/polls/answer/{invited['token']}"
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("第5回 日程調整")
    expect(page.locator("main")).to_contain_text("長山 宗広")
    check_page(page)

    # Each slot is a radio group named by its legend: Tab into a group, arrows choose within it.
    groups = page.get_by_role("group")
    expect(groups).to_have_count(3)
    first = page.locator("fieldset.choices input[type=radio]").first
    first.focus()
    page.keyboard.press("Space")  # ○ for the first slot
    page.keyboard.press("Tab")  # to the second group
    page.keyboard.press("ArrowDown")  # ○ → △ (the arrow selects as it moves)
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # × for the third slot
    page.keyboard.press("Tab")
    page.keyboard.type("二つ目は午後なら参加できます")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect_flash(page, "Your answers have been saved.")
    check_page(page)
    radios = page.locator("fieldset.choices")
    expect(radios.nth(0).get_by_label("○ Available")).to_be_checked()
    expect(radios.nth(1).get_by_label("△ Not sure")).to_be_checked()
    expect(radios.nth(2).get_by_label("× Not available")).to_be_checked()
    expect(page.get_by_label("Comment")).to_have_value("二つ目は午後なら参加できます")

    db.session.expire_all()
    stored = db.session.execute(
        sa.select(PollAnswer.answer).join(PollSlot).order_by(PollSlot.starts_at)
    ).scalars().all()
    assert stored == [Answer.YES, Answer.MAYBE, Answer.NO]


def test_a_missing_answer_is_announced_and_the_rest_kept(live_server, page, invited):
    page.goto(f"{live_server}/polls/answer/{invited['token']}")
    page.locator("fieldset.choices").nth(0).get_by_label("× Not available").check()
    page.get_by_label("Comment").fill("残りは後で")
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("fieldset.choices").nth(1)).to_contain_text("Choose ○, △ or × for")
    expect(page.locator("fieldset.choices").nth(0).get_by_label("× Not available")).to_be_checked()
    expect(page.get_by_label("Comment")).to_have_value("残りは後で")
    check_page(page)


def test_the_secretariat_poll_pages_are_accessible_on_a_phone(live_server, page, db, invited, make_user):

    from consortium.models import GrantRole

    poll = invited["poll"]
    secretariat = make_user({poll.meeting.consortium: GrantRole.SECRETARIAT})
    sign_in(page, live_server, secretariat)
    on_behalf = f"/polls/{poll.id}/on-behalf?member={invited['member'].id}"
    for path in (f"/meetings/{poll.meeting_id}/polls/new", f"/polls/{poll.id}", f"/polls/{poll.id}/edit", f"/polls/{poll.id}/pick", on_behalf):
        page.goto(f"{live_server}{path}")
        check_page(page)
    page.goto(f"{live_server}/meetings/{poll.meeting_id}")
    page.get_by_role("link", name="第5回 日程調整").click()
    expect(page.get_by_role("table")).to_contain_text("長山 宗広")
