"""Links that hand a meeting to a calendar app without a feed: Google Calendar's event template."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from urllib.parse import urlencode

from flask_babel import force_locale

from ..models import MeetingStatus
from . import ical

GOOGLE = "https://calendar.google.com/calendar/render"
# Google refuses very long addresses, and each Japanese character takes nine bytes in one.
DETAILS_LIMIT = 600


def google_dates(meeting) -> str:
    """start/end as Google's template wants them: local times in ctz, or whole days (end exclusive)."""
    start, end = ical.when(meeting)
    fmt = "%Y%m%dT%H%M%S" if isinstance(start, datetime) else "%Y%m%d"
    return f"{start.strftime(fmt)}/{end.strftime(fmt)}"


def google_calendar(entry: ical.Entry) -> str | None:
    """An "add to Google Calendar" link with the same facts as the meeting's .ics; none once cancelled."""
    meeting = entry.meeting
    if meeting.status is MeetingStatus.CANCELLED:
        return None
    with force_locale("ja"):
        details = ical.description(replace(entry, url=None))
        title = ical.summary(meeting)
    if len(details) > DETAILS_LIMIT:
        details = details[: DETAILS_LIMIT - 1] + "…"
    if entry.url:
        details = f"{details}\n\n{entry.url}"
    query = {"action": "TEMPLATE", "text": title, "dates": google_dates(meeting), "ctz": ical.TZID, "details": details}
    place = ical.location(meeting)
    if place:
        query["location"] = place
    return f"{GOOGLE}?{urlencode(query, safe='/')}"
