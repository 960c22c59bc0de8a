"""Each notice's mail, sent once: recorded with the notice, then handed to SMTP by a job of its own.

A mail is claimed before it is sent (queued → sending, in one UPDATE), so two workers, or a job
run again after its worker died, never send it twice: one that died between the send and
'sent' leaves it 'sending', and only a person decides to send it again. A failure is retried
with backoff on a queue; in-process (no queue) it is marked failed at once, and the next run of
the reminders, or the secretariat from the mail page, sends it again.
"""
from __future__ import annotations

import smtplib
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import NamedTuple

import sqlalchemy as sa

from .. import jobs
from ..extensions import db
from ..models import MailState, SentNotice
from ..models.base import utcnow
from .transport import send

QUEUED = "outbox_queued"  # the session's info key: notices recorded in this transaction
BACKOFF = [60, 300, 1200, 3600]  # seconds before each retry on a queue: a mail server's outage rarely lasts longer


def tries() -> int:
    """How often a mail is tried before it waits for a person: once, then once per BACKOFF step."""
    return len(BACKOFF) + 1


class Outcome(NamedTuple):
    sent: int
    queued: int
    failed: int


def record(notices: list[SentNotice], messages: list[EmailMessage]) -> None:
    """Keep each notice's mail with it, to be sent after the commit (dispatch)."""
    for notice, message in zip(notices, messages, strict=True):
        notice.subject = str(message["Subject"] or "")[:300]
        notice.message = message.as_bytes(policy=policy.SMTP)
        notice.state = MailState.QUEUED
        db.session.add(notice)
    db.session.flush()  # a second run that got there first fails here, on the notices' unique keys
    db.session.info.setdefault(QUEUED, []).extend(notice.id for notice in notices)


def forget() -> None:
    """After a rollback: what this transaction recorded was never written."""
    db.session.info.pop(QUEUED, None)


def dispatch() -> Outcome:
    """After the commit: queue each recorded mail, or send it now when no queue is configured."""
    return _send_all(db.session.info.pop(QUEUED, []))


def _send_all(ids: list[int]) -> Outcome:
    if jobs.configured():
        for notice_id in ids:
            jobs.enqueue(deliver_job, notice_id, retry_intervals=BACKOFF)
        return Outcome(0, len(ids), 0)
    sent = sum(deliver(notice_id, may_retry=False) for notice_id in ids)
    return Outcome(sent, 0, len(ids) - sent)


class NotSent(Exception):
    """Raised in a job so that the queue tries it again later."""


def deliver_job(notice_id: int) -> None:
    if not deliver(notice_id, may_retry=True):
        raise NotSent(notice_id)


def deliver(notice_id: int, may_retry: bool) -> bool:
    """Claim the mail, send it and mark it sent; False when the mail server refused or was away."""
    claimed = db.session.execute(
        sa.update(SentNotice)
        .where(SentNotice.id == notice_id, SentNotice.state == MailState.QUEUED)
        .values(state=MailState.SENDING, attempts=SentNotice.attempts + 1)
    ).rowcount
    db.session.commit()
    if not claimed:  # sent, being sent, or given up: never twice
        return True
    notice = db.session.get(SentNotice, notice_id)
    try:
        send([message_from_bytes(notice.message, policy=policy.SMTP)])
    except (smtplib.SMTPException, OSError) as error:
        retry = may_retry and notice.attempts < tries()
        notice.state, notice.error = (MailState.QUEUED if retry else MailState.FAILED), str(error)[:2000]
        db.session.commit()
        return False
    notice.state, notice.delivered_at, notice.error = MailState.SENT, utcnow(), None
    db.session.commit()
    return True


def retry(notice_ids: list[int]) -> Outcome:
    """Send failed mails again (and ones whose worker stopped mid-send), as a person asked: with
    all their tries again."""
    waiting = SentNotice.id.in_(notice_ids) & SentNotice.state.in_((MailState.FAILED, MailState.SENDING))
    return _requeue(waiting, {"error": None, "attempts": 0})


def resend_failed(_now=None, report=print) -> tuple[int, int]:
    """For the scheduled run: send again the failed mails that have tries left (in-process sending
    gives up at the first failure; a queue retries by itself and leaves none with tries left)."""
    outcome = _requeue((SentNotice.state == MailState.FAILED) & (SentNotice.attempts < tries()), {})
    if outcome.failed:
        report(f"{outcome.failed} mail(s) failed again; they will be tried again on the next run.")
    return outcome.sent + outcome.queued, outcome.failed


def _requeue(condition: sa.ColumnElement[bool], values: dict) -> Outcome:
    ids = db.session.execute(sa.select(SentNotice.id).where(condition)).scalars().all()
    if ids:
        db.session.execute(sa.update(SentNotice).where(SentNotice.id.in_(ids), condition).values(state=MailState.QUEUED, **values))
        db.session.commit()
    return _send_all(ids)
