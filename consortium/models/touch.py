"""What counts as a change to a meeting, and what counts as no change at all.

A change to a meeting's agenda, presenters, materials, attendance or minutes entries moves the
meeting's updated_at: feeds send it as LAST-MODIFIED and build their ETags from it, and the PDF
cache trusts it as the printed documents' version.

The text extracted from a material's file is written by a job, not typed by anyone, and shown on
no page but the search's: writing it moves neither the material's updated_at nor its meeting's
(nor the material's version: it is `unversioned`).
"""
import sqlalchemy as sa
from sqlalchemy.orm import Session

from .base import TimestampMixin, utcnow
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


# Columns that no one sees change.
UNSEEN = frozenset({"extracted_text"})


def _unseen_only(row) -> bool:
    """Whether the coming flush changes some of the row's UNSEEN columns and nothing else."""
    changed = {attr.key for attr in sa.inspect(row).attrs if attr.history.has_changes()}
    return bool(changed) and changed <= UNSEEN


@sa.event.listens_for(Session, "before_flush")
def _touch_meetings(session: Session, _context, _instances) -> None:
    unseen = {row for row in session.dirty if isinstance(row, TimestampMixin) and _unseen_only(row)}
    for row in unseen:
        row.updated_at = type(row).updated_at  # the UPDATE keeps the time, instead of onupdate's now
    changed = [row for row in (*session.new, *session.dirty, *session.deleted) if row not in unseen]
    touched = {_meeting_id(session, row) for row in changed}
    for meeting_id in touched - {None}:
        meeting = session.get(Meeting, meeting_id)
        if meeting is not None and meeting not in session.deleted:
            meeting.updated_at = utcnow()
