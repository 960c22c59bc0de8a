"""Writes of the attendance area: presence as recorded after a meeting. Flush, never commit.

Replies (Attendance.reply) belong to the invitations; here they are only read, to suggest a
presence before one is recorded. The audit log and the meeting's updated_at (which the PDFs
trust) follow every change at flush.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..japanese import today_tokyo
from ..models import Attendance, Meeting, Presence, Reply
from ..meetings.services import mark_held
from ..rows import assign
from .queries import meeting_day

# What a reply suggests the member's presence was, until the secretariat records it.
SUGGESTED = {
    Reply.ATTEND: Presence.PRESENT,
    Reply.ONLINE: Presence.PRESENT,
    Reply.PROXY: Presence.REPRESENTED,
    Reply.ABSENT: Presence.EXCUSED,  # they sent word: 欠席（届出あり）
}


def can_record(meeting: Meeting, today: date | None = None) -> bool:
    """Presence is recorded from the meeting's day (in Japan) on, never ahead of it."""
    return meeting_day(meeting) <= (today or today_tokyo())


def suggestion(attendance: Attendance | None) -> Presence | None:
    """The presence a member's reply suggests, when none is recorded yet."""
    if attendance is None or attendance.presence is not None or attendance.reply is None:
        return None
    return SUGGESTED[attendance.reply]


def _next_version(meeting: Meeting) -> None:
    """Move the meeting's attendance version on, or raise StaleDataError when another save moved
    it since this one was read (the conflict page answers): the form's check and this write are
    not one step, the database's WHERE is."""
    moved = db.session.execute(
        sa.update(Meeting)
        .where(Meeting.id == meeting.id, Meeting.attendance_version == meeting.attendance_version)
        .values(attendance_version=Meeting.attendance_version + 1)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise StaleDataError("The meeting's attendance was saved by someone else meanwhile.")
    set_committed_value(meeting, "attendance_version", meeting.attendance_version + 1)


def record_attendance(
    meeting: Meeting,
    rows: dict[int, Attendance | None],
    presences: dict[int, tuple[Presence | None, str | None]],
    observers: int | None,
) -> bool:
    """Record the presence of the members sent (membership id → presence, stand-in) and the
    number of observers. `rows` holds each sent member's attendance row, None where there is
    none; a member left blank without a row gets none.

    A planned meeting that has begun and now has someone's presence recorded was held: it is
    marked so (meetings.services.mark_held), and True is returned."""
    changed = False
    for membership_id, (presence, stand_in) in presences.items():
        attendance = rows.get(membership_id)
        if attendance is None:
            if presence is None:
                continue
            attendance = Attendance(meeting_id=meeting.id, membership_id=membership_id)
            db.session.add(attendance)
        if presence is Presence.REPRESENTED:
            kept = stand_in
        elif attendance.reply is Reply.PROXY:
            # The name a member gave with a proxy reply belongs to the reply: it stays, so the
            # reply still reads as sent, whatever the presence turned out to be.
            kept = attendance.stand_in
        else:
            # A name typed beside another presence names no one who attended: not kept.
            kept = None
        assign(attendance, {"presence": presence, "stand_in": kept})
        changed = changed or attendance in db.session.new or db.session.is_modified(attendance)
    changed = changed or meeting.observers != observers
    assign(meeting, {"observers": observers})
    db.session.flush()
    if changed:
        _next_version(meeting)
    recorded = any(presence is not None for presence, _stand_in in presences.values())
    return recorded and mark_held(meeting)
