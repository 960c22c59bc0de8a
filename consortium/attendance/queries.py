"""The reads of the attendance area, each in a fixed number of queries whatever the number of rows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased, contains_eager, joinedload
from sqlalchemy.sql.functions import FunctionElement

from ..consortia.roster import LEADING_ROLES
from ..extensions import db
from ..japanese import to_tokyo
from ..models import Attendance, Meeting, Membership, Presence, Reply

# Present in person or by a stand-in (代理出席): both count as attended.
ATTENDED = (Presence.PRESENT, Presence.REPRESENTED)
# Away, with notice or without: the minutes list both as 欠席.
MISSED = (Presence.ABSENT, Presence.EXCUSED)
# The roster's order (consortia.services.current_roster), former members included.
ROSTER_ORDER = (Membership.position, Membership.seat, Membership.id)


class tokyo_date(FunctionElement):
    """The date in Japan of a stored UTC time, in SQL. Japan keeps no summer time: UTC+9 all year."""

    type = sa.Date()
    name = "tokyo_date"
    inherit_cache = True


@compiles(tokyo_date)
def _tokyo_date(element, compiler, **kw) -> str:
    return f"CAST(timezone('Asia/Tokyo', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(tokyo_date, "sqlite")
def _tokyo_date_sqlite(element, compiler, **kw) -> str:
    # SQLite keeps the UTC time as text (UTCDateTime); date() shifts it and answers YYYY-MM-DD,
    # which compares with the stored dates of terms as text does.
    return f"date({compiler.process(element.clauses, **kw)}, '+9 hours')"


def meeting_day(meeting: Meeting) -> date:
    """The day of the meeting in Japan."""
    return to_tokyo(meeting.starts_at).date()


def member_names():
    """What a member's printed name needs (the PDF's member_name): person or body, and whom they sit for."""
    return (joinedload(Membership.person), joinedload(Membership.organization), joinedload(Membership.on_behalf_of))


def attendees(meeting_id: int) -> list[Attendance]:
    """Who was there, in person or by a stand-in (代理出席), in roster order."""
    return _recorded(meeting_id, ATTENDED)


def absentees(meeting_id: int) -> list[Attendance]:
    """Who was recorded as away (欠席), with notice or without, in roster order."""
    return _recorded(meeting_id, MISSED)


def _recorded(meeting_id: int, presences: tuple[Presence, ...]) -> list[Attendance]:
    """The meeting's attendance rows recorded as one of the presences, with the names they print."""
    return list(
        db.session.execute(
            sa.select(Attendance)
            .join(Attendance.membership)
            .where(Attendance.meeting_id == meeting_id, Attendance.presence.in_(presences))
            .options(contains_eager(Attendance.membership).options(*member_names()))
            .order_by(*ROSTER_ORDER)
        ).scalars()
    )


def sheet(meeting: Meeting) -> sa.Select:
    """The rows of the recording form: (membership, its attendance row or None), in roster order.

    Those on the roster on the meeting's day, with anyone who already has a row for the meeting
    (invited, replied, or recorded before a term was edited). Hosts and the secretariat, listed
    above the roster rather than in it, appear only when they have a row.
    """
    return _on_sheet(meeting, sa.select(Membership, Attendance)).options(*member_names()).order_by(*ROSTER_ORDER)


def _on_sheet(meeting: Meeting, stmt: sa.Select) -> sa.Select:
    """Restrict a select from Membership to the rows of the meeting's sheet, its attendance joined."""
    has_row = Attendance.id.is_not(None)
    on_roster = sa.and_(~Membership.role.in_(LEADING_ROLES), Membership.in_term(meeting_day(meeting)))
    return stmt.outerjoin(
        Attendance, sa.and_(Attendance.membership_id == Membership.id, Attendance.meeting_id == meeting.id)
    ).where(Membership.consortium_id == meeting.consortium_id, sa.or_(on_roster, has_row))


def reply_counts(meeting: Meeting) -> dict[Reply | None, int]:
    """How many members of the sheet gave each reply; None counts those who gave none. One query."""
    rows = db.session.execute(
        _on_sheet(meeting, sa.select(Attendance.reply, sa.func.count()).select_from(Membership)).group_by(Attendance.reply)
    ).all()
    return {reply: count for reply, count in rows}


@dataclass(frozen=True)
class Rate:
    """How many of the meetings recorded during a member's term they attended."""

    attended: int
    recorded: int

    @property
    def percent(self) -> int:
        return (200 * self.attended + self.recorded) // (2 * self.recorded)  # rounded half up


def attendance_rates(consortium_id: int, membership_ids: list[int]) -> dict[int, Rate]:
    """Each membership's rate, in one grouped query; memberships without a recorded meeting are left out.

    A meeting counts once its attendance was recorded (some row has a presence) and when its day
    in Japan falls within the member's term; it counts as attended when the member was present
    or represented. A member left blank on a recorded meeting counts as not attended.
    """
    if not membership_ids:
        return {}
    recorded, own = aliased(Attendance), aliased(Attendance)
    is_recorded = sa.exists().where(recorded.meeting_id == Meeting.id, recorded.presence.is_not(None))
    rows = db.session.execute(
        sa.select(Membership.id, sa.func.count(Meeting.id), sa.func.count(own.id))
        .select_from(Membership)
        .join(
            Meeting,
            sa.and_(Meeting.consortium_id == consortium_id, is_recorded, Membership.in_term(tokyo_date(Meeting.starts_at))),
        )
        .outerjoin(
            own,
            sa.and_(own.meeting_id == Meeting.id, own.membership_id == Membership.id, own.presence.in_(ATTENDED)),
        )
        .where(Membership.id.in_(membership_ids), Membership.consortium_id == consortium_id)
        .group_by(Membership.id)
    ).all()
    return {membership_id: Rate(attended, recorded) for membership_id, recorded, attended in rows}
