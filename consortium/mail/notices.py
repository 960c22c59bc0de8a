"""Mails that go to each member once: a SentNotice row per mail, keyed by what it is about.

The row is added with its mail (and flushed, so a second run that got there first fails on the
unique key) in the caller's transaction; once the caller has committed, the outbox sends each
mail, or queues it (outbox.py). A mail that fails stays recorded as failed, to be sent again.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from email.message import EmailMessage

import sqlalchemy as sa
from flask import flash, url_for
from markupsafe import Markup
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from ..consortia.invitees import Invitee
from ..extensions import db
from ..models import SentNotice
from . import outbox


def sent_to(about: dict) -> set[int]:
    """The memberships a notice has gone to; about names it: kind and poll_id, or kind,
    meeting_id and sequence."""
    return set(db.session.execute(sa.select(SentNotice.membership_id).filter_by(**about)).scalars())


def pending(about: dict, invitees: list[Invitee]) -> list[Invitee]:
    """Invitees with an address whom the notice has not reached yet."""
    done = sent_to(about)
    return [i for i in invitees if i.email and i.membership.id not in done]


def deliver(about: dict, recipients: list[Invitee], build: Callable[[Invitee], EmailMessage]) -> int:
    """Record one mail per recipient, to go after the commit; returns how many."""
    outbox.record(
        [SentNotice(membership_id=invitee.membership.id, email=invitee.email, **about) for invitee in recipients],
        [build(invitee) for invitee in recipients],
    )
    return len(recipients)


def in_batches(subjects: Iterable, send_one: Callable[[object], int], report: Callable[[str], None]) -> tuple[int, int]:
    """Record each subject's mails (a poll's, a meeting's) with their notices and commit them, one
    subject at a time, then send or queue them. Returns (mails sent or queued, mails that failed:
    sent again on the next run)."""
    sent = failed = 0
    for subject in subjects:
        try:
            send_one(subject)
            db.session.commit()
        except IntegrityError:  # another run is sending these right now
            db.session.rollback()
            outbox.forget()
            continue
        outcome = outbox.dispatch()
        sent, failed = sent + outcome.sent + outcome.queued, failed + outcome.failed
        if outcome.failed:
            report(f"{subject!r}: {outcome.failed} mail(s) failed; they will be tried again on the next run.")
    return sent, failed


def send_now(send: Callable[[], int]) -> outbox.Outcome | None:
    """Run send (which records its notices), commit, and send or queue the mails; None when
    someone else is sending the same mails at the same moment (nothing is sent twice)."""
    try:
        send()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        outbox.forget()
        return None
    return outbox.dispatch()


def send_and_say(send: Callable[[], int], consortium_id: int, nothing: str | None = None) -> None:
    """For a page: send_now, and flash what happened, or nothing when nothing was due and no
    message for it is given."""
    outcome = send_now(send)
    if outcome is None:
        flash(_("These mails are being sent by someone else right now."), "info")
        return
    say(outcome, consortium_id, nothing)


def say(outcome: outbox.Outcome, consortium_id: int, nothing: str | None = None) -> None:
    if outcome.sent:
        flash(ngettext("%(num)d mail has been sent.", "%(num)d mails have been sent.", outcome.sent), "success")
    if outcome.queued:
        flash(ngettext(
            "%(num)d mail is on its way: the mail page shows when it has gone.",
            "%(num)d mails are on their way: the mail page shows when they have gone.", outcome.queued,
        ), "success")
    if outcome.failed:
        flash(Markup(ngettext(
            '%(num)d mail could not be sent: the mail server did not accept it. It is kept on <a href="%(url)s">the mail page</a>, where you can send it again.',
            '%(num)d mails could not be sent: the mail server did not accept them. They are kept on <a href="%(url)s">the mail page</a>, where you can send them again.',
            outcome.failed, url=url_for("mail.index", consortium_id=consortium_id, state="failed"),
        )), "error")
    if not any(outcome) and nothing:
        flash(nothing, "info")
