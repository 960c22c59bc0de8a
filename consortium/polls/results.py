"""A poll's results: every invitee's answers and comment, counts per slot, best slots first."""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from ..consortia.invitees import Invitee
from ..extensions import db
from ..models import Answer, Poll, PollAnswer, PollResponse, PollSlot


@dataclass
class SlotCount:
    slot: PollSlot
    yes: int = 0
    maybe: int = 0
    no: int = 0

    @property
    def rank_key(self) -> tuple:
        """Most ○, then fewest ×, then most △; the earlier slot on a tie."""
        return -self.yes, self.no, -self.maybe, self.slot.starts_at, self.slot.id


@dataclass
class Results:
    slots: list[PollSlot]  # in time order
    counts: list[SlotCount]  # best first
    answers: dict[tuple[int, int], Answer]  # (membership id, slot id) → answer
    responses: dict[int, PollResponse]  # membership id → response
    invitees: list[Invitee]
    not_answered: list[Invitee] = field(default_factory=list)

    def answer(self, invitee: Invitee, slot: PollSlot) -> Answer | None:
        return self.answers.get((invitee.membership.id, slot.id))


def results(poll: Poll, invitees: list[Invitee]) -> Results:
    """Count the current invitees' answers (three queries, whatever the number of invitees and slots)."""
    slots = db.session.execute(
        sa.select(PollSlot).where(PollSlot.poll_id == poll.id).order_by(PollSlot.starts_at, PollSlot.id)
    ).scalars().all()
    current = {i.membership.id for i in invitees}
    answers = {
        (membership_id, slot_id): answer
        for slot_id, membership_id, answer in db.session.execute(
            sa.select(PollAnswer.slot_id, PollAnswer.membership_id, PollAnswer.answer)
            .join(PollSlot, PollSlot.id == PollAnswer.slot_id)
            .where(PollSlot.poll_id == poll.id)
        )
        if membership_id in current
    }
    responses = {
        r.membership_id: r
        for r in db.session.execute(sa.select(PollResponse).where(PollResponse.poll_id == poll.id)).scalars()
        if r.membership_id in current
    }
    counts = {slot.id: SlotCount(slot) for slot in slots}
    for (_membership_id, slot_id), answer in answers.items():
        count = counts[slot_id]
        setattr(count, answer.name.lower(), getattr(count, answer.name.lower()) + 1)
    return Results(
        slots=list(slots),
        counts=sorted(counts.values(), key=lambda c: c.rank_key),
        answers=answers,
        responses=responses,
        invitees=invitees,
        not_answered=[i for i in invitees if i.membership.id not in responses],
    )
