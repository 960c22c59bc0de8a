"""The audit log, written for every change at flush time: who, when, what, before and after.

Writing it from a session event, rather than in each service, means no write can forget
it. The acting user is the signed-in user, or whoever a CLI command names with act_as().
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import has_request_context
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db
from .models import AuditEvent, Consortium, MinutesRevision, SearchEntry, User
from .models.base import utcnow

# Rows that are themselves a record of changes, or derived from other rows (the search index).
NOT_AUDITED = (AuditEvent, MinutesRevision, SearchEntry)
# Columns that change on their own (or are derived: a material's extracted text, a meeting's
# minutes_version loaded with it), or whose values must never be copied anywhere. A sign-in is
# recorded as one (record_sign_in), not as a change of the account's last_login_at.
IGNORED = {
    "created_at", "updated_at", "search_text", "extracted_text", "last_login_at", "last_used_on", "minutes_version"
}
SECRET = {"password_hash", "calendar_token", "digest"}
SIGN_IN = "sign_in"


def act_as(user_id: int | None) -> None:
    """Name the acting user for changes made outside a request (CLI commands)."""
    db.session.info["actor_id"] = user_id


def _actor_id(session: Session) -> int | None:
    if has_request_context() and current_user.is_authenticated:
        return current_user.id
    return session.info.get("actor_id")


def _plain(value):
    """A JSON-safe copy of a column value."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):  # a composed mail: its reply links are nobody's to read in the log
        return f"({len(value)} bytes)"
    return value


def _columns(row):
    mapper = sa.inspect(row).mapper
    # A row's version counter moves with every write: it is no change of its own.
    version = mapper.get_property_by_column(mapper.version_id_col).key if mapper.version_id_col is not None else None
    return [c for c in mapper.column_attrs if c.key not in IGNORED and c.key != version]


def snapshot(row) -> dict:
    """Every column of a row, secrets masked."""
    return {c.key: "***" if c.key in SECRET else _plain(getattr(row, c.key)) for c in _columns(row)}


def _changes(row) -> tuple[dict, dict]:
    state = sa.inspect(row)
    before, after = {}, {}
    for column in _columns(row):
        history = state.attrs[column.key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        masked = column.key in SECRET
        before[column.key] = "***" if masked else _plain(old)
        after[column.key] = "***" if masked else _plain(new)
    return before, after


def _row_id(row) -> int | None:
    """The row's number; a row inserted in this flush has no identity yet, but its key is set."""
    state = sa.inspect(row)
    if state.identity:
        return state.identity[0]
    return state.mapper.primary_key_from_instance(row)[0]


def _event(session: Session, action: str, row, before: dict | None, after: dict | None) -> dict:
    from .permissions import consortium_of

    with session.no_autoflush:
        consortium_id = consortium_of(row)
    return {
        "occurred_at": utcnow(),
        "user_id": _actor_id(session),
        "consortium_id": consortium_id,
        "action": action,
        "entity_type": type(row).__name__,
        "entity_id": _row_id(row),
        "before": before,
        "after": after,
    }


def record(action: str, row, before: dict | None = None, after: dict | None = None) -> None:
    """Add an event that no column change shows, such as a merge or a workflow step."""
    db.session.execute(sa.insert(AuditEvent), [_event(db.session, action, row, before, after)])


def record_sign_in(user: User) -> None:
    """Record that the user signed in: kept apart from edits, so the log can show one or the other."""
    db.session.execute(sa.insert(AuditEvent), [{**_event(db.session, SIGN_IN, user, None, None), "user_id": user.id}])


def _keep_old_values() -> None:
    """Have SQLAlchemy load a column's old value before it is overwritten, so 'before' is known
    even when the row was expired by an earlier commit."""

    def noop(target, value, oldvalue, initiator):
        return value

    for mapper in db.Model.registry.mappers:
        if issubclass(mapper.class_, NOT_AUDITED):
            continue
        for column in mapper.column_attrs:
            event.listen(getattr(mapper.class_, column.key), "set", noop, active_history=True, retval=True)


_keep_old_values()


@event.listens_for(Session, "after_flush")
def _write_audit(session: Session, _context) -> None:
    events = []
    for row in session.new:
        if not isinstance(row, NOT_AUDITED):
            events.append(_event(session, "create", row, None, snapshot(row)))
    for row in session.dirty:
        if isinstance(row, NOT_AUDITED):
            continue
        before, after = _changes(row)
        if after:
            events.append(_event(session, "update", row, before, after))
    for row in session.deleted:
        if not isinstance(row, NOT_AUDITED):
            events.append(_event(session, "delete", row, snapshot(row), None))
    # An event may outlive its consortium or user, but cannot point at one deleted in this flush.
    gone = {type(row): set() for row in session.deleted}
    for row in session.deleted:
        gone[type(row)].add(sa.inspect(row).identity[0])
    for e in events:
        if e["consortium_id"] in gone.get(Consortium, ()):
            e["consortium_id"] = None
        if e["user_id"] in gone.get(User, ()):
            e["user_id"] = None
    if events:
        session.connection().execute(sa.insert(AuditEvent), events)
