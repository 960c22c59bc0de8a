"""Reading the audit log: one query for both the site's log and a consortium's, and rows made readable."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from ..filters import clock, long_date
from ..models import AuditEvent, Consortium, User

LONGEST_VALUE = 300  # characters of a value shown; the rest of a long text is cut


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class LogRow:
    event: AuditEvent
    who: str
    consortium: str | None
    changes: list[Change]

    @property
    def when(self) -> str:
        """Date and time in Tokyo."""
        return f"{long_date(self.event.occurred_at, weekday=False)} {clock(self.event.occurred_at)}"


def statement(entity_type: str | None = None, action: str | None = None, consortium_id: int | None = None) -> sa.Select:
    """Events newest first with who made them and in which consortium, filtered as asked."""
    stmt = (
        sa.select(AuditEvent, User.display_name, Consortium.name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .outerjoin(Consortium, Consortium.id == AuditEvent.consortium_id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    if entity_type:
        stmt = stmt.where(AuditEvent.entity_type == entity_type)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if consortium_id is not None:
        stmt = stmt.where(AuditEvent.consortium_id == consortium_id)
    return stmt


def readable(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    text = str(value)
    return text if len(text) <= LONGEST_VALUE else text[:LONGEST_VALUE] + "…"


def changes(event: AuditEvent) -> list[Change]:
    """The fields an event touched; a creation or deletion shows only the fields that had a value."""
    before, after = event.before or {}, event.after or {}
    names = list(dict.fromkeys([*before, *after]))
    rows = []
    for name in names:
        old, new = before.get(name), after.get(name)
        if event.action in ("create", "delete") and old in (None, "") and new in (None, ""):
            continue
        rows.append(Change(name, readable(old) if name in before else "", readable(new) if name in after else ""))
    return rows


def log_rows(results) -> list[LogRow]:
    """Rows of statement() as the page shows them."""
    # No user: a command-line change, or an account deleted since.
    return [LogRow(event, who or _("no account"), consortium, changes(event)) for event, who, consortium in results]
