"""The meeting form's scheduling aids for a poll's candidate slots: warnings, never refusals."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _

from ..meetings import scheduling
from ..models import DatePrecision, Meeting
from .forms import when_label


def slot_warnings(meeting: Meeting, slots: Iterable[tuple[datetime, datetime | None]]) -> list[str]:
    """What the meeting form would warn about were the meeting set at each slot (a holiday, a
    weekend, members busy elsewhere), each message naming its slot. The meeting's own present
    time is no clash. One query per slot."""
    found = []
    for starts_at, ends_at in slots:
        for warning in scheduling.warnings_for(
            meeting.consortium_id, DatePrecision.MINUTE, starts_at, ends_at, exclude_meeting_id=meeting.id
        ):
            found.append(_("Candidate %(slot)s: %(warning)s", slot=when_label(starts_at, ends_at), warning=warning.message))
    return found
