"""Writes of the attendance area: presence as recorded after a meeting. Flush, never commit.

Replies (Attendance.reply) belong to the invitations; here they are only read, to suggest a
presence before one is recorded. The audit log and the meeting's updated_at (which the PDFs
trust) follow every change at flush.
"""
from __future__ import annotations

from datetime import date

from ..extensions import db
from ..japanese import today_tokyo
from ..models import Attendance, Meeting, Presence, Reply
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


def record_attendance(
    meeting: Meeting,
    rows: dict[int, Attendance | None],
    presences: dict[int, tuple[Presence | None, str | None]],
    observers: int | None,
) -> None:
    """Record the presence of the members sent (membership id → presence, stand-in) and the
    number of observers. `rows` holds each sent member's attendance row, None where there is
    none; a member left blank without a row gets none."""
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
    if changed:
        # The attendance is versioned by its meeting: a form read before this save is now stale.
        meeting.version += 1
    assign(meeting, {"observers": observers})
    db.session.flush()
