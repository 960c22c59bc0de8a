"""Reminders to a secretariat of its meetings past their time but still 開催予定, for `flask
reminders send`: each meeting is mailed about once (Meeting.not_held_reminded_at), with a link
to the consortium's page, where each is marked held in one click."""
from __future__ import annotations

import smtplib
from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from flask_babel import force_locale
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..mail.compose import address, compose_from
from ..mail.transport import send
from ..models import Consortium, Grant, GrantRole, Meeting, User
from ..permissions import run_by_ancestor
from .services import begun_but_not_held_clause


def due(now: datetime) -> list[tuple[Consortium, list[Meeting]]]:
    """Each consortium with its meetings begun but not marked held that no reminder named yet,
    oldest first."""
    meetings = db.session.execute(
        sa.select(Meeting)
        .where(begun_but_not_held_clause(now), Meeting.not_held_reminded_at.is_(None))
        .options(joinedload(Meeting.consortium))
        .order_by(Meeting.consortium_id, Meeting.starts_at, Meeting.id)
    ).scalars()
    by_consortium: dict[int, list[Meeting]] = {}
    for meeting in meetings:
        by_consortium.setdefault(meeting.consortium_id, []).append(meeting)
    return [(group[0].consortium, group) for group in by_consortium.values()]


def secretariat(consortium: Consortium) -> list[User]:
    """The active accounts of the consortium's secretariat, or of the one above that runs it."""
    runs = run_by_ancestor(consortium) or consortium
    return list(
        db.session.execute(
            sa.select(User)
            .join(Grant, Grant.user_id == User.id)
            .where(Grant.consortium_id == runs.id, Grant.role == GrantRole.SECRETARIAT, User.active.is_(True))
            .order_by(User.id)
        ).scalars()
    )


def remind(consortium: Consortium, meetings: list[Meeting], now: datetime) -> int:
    """Mail the secretariat the list and record it on each meeting; nothing when no one runs the
    consortium here (it is then tried again once someone does)."""
    users = secretariat(consortium)
    if not users:
        return 0
    # Not a change of the meeting: its updated_at (calendar clients' Last-Modified) stays.
    db.session.execute(
        sa.update(Meeting)
        .where(Meeting.id.in_([m.id for m in meetings]))
        .values(not_held_reminded_at=now, updated_at=Meeting.updated_at)
        .execution_options(synchronize_session="fetch")
    )
    url = url_for("consortia.show", consortium_id=consortium.id, _external=True, _anchor="not-held")
    links = [(m, url_for("meetings.show", meeting_id=m.id, _external=True)) for m in meetings]
    with force_locale("ja"):
        return send(
            compose_from(
                "meetings_not_held", address(user.display_name, user.email),
                f"【開催済みの記録がありません】{consortium.name}",
                consortium=consortium, meetings=links, url=url, user=user,
            )
            for user in users
        )


def send_due(now: datetime, report=print) -> tuple[int, int]:
    """Remind, consortium by consortium, each committed with its mail (sent here: it is the
    scheduled run's, never a request's). Returns (mails sent, consortia whose mail failed: the
    reminder is not recorded, so the next run tries again)."""
    sent = failed = 0
    for consortium, meetings in due(now):
        try:
            sent += remind(consortium, meetings, now)
            db.session.commit()
        except (smtplib.SMTPException, OSError) as error:
            db.session.rollback()
            failed += 1
            report(f"{consortium!r}: mail failed, will retry: {error}")
    return sent, failed
