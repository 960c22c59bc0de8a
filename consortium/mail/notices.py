"""Mails that go to each member once: a SentNotice row per mail, keyed by what it is about.

The row is added (and flushed, so a second run that got there first fails on the unique key)
before the messages leave, in the caller's transaction: the caller commits, or rolls back when
sending fails so the next run tries again.
"""
from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage

import sqlalchemy as sa

from ..consortia.invitees import Invitee
from ..extensions import db
from ..models import SentNotice
from .transport import send


def sent_to(about: dict) -> set[int]:
    """The memberships a notice has gone to; about names it: kind and poll_id, or kind,
    meeting_id and sequence."""
    return set(db.session.execute(sa.select(SentNotice.membership_id).filter_by(**about)).scalars())


def pending(about: dict, invitees: list[Invitee]) -> list[Invitee]:
    """Invitees with an address whom the notice has not reached yet."""
    done = sent_to(about)
    return [i for i in invitees if i.email and i.membership.id not in done]


def deliver(about: dict, recipients: list[Invitee], build: Callable[[Invitee], EmailMessage]) -> int:
    """Record and send one mail per recipient; returns how many went."""
    for invitee in recipients:
        db.session.add(SentNotice(membership_id=invitee.membership.id, email=invitee.email, **about))
    db.session.flush()
    return send(build(invitee) for invitee in recipients)
