"""Invitations by email: the .ics (REQUEST, updates, CANCEL) received by a real SMTP server, reply
links without a password, the secretariat's replies table, replies reset by a new time, and
the reminders to reply."""
from __future__ import annotations

import email
import re
from datetime import UTC, datetime, timedelta
from email import policy
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from conftest import Client, text, text_parts
from icalendar import Calendar

from consortium import personal_links as links
from consortium.japanese import tokyo_datetime
from consortium.models import (
    Attendance,
    DatePrecision,
    GrantRole,
    Meeting,
    MeetingStatus,
    Reply,
    SentNotice,
    Visibility,
)

STARTS = tokyo_datetime(2030, 10, 1, 14)


@pytest.fixture()
def world(db, make_consortium, make_meeting, make_member, make_person, make_organization, make_user):
    """A members-only council's meeting: two people with email, an organisation replying through
    its contact, a member without email, and a secretariat."""
    consortium = make_consortium(name="世田谷区持続可能な地域経済推進協議会", visibility=Visibility.MEMBERS)
    meeting = make_meeting(
        consortium, title="第3回 定例会", starts_at=STARTS, ends_at=STARTS + timedelta(hours=2),
        venue="世田谷区役所", room="第1会議室",
    )
    bank = make_organization(name="信州銀行")
    people = {
        "nagayama": make_person(family_name="長山", given_name="宗広", email="nagayama@example.jp"),
        "kitahara": make_person(family_name="北原", given_name="明", email="kitahara@example.jp"),
        "contact": make_person(family_name="窓口", given_name="花子", email="madoguchi@example.jp", organization=bank),
        "nomail": make_person(family_name="電話", given_name="一郎"),
    }
    members = {
        "nagayama": make_member(consortium, person=people["nagayama"], position=1),
        "kitahara": make_member(consortium, person=people["kitahara"], position=2),
        "bank": make_member(consortium, organization=bank, position=3),
        "nomail": make_member(consortium, person=people["nomail"], position=4),
    }
    users = {"secretariat": make_user({consortium: GrantRole.SECRETARIAT}), "member": make_user({consortium: GrantRole.MEMBER})}
    return {"consortium": consortium, "meeting": meeting, "members": members, "users": users}


def received(inbox, start: int = 0) -> dict[str, email.message.EmailMessage]:
    """The messages from the start-th on, by recipient."""
    return {e.rcpt_tos[0]: email.message_from_bytes(e.content, policy=policy.default) for e in inbox.envelopes[start:]}


def invitation_ics(message) -> tuple[str, Calendar]:
    """The text/calendar attachment of a message: its method parameter, and the calendar parsed."""
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return part.get_param("method"), Calendar.from_ical(part.get_payload(decode=True))


def plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def reply_links(message) -> dict[str, str]:
    """The reply links of a mail's plain text by the reply they choose, as paths with their query."""
    found = {}
    for url in re.findall(r"https?://\S+/invitations/\S+", plain(message)):
        parts = urlsplit(url)
        found[parse_qs(parts.query)["reply"][0]] = f"{parts.path}?{parts.query}"
    return found


def invite_all(post, world, **data):
    members = [str(m.id) for name, m in world["members"].items() if name != "nomail"]
    return post(f"/meetings/{world['meeting'].id}/invitations", {"members": members, "message": "", **data})


def rows_of(db, meeting_id: int) -> dict[int, Attendance]:
    db.session.expire_all()
    return {a.membership_id: a for a in db.session.execute(sa.select(Attendance).where(Attendance.meeting_id == meeting_id)).scalars()}


def visitor(app):
    app.test_client_class = Client
    return app.test_client()


def csrf(page) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text(page)).group(1)


# ---------------------------------------------------------------------------------------------
# Inviting


def test_invitations_carry_the_meeting_as_an_ics_request_with_the_feeds_uid(app, db, client, world, login, post, smtp_server, english):
    login(world["users"]["secretariat"])
    meeting = world["meeting"]
    page = client.get(f"/meetings/{meeting.id}/invitations")
    assert page.status_code == 200 and "電話 一郎" in text(page)  # named as one no mail can reach
    assert invite_all(post, world, message="資料は当日配布します。").status_code == 302

    inbox = received(smtp_server)
    assert sorted(inbox) == ["kitahara@example.jp", "madoguchi@example.jp", "nagayama@example.jp"]
    message = inbox["nagayama@example.jp"]
    assert message["Subject"] == "【開催のご案内】第3回 定例会（2030/10/1（火） 14:00–16:00）"
    assert message["To"].addresses[0].display_name == "長山 宗広"
    body = plain(message)
    assert "令和12年（2030年）10月1日（火） 14:00–16:00" in body and "世田谷区役所　第1会議室" in body
    assert "資料は当日配布します。" in body and "信州銀行のご担当者様" in plain(inbox["madoguchi@example.jp"])
    assert set(reply_links(message)) == {"attend", "online", "proxy", "absent"}
    assert "/invitations/" in message.get_body(("html",)).get_content()

    method, calendar = invitation_ics(message)
    feed = Calendar.from_ical(client.get(f"/meetings/{meeting.id}.ics").data)
    [event], [feed_event] = calendar.walk("VEVENT"), feed.walk("VEVENT")
    assert method == "REQUEST" and calendar["METHOD"] == "REQUEST"
    assert event["UID"] == feed_event["UID"] and event["SEQUENCE"] == meeting.sequence == 0
    assert str(event["ORGANIZER"]) == "mailto:office@example.jp" and event["ORGANIZER"].params["CN"] == f"{world['consortium'].name} 事務局"
    assert str(event["ATTENDEE"]) == "mailto:nagayama@example.jp" and event["ATTENDEE"].params["CN"] == "長山 宗広"
    assert event.decoded("DTSTART") == STARTS and calendar.walk("VTIMEZONE")

    rows = rows_of(db, meeting.id)
    assert all(rows[world["members"][n].id].invited_at for n in ("nagayama", "kitahara", "bank"))
    assert world["members"]["nomail"].id not in rows
    # Nobody is left to invite, and the button sends nothing twice.
    again = text(client.get(f"/meetings/{meeting.id}/invitations"))
    assert "Everyone on the roster with an email address has been invited." in again
    assert post(f"/meetings/{meeting.id}/invitations/send").status_code == 302
    assert len(smtp_server.envelopes) == 3


def test_a_mail_reader_decodes_the_japanese_of_every_part_of_an_invitation(client, world, login, post, smtp_server):
    login(world["users"]["secretariat"])
    assert invite_all(post, world).status_code == 302
    parts = text_parts(received(smtp_server)["nagayama@example.jp"])
    assert set(parts) == {"text/plain", "text/html", "text/calendar"}
    assert "長山 宗広 様" in parts["text/plain"] and "第3回 定例会" in parts["text/html"]
    calendar = parts["text/calendar"]
    assert "第3回 定例会" in calendar and "世田谷区役所" in calendar and 'CN="長山 宗広"' in calendar


def test_only_the_chosen_members_are_invited(db, client, world, login, post, smtp_server):
    login(world["users"]["secretariat"])
    response = post(f"/meetings/{world['meeting'].id}/invitations", {"members": [str(world["members"]["kitahara"].id)]})
    assert response.status_code == 302
    assert sorted(received(smtp_server)) == ["kitahara@example.jp"]
    page = text(client.get(f"/meetings/{world['meeting'].id}/invitations"))
    assert page.count('type="checkbox"') == 2  # the two not invited yet are still offered


def test_inviting_nobody_is_explained_and_the_message_kept(client, world, login, post, smtp_server, english):
    login(world["users"]["secretariat"])
    response = post(f"/meetings/{world['meeting'].id}/invitations", {"message": "会場は3階です"})
    assert response.status_code == 422 and "Choose at least one member to invite." in text(response)
    assert "会場は3階です" in text(response) and smtp_server.envelopes == []
    forged = post(f"/meetings/{world['meeting'].id}/invitations", {"members": ["999999"]})
    assert forged.status_code == 422 and smtp_server.envelopes == []


def test_mail_the_server_did_not_take_is_kept_as_failed_and_sent_once_when_retried(
    app, db, client, world, login, post, monkeypatch, smtp_server, english
):
    from conftest import free_port

    working = app.config["MAIL_PORT"]
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    login(world["users"]["secretariat"])
    response = invite_all(post, world, message="ご出席をお願いします")
    assert response.status_code == 302
    said = text(client.get(response.headers["Location"]))
    assert "3 mails could not be sent" in said and "the mail page" in said
    consortium_id = world["meeting"].consortium_id
    failed = text(client.get(f"/consortia/{consortium_id}/mail?state=failed"))
    assert "Failed: 3" in failed and "Send again" in failed and "k•••••@example.jp" in failed
    assert len(rows_of(db, world["meeting"].id)) == 3  # the invitations stand; only their mails wait

    monkeypatch.setitem(app.config, "MAIL_PORT", working)
    assert post(f"/consortia/{consortium_id}/mail/retry").status_code == 302
    assert sorted(received(smtp_server)) == ["kitahara@example.jp", "madoguchi@example.jp", "nagayama@example.jp"]
    assert "ご出席をお願いします" in received(smtp_server)["kitahara@example.jp"].get_body(("plain",)).get_content()
    post(f"/consortia/{consortium_id}/mail/retry")
    post(f"/meetings/{world['meeting'].id}/invitations/send")
    assert len(smtp_server.envelopes) == 3  # nothing twice
    sent = text(client.get(f"/consortia/{consortium_id}/mail?state=sent"))
    assert "Sent: 3" in sent and "Failed: 0" in sent


def test_the_mail_page_is_the_secretariats_own(client, db, world, login, make_user, make_consortium):
    consortium_id = world["meeting"].consortium_id
    hidden = world["consortium"].visibility is not Visibility.PUBLIC
    assert client.get(f"/consortia/{consortium_id}/mail").status_code == (404 if hidden else 302)
    login(world["users"]["member"])
    assert client.get(f"/consortia/{consortium_id}/mail").status_code == 403
    login(make_user({make_consortium(): GrantRole.SECRETARIAT}))
    assert client.get(f"/consortia/{consortium_id}/mail").status_code == (404 if hidden else 403)


@pytest.mark.parametrize("change, message", [
    ({"status": MeetingStatus.CANCELLED}, "The meeting is cancelled"),
    ({"precision": DatePrecision.MONTH}, "The meeting has no date yet"),
    (
        {"precision": DatePrecision.FISCAL_YEAR, "starts_at": tokyo_datetime(2098, 4, 1), "ends_at": tokyo_datetime(2099, 4, 1)},
        "The meeting has no date yet",
    ),
    ({"starts_at": datetime.now(UTC) - timedelta(hours=1), "ends_at": None}, "The meeting has already begun"),
], ids=["cancelled", "month_only", "fiscal_year_only", "begun"])
def test_no_invitation_for_a_cancelled_undated_or_begun_meeting(db, client, world, login, post, smtp_server, english, change, message):
    meeting = db.session.get(Meeting, world["meeting"].id)
    for name, value in change.items():
        setattr(meeting, name, value)
    db.session.commit()
    login(world["users"]["secretariat"])
    assert message in text(client.get(f"/meetings/{meeting.id}/invitations"))
    response = invite_all(post, world)
    assert response.status_code == 302 and message in text(client.get(response.headers["Location"]))
    assert smtp_server.envelopes == [] and rows_of(db, meeting.id) == {}


def test_the_invitations_page_is_for_the_secretariat(client, world, login):
    login(world["users"]["member"])
    assert client.get(f"/meetings/{world['meeting'].id}/invitations").status_code == 403


def test_the_invitations_page_needs_the_same_queries_for_3_or_30_members(db, client, world, login, make_person, make_member, count_queries):
    login(world["users"]["secretariat"])
    url = f"/meetings/{world['meeting'].id}/invitations"
    db.session.add(Attendance(meeting=world["meeting"], membership=world["members"]["nagayama"], invited_at=world["meeting"].created_at))
    db.session.commit()
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for n in range(27):
        person = make_person(family_name=f"委員{n}", given_name="太郎", email=f"m{n}@example.jp")
        member = make_member(world["consortium"], person=person, position=10 + n)
        db.session.add(Attendance(meeting=world["meeting"], membership=member, invited_at=world["meeting"].created_at, reply=Reply.ATTEND))
    db.session.commit()
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


# ---------------------------------------------------------------------------------------------
# Replying


def test_a_reply_link_opens_the_invitees_page_and_saves_only_when_sent(app, db, client, world, login, post, smtp_server, english):
    login(world["users"]["secretariat"])
    invite_all(post, world)
    links_of = {address: reply_links(message) for address, message in received(smtp_server).items()}
    anyone = visitor(app)
    meeting_id, nagayama = world["meeting"].id, world["members"]["nagayama"].id

    page = anyone.get(links_of["nagayama@example.jp"]["online"])
    assert page.status_code == 200 and "長山 宗広" in text(page)
    assert page.headers["Referrer-Policy"] == "no-referrer" and "no-store" in page.headers["Cache-Control"]
    assert re.search(r'checked[^>]*value="online"|value="online"[^>]*checked', text(page))
    assert rows_of(db, meeting_id)[nagayama].reply is None  # opening the link answers nothing

    path = links_of["nagayama@example.jp"]["online"]
    assert anyone.post(path, data={"reply": "online", "note": "途中退席します", "csrf_token": csrf(page)}).status_code == 302
    row = rows_of(db, meeting_id)[nagayama]
    assert (row.reply, row.reply_note) == (Reply.ONLINE, "途中退席します") and row.replied_at is not None

    # Replying again replaces the reply; a stand-in is named with a proxy reply.
    bank_path = links_of["madoguchi@example.jp"]["proxy"]
    bank_page = anyone.get(bank_path)
    assert anyone.post(bank_path, data={"reply": "proxy", "stand_in": "信州銀行 営業部長 山田", "csrf_token": csrf(bank_page)}).status_code == 302
    assert anyone.post(path, data={"reply": "absent", "csrf_token": csrf(page)}).status_code == 302
    rows = rows_of(db, meeting_id)
    assert rows[nagayama].reply is Reply.ABSENT and rows[nagayama].reply_note is None
    assert (rows[world["members"]["bank"].id].reply, rows[world["members"]["bank"].id].stand_in) == (Reply.PROXY, "信州銀行 営業部長 山田")
    assert rows[world["members"]["kitahara"].id].reply is None

    table = text(client.get(f"/meetings/{meeting_id}/invitations"))
    assert "Not attending: 1" in table and "Sending a proxy: 1" in table and "No reply yet: 1" in table
    assert "Stand-in: 信州銀行 営業部長 山田" in table


def test_a_reply_link_answers_only_for_its_invitee(db, client, world, post):
    meeting = world["meeting"]
    for name in ("nagayama", "kitahara"):
        db.session.add(Attendance(meeting=meeting, membership=world["members"][name], invited_at=meeting.created_at))
    db.session.commit()
    token = links.make_token("invitation", meeting.id, world["members"]["nagayama"].id)
    data = {"reply": "attend", "membership_id": world["members"]["kitahara"].id}
    assert post(f"/invitations/{token}", data).status_code == 302
    rows = rows_of(db, meeting.id)
    assert rows[world["members"]["nagayama"].id].reply is Reply.ATTEND and rows[world["members"]["kitahara"].id].reply is None


def test_a_reply_without_a_choice_is_explained_and_the_note_kept(db, client, world, post, english):
    meeting = world["meeting"]
    db.session.add(Attendance(meeting=meeting, membership=world["members"]["kitahara"], invited_at=meeting.created_at))
    db.session.commit()
    url = f"/invitations/{links.make_token('invitation', meeting.id, world['members']['kitahara'].id)}"
    response = post(url, {"note": "後ほど連絡します"})
    assert response.status_code == 422 and "Choose your reply." in text(response) and "後ほど連絡します" in text(response)
    too_long = post(url, {"reply": "proxy", "stand_in": "代" * 201})
    assert too_long.status_code == 422 and rows_of(db, meeting.id)[world["members"]["kitahara"].id].reply is None


@pytest.mark.parametrize("make", [
    lambda w: links.make_token("invitation", w["meeting"].id, w["members"]["nagayama"].id)[:-2] + "xx",
    lambda w: links.make_token("poll", w["meeting"].id, w["members"]["nagayama"].id),  # another kind of link
    lambda w: links.make_token("invitation", w["meeting"].id, w["members"]["kitahara"].id),  # never invited
    lambda w: links.make_token("invitation", w["meeting"].id + 1000, w["members"]["nagayama"].id),  # no such meeting
    lambda w: "not-a-token",
], ids=["tampered", "other_kind", "not_invited", "no_meeting", "garbage"])
def test_a_bad_reply_link_is_refused_clearly(db, client, world, post, english, make):
    meeting = world["meeting"]
    db.session.add(Attendance(meeting=meeting, membership=world["members"]["nagayama"], invited_at=meeting.created_at))
    db.session.commit()
    token = make(world)
    page = client.get(f"/invitations/{token}")
    assert page.status_code == 404 and "This link does not work" in text(page)
    assert post(f"/invitations/{token}", {"reply": "attend"}).status_code == 404


def test_replies_close_when_the_meeting_is_cancelled_or_has_begun(db, client, world, post, english):
    meeting = db.session.get(Meeting, world["meeting"].id)
    db.session.add(Attendance(meeting=meeting, membership=world["members"]["nagayama"], invited_at=meeting.created_at))
    meeting.status = MeetingStatus.CANCELLED
    db.session.commit()
    url = f"/invitations/{links.make_token('invitation', meeting.id, world['members']['nagayama'].id)}"
    assert "has been cancelled" in text(client.get(url))
    assert post(url, {"reply": "attend"}).status_code == 409
    meeting.status, meeting.starts_at, meeting.ends_at = MeetingStatus.SCHEDULED, datetime.now(UTC) - timedelta(minutes=5), None
    db.session.commit()
    refused = post(url, {"reply": "attend"})
    assert refused.status_code == 409 and "already begun" in text(refused)
    assert rows_of(db, meeting.id)[world["members"]["nagayama"].id].reply is None


# ---------------------------------------------------------------------------------------------
# Changes and cancellation


def edit_form(meeting: Meeting, **changes) -> dict:
    data = {
        "title": meeting.title, "kind": meeting.kind.value, "status": meeting.status.value, "precision": "minute",
        "day": "2030-10-01", "start_time": "14:00", "end_time": "16:00", "venue": meeting.venue, "room": meeting.room,
        "is_public": "y",
    }
    data.update(changes)
    return data


def test_a_new_time_sends_an_update_and_asks_again(app, db, client, world, login, post, smtp_server):
    login(world["users"]["secretariat"])
    meeting_id = world["meeting"].id
    invite_all(post, world)
    uid = invitation_ics(received(smtp_server)["nagayama@example.jp"])[1].walk("VEVENT")[0]["UID"]
    for name, reply in (("nagayama", Reply.ATTEND), ("bank", Reply.PROXY)):
        row = rows_of(db, meeting_id)[world["members"][name].id]
        row.reply, row.stand_in = reply, "代理 太郎" if reply is Reply.PROXY else None
    db.session.commit()

    meeting = db.session.get(Meeting, meeting_id)
    assert post(f"/meetings/{meeting_id}/edit", edit_form(meeting, start_time="15:00", end_time="17:00")).status_code == 302
    inbox = received(smtp_server, start=3)
    assert sorted(inbox) == ["kitahara@example.jp", "madoguchi@example.jp", "nagayama@example.jp"]
    update = inbox["nagayama@example.jp"]
    assert update["Subject"].startswith("【変更のお知らせ】第3回 定例会")
    assert "あらためてご出欠をお知らせください" in plain(update) and "15:00–17:00" in plain(update)
    method, calendar = invitation_ics(update)
    [event] = calendar.walk("VEVENT")
    db.session.expire_all()
    assert method == "REQUEST" and event["UID"] == uid and event["SEQUENCE"] == db.session.get(Meeting, meeting_id).sequence == 1
    rows = rows_of(db, meeting_id)
    assert all(row.reply is None for row in rows.values())  # replies for the old time no longer hold
    assert rows[world["members"]["bank"].id].stand_in is None


def test_a_new_place_sends_an_update_but_keeps_the_replies(db, client, world, login, post, smtp_server):
    login(world["users"]["secretariat"])
    meeting_id = world["meeting"].id
    invite_all(post, world)
    row = rows_of(db, meeting_id)[world["members"]["nagayama"].id]
    row.reply = Reply.ATTEND
    db.session.commit()
    meeting = db.session.get(Meeting, meeting_id)
    assert post(f"/meetings/{meeting_id}/edit", edit_form(meeting, room="大会議室")).status_code == 302
    update = received(smtp_server, start=3)["nagayama@example.jp"]
    assert "大会議室" in plain(update) and "現在のご回答：出席" in plain(update)
    assert rows_of(db, meeting_id)[world["members"]["nagayama"].id].reply is Reply.ATTEND
    # A change calendars don't show (the description) sends nothing.
    assert post(f"/meetings/{meeting_id}/edit", edit_form(meeting, room="大会議室", description="補足")).status_code == 302
    assert len(smtp_server.envelopes) == 6


def test_cancelling_sends_a_cancel_with_the_same_uid(db, client, world, login, post, smtp_server):
    login(world["users"]["secretariat"])
    meeting_id = world["meeting"].id
    invite_all(post, world)
    uid = invitation_ics(received(smtp_server)["kitahara@example.jp"])[1].walk("VEVENT")[0]["UID"]
    assert post(f"/meetings/{meeting_id}/cancel", {"confirm": "y"}).status_code == 302
    message = received(smtp_server, start=3)["kitahara@example.jp"]
    assert message["Subject"].startswith("【開催中止のお知らせ】第3回 定例会")
    method, calendar = invitation_ics(message)
    [event] = calendar.walk("VEVENT")
    assert method == "CANCEL" and calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED"
    assert event["UID"] == uid and event["SEQUENCE"] == 1
    assert "/invitations/" not in plain(message)  # nothing to reply to
    assert post(f"/meetings/{meeting_id}/invitations/send").status_code == 302 and len(smtp_server.envelopes) == 6


# ---------------------------------------------------------------------------------------------
# Reminders


def run_reminders(app):
    return app.test_cli_runner().invoke(args=["reminders", "send", "--base-url", "https://consortium.example.jp"])


def invited_days_ago(db, world, days: float, *who: str) -> None:
    meeting = world["meeting"]
    for name in who:
        membership = world["members"][name]
        db.session.add(Attendance(meeting=meeting, membership=membership, invited_at=meeting.created_at))
        db.session.add(SentNotice(
            kind="meeting_invitation", meeting_id=meeting.id, sequence=meeting.sequence, membership_id=membership.id,
            email="x@example.jp", sent_at=datetime.now(UTC) - timedelta(days=days),
        ))
    db.session.commit()


def meeting_in(db, world, delta: timedelta) -> None:
    meeting = db.session.get(Meeting, world["meeting"].id)
    meeting.starts_at, meeting.ends_at = datetime.now(UTC) + delta, None
    db.session.commit()


def test_reminders_go_once_to_the_invited_who_have_not_replied(app, db, world, smtp_server):
    meeting_in(db, world, timedelta(days=3))
    invited_days_ago(db, world, 2, "nagayama", "kitahara", "bank")
    row = rows_of(db, world["meeting"].id)[world["members"]["nagayama"].id]
    row.reply = Reply.ATTEND
    db.session.commit()

    result = run_reminders(app)
    assert result.exit_code == 0, result.output
    assert "Reminders sent: 2." in result.output
    inbox = received(smtp_server)
    assert sorted(inbox) == ["kitahara@example.jp", "madoguchi@example.jp"]
    reminder = inbox["kitahara@example.jp"]
    assert reminder["Subject"].startswith("【ご出欠のご回答のお願い】第3回 定例会")
    assert "https://consortium.example.jp/invitations/" in plain(reminder)
    assert list(reminder.iter_attachments()) == []

    again = run_reminders(app)
    assert "Reminders sent: 0." in again.output and len(smtp_server.envelopes) == 2


@pytest.mark.parametrize("starts_in, invited_ago", [
    (timedelta(days=10), 2),  # too early
    (timedelta(days=3), 0.1),  # the invitation has just gone
    (timedelta(hours=-1), 2),  # the meeting has begun
], ids=["too_early", "just_invited", "begun"])
def test_no_reminder_too_early_too_soon_after_inviting_or_too_late(app, db, world, smtp_server, starts_in, invited_ago):
    meeting_in(db, world, starts_in)
    invited_days_ago(db, world, invited_ago, "kitahara")
    run_reminders(app)
    # Once begun, a meeting still 開催予定 is its secretariat's to mark held (tests/test_not_held.py).
    assert set(received(smtp_server)) <= {world["users"]["secretariat"].email}


def test_after_a_new_time_those_who_have_not_replied_again_are_reminded_again(app, db, world, smtp_server):
    from consortium.meetings.services import update_meeting

    meeting_in(db, world, timedelta(days=3))
    invited_days_ago(db, world, 2, "kitahara")
    assert "Reminders sent: 1." in run_reminders(app).output
    meeting = db.session.get(Meeting, world["meeting"].id)
    update_meeting(meeting, {"starts_at": meeting.starts_at + timedelta(hours=1)})
    db.session.commit()
    # The new version has not gone out yet: no reminder of it.
    assert "Reminders sent: 0." in run_reminders(app).output
    db.session.add(SentNotice(
        kind="meeting_invitation", meeting_id=meeting.id, sequence=meeting.sequence,
        membership_id=world["members"]["kitahara"].id, email="x@example.jp", sent_at=datetime.now(UTC) - timedelta(days=2),
    ))
    db.session.commit()
    assert "Reminders sent: 1." in run_reminders(app).output and len(smtp_server.envelopes) == 2


def test_a_signed_in_invitee_finds_their_reply_on_the_meeting_page(db, client, world, login, make_user, english):
    meeting = world["meeting"]
    nagayama = world["members"]["nagayama"]
    user = make_user({world["consortium"]: GrantRole.MEMBER}, person=nagayama.person)
    login(user)
    assert "Your reply to the invitation" not in text(client.get(f"/meetings/{meeting.id}"))  # not invited yet
    db.session.add(Attendance(meeting=meeting, membership=nagayama, invited_at=meeting.created_at, reply=Reply.ONLINE))
    db.session.commit()
    page = text(client.get(f"/meetings/{meeting.id}"))
    assert "Your reply to the invitation: <strong>Attending online</strong>" in page
    link = re.search(r'href="(https?://[^"]+/invitations/[^"]+)"', page).group(1)
    assert client.get(urlsplit(link).path).status_code == 200
    login(world["users"]["member"])  # a member's account with no seat: nothing to reply to
    assert "Your reply to the invitation" not in text(client.get(f"/meetings/{meeting.id}"))


def test_marking_a_past_meeting_held_sends_nothing(db, client, world, login, post, smtp_server):
    meeting = db.session.get(Meeting, world["meeting"].id)
    db.session.add(Attendance(meeting=meeting, membership=world["members"]["nagayama"], invited_at=meeting.created_at))
    db.session.add(SentNotice(kind="meeting_invitation", meeting_id=meeting.id, sequence=0, membership_id=world["members"]["nagayama"].id, email="x@example.jp"))
    meeting.starts_at, meeting.ends_at = datetime.now(UTC) - timedelta(days=2), None
    db.session.commit()
    login(world["users"]["secretariat"])
    day = (datetime.now(UTC) - timedelta(days=2)).astimezone(STARTS.tzinfo).date().isoformat()
    response = post(f"/meetings/{meeting.id}/edit", edit_form(meeting, status="held", day=day, start_time="10:00", end_time=""))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).sequence == 1 and smtp_server.envelopes == []


def test_the_secretariat_records_a_reply_given_by_telephone(db, client, world, login, post, smtp_server, english):
    login(world["users"]["secretariat"])
    meeting_id, nomail = world["meeting"].id, world["members"]["nomail"]
    page = text(client.get(f"/meetings/{meeting_id}/invitations"))
    url = f"/meetings/{meeting_id}/invitations/on-behalf?member={nomail.id}"
    assert url.replace("&", "&amp;") in page
    form = client.get(url)
    assert form.status_code == 200 and "電話 一郎" in text(form)
    missing = post(url, {"note": "折り返し連絡"})
    assert missing.status_code == 422 and "Choose your reply." in text(missing) and "折り返し連絡" in text(missing)
    assert post(url, {"reply": "proxy", "stand_in": "電話 二郎"}).status_code == 302
    row = rows_of(db, meeting_id)[nomail.id]
    assert (row.reply, row.stand_in) == (Reply.PROXY, "電話 二郎") and row.invited_at is not None
    assert "The reply of 電話 一郎 has been recorded." in text(client.get(f"/meetings/{meeting_id}/invitations"))
    assert smtp_server.envelopes == []  # nothing to mail: no address
    # Only members of this roster; only the secretariat.
    assert client.get(f"/meetings/{meeting_id}/invitations/on-behalf?member=999999").status_code == 404
    assert client.get(f"/meetings/{meeting_id}/invitations/on-behalf?member=x").status_code == 400
    login(world["users"]["member"])
    assert client.get(url).status_code == 403
