"""iCalendar (RFC 5545) from meetings: plain functions of data, no request state.

Feeds and email invitations use the same pieces, so a meeting has one UID everywhere:
uid() names it, event() describes it, serialize() writes a whole calendar,
calendar() + assemble() let a feed splice in events it serialized earlier, and
invitation() writes the iTIP request or cancellation mailed to one invitee.
Labels come from gettext: call these under flask_babel.force_locale("ja").
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from flask_babel import gettext as _
from icalendar import Calendar, Event, Timezone, vCalAddress, vDuration

from ..calendar.month import bounds as month_bounds
from ..filters import meeting_when
from ..japanese import to_tokyo
from ..lines import printed_line
from ..meetings.scheduling import span
from ..meetings.services import places
from ..models import AgendaItem, DatePrecision, Meeting, MeetingStatus, Visibility

PRODID = "-//Consortium//Meetings//JA"
TZID = "Asia/Tokyo"
# Calendar apps that honour it poll this often.
REFRESH = timedelta(hours=1)
END = b"END:VCALENDAR\r\n"

STATUS = {
    MeetingStatus.TENTATIVE: "TENTATIVE",
    MeetingStatus.POSTPONED: "TENTATIVE",
    MeetingStatus.SCHEDULED: "CONFIRMED",
    MeetingStatus.HELD: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}


@dataclass(frozen=True)
class Entry:
    """What one reader may see of a meeting: its visible agenda items, in agenda order, and
    whether they are a member (who also sees the online link)."""

    meeting: Meeting
    items: Sequence[AgendaItem]
    member: bool
    url: str | None = None


def uid(meeting_id: int, domain: str) -> str:
    """The meeting's UID in every feed and invitation; editing the meeting never changes it."""
    return f"meeting-{meeting_id}@{domain}"


def summary(meeting: Meeting) -> str:
    """The title with 第N回 in front when the meeting is numbered and the title does not say so,
    and a word that the date is not fixed when only the month is known."""
    title = meeting.title
    if meeting.number and f"第{meeting.number}回" not in title:
        title = f"第{meeting.number}回 {title}"
    if meeting.precision is DatePrecision.MONTH:
        title = _("%(title)s (date to be fixed)", title=title)
    return title


def location(meeting: Meeting) -> str | None:
    place = " ".join(part for part in (meeting.venue, meeting.room) if part)
    return "、".join(part for part in (place, meeting.address) if part) or None


def agenda_lines(items: Sequence[AgendaItem]) -> list[str]:
    """The agenda as numbered lines: an item's own label, else 1., 2. and 2.1 under 2."""
    lines = []
    for item, top, sub in places(items):
        number, indent = (item.label or f"{top}.{sub}", "  ") if sub else (item.label or f"{top}.", "")
        presenters = "、".join(f"{p.title} {p.name}" if p.title else p.name for p in item.presenters)
        lines.append(f"{indent}{number} {item.title}" + (f"（{presenters}）" if presenters else ""))
    return lines


def description(entry: Entry) -> str:
    """The consortium, the meeting's description, that its date is estimated, what is not fixed yet, the agenda, the online
    link for members, and the meeting's page."""
    meeting = entry.meeting
    parts = [meeting.consortium.name]
    if meeting.description:
        parts.append(meeting.description)
    if meeting.date_estimated:
        parts.append(_("The date is an estimate, not given by the source: %(when)s", when=meeting_when(meeting)))
    if meeting.precision is DatePrecision.MONTH:
        parts.append(_("The date has not been fixed yet: this entry spans the month."))
    elif meeting.precision is DatePrecision.DAY:
        parts.append(_("The time has not been fixed yet."))
    elif meeting.ends_at is None:
        parts.append(_("The end time has not been set."))
    if entry.items:
        parts.append("\n".join([_("Agenda"), *agenda_lines(entry.items)]))
    if entry.member and meeting.online_url:
        parts.append(f"{_('Online')}: {meeting.online_url}")
    if entry.url:
        parts.append(entry.url)
    return "\n\n".join(parts)


def when(meeting: Meeting) -> tuple[date | datetime, date | datetime]:
    """Start and end as calendars want them: Tokyo times, or whole days (DTEND is exclusive)."""
    if meeting.precision is DatePrecision.MONTH:
        start, end = month_bounds(to_tokyo(meeting.starts_at).date().replace(day=1))
    else:
        start, end = span(meeting.precision, meeting.starts_at, meeting.ends_at)
    start, end = to_tokyo(start), to_tokyo(end)
    if meeting.precision is DatePrecision.MINUTE:
        return start, end
    return start.date(), end.date()


def is_closed(meeting: Meeting) -> bool:
    return not meeting.is_public or meeting.consortium.visibility is not Visibility.PUBLIC


def event(entry: Entry, domain: str, stamp: datetime | None = None) -> Event:
    """One meeting as a VEVENT. DTSTAMP is the last change unless a stamp is given: RFC 5545
    wants the time the object was made when the calendar has a METHOD (an invitation)."""
    meeting = entry.meeting
    start, end = when(meeting)
    month_only = meeting.precision is DatePrecision.MONTH
    status = STATUS[meeting.status]
    return Event.new(
        uid=uid(meeting.id, domain),
        stamp=stamp or meeting.updated_at,
        created=meeting.created_at,
        last_modified=meeting.updated_at,
        sequence=meeting.sequence,
        start=start,
        end=end,
        summary=summary(meeting),
        location=location(meeting),
        description=description(entry),
        url=entry.url,
        # A month is no date: the entry is tentative and must not block the whole month.
        status="TENTATIVE" if month_only and status != "CANCELLED" else status,
        transparency="TRANSPARENT" if month_only else None,
        categories=[meeting.consortium.short_name or meeting.consortium.name],
        # Calendar apps keep private entries' details from those a calendar is shared with.
        classification="PRIVATE" if is_closed(meeting) else None,
    )


@lru_cache(maxsize=4)
def timezone(first_year: int) -> Timezone:
    """VTIMEZONE for Asia/Tokyo from the zoneinfo database, valid from first_year to 2100."""
    return Timezone.from_tzid(TZID, first_date=date(first_year, 1, 1), last_date=date(2101, 1, 1))


def timezone_start(earliest: datetime | None) -> int:
    """The first year the VTIMEZONE must cover: 1970, or earlier for an earlier meeting (Japan kept
    summer time in 1948–51 and local mean time before 1888)."""
    return 1970 if earliest is None or to_tokyo(earliest).year >= 1970 else 1873


def calendar(name: str | None, method: str | None = None, first_year: int = 1970) -> Calendar:
    """An empty VCALENDAR with its name, Tokyo time zone and VTIMEZONE."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.calendar_name = printed_line(name)  # icalendar does not escape a line break here
    cal.add("x-wr-timezone", TZID)
    cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})  # RFC 7986 wants VALUE
    cal.add("x-published-ttl", vDuration(REFRESH))
    cal.add_component(timezone(first_year))
    return cal


def assemble(header: Calendar, events: Iterable[bytes]) -> bytes:
    """The calendar's bytes with serialized VEVENTs spliced in after its own components."""
    head = header.to_ical()
    return b"".join((head[: -len(END)], *events, END))


def serialize(
    entries: Sequence[Entry], *, name: str | None, domain: str, method: str | None = None, stamp: datetime | None = None
) -> bytes:
    """A whole calendar of the entries: CRLF line ends, lines folded at 75 octets (icalendar
    never splits a UTF-8 character). method: "REQUEST" or "CANCEL" for invitations (RFC 5546)."""
    header = calendar(name, method, timezone_start(min((e.meeting.starts_at for e in entries), default=None)))
    return assemble(header, (event(e, domain, stamp).to_ical() for e in entries))


def invitation(
    entry: Entry, domain: str, method: str, organizer: tuple[str, str], attendee: tuple[str, str], stamp: datetime
) -> bytes:
    """The meeting as an iTIP message (RFC 5546) to one invitee: method "REQUEST" (an invitation
    or its update, told apart by SEQUENCE) or "CANCEL". organizer and attendee are (name, email).
    Replies come through the mail's links, so no calendar reply is asked for (RSVP=FALSE)."""
    vevent = event(entry, domain, stamp)
    # A parameter cannot hold a line break, escaped or not.
    vevent.organizer = vCalAddress.new(organizer[1], cn=printed_line(organizer[0]))
    vevent.attendees = [
        vCalAddress.new(attendee[1], cn=printed_line(attendee[0]), role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp=False)
    ]
    if method == "CANCEL":
        vevent.status = "CANCELLED"
    header = calendar(None, method, timezone_start(entry.meeting.starts_at))
    return assemble(header, [vevent.to_ical()])
