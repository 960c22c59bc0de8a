"""Scheduling aids: what to warn the secretariat about when fixing a meeting's date; warnings, never refusals."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _, ngettext
from sqlalchemy.orm import aliased, joinedload

from .. import permissions
from ..calendar.holidays import holiday_name
from ..extensions import db
from ..filters import long_date, meeting_when
from ..japanese import to_tokyo, today_tokyo, tokyo_datetime
from ..models import DatePrecision, Meeting, MeetingStatus, Membership, Organization, Person

# A meeting entered without an end is taken to last this long (council meetings run about two
# hours): for clashes here, and for the end calendars need (feeds.ical).
DEFAULT_LENGTH = timedelta(hours=2)
# No meeting lasts longer: a bound on both sides keeps the search an index range on starts_at.
LONGEST = timedelta(days=31)
# Neither a cancelled nor a postponed meeting takes up its time any more.
NOT_TAKING_PLACE = (MeetingStatus.CANCELLED, MeetingStatus.POSTPONED)
NAMES_SHOWN = 5


@dataclass(frozen=True)
class ScheduleWarning:
    kind: str  # "holiday", "weekend" or "clash"
    message: str


def warnings_for(
    consortium_id: int,
    precision: DatePrecision,
    starts_at: datetime,
    ends_at: datetime | None,
    exclude_meeting_id: int | None = None,
    user=None,
) -> list[ScheduleWarning]:
    """Everything worth a second look about a meeting of the consortium at that time."""
    return day_warnings(precision, starts_at) + clash_warnings(
        consortium_id, precision, starts_at, ends_at, exclude_meeting_id, user
    )


def day_warnings(precision: DatePrecision, starts_at: datetime) -> list[ScheduleWarning]:
    """A national holiday or a weekend, on the meeting's day in Japan; nothing without a day."""
    if precision in (DatePrecision.MONTH, DatePrecision.FISCAL_YEAR):
        return []
    day = to_tokyo(starts_at).date()
    found = []
    if name := holiday_name(day):
        message = _("%(date)s is a national holiday: %(name)s.", date=long_date(day), name=name)
        found.append(ScheduleWarning("holiday", message))
    if day.weekday() == 5:
        found.append(ScheduleWarning("weekend", _("%(date)s is a Saturday.", date=long_date(day))))
    elif day.weekday() == 6:
        found.append(ScheduleWarning("weekend", _("%(date)s is a Sunday.", date=long_date(day))))
    return found


def span(
    precision: DatePrecision, starts_at: datetime, ends_at: datetime | None
) -> tuple[datetime, datetime] | None:
    """The time a meeting takes up: as given (DEFAULT_LENGTH without an end), its whole day in
    Japan when only the date is known, and None when only the month or fiscal year is."""
    if precision in (DatePrecision.MONTH, DatePrecision.FISCAL_YEAR):
        return None
    if precision is DatePrecision.DAY:
        day = to_tokyo(starts_at).date()
        first = tokyo_datetime(day.year, day.month, day.day)
        return first, first + timedelta(days=1)
    return starts_at, ends_at or starts_at + DEFAULT_LENGTH


def clash_warnings(
    consortium_id: int,
    precision: DatePrecision,
    starts_at: datetime,
    ends_at: datetime | None,
    exclude_meeting_id: int | None = None,
    user=None,
) -> list[ScheduleWarning]:
    """Current roster members of the consortium who already have another meeting, of any consortium,
    at an overlapping time: one warning per meeting, naming them. One query.

    A person matches by person; an organisation on the roster in its own name (no person) matches
    the same organisation on another roster in its own name. A meeting the user may not see is
    named only as another meeting (not public).
    """
    wanted = span(precision, starts_at, ends_at)
    if wanted is None:
        return []
    start, end = wanted
    mine, theirs = aliased(Membership), aliased(Membership)
    same_member = sa.or_(
        mine.person_id == theirs.person_id,  # NULL never equals NULL: organisation rows match below
        sa.and_(
            mine.person_id.is_(None), theirs.person_id.is_(None), mine.organization_id == theirs.organization_id
        ),
    )
    stmt = (
        sa.select(Meeting, Person, Organization)
        .join(theirs, sa.and_(theirs.consortium_id == Meeting.consortium_id, theirs.in_term(today_tokyo())))
        .join(mine, sa.and_(mine.consortium_id == consortium_id, mine.in_term(today_tokyo()), same_member))
        .outerjoin(Person, Person.id == mine.person_id)
        .outerjoin(Organization, sa.and_(mine.person_id.is_(None), Organization.id == mine.organization_id))
        .where(
            Meeting.status.not_in(NOT_TAKING_PLACE),
            Meeting.precision.not_in((DatePrecision.MONTH, DatePrecision.FISCAL_YEAR)),
            Meeting.starts_at < end,
            Meeting.starts_at > start - LONGEST,
            # Wide enough for any meeting without an end (a day at most); span() then decides.
            sa.or_(
                Meeting.ends_at > start,
                sa.and_(Meeting.ends_at.is_(None), Meeting.starts_at > start - timedelta(days=1)),
            ),
        )
        .options(joinedload(Meeting.consortium))
        .order_by(Meeting.starts_at, Meeting.id, mine.position, mine.id)
    )
    if exclude_meeting_id is not None:
        stmt = stmt.where(Meeting.id != exclude_meeting_id)
    clashes: dict[Meeting, dict[str, None]] = {}
    for meeting, person, organization in db.session.execute(stmt):
        other_start, other_end = span(meeting.precision, meeting.starts_at, meeting.ends_at)
        if other_start < end and start < other_end:
            clashes.setdefault(meeting, {})[person.full_name if person else organization.name] = None
    return [_clash(meeting, list(names), user) for meeting, names in clashes.items()]


def _clash(meeting: Meeting, names: list[str], user) -> ScheduleWarning:
    shown = "、".join(names[:NAMES_SHOWN])
    if len(names) > NAMES_SHOWN:
        rest = len(names) - NAMES_SHOWN
        shown = ngettext("%(names)s and %(num)d other", "%(names)s and %(num)d others", rest, names=shown)
    if permissions.can_view_meeting(meeting, user):
        message = _(
            "Overlaps with “%(title)s” of %(consortium)s (%(when)s) for %(names)s.",
            names=shown,
            title=meeting.title,
            consortium=meeting.consortium.short_name or meeting.consortium.name,
            when=meeting_when(meeting, short=True),
        )
    else:
        message = _("Overlaps with another meeting (not public) for %(names)s.", names=shown)
    return ScheduleWarning("clash", message)
