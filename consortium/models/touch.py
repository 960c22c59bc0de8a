"""What counts as a change to a meeting.

A change to a meeting's agenda, presenters, materials, attendance or minutes entries moves the
meeting's updated_at: feeds send it as LAST-MODIFIED and build their ETags from it, and the PDF
cache trusts it as the printed documents' version.
"""
import sqlalchemy as sa
from sqlalchemy.orm import Session

from .base import utcnow
from .meetings import AgendaItem, AgendaPresenter, Attendance, Document, Meeting
from .minutes import ActionItem, Decision, DiscussionPoint, Minutes


def _meeting_id(session: Session, row) -> int | None:
    """The id of the meeting the row belongs to, or None for rows of no meeting."""
    if isinstance(row, AgendaPresenter):
        row = row.agenda_item or session.get(AgendaItem, row.agenda_item_id)
    if isinstance(row, (DiscussionPoint, Decision, ActionItem)):
        # An entry can change without its minutes' row (and version) changing; the minutes'
        # own changes move their version, which the PDFs already compare.
        minutes = row.minutes or session.get(Minutes, row.minutes_id)
        return minutes.meeting_id if minutes is not None else None
    if isinstance(row, (AgendaItem, Document, Attendance)):
        return row.meeting_id or (row.meeting and row.meeting.id)
    return None


@sa.event.listens_for(Session, "before_flush")
def _touch_meetings(session: Session, _context, _instances) -> None:
    touched = {_meeting_id(session, row) for row in (*session.new, *session.dirty, *session.deleted)}
    for meeting_id in touched - {None}:
        meeting = session.get(Meeting, meeting_id)
        if meeting is not None and meeting not in session.deleted:
            meeting.updated_at = utcnow()
