"""Reminders for open polls whose respond-by date is near, for `flask reminders send`."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..consortia.invitees import invitees
from ..extensions import db
from ..mail import notices
from ..models import Poll, PollStatus
from . import mailing
from .results import results

# Members are reminded once, two days before the respond-by date ends.
REMIND_BEFORE = timedelta(days=2)


def due_polls(now: datetime) -> list[Poll]:
    """Open polls whose respond-by moment is less than REMIND_BEFORE away and not past."""
    return list(
        db.session.execute(
            sa.select(Poll)
            .where(Poll.status == PollStatus.OPEN, Poll.respond_by > now, Poll.respond_by <= now + REMIND_BEFORE)
            .options(joinedload(Poll.meeting))
            .order_by(Poll.id)
        ).scalars()
    )


def unanswered_invited(poll: Poll) -> list[mailing.Invitee]:
    """Invitees who were sent the poll, have not answered and have not been reminded."""
    found = invitees(poll.meeting.consortium_id)
    invited = mailing.sent_to(mailing.INVITATION, poll)
    waiting = [i for i in results(poll, found).not_answered if i.membership.id in invited]
    return mailing.pending(mailing.REMINDER, poll, waiting)


def send_due(now: datetime, report=print) -> tuple[int, int]:
    """Remind, poll by poll, each member who has not answered. Returns (mails sent, polls whose
    mail failed, to be retried on the next run)."""
    return notices.in_batches(
        due_polls(now),
        lambda poll: mailing.deliver(mailing.REMINDER, poll, unanswered_invited(poll), mailing.reminder(poll)),
        report,
    )
