"""Date polls: the write operations. Services add and flush, never commit."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from ..meetings.services import update_meeting
from ..models import (
    Answer,
    DatePrecision,
    Meeting,
    MeetingStatus,
    Poll,
    PollAnswer,
    PollResponse,
    PollSlot,
    PollStatus,
)
from ..models.base import utcnow

Slot = tuple[datetime, datetime | None]


class PollClosed(Exception):
    """The poll is closed: its answers can no longer change."""


def create_poll(meeting: Meeting, values: dict, slots: list[Slot]) -> Poll:
    """Open a poll for a meeting with its candidate slots."""
    poll = Poll(meeting=meeting, **values)
    db.session.add(poll)
    add_slots(poll, slots)
    return poll


def update_poll(poll: Poll, values: dict) -> None:
    for name, value in values.items():
        setattr(poll, name, value)
    db.session.flush()


def add_slots(poll: Poll, slots: list[Slot]) -> int:
    """Add candidate slots, leaving out those the poll already has; return how many were added."""
    have = {(s.starts_at, s.ends_at) for s in poll.slots}
    added = 0
    for starts_at, ends_at in slots:
        if (starts_at, ends_at) not in have:
            poll.slots.append(PollSlot(starts_at=starts_at, ends_at=ends_at))
            have.add((starts_at, ends_at))
            added += 1
    db.session.flush()
    return added


def remove_slot(poll: Poll, slot: PollSlot) -> None:
    """Take a candidate slot out of an open poll, with the answers given for it."""
    if not poll.is_open:
        raise PollClosed()
    poll.slots.remove(slot)
    db.session.flush()


def save_answers(poll: Poll, membership_id: int, answers: dict[int, Answer], comment: str | None) -> None:
    """Record a member's ○ / △ / × per slot and comment, replacing what they answered before."""
    if not poll.is_open:
        raise PollClosed()
    slot_ids = [s.id for s in poll.slots]
    earlier = {
        a.slot_id: a
        for a in db.session.execute(
            sa.select(PollAnswer).where(PollAnswer.slot_id.in_(slot_ids), PollAnswer.membership_id == membership_id)
        ).scalars()
    }
    for slot_id in slot_ids:
        if slot_id not in answers:
            continue
        if slot_id in earlier:
            earlier[slot_id].answer = answers[slot_id]
        else:
            db.session.add(PollAnswer(slot_id=slot_id, membership_id=membership_id, answer=answers[slot_id]))
    response = db.session.execute(
        sa.select(PollResponse).where(PollResponse.poll_id == poll.id, PollResponse.membership_id == membership_id)
    ).scalar_one_or_none()
    if response is None:
        db.session.add(PollResponse(poll=poll, membership_id=membership_id, comment=comment))
    else:
        response.comment, response.answered_at = comment, utcnow()
    db.session.flush()


def pick_slot(poll: Poll, slot: PollSlot) -> bool:
    """Fix the meeting at the chosen slot and close the poll; returns whether calendars see a change."""
    if not poll.is_open:
        raise PollClosed()
    meeting = poll.meeting
    values = {"starts_at": slot.starts_at, "ends_at": slot.ends_at, "precision": DatePrecision.MINUTE}
    if meeting.status in (MeetingStatus.TENTATIVE, MeetingStatus.POSTPONED):
        values["status"] = MeetingStatus.SCHEDULED
    changed = update_meeting(meeting, values)
    poll.status = PollStatus.CLOSED
    poll.chosen_slot = slot
    db.session.flush()
    return changed


def delete_poll(poll: Poll) -> None:
    db.session.delete(poll)
    db.session.flush()
