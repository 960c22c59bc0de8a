"""Reminders to reply to a meeting's invitation, for `flask reminders send`."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..consortia.invitees import invitees
from ..extensions import db
from ..mail import notices
from ..models import DatePrecision, Meeting, MeetingStatus, SentNotice
from . import mailing
from .services import attendance_by_member

# Those who have not replied are reminded once per version of the meeting, in the week before
# it, and not before the invitation has had a day to be read.
REMIND_BEFORE = timedelta(days=7)
GRACE = timedelta(days=1)


def due_meetings(now: datetime) -> list[Meeting]:
    """Meetings within REMIND_BEFORE, not begun, cancelled or without a day, whose current version
    went to someone at least GRACE ago."""
    invited_long_enough = sa.exists().where(
        SentNotice.meeting_id == Meeting.id,
        SentNotice.kind == mailing.INVITATION,
        SentNotice.sequence == Meeting.sequence,
        SentNotice.sent_at <= now - GRACE,
    )
    return list(
        db.session.execute(
            sa.select(Meeting)
            .where(
                Meeting.starts_at > now,
                Meeting.starts_at <= now + REMIND_BEFORE,
                Meeting.status.not_in((MeetingStatus.CANCELLED, MeetingStatus.HELD)),
                Meeting.precision.not_in((DatePrecision.MONTH, DatePrecision.FISCAL_YEAR)),
                invited_long_enough,
            )
            .options(joinedload(Meeting.consortium))
            .order_by(Meeting.starts_at, Meeting.id)
        ).scalars()
    )


def unreplied(meeting: Meeting, now: datetime) -> tuple[list[mailing.Invitee], dict]:
    """Invitees who had the current version GRACE ago, have not replied and have not been
    reminded of it; with the meeting's attendance rows."""
    rows = attendance_by_member(meeting.id)
    had_it = set(
        db.session.execute(
            sa.select(SentNotice.membership_id).filter_by(**mailing.about(mailing.INVITATION, meeting))
            .where(SentNotice.sent_at <= now - GRACE)
        ).scalars()
    )
    waiting = [
        i for i in mailing.invited(meeting, invitees(meeting.consortium_id), rows)
        if i.membership.id in had_it and rows[i.membership.id].reply is None
    ]
    return notices.pending(mailing.about(mailing.REMINDER, meeting), waiting), rows


def remind(meeting: Meeting, now: datetime) -> int:
    recipients, rows = unreplied(meeting, now)
    if not recipients:
        return 0
    return notices.deliver(mailing.about(mailing.REMINDER, meeting), recipients, mailing.builder(mailing.REMINDER, meeting, rows))


def send_due(now: datetime, report=print) -> tuple[int, int]:
    """Remind, meeting by meeting, each invitee who has not replied. Returns (mails sent,
    meetings whose mail failed, to be retried on the next run)."""
    return notices.in_batches(due_meetings(now), lambda meeting: remind(meeting, now), report)
