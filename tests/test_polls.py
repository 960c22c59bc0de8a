"""Date polls: personal links mailed to a real SMTP server, answers, results, reminders and the pick."""
from __future__ import annotations

import email
import re
from datetime import UTC, date, datetime, timedelta, timezone
from email import policy
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from conftest import Client, text, text_parts

# A real SMTP server on loopback, shared with the mail tests rather than copied.

from consortium.calendar.holidays import holiday_name
from consortium.japanese import to_tokyo, today_tokyo, tokyo_datetime
from consortium.models import (
    Answer,
    Grant,
    GrantRole,
    MailState,
    Meeting,
    MeetingStatus,
    Poll,
    PollAnswer,
    PollSlot,
    PollStatus,
    Visibility,
)
from consortium.models import Attendance, PollResponse, SentNotice
from consortium import personal_links as links
from consortium.consortia.invitees import invitees
from consortium.polls.results import results

SLOTS = [
    (tokyo_datetime(2030, 10, 1, 14), tokyo_datetime(2030, 10, 1, 16)),
    (tokyo_datetime(2030, 10, 3, 10), tokyo_datetime(2030, 10, 3, 12)),
    (tokyo_datetime(2030, 10, 8, 15), None),
]


@pytest.fixture()
def world(db, make_consortium, make_meeting, make_member, make_person, make_organization, make_user):
    """A members-only council with a poll of three slots: two people with email, an organisation
    answering through its contact, one member without email, a former member, and a secretariat."""
    consortium = make_consortium(visibility=Visibility.MEMBERS)
    meeting = make_meeting(consortium, title="第3回 定例会", status=MeetingStatus.TENTATIVE)
    bank = make_organization(name="信州銀行")
    people = {
        "nagayama": make_person(family_name="長山", given_name="宗広", email="nagayama@example.jp"),
        "kitahara": make_person(family_name="北原", given_name="明", email="kitahara@example.jp"),
        "contact": make_person(family_name="窓口", given_name="花子", email="madoguchi@example.jp", organization=bank),
        "later": make_person(family_name="後任", given_name="次郎", email="later@example.jp", organization=bank),
        "nomail": make_person(family_name="電話", given_name="一郎"),
        "former": make_person(family_name="退任", given_name="三郎", email="former@example.jp"),
    }
    members = {
        "nagayama": make_member(consortium, person=people["nagayama"], position=1),
        "kitahara": make_member(consortium, person=people["kitahara"], position=2),
        "bank": make_member(consortium, organization=bank, position=3),
        "nomail": make_member(consortium, person=people["nomail"], position=4),
        "former": make_member(consortium, person=people["former"], position=5, term_end=today_tokyo() - timedelta(days=1)),
    }
    poll = Poll(
        meeting=meeting, title="第3回 定例会の日程調整", message="ご都合をお知らせください。",
        respond_by=tokyo_datetime(2030, 9, 20, 23, 59),
        slots=[PollSlot(starts_at=s, ends_at=e) for s, e in SLOTS],
    )
    db.session.add(poll)
    db.session.commit()
    users = {
        "secretariat": make_user({consortium: GrantRole.SECRETARIAT}),
        "nagayama": make_user({consortium: GrantRole.MEMBER}, person=people["nagayama"]),
        "staff": make_user({consortium: GrantRole.MEMBER}),  # a member's account with no seat on the roster
    }
    return {"consortium": consortium, "meeting": meeting, "poll": poll, "members": members, "users": users}


def token_of(world, who: str) -> str:
    return links.make_token("poll", world["poll"].id, world["members"][who].id)


def slot_ids(db, poll_id: int) -> list[int]:
    return list(db.session.execute(sa.select(PollSlot.id).where(PollSlot.poll_id == poll_id).order_by(PollSlot.starts_at)).scalars())


def form_data(ids, marks: str, comment: str = "") -> dict:
    """Answers as the form posts them: marks like "ym n" give ○ △ × per slot, a space leaves one out."""
    values = {"y": "yes", "m": "maybe", "n": "no"}
    data = {f"slot_{i}": values[m] for i, m in zip(ids, marks, strict=True) if m != " "}
    data["comment"] = comment
    return data


def answers_of(db, membership_id: int) -> dict[int, Answer]:
    db.session.expire_all()
    rows = db.session.execute(sa.select(PollAnswer).where(PollAnswer.membership_id == membership_id)).scalars()
    return {a.slot_id: a.answer for a in rows}


def link_path(message) -> str:
    """The personal link in a mail's plain text, as a path on the test server."""
    body = message.get_body(("plain",)).get_content()
    match = re.search(r"https?://\S+/polls/answer/\S+", body)
    assert match, body
    return urlsplit(match.group(0)).path


def received(inbox) -> dict[str, email.message.EmailMessage]:
    return {e.rcpt_tos[0]: email.message_from_bytes(e.content, policy=policy.default) for e in inbox.envelopes}


# ---------------------------------------------------------------------------------------------
# Who is invited


def test_invitees_are_the_current_roster_with_an_organisation_answering_through_its_contact(db, world):
    found = invitees(world["consortium"].id)
    assert [i.name for i in found] == ["長山 宗広", "北原 明", "信州銀行", "電話 一郎"]  # the former member left out
    bank = found[2]
    assert bank.email == "madoguchi@example.jp" and bank.contact.full_name == "窓口 花子"  # the first recorded
    assert found[3].email is None


def test_secretariat_creates_a_poll_with_several_slots_and_sees_who_has_no_email(client, world, login, post, english):
    login(world["users"]["secretariat"])
    meeting = world["meeting"]
    page = client.get(f"/meetings/{meeting.id}/polls/new")
    assert page.status_code == 200 and "電話 一郎" in text(page) and "Who may see this page" in text(page)
    respond_by = (today_tokyo() + timedelta(days=10)).isoformat()
    response = post(f"/meetings/{meeting.id}/polls/new", {
        "title": "日程調整 その2", "respond_by": respond_by, "message": "",
        "slots-0-day": "2030-11-05", "slots-0-start_time": "14:00", "slots-0-end_time": "16:00",
        "slots-1-day": "2030-11-06", "slots-1-start_time": "10:00",
    })
    assert response.status_code == 302
    poll = client.application.extensions["sqlalchemy"].session.execute(sa.select(Poll).where(Poll.title == "日程調整 その2")).scalar_one()
    assert [(s.starts_at, s.ends_at) for s in poll.slots] == [
        (tokyo_datetime(2030, 11, 5, 14), tokyo_datetime(2030, 11, 5, 16)), (tokyo_datetime(2030, 11, 6, 10), None),
    ]
    assert poll.respond_by.astimezone(timezone(timedelta(hours=9))).strftime("%Y-%m-%d %H:%M") == f"{respond_by} 23:59"


def test_a_poll_form_with_bad_slots_says_what_is_wrong_and_keeps_everything(client, world, login, post, english):
    login(world["users"]["secretariat"])
    response = post(f"/meetings/{world['meeting'].id}/polls/new", {
        "title": "やり直し", "respond_by": "2020-01-01", "message": "本文はそのまま",
        "slots-0-day": "2030-11-05", "slots-0-start_time": "16:00", "slots-0-end_time": "14:00",
        "slots-1-start_time": "10:00",
    })
    page = text(response)
    assert response.status_code == 422
    for message in ("The end must be after the start.", "Enter the date of this candidate.", "The respond-by date has passed."):
        assert message in page
    assert "本文はそのまま" in page and 'value="2030-11-05"' in page and 'value="16:00"' in page
    empty = post(f"/meetings/{world['meeting'].id}/polls/new", {"title": "空", "respond_by": today_tokyo().isoformat()})
    assert empty.status_code == 422 and "Enter at least one candidate" in text(empty)


def test_a_slot_on_a_national_holiday_is_warned_about_when_the_poll_is_saved(client, world, login, post):
    login(world["users"]["secretariat"])
    meeting = world["meeting"]
    assert holiday_name(date(2031, 1, 13)) == "成人の日"
    response = post(f"/meetings/{meeting.id}/polls/new", {
        "title": "成人の日を含む日程調整", "respond_by": (today_tokyo() + timedelta(days=10)).isoformat(), "message": "",
        "slots-0-day": "2031-01-13", "slots-0-start_time": "14:00", "slots-0-end_time": "16:00",
        "slots-1-day": "2031-01-14", "slots-1-start_time": "14:00",
    }, follow_redirects=True)
    page = text(response)
    assert response.status_code == 200 and "成人の日を含む日程調整" in page  # saved: a warning, not a refusal
    assert "候補 2031/1/13（月） 14:00–16:00：令和13年（2031年）1月13日（月）は祝日（成人の日）です。" in page
    assert "1月14日" not in page  # a working Tuesday has nothing to warn about
    poll_id = client.application.extensions["sqlalchemy"].session.execute(
        sa.select(Poll.id).where(Poll.title == "成人の日を含む日程調整")
    ).scalar_one()
    edit = text(client.get(f"/polls/{poll_id}/edit"))  # the candidates the poll already has, too
    assert "候補 2031/1/13（月） 14:00–16:00：" in edit.split('id="slot-warnings"')[1]


def test_the_poll_form_warns_about_holidays_and_members_busy_elsewhere_before_saving(
    client, db, world, login, post, make_consortium, make_meeting, make_member, english
):
    login(world["users"]["secretariat"])
    meeting = world["meeting"]
    meeting.starts_at, meeting.ends_at = tokyo_datetime(2031, 2, 5, 10), tokyo_datetime(2031, 2, 5, 12)  # a Wednesday
    db.session.commit()
    other = make_consortium(name="関東地方産業競争力協議会")
    make_member(other, person=world["members"]["nagayama"].person)
    make_meeting(other, title="第2回 協議会", starts_at=tokyo_datetime(2031, 2, 4, 15), ends_at=tokyo_datetime(2031, 2, 4, 17))
    own = to_tokyo(meeting.starts_at)
    response = post(f"/meetings/{meeting.id}/polls/new", {
        "title": "", "respond_by": (today_tokyo() + timedelta(days=10)).isoformat(), "message": "",
        "slots-0-day": "2031-01-13", "slots-0-start_time": "14:00",
        "slots-1-day": "2031-02-04", "slots-1-start_time": "14:00", "slots-1-end_time": "16:00",
        "slots-2-day": own.date().isoformat(), "slots-2-start_time": own.strftime("%H:%M"),
    })
    assert response.status_code == 422  # no title: the form comes back, with its warnings
    warnings = text(response).split('id="slot-warnings"')[1].split("</div>")[0]
    assert "Candidate Mon 13 Jan 2031 14:00: " in warnings and "is a national holiday: 成人の日." in warnings
    assert "Candidate Tue 4 Feb 2031 14:00–16:00: Overlaps with “第2回 協議会”" in warnings and "長山 宗広" in warnings
    assert warnings.count("<li>") == 2  # the poll's own meeting, at its present time, is no clash


# ---------------------------------------------------------------------------------------------
# Mail and personal links


def test_sending_mails_each_invitee_a_personal_link_that_works_for_them_only(app, db, client, world, login, post, smtp_server):
    login(world["users"]["secretariat"])
    poll = world["poll"]
    assert post(f"/polls/{poll.id}/send").status_code == 302

    inbox = received(smtp_server)
    assert sorted(inbox) == ["kitahara@example.jp", "madoguchi@example.jp", "nagayama@example.jp"]
    message = inbox["nagayama@example.jp"]
    assert message["Subject"] == "【日程調整】第3回 定例会の日程調整 ご都合をお知らせください"
    assert message["To"].addresses[0].display_name == "長山 宗広"
    plain = message.get_body(("plain",)).get_content()
    assert "令和12年（2030年）10月1日（火） 14:00〜16:00" in plain and "ご都合をお知らせください。" in plain
    assert "/polls/answer/" in message.get_body(("html",)).get_content()
    assert "信州銀行のご担当者様" in inbox["madoguchi@example.jp"].get_body(("plain",)).get_content()

    # Each link opens that invitee's own page, to an anonymous visitor, and saves only their answers.
    app.test_client_class = Client
    visitor = app.test_client()
    ids = slot_ids(db, poll.id)
    for address, who, marks in (("nagayama@example.jp", "nagayama", "ymn"), ("madoguchi@example.jp", "bank", "nnn")):
        path = link_path(inbox[address])
        page = visitor.get(path)
        assert page.status_code == 200 and world["members"][who].name in text(page)
        assert page.headers["Referrer-Policy"] == "no-referrer" and "no-store" in page.headers["Cache-Control"]
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text(page)).group(1)
        assert visitor.post(path, data={**form_data(ids, marks), "csrf_token": token}).status_code == 302
    assert answers_of(db, world["members"]["nagayama"].id) == dict(zip(ids, (Answer.YES, Answer.MAYBE, Answer.NO)))
    assert set(answers_of(db, world["members"]["bank"].id).values()) == {Answer.NO}
    assert answers_of(db, world["members"]["kitahara"].id) == {}

    # Pressing the button again sends nothing twice.
    assert post(f"/polls/{poll.id}/send").status_code == 302
    assert len(smtp_server.envelopes) == 3


def test_a_mail_reader_decodes_the_japanese_of_every_part_of_a_poll_mail(world, login, post, smtp_server):
    login(world["users"]["secretariat"])
    assert post(f"/polls/{world['poll'].id}/send").status_code == 302
    parts = text_parts(received(smtp_server)["nagayama@example.jp"])
    assert set(parts) == {"text/plain", "text/html"}
    for body in parts.values():
        assert "令和12年（2030年）10月1日（火）" in body and "ご都合をお知らせください" in body


def test_a_link_changes_only_its_own_invitees_answers(db, client, world, post):
    ids = slot_ids(db, world["poll"].id)
    # Whatever the form carries, the answers go to the membership the token names.
    data = {**form_data(ids, "yyy"), "membership_id": world["members"]["kitahara"].id}
    assert post(f"/polls/answer/{token_of(world, 'nagayama')}", data).status_code == 302
    assert set(answers_of(db, world["members"]["nagayama"].id).values()) == {Answer.YES}
    assert answers_of(db, world["members"]["kitahara"].id) == {}


@pytest.mark.parametrize("make", [
    lambda w: token_of(w, "nagayama")[:-2] + ("AA" if not token_of(w, "nagayama").endswith("AA") else "BB"),
    lambda w: links.make_token("meeting", w["poll"].id, w["members"]["nagayama"].id),  # another kind of link
    lambda w: links.make_token("poll", w["poll"].id + 1000, w["members"]["nagayama"].id),  # no such poll
    lambda w: token_of(w, "former"),  # no longer on the roster
    lambda w: "not-a-token",
], ids=["tampered", "other_kind", "no_poll", "former_member", "garbage"])
def test_a_bad_link_is_refused_clearly(client, world, post, english, make):
    token = make(world)
    page = client.get(f"/polls/answer/{token}")
    assert page.status_code == 404 and "This link does not work" in text(page)
    assert post(f"/polls/answer/{token}", {"comment": "x"}).status_code == 404


def test_an_old_link_has_expired(client, world, english, monkeypatch):
    token = token_of(world, "nagayama")
    import itsdangerous.timed

    later = itsdangerous.timed.time.time() + links.LINK_MAX_AGE + 60
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    assert client.get(f"/polls/answer/{token}").status_code == 404


# ---------------------------------------------------------------------------------------------
# Answers


def test_answering_again_replaces_the_earlier_answers(db, client, world, post):
    ids = slot_ids(db, world["poll"].id)
    url = f"/polls/answer/{token_of(world, 'kitahara')}"
    post(url, form_data(ids, "yyy", "午後なら"))
    post(url, form_data(ids, "nmy", "やはり午前"))
    membership_id = world["members"]["kitahara"].id
    assert answers_of(db, membership_id) == dict(zip(ids, (Answer.NO, Answer.MAYBE, Answer.YES)))
    [response] = db.session.execute(sa.select(PollResponse).where(PollResponse.membership_id == membership_id)).scalars()
    assert response.comment == "やはり午前"
    page = text(client.get(url))
    assert re.search(rf'id="slot_{ids[0]}-2"[^>]*checked|checked[^>]*id="slot_{ids[0]}-2"', page), "the answer is shown again"


def test_a_missing_choice_is_explained_and_nothing_typed_is_lost(db, client, world, post, english):
    ids = slot_ids(db, world["poll"].id)
    response = post(f"/polls/answer/{token_of(world, 'kitahara')}", form_data(ids, "y n", "コメントは残る"))
    page = text(response)
    assert response.status_code == 422
    assert "Choose ○, △ or × for 2030/10/3" in page or "Choose ○, △ or × for Thu 3 Oct 2030" in page
    assert "コメントは残る" in page and re.search(rf'checked[^>]*id="slot_{ids[0]}-0"|id="slot_{ids[0]}-0"[^>]*checked', page)
    assert answers_of(db, world["members"]["kitahara"].id) == {}
    too_long = post(f"/polls/answer/{token_of(world, 'kitahara')}", {**form_data(ids, "yyy"), "comment": "長" * 501})
    assert too_long.status_code == 422 and "within 500 characters" in text(too_long)
    bogus = post(f"/polls/answer/{token_of(world, 'kitahara')}", {**form_data(ids, "yyy"), f"slot_{ids[1]}": "perhaps"})
    assert bogus.status_code == 422


def test_a_signed_in_member_answers_on_the_poll_page(db, client, world, login, post, english):
    login(world["users"]["nagayama"])
    poll = world["poll"]
    page = client.get(f"/polls/{poll.id}")
    assert page.status_code == 200 and "Answering for 長山 宗広." in text(page)
    ids = slot_ids(db, poll.id)
    assert post(f"/polls/{poll.id}", form_data(ids, "yny")).status_code == 302
    assert answers_of(db, world["members"]["nagayama"].id)[ids[1]] is Answer.NO


def test_a_member_without_a_seat_sees_the_results_but_has_nothing_to_answer(db, client, world, login, post, english):
    login(world["users"]["staff"])
    poll = world["poll"]
    assert "not on this consortium" in text(client.get(f"/polls/{poll.id}"))
    assert post(f"/polls/{poll.id}", form_data(slot_ids(db, poll.id), "yyy")).status_code == 302
    assert db.session.execute(sa.select(sa.func.count(PollAnswer.id))).scalar() == 0


def test_a_closed_poll_refuses_answers_with_a_clear_message(db, client, world, post, english):
    ids = slot_ids(db, world["poll"].id)
    url = f"/polls/answer/{token_of(world, 'kitahara')}"
    post(url, form_data(ids, "yyy"))
    poll = db.session.get(Poll, world["poll"].id)
    poll.status = PollStatus.CLOSED
    db.session.commit()
    response = post(url, form_data(ids, "nnn"))
    assert response.status_code == 409 and "This poll is closed, so answers can no longer change." in text(response)
    assert set(answers_of(db, world["members"]["kitahara"].id).values()) == {Answer.YES}
    assert client.get(url).status_code == 200  # the page still says what was answered


# ---------------------------------------------------------------------------------------------
# Results


def answer_directly(db, world, who: str, marks: str, comment: str | None = None) -> None:
    ids = slot_ids(db, world["poll"].id)
    membership_id = world["members"][who].id
    values = {"y": Answer.YES, "m": Answer.MAYBE, "n": Answer.NO}
    db.session.add_all(PollAnswer(slot_id=i, membership_id=membership_id, answer=values[m]) for i, m in zip(ids, marks, strict=True))
    db.session.add(PollResponse(poll_id=world["poll"].id, membership_id=membership_id, comment=comment))
    db.session.commit()


def test_results_count_each_slot_and_put_the_best_first(db, client, world, login, english):
    # Slot 1: ○1 △1 ×1; slot 2: ○2 ×1; slot 3: ○2 △1. Slot 3 beats slot 2 on fewer ×.
    answer_directly(db, world, "nagayama", "yyy", "どこでも")
    answer_directly(db, world, "kitahara", "mym")
    answer_directly(db, world, "bank", "nny")
    answer_directly(db, world, "former", "yyy")  # no longer on the roster: not counted
    ids = slot_ids(db, world["poll"].id)
    found = results(db.session.get(Poll, world["poll"].id), invitees(world["consortium"].id))
    assert [(c.slot.id, c.yes, c.maybe, c.no) for c in found.counts] == [(ids[2], 2, 1, 0), (ids[1], 2, 0, 1), (ids[0], 1, 1, 1)]
    assert [i.name for i in found.not_answered] == ["電話 一郎"]

    login(world["users"]["nagayama"])
    page = text(client.get(f"/polls/{world['poll'].id}"))
    assert page.index(f'id="slot-{ids[2]}"') < page.index(f'id="slot-{ids[1]}"') < page.index(f'id="slot-{ids[0]}"')
    assert "○2 △1 ×0" in page and "どこでも" in page and "退任" not in page


def test_results_are_for_members_only(client, world, login, make_user, make_consortium):
    outsider = make_user({make_consortium(): GrantRole.MEMBER})
    login(outsider)
    assert client.get(f"/polls/{world['poll'].id}").status_code == 404  # a members-only consortium


# ---------------------------------------------------------------------------------------------
# Reminders


def run_reminders(app):
    return app.test_cli_runner().invoke(args=["reminders", "send", "--base-url", "https://consortium.example.jp"])


def invite(db, world, *who: str) -> None:
    for name in who:
        db.session.add(SentNotice(kind="poll_invitation", poll_id=world["poll"].id, membership_id=world["members"][name].id, email="x@example.jp"))
    db.session.commit()


def test_reminders_go_once_to_invitees_who_have_not_answered(app, db, world, smtp_server):
    poll = db.session.get(Poll, world["poll"].id)
    poll.respond_by = datetime.now(UTC) + timedelta(days=1)
    db.session.commit()
    invite(db, world, "nagayama", "kitahara", "bank")
    answer_directly(db, world, "nagayama", "yyy")

    result = run_reminders(app)
    assert result.exit_code == 0, result.output
    assert "Reminders sent: 2." in result.output
    inbox = received(smtp_server)
    assert sorted(inbox) == ["kitahara@example.jp", "madoguchi@example.jp"]
    assert inbox["kitahara@example.jp"]["Subject"].startswith("【日程調整・ご回答のお願い】第3回 定例会の日程調整")
    assert link_path(inbox["kitahara@example.jp"]).startswith("/polls/answer/")
    assert "https://consortium.example.jp/polls/answer/" in inbox["kitahara@example.jp"].get_body(("plain",)).get_content()

    again = run_reminders(app)
    assert "Reminders sent: 0." in again.output and len(smtp_server.envelopes) == 2


@pytest.mark.parametrize("respond_in, status", [(timedelta(days=5), PollStatus.OPEN), (timedelta(hours=-1), PollStatus.OPEN), (timedelta(days=1), PollStatus.CLOSED)])
def test_no_reminder_too_early_too_late_or_for_a_closed_poll(app, db, world, smtp_server, respond_in, status):
    poll = db.session.get(Poll, world["poll"].id)
    poll.respond_by, poll.status = datetime.now(UTC) + respond_in, status
    db.session.commit()
    invite(db, world, "kitahara")
    assert "Reminders sent: 0." in run_reminders(app).output and smtp_server.envelopes == []


def test_reminders_need_the_site_address_for_their_links(app, db):
    result = app.test_cli_runner().invoke(args=["reminders", "send"], env={"SITE_URL": ""})
    assert result.exit_code != 0 and "--base-url" in result.output


def test_a_reminder_the_mail_server_did_not_take_goes_on_the_next_run_and_only_once(app, db, world, monkeypatch, smtp_server):
    from conftest import free_port

    poll = db.session.get(Poll, world["poll"].id)
    poll.respond_by = datetime.now(UTC) + timedelta(days=1)
    db.session.commit()
    invite(db, world, "kitahara")
    working = app.config["MAIL_PORT"]
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    result = run_reminders(app)
    assert result.exit_code != 0 and "tried again" in result.output
    reminder = sa.select(SentNotice.state).where(SentNotice.kind == "poll_reminder")
    assert db.session.execute(reminder).scalars().all() == [MailState.FAILED]

    monkeypatch.setitem(app.config, "MAIL_PORT", working)
    assert run_reminders(app).exit_code == 0
    assert run_reminders(app).exit_code == 0
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["kitahara@example.jp"]]
    db.session.expire_all()
    assert db.session.execute(reminder).scalars().all() == [MailState.SENT]


# ---------------------------------------------------------------------------------------------
# Picking the slot


def test_picking_a_slot_sets_the_meeting_time_closes_the_poll_and_tells_the_members(db, client, world, login, post, smtp_server, english):
    login(world["users"]["secretariat"])
    poll_id, meeting_id = world["poll"].id, world["meeting"].id
    sequence = world["meeting"].sequence
    ids = slot_ids(db, poll_id)
    assert client.get(f"/polls/{poll_id}/pick?slot={ids[1]}").status_code == 200
    assert post(f"/polls/{poll_id}/pick", {"slot_id": "999999"}).status_code == 422
    assert post(f"/polls/{poll_id}/pick", {"slot_id": str(ids[1])}).status_code == 302

    db.session.expire_all()
    meeting, poll = db.session.get(Meeting, meeting_id), db.session.get(Poll, poll_id)
    assert (meeting.starts_at, meeting.ends_at) == SLOTS[1]
    assert meeting.sequence == sequence + 1 and meeting.status is MeetingStatus.SCHEDULED
    assert poll.status is PollStatus.CLOSED and poll.chosen_slot_id == ids[1]
    inbox = received(smtp_server)
    assert sorted(inbox) == ["kitahara@example.jp", "madoguchi@example.jp", "nagayama@example.jp"]
    assert inbox["kitahara@example.jp"]["Subject"] == "【日程決定】第3回 定例会 令和12年（2030年）10月3日（木） 10:00〜12:00"
    assert f"/meetings/{meeting_id}" in inbox["kitahara@example.jp"].get_body(("plain",)).get_content()

    # Picking again is refused; sending again sends nothing twice; the poll cannot change any more.
    assert post(f"/polls/{poll_id}/pick", {"slot_id": str(ids[0])}).status_code == 302
    assert db.session.get(Meeting, meeting_id).starts_at == SLOTS[1][0]
    post(f"/polls/{poll_id}/send")
    assert len(smtp_server.envelopes) == 3
    assert client.get(f"/polls/{poll_id}/edit").status_code == 302


def test_secretariat_edits_the_poll_adds_and_removes_candidates(db, client, world, login, post, english):
    login(world["users"]["secretariat"])
    poll_id = world["poll"].id
    answer_directly(db, world, "kitahara", "yyy")
    ids = slot_ids(db, poll_id)
    response = post(f"/polls/{poll_id}/edit", {
        "title": "改題", "respond_by": "2030-09-20", "message": "",
        "slots-0-day": "2030-10-10", "slots-0-start_time": "09:30",
        "slots-1-day": "2030-10-01", "slots-1-start_time": "14:00", "slots-1-end_time": "16:00",  # already there
    })
    assert response.status_code == 302
    assert len(slot_ids(db, poll_id)) == 4
    assert post(f"/polls/{poll_id}/slots/remove", {"slot_id": str(ids[0])}).status_code == 302
    assert ids[0] not in slot_ids(db, poll_id) and ids[0] not in answers_of(db, world["members"]["kitahara"].id)
    assert db.session.get(Poll, poll_id).title == "改題"


def test_the_meeting_page_links_its_polls_for_members_only(client, world, login, english):
    login(world["users"]["secretariat"])
    page = text(client.get(f"/meetings/{world['meeting'].id}"))
    assert f"/polls/{world['poll'].id}" in page and "Find a date with a poll" in page


def test_deleting_a_poll_kills_its_links(db, client, world, login, post, english):
    token = token_of(world, "nagayama")
    login(world["users"]["secretariat"])
    assert post(f"/polls/{world['poll'].id}/delete", {"confirm": "y"}).status_code == 302
    client.post("/accounts/logout", data={})
    assert client.get(f"/polls/answer/{token}").status_code == 404


# ---------------------------------------------------------------------------------------------
# Query counts


def test_poll_pages_run_the_same_number_of_queries_for_2_or_40_invitees(db, client, make_consortium, make_meeting, make_member, make_person, make_organization, make_user, login, count_queries):
    user = make_user()
    login(user)

    def measure(size: int) -> dict[str, int]:
        consortium = make_consortium()
        db.session.add(Grant(user=user, consortium=consortium, role=GrantRole.SECRETARIAT))
        starts = [tokyo_datetime(2030, 10, d, 10) for d in range(1, 2 + size // 4)]
        poll = Poll(meeting=make_meeting(consortium), title="規模", slots=[PollSlot(starts_at=s) for s in starts])
        db.session.add(poll)
        db.session.commit()
        members = []
        for n in range(size):
            if n % 2:  # half of them organisations answering through a contact
                members.append(make_member(consortium, organization=make_organization()))
                make_person(organization=members[-1].organization, email=f"o{n}@example.jp")
            else:
                members.append(make_member(consortium, person=make_person(email=f"p{n}@example.jp")))
        db.session.add_all(PollAnswer(slot=s, membership_id=m.id, answer=Answer.YES) for s in poll.slots for m in members)
        db.session.add_all(PollResponse(poll_id=poll.id, membership_id=m.id, comment="可") for m in members)
        db.session.commit()
        counts = {}
        token = links.make_token("poll", poll.id, members[0].id)
        for name, url in (("results", f"/polls/{poll.id}"), ("link", f"/polls/answer/{token}"), ("pick", f"/polls/{poll.id}/pick")):
            with count_queries() as statements:
                assert client.get(url).status_code == 200
            counts[name] = len(statements)
        return counts

    small, large = measure(2), measure(40)
    assert small == large, (small, large)


def test_the_secretariat_enters_answers_given_by_telephone(db, client, world, login, post, english):
    login(world["users"]["secretariat"])
    poll = world["poll"]
    nomail = world["members"]["nomail"]
    url = f"/polls/{poll.id}/on-behalf?member={nomail.id}"
    assert url.replace("&", "&amp;") in text(client.get(f"/polls/{poll.id}"))
    page = client.get(url)
    assert page.status_code == 200 and "電話 一郎" in text(page) and "Who may see this page" in text(page)
    ids = slot_ids(db, poll.id)
    missing = post(url, form_data(ids, "y n", "電話で確認"))
    assert missing.status_code == 422 and "電話で確認" in text(missing) and answers_of(db, nomail.id) == {}
    assert post(url, form_data(ids, "ymn", "電話で確認")).status_code == 302
    assert answers_of(db, nomail.id) == dict(zip(ids, (Answer.YES, Answer.MAYBE, Answer.NO)))
    assert "The answers of 電話 一郎 have been recorded." in text(client.get(f"/polls/{poll.id}"))
    assert client.get(f"/polls/{poll.id}/on-behalf?member=999999").status_code == 404
    assert client.get(f"/polls/{poll.id}/on-behalf").status_code == 400
    login(world["users"]["nagayama"])  # a member may not answer for another
    assert client.get(url).status_code == 403


def test_no_answers_on_behalf_once_the_poll_is_closed(db, client, world, login, post, english):
    poll = db.session.get(Poll, world["poll"].id)
    poll.status = PollStatus.CLOSED
    db.session.commit()
    login(world["users"]["secretariat"])
    url = f"/polls/{poll.id}/on-behalf?member={world['members']['nomail'].id}"
    response = post(url, form_data(slot_ids(db, poll.id), "yyy"))
    assert response.status_code == 302 and "This poll is closed" in text(client.get(response.headers["Location"]))
    assert answers_of(db, world["members"]["nomail"].id) == {}


def test_picking_a_slot_can_send_the_invitations_in_the_same_step(db, client, world, login, post, smtp_server, english):
    login(world["users"]["secretariat"])
    poll_id, meeting_id = world["poll"].id, world["meeting"].id
    ids = slot_ids(db, poll_id)
    assert re.search(r'<input checked[^>]* name="invite" type="checkbox"', text(client.get(f"/polls/{poll_id}/pick?slot={ids[1]}")))
    response = post(f"/polls/{poll_id}/pick", {"slot_id": str(ids[1]), "invite": "y"}, follow_redirects=True)
    assert "date has been set and the poll closed" in text(response)
    subjects = [m["Subject"] for m in (email.message_from_bytes(e.content, policy=policy.default) for e in smtp_server.envelopes)]
    decided = [s for s in subjects if s.startswith("【日程決定】")]
    invitations = [s for s in subjects if s.startswith("【開催のご案内】")]
    assert len(decided) == 3 and len(invitations) == 3, subjects
    invited = db.session.execute(
        sa.select(sa.func.count()).select_from(Attendance).where(Attendance.meeting_id == meeting_id, Attendance.invited_at.is_not(None))
    ).scalar()
    assert invited == 3
    for envelope in smtp_server.envelopes:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        if message["Subject"].startswith("【開催のご案内】"):
            calendar = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
            assert calendar.get_param("charset").lower() == "utf-8" and calendar.get_param("method") == "REQUEST"
