"""Reading the audit log: the events of a page, made readable in the visitor's language.

Who (the account, linked for administrators), what (the action, the kind of row, the row by its
name with a link to its page while it exists, the fields by their form labels with values as the
forms show them) and when (和暦, Japan time). The rows events name are loaded a kind at a time,
so a page costs the same number of queries however many events it shows.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit import SIGN_IN
from ..extensions import db
from ..filters import clock, long_date, number
from ..japanese import to_tokyo
from ..models import AuditEvent
from ..permissions import has_level, is_admin
from .audit_fields import label_of
from .audit_subjects import KINDS, action_label, kind_label

LONGEST_VALUE = 300  # characters of a value shown; the rest of a long text is cut


# Fields of recorded events (not columns) that name other rows, by their kind; and that hold a date.
REFERENCES = {"user_id": "User", "membership_id": "Membership", "approvals_cleared": "User"}
DATES = {"on"}
# Values the log keeps but does not show: a row's own number, the numbers of the rows a merge moved
# (their count is shown), the duplicate's number (its values are shown).
HIDDEN = {"id", "duplicate_id"}
# Contact details that only those who may see them read here too.
PRIVATE = {("Person", "email"), ("Person", "phone"), ("Person", "private_note"), ("SentNotice", "email"), ("User", "email")}


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class Named:
    """A row as the log names it, with the address of its page when the visitor may open it."""

    name: str
    url: str | None = None


@dataclass
class LogRow:
    event: AuditEvent
    when: str  # 和暦 and Japan time
    moment: str  # the same, for <time datetime>: ISO 8601 to the second, with Japan's offset
    who: Named
    action: str
    kind: str
    subject: Named
    consortium: str | None
    changes: list[Change]


def statement(
    sign_ins: bool = False, entity_type: str | None = None, action: str | None = None, consortium_id: int | None = None
) -> sa.Select:
    """Events newest first: sign-ins or every other event, filtered as asked."""
    stmt = sa.select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if sign_ins:
        stmt = stmt.where(AuditEvent.action == SIGN_IN)
    else:
        stmt = stmt.where(AuditEvent.action != SIGN_IN)
        if entity_type:
            stmt = stmt.where(AuditEvent.entity_type == entity_type)
        if action:
            stmt = stmt.where(AuditEvent.action == action)
    if consortium_id is not None:
        stmt = stmt.where(AuditEvent.consortium_id == consortium_id)
    return stmt


# ---------------------------------------------------------------------------------------------
# What each field refers to and how its values read


def _column(entity_type: str, name: str) -> sa.Column | None:
    kind = KINDS.get(entity_type)
    return kind.model.__mapper__.columns.get(name) if kind is not None else None


_KIND_OF_TABLE = {kind.model.__table__.name: name for name, kind in KINDS.items()}


def _reference(entity_type: str, name: str) -> str | None:
    """The kind of row a field's value is the number of, if it is one."""
    column = _column(entity_type, name)
    if column is None:
        return REFERENCES.get(name)
    for key in column.foreign_keys:
        return _KIND_OF_TABLE.get(key.column.table.name)
    return None


def _shown(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list):
        value = "、".join(str(v) for v in value)
    text = str(value)
    return text if len(text) <= LONGEST_VALUE else text[:LONGEST_VALUE] + "…"


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _typed(column: sa.Column | None, value):
    """A stored value as its form shows it: an enum by its label, a date in the visitor's calendar."""
    if column is None or value is None:
        return value
    kind = column.type
    try:
        if isinstance(kind, sa.Enum) and kind.enum_class is not None:
            member = kind.enum_class(value)
            return str(getattr(member, "label", member.value))
        if isinstance(kind, sa.DateTime) or isinstance(getattr(kind, "impl", None), sa.DateTime):
            moment = _moment(value)
            return f"{long_date(moment)} {clock(moment)}"
        if isinstance(kind, sa.Date):
            return long_date(date.fromisoformat(value))
        if isinstance(kind, sa.Numeric):
            return number(Decimal(str(value)))
    except (TypeError, ValueError, ArithmeticError):
        return value  # an event older than the column's type: shown as it was kept
    return value


def _subject_id(event: AuditEvent) -> int | None:
    """The number of the row an event is about; creations logged before it was kept carry it in their values."""
    if event.entity_id is not None:
        return event.entity_id
    ids = _ids((event.after or event.before or {}).get("id"))
    return ids[0] if ids else None


def _ids(value) -> list[int]:
    """The row numbers a referring field holds: one, or a list."""
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


class _Rows:
    """The rows a page of events names, loaded a kind at a time."""

    def __init__(self, events: list[AuditEvent]):
        wanted: dict[str, set[int]] = defaultdict(set)
        for event in events:
            wanted[event.entity_type].add(_subject_id(event))
            wanted["User"].add(event.user_id)
            wanted["Consortium"].add(event.consortium_id)
            for values in (event.before or {}, event.after or {}):
                for name, value in values.items():
                    kind = _reference(event.entity_type, name)
                    if kind is not None:
                        wanted[kind].update(_ids(value))
        self.rows: dict[str, dict[int, object]] = {}
        for name, ids in wanted.items():
            ids.discard(None)
            kind = KINDS.get(name)
            if kind is None or not ids:
                continue
            found = db.session.execute(
                sa.select(kind.model).where(kind.model.id.in_(ids)).options(*kind.options)
            ).unique().scalars()
            self.rows[name] = {row.id: row for row in found}

    def get(self, entity_type: str, row_id: int | None):
        return self.rows.get(entity_type, {}).get(row_id)

    def name(self, entity_type: str, row_id: int | None, values: dict | None = None) -> str:
        """A row by its name; once deleted, by the name its last values give, or by its number."""
        kind, row = KINDS.get(entity_type), self.get(entity_type, row_id)
        if kind is not None and row is not None and kind.name is not None:
            return kind.name(row)
        values = values or {}
        saved = kind.saved_name(values) if kind is not None else None
        if saved:
            return saved
        for field in kind.refers_to if kind is not None else ():
            if values.get(field) is not None:
                return self.value(entity_type, field, values[field])
        if row_id is None:
            return "—"
        return _("No. %(id)s", id=row_id) if row is not None else _("No. %(id)s (deleted)", id=row_id)

    def value(self, entity_type: str, name: str, value) -> str:
        if (entity_type, name) in PRIVATE and value and not is_admin():  # the log names no person: full to administrators only
            return _("(private)")
        if name == "filled" and isinstance(value, list):  # a merge names the fields it filled
            return "、".join(str(label_of(entity_type, field) or field) for field in value)
        kind = _reference(entity_type, name)
        if kind is not None and _ids(value):
            return "、".join(self.name(kind, row_id) for row_id in _ids(value))
        if name in DATES and isinstance(value, str):
            return _shown(_typed(sa.Column(name, sa.Date), value))
        return _shown(_typed(_column(entity_type, name), value))


def _link(rows: _Rows, entity_type: str, row_id: int | None, consortium_id: int | None, values: dict | None = None) -> Named:
    named = Named(rows.name(entity_type, row_id, values))
    kind, row = KINDS.get(entity_type), rows.get(entity_type, row_id)
    if row is not None and kind.page is not None and has_level(kind.level, consortium_id):
        named.url = kind.page(row)
    return named


def _changes(rows: _Rows, event: AuditEvent) -> list[Change]:
    """The fields an event touched; a creation or deletion shows only the fields that had a value."""
    before, after = event.before or {}, event.after or {}
    changes = []
    for name in dict.fromkeys([*before, *after]):
        if name in HIDDEN or name.endswith("_ids"):
            continue
        old, new = before.get(name), after.get(name)
        if event.action in ("create", "delete") and old in (None, "") and new in (None, ""):
            continue
        changes.append(
            Change(
                str(label_of(event.entity_type, name) or name),
                rows.value(event.entity_type, name, old) if name in before else "",
                rows.value(event.entity_type, name, new) if name in after else "",
            )
        )
    return changes


def log_rows(events) -> list[LogRow]:
    """A page of events as the log shows them."""
    events = list(events)
    rows = _Rows(events)
    shown = []
    for event in events:
        at = to_tokyo(event.occurred_at)
        who = Named(_("no account"))  # a command-line change, or an account deleted since
        if event.user_id is not None:
            who = Named(rows.name("User", event.user_id))
            if is_admin() and rows.get("User", event.user_id) is not None:
                who.url = KINDS["User"].page(rows.get("User", event.user_id))
        consortium = rows.get("Consortium", event.consortium_id)
        shown.append(
            LogRow(
                event=event,
                when=f"{long_date(at)} {clock(at)}",
                moment=at.replace(microsecond=0).isoformat(),
                who=who,
                action=action_label(event.action),
                kind=kind_label(event.entity_type),
                subject=_link(rows, event.entity_type, _subject_id(event), event.consortium_id, event.before or event.after),
                consortium=consortium.name if consortium is not None else None,
                changes=_changes(rows, event),
            )
        )
    return shown

