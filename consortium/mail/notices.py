"""Mails that go to each member once: a SentNotice row per mail, keyed by what it is about.

The row is added (and flushed, so a second run that got there first fails on the unique key)
before the messages leave, in the caller's transaction: the caller commits, or rolls back when
sending fails so the next run tries again.
"""
from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterable
from email.message import EmailMessage

import sqlalchemy as sa
from flask import flash
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

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


def in_batches(subjects: Iterable, send_one: Callable[[object], int], report: Callable[[str], None]) -> tuple[int, int]:
    """Send each subject's mails (a poll's, a meeting's) and commit them with their notices, one
    subject at a time. Returns (mails sent, subjects whose mail failed: tried again next run)."""
    sent = failed = 0
    for subject in subjects:
        try:
            sent += send_one(subject)
            db.session.commit()
        except IntegrityError:  # another run is sending these right now
            db.session.rollback()
        except (smtplib.SMTPException, OSError) as error:
            db.session.rollback()
            failed += 1
            report(f"{subject!r}: mail failed, will retry: {error}")
    return sent, failed


def send_and_say(send: Callable[[], int], nothing: str | None = None) -> bool:
    """For a page: run send (which records its notices), commit, and flash what happened, or
    nothing when nothing was sent and no message for it is given. False when the mail server
    could not be reached: nothing is recorded, so sending again later sends it all."""
    try:
        sent = send()
        db.session.commit()
    except IntegrityError:  # someone else is sending the same mails at the same moment
        db.session.rollback()
        flash(_("These mails are being sent by someone else right now."), "info")
        return True
    except (smtplib.SMTPException, OSError):
        db.session.rollback()
        flash(_("The mail server could not be reached, so nothing was sent. Please try again later."), "error")
        return False
    if sent:
        flash(ngettext("%(num)d mail has been sent.", "%(num)d mails have been sent.", sent), "success")
    elif nothing:
        flash(nothing, "info")
    return True
