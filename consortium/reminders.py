"""The scheduled run: reminders that are due, and mails that failed and have tries left.

`flask reminders send` runs it once (from cron, where there is no queue); with a queue, `flask
jobs schedule` has the queue's own scheduler run it every half hour. Each mail goes once however
often it runs: the notices' unique keys see to that.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app

from .invitations import reminders as invitation_reminders
from .mail import outbox
from .meetings import reminders as not_held_reminders
from .polls import reminders as poll_reminders

EVERY_HALF_HOUR = "*/30 * * * *"
log = logging.getLogger(__name__)

# Each area with reminders adds its job here: (mails sent or queued, mails failed) = job(now, report).
JOBS = (poll_reminders.send_due, invitation_reminders.send_due, not_held_reminders.send_due, outbox.resend_failed)


def send_due(base_url: str, report: Callable[[str], None]) -> tuple[int, int]:
    """Run every job; links in the mails point at base_url (a scheduled run has no request)."""
    now = datetime.now(UTC)
    with current_app.test_request_context(base_url=base_url):
        outcomes = [job(now, report=report) for job in JOBS]
    return sum(o[0] for o in outcomes), sum(o[1] for o in outcomes)


def scheduled() -> None:
    """The scheduler's job, in a worker."""
    sent, failed = send_due(current_app.config["SITE_URL"], report=log.warning)
    log.info("reminders: %d sent or queued, %d failed", sent, failed)
