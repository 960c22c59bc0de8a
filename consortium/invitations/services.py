"""Invitations and replies: the write operations. Services add and flush, never commit."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from ..japanese import to_tokyo, today_tokyo
from ..models import Attendance, DatePrecision, Meeting, MeetingStatus, Reply
from ..models.base import utcnow


def attendance_by_member(meeting_id: int) -> dict[int, Attendance]:
    """The meeting's attendance rows (invitation, reply, presence) by membership id."""
    rows = db.session.execute(sa.select(Attendance).where(Attendance.meeting_id == meeting_id)).scalars()
    return {row.membership_id: row for row in rows}


def is_over(meeting: Meeting, now: datetime) -> bool:
    """Whether the meeting has begun: its start, or its day when only the day is known."""
    if meeting.precision is DatePrecision.MINUTE:
        return meeting.starts_at <= now
    return to_tokyo(meeting.starts_at).date() < today_tokyo()


def why_not_invite(meeting: Meeting, now: datetime) -> str | None:
    """Why invitations cannot go out now (a message key for the views), or None when they can."""
    if meeting.status is MeetingStatus.CANCELLED:
        return "cancelled"
    if meeting.precision in (DatePrecision.MONTH, DatePrecision.FISCAL_YEAR):
        return "no_date"
    if is_over(meeting, now):
        return "over"
    return None


def why_not_reply(meeting: Meeting, now: datetime) -> str | None:
    """Why an invitee cannot reply now ("cancelled", "over"), or None when they can."""
    if meeting.status is MeetingStatus.CANCELLED:
        return "cancelled"
    return "over" if is_over(meeting, now) else None


def invite(meeting: Meeting, membership_ids: list[int], rows: dict[int, Attendance]) -> list[int]:
    """Mark the members invited (rows: attendance_by_member); return those newly invited."""
    now, added = utcnow(), []
    for membership_id in membership_ids:
        row = rows.get(membership_id)
        if row is None:
            row = rows[membership_id] = Attendance(meeting=meeting, membership_id=membership_id)
            db.session.add(row)
        if row.invited_at is None:
            row.invited_at = now
            added.append(membership_id)
    db.session.flush()
    return added


def record_reply(row: Attendance, reply: Reply, note: str | None, stand_in: str | None) -> None:
    """Record an invitee's reply, replacing any earlier one; a stand-in is named only with a proxy."""
    row.reply, row.reply_note, row.replied_at = reply, note or None, utcnow()
    if row.presence is None:  # once attendance is recorded, the stand-in is the one who came
        row.stand_in = (stand_in or None) if reply is Reply.PROXY else None
    db.session.flush()
