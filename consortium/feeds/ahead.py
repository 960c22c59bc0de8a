"""Calendar events written by a worker after a meeting changes, before any feed asks for them.

A feed request writes the events it does not find kept (a millisecond each), so a feed is right
at once in any case; with a queue, a change committed by a request also queues a job that writes
the changed meetings' events, as members and as the public see them, so the apps that poll the
feeds find them ready. A change to a consortium (its name is in every event) rewrites all of its
meetings'. Without a queue nothing is queued: the first reader writes them, as before.
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_babel import force_locale
from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from .. import jobs
from ..models import Consortium, Meeting
from . import publish

log = logging.getLogger(__name__)
CHANGED = "feeds_changed"  # the session's record of what its flushes changed: (meetings, consortia)


@sa.event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _context) -> None:
    if not has_request_context() or not jobs.configured():
        return
    meetings, consortia = session.info.setdefault(CHANGED, (set(), set()))
    for row in (*session.new, *session.dirty):
        if isinstance(row, Meeting):
            meetings.add(row.id)
        elif isinstance(row, Consortium) and row not in session.new:
            consortia.add(row.id)


@sa.event.listens_for(Session, "after_commit")
def _queue_writing(session: Session) -> None:
    meetings, consortia = session.info.pop(CHANGED, (set(), set()))
    if not (meetings or consortia):
        return
    try:
        jobs.enqueue(write_changed, sorted(meetings), sorted(consortia), request.url_root)
    except RedisError:
        # The change is committed; its events are written by the first feed that asks instead.
        log.warning("could not queue the writing of changed events", exc_info=True)


@sa.event.listens_for(Session, "after_rollback")
def _forget_changes(session: Session) -> None:
    session.info.pop(CHANGED, None)


def write_changed(meeting_ids: list[int], consortium_ids: list[int], site: str) -> None:
    """The job: write each event not kept yet, as the site at that address serves it."""
    changed = sa.or_(Meeting.id.in_(meeting_ids), Meeting.consortium_id.in_(consortium_ids))
    with current_app.test_request_context(base_url=site), force_locale("ja"):
        where = publish.addresses()
        for meeting in publish.load(sa.and_(changed, Meeting.dated)):
            for member in (True, False):
                key = publish.event_key(meeting.id, meeting.updated_at, meeting.consortium.updated_at, member, where)
                if publish.kept_event(key) is None:
                    publish.write_event(meeting, member, where)
