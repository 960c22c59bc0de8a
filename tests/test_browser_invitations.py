"""Inviting from the secretariat's page and replying through the mailed link, by keyboard, in
Chromium at a phone's width, checked by axe."""
from __future__ import annotations

import email
import re
from email import policy

import pytest
import sqlalchemy as sa
from browsing import check_page, expect_flash, needs_chromium, sign_in
from playwright.sync_api import expect

from consortium.models import Attendance, GrantRole, Reply, Visibility

pytestmark = needs_chromium


@pytest.fixture()
def council(db, make_consortium, make_meeting, make_member, make_person, make_user):
    consortium = make_consortium(name="世田谷区地域経済の持続可能な発展を目指す会議", visibility=Visibility.MEMBERS)
    meeting = make_meeting(consortium, title="第5回 世田谷区地域経済の持続可能な発展を目指す会議", venue="世田谷区役所")
    members = [
        make_member(consortium, person=make_person(family_name="長山", given_name="宗広", email="nagayama@example.jp"), position=1),
        make_member(consortium, person=make_person(family_name="北原", given_name="明", email="kitahara@example.jp"), position=2),
    ]
    return {"meeting": meeting, "members": members, "secretariat": make_user({consortium: GrantRole.SECRETARIAT})}


def test_the_secretariat_invites_and_a_member_replies_through_the_mailed_link(live_server, new_page, db, council, smtp_server):
    meeting = council["meeting"]
    office = new_page()
    sign_in(office, live_server, council["secretariat"])
    office.goto(f"{live_server}/meetings/{meeting.id}")
    office.get_by_role("link", name="Invitations and replies").click()
    check_page(office)
    office.get_by_label("北原 明（k•••••@example.jp）").uncheck()  # only 長山 this time; a secretariat sees addresses masked
    office.get_by_label("Message").fill("資料は前日までにお送りします。")
    office.get_by_role("button", name="Send the invitations").click()
    expect_flash(office, "1 mail has been sent.")

    [envelope] = smtp_server.envelopes
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    body = message.get_body(("plain",)).get_content()
    proxy_link = re.search(r"代理出席：(\S+)", body).group(1)
    assert proxy_link.startswith("http://127.0.0.1:")  # the live server's own address

    member = new_page()  # no account, no password: the link is enough
    member.goto(proxy_link)
    expect(member.get_by_role("heading", level=1)).to_have_text("Reply to the invitation")
    expect(member.get_by_label("A stand-in will attend (代理出席)")).to_be_checked()  # chosen by the link, not yet sent
    check_page(member)
    member.get_by_label("Name of your stand-in").focus()
    member.keyboard.type("世田谷区 産業振興課長 田中")
    member.keyboard.press("Tab")
    member.keyboard.type("開始に少し遅れます")
    member.keyboard.press("Tab")
    member.keyboard.press("Enter")
    expect_flash(member, "Thank you: your reply has been sent to the secretariat.")
    check_page(member)
    expect(member.locator("main")).to_contain_text("Sending a proxy")

    db.session.expire_all()
    row = db.session.execute(sa.select(Attendance).where(Attendance.membership_id == council["members"][0].id)).scalar_one()
    assert (row.reply, row.stand_in, row.reply_note) == (Reply.PROXY, "世田谷区 産業振興課長 田中", "開始に少し遅れます")

    office.reload()
    table = office.get_by_role("table")
    expect(table).to_contain_text("Stand-in: 世田谷区 産業振興課長 田中")
    expect(table.get_by_role("row", name=re.compile("北原 明"))).to_contain_text("Not invited")
    check_page(office)

    # 北原 answered by telephone: the secretariat records it.
    office.get_by_role("link", name="Record a reply for 北原 明").click()
    check_page(office)
    office.get_by_label("Attending in person (出席)").check()
    office.get_by_role("button", name="Record the reply").click()
    expect_flash(office, "The reply of 北原 明 has been recorded.")
    expect(office.get_by_role("table").get_by_role("row", name=re.compile("北原 明"))).to_contain_text("Attending")
