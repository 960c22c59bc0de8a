"""The demo activity: laid out around a next meeting relative to the day of loading, kept while
that meeting is a week or more ahead, moved forward after; everything a user can try is there."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from conftest import sign_in, text

from consortium.demo.activity import fresh_next_day, is_working_day
from consortium.demo.loader import DEMO_PASSWORD, load_demo
from consortium.japanese import to_tokyo, today_tokyo
from consortium.models import (
    Attendance,
    Consortium,
    DatePrecision,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesApproval,
    MinutesComment,
    MinutesStatus,
    Poll,
    PollResponse,
    PollStatus,
    Presence,
    Reply,
    SentNotice,
    User,
    Visibility,
)
from consortium.models.base import utcnow

SETAGAYA = "世田谷区地域経済の持続可能な発展を目指す会議"
SEED_CONSORTIA = (
    "NAGANO×KANTO 地域SDGsコンソーシアム",
    SETAGAYA,
    "地域協創アクションプログラム",
    "関東地方産業競争力協議会",
    "関東経済産業局の戦略プログラム2017",
)


def _snapshot(db):
    return {
        table.name: sorted(tuple(str(v) for v in row) for row in db.session.execute(table.select()).all())
        for table in db.metadata.sorted_tables
    }


def _next_meeting(db) -> Meeting:
    council = db.session.execute(sa.select(Consortium).filter_by(name=SETAGAYA)).scalar_one()
    return db.session.execute(sa.select(Meeting).filter_by(consortium_id=council.id, number=9)).scalar_one()


def _day(meeting: Meeting) -> date:
    return to_tokyo(meeting.starts_at).date()


@pytest.mark.parametrize(
    "today, expected",
    [
        (date(2026, 12, 4), date(2026, 12, 22)),  # +14 is a Friday: the next Tuesday
        (date(2027, 4, 20), date(2027, 5, 6)),  # over Golden Week (5/4, 5/5) to the Thursday
        (date(2026, 12, 16), date(2027, 1, 5)),  # over 年末年始 to the first working Tuesday
    ],
)
def test_the_next_meeting_is_a_working_tuesday_to_thursday_two_weeks_ahead(today, expected):
    assert fresh_next_day(today) == expected


def test_every_seed_consortium_has_an_upcoming_meeting_on_a_working_day(db, demo):
    now = utcnow()
    upcoming = db.session.execute(
        sa.select(Meeting).join(Consortium).where(Meeting.starts_at > now, Consortium.name.in_(SEED_CONSORTIA))
    ).scalars().all()
    assert {m.consortium.name for m in upcoming} == set(SEED_CONSORTIA)
    assert {m.is_public for m in upcoming} == {True, False}
    assert all(is_working_day(_day(m)) for m in upcoming if m.precision is DatePrecision.MINUTE)  # not the polled one


def test_the_demo_holds_every_kind_of_activity(db, demo):
    meeting = _next_meeting(db)
    replies = {row.reply for row in meeting.attendances if row.invited_at}
    assert replies == {Reply.ATTEND, Reply.ONLINE, Reply.PROXY, Reply.ABSENT, None}
    proxy = next(row for row in meeting.attendances if row.reply is Reply.PROXY)
    assert proxy.stand_in.startswith("山田 太郎")
    statuses = set(db.session.execute(sa.select(Minutes.status)).scalars())
    assert statuses == set(MinutesStatus)
    approved = db.session.execute(sa.select(Minutes).filter_by(status=MinutesStatus.APPROVED)).scalar_one()
    assert len(approved.approvals) == 2 and all(a.approved_at for a in approved.approvals)
    assert db.session.execute(sa.select(Minutes).filter_by(status=MinutesStatus.IN_REVIEW)).scalar_one().comments
    recorded = db.session.execute(sa.select(Attendance.presence).where(Attendance.presence.is_not(None))).scalars().all()
    assert set(recorded) == set(Presence)
    poll = db.session.execute(sa.select(Poll).filter_by(status=PollStatus.OPEN)).scalar_one()
    assert poll.is_open and poll.respond_by > utcnow() and len(poll.responses) >= 5
    assert all(slot.starts_at > meeting.starts_at for slot in poll.slots)
    assert db.session.execute(sa.select(User.calendar_token).filter_by(email="nagayama@example.jp")).scalar()
    closed = db.session.execute(sa.select(Poll).filter_by(status=PollStatus.CLOSED)).scalar_one()
    assert closed.meeting.starts_at == closed.chosen_slot.starts_at
    assert db.session.execute(sa.select(Meeting).filter_by(status=MeetingStatus.CANCELLED)).scalars().all()
    assert db.session.execute(sa.select(Consortium).filter_by(visibility=Visibility.MEMBERS)).scalars().all()


def test_the_demo_pages_show_replies_poll_answers_and_materials(client, db, demo):
    setagaya = db.session.execute(sa.select(User).filter_by(email="setagaya@example.jp")).scalar_one()
    sign_in(client, setagaya, DEMO_PASSWORD)
    meeting = _next_meeting(db)
    invitations = text(client.get(f"/meetings/{meeting.id}/invitations"))
    assert "山田 太郎" in invitations and "f•••••@example.jp" in invitations
    poll = db.session.execute(sa.select(Poll).filter_by(status=PollStatus.OPEN)).scalar_one()
    assert "午後であれば調整できます。" in text(client.get(f"/polls/{poll.id}"))
    document = meeting.documents[0]
    download = client.get(f"/documents/{document.id}")
    assert download.status_code == 200 and download.get_data().startswith(b"%PDF")
    download.close()
    feed = text(client.get("/meetings/calendar.ics"))
    assert meeting.title in feed


@pytest.mark.parametrize("today", [date(2026, 12, 4), date(2027, 4, 20), date(2026, 12, 16)])
def test_what_the_demo_says_has_happened_is_in_the_past(db, upload_folder, today):
    load_demo(today=today)
    end_of_today = to_tokyo(utcnow()).replace(year=today.year, month=today.month, day=today.day, hour=0, minute=0)
    stamps = [
        *db.session.execute(sa.select(Attendance.invited_at).where(Attendance.invited_at.is_not(None))).scalars(),
        *db.session.execute(sa.select(Attendance.replied_at).where(Attendance.replied_at.is_not(None))).scalars(),
        *db.session.execute(sa.select(PollResponse.answered_at)).scalars(),
        *db.session.execute(sa.select(MinutesApproval.approved_at)).scalars(),
        *db.session.execute(sa.select(MinutesComment.created_at)).scalars(),
        *db.session.execute(sa.select(SentNotice.sent_at)).scalars(),
    ]
    assert stamps and max(stamps) < end_of_today
    held = db.session.execute(sa.select(Meeting.starts_at).where(Meeting.status == MeetingStatus.HELD)).scalars()
    assert max(held) < end_of_today


def test_loading_changes_nothing_while_the_next_meeting_is_a_week_ahead(db, upload_folder):
    first = date(2026, 12, 4)
    load_demo(today=first)
    before = _snapshot(db)
    later = _day(_next_meeting(db)) - timedelta(days=7)
    again = load_demo(today=later)
    assert (again.created, again.updated) == (0, 0)
    assert _snapshot(db) == before


def test_loading_once_the_next_meeting_is_near_moves_the_activity_forward(db, upload_folder):
    load_demo(today=date(2026, 12, 4))
    meeting = _next_meeting(db)
    old_day, meetings = _day(meeting), db.session.execute(sa.select(sa.func.count(Meeting.id))).scalar()
    later = old_day - timedelta(days=6)
    load_demo(today=later)
    db.session.expire_all()
    moved = _next_meeting(db)
    assert moved.id == meeting.id and _day(moved) == fresh_next_day(later) > old_day
    assert db.session.execute(sa.select(sa.func.count(Meeting.id))).scalar() == meetings  # moved, not copied
    poll = db.session.execute(sa.select(Poll).filter_by(status=PollStatus.OPEN)).scalar_one()
    assert to_tokyo(poll.respond_by).date() >= later and all(s.starts_at > moved.starts_at for s in poll.slots)
    held = db.session.execute(sa.select(Meeting).filter_by(consortium_id=moved.consortium_id, number=8)).scalar_one()
    assert held.status is MeetingStatus.HELD and _day(held) < later
    again = load_demo(today=later)
    assert (again.created, again.updated) == (0, 0)


def test_loading_sends_no_mail(db, upload_folder, monkeypatch):
    from consortium.mail import transport

    def refuse(*_args, **_kwargs):
        raise AssertionError("the demo loader sent mail")

    monkeypatch.setattr(transport, "send", refuse)
    load_demo(today=today_tokyo())
    assert db.session.execute(sa.select(sa.func.count(SentNotice.id))).scalar() > 0  # recorded as sent, none sent


def test_a_poll_reads_as_open_or_closed_for_a_poll_not_as_a_meeting_or_an_action(client, db, demo):
    """One English word, two Japanese ones: a closed poll is 締切, not a closed meeting's 非公開."""
    setagaya = db.session.execute(sa.select(User).filter_by(email="setagaya@example.jp")).scalar_one()
    sign_in(client, setagaya, DEMO_PASSWORD)
    shown = {}
    for status in PollStatus:
        poll = db.session.execute(sa.select(Poll).filter_by(status=status)).scalar_one()
        shown[status] = re.search(r"<dd>(.*?)</dd>", text(client.get(f"/polls/{poll.id}"))).group(1)
    assert shown == {PollStatus.OPEN: "受付中", PollStatus.CLOSED: "締切"}
