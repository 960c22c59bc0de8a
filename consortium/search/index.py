"""What the search index holds of each kind of row, and keeping it in step with the rows.

Every flush that adds, changes or deletes a row of a kind below writes its entry in the same
transaction, so a search finds what was just saved. Rows written around the ORM (bulk loads,
a cascade in the database) are put right by `flask search rebuild`; until then a deleted row's
entry finds nothing, since every search joins the entry to its row.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import (
    ActionItem,
    AgendaItem,
    Consortium,
    Decision,
    DiscussionPoint,
    Document,
    Meeting,
    Membership,
    Minutes,
    Organization,
    Person,
    SearchEntry,
)
from .folding import fold, grams

# Each kind: its model and the columns whose text is found, the title first. Never a person's
# email, phone or private note.
KINDS: dict[str, tuple[type, tuple[str, ...]]] = {
    "consortium": (Consortium, ("name", "short_name", "name_en", "purpose", "background")),
    "meeting": (Meeting, ("title", "venue", "room", "address", "description")),
    "agenda_item": (AgendaItem, ("label", "title", "note", "result")),
    "minutes": (Minutes, ("heading", "body")),
    "point": (DiscussionPoint, ("text", "speaker_label")),
    "decision": (Decision, ("text",)),
    "action": (ActionItem, ("text", "owner_label")),
    "document": (Document, ("label", "title", "extracted_text")),
    "membership": (Membership, ("title", "description")),  # 肩書 and 連携概要
    # With the name as one run (search_text, spaces removed): 山田太郎 finds 山田 太郎.
    "organization": (Organization, ("name", "name_kana", "name_en", "search_text")),
    "person": (Person, ("family_name", "given_name", "family_name_kana", "given_name_kana", "name_en", "title", "search_text")),
}
KIND_OF = {model: kind for kind, (model, _columns) in KINDS.items()}
# Each gram in the index is prefixed with its entry's kind: a kind's search reads only its own
# rows' postings, not every row's that holds a common pair (観光 is in one entry of thirty).
CODES = dict(zip(KINDS, "cmanpdtfroh"))
BATCH = 1000


def _under_meetings(model: type) -> sa.Select | None:
    """(row_id, meeting_id, starts_at) of each row of the model with its meeting; None for a model
    that belongs to none."""
    if model is Meeting:
        return sa.select(Meeting.id.label("row_id"), Meeting.id.label("meeting_id"), Meeting.starts_at)
    stmt = sa.select(model.id.label("row_id"), Meeting.id.label("meeting_id"), Meeting.starts_at)
    if hasattr(model, "meeting_id"):
        return stmt.join(Meeting, Meeting.id == model.meeting_id)
    if hasattr(model, "minutes_id"):
        return stmt.join(Minutes, Minutes.id == model.minutes_id).join(Meeting, Meeting.id == Minutes.meeting_id)
    return None


# The kinds whose rows belong to a meeting: their entries carry its start (SearchEntry.day).
DATED = {kind: under for kind, (model, _columns) in KINDS.items() if (under := _under_meetings(model)) is not None}


def entry_values(kind: str, row) -> dict | None:
    """The row's entry, or None when it has no text to find."""
    columns = KINDS[kind][1]
    text = "\n".join(str(value) for value in (getattr(row, c) for c in columns) if value)
    if not text:
        return None
    folded = fold(text)
    code = CODES[kind]
    return {"kind": kind, "row_id": row.id, "text": text, "folded": folded, "grams": " ".join(sorted(code + g for g in grams(folded)))}


def _changed(kind: str, row) -> bool:
    state = sa.inspect(row)
    return any(state.attrs[c].history.has_changes() for c in KINDS[kind][1])


@sa.event.listens_for(Session, "after_flush")
def _write_entries(session: Session, _context) -> None:
    changed = [(kind, row) for row in session.new if (kind := KIND_OF.get(type(row)))]
    changed += [(kind, row) for row in session.dirty if (kind := KIND_OF.get(type(row))) and _changed(kind, row)]
    # A new row's id may be one a row deleted by the database's own cascade had, entry and all.
    removed = [(kind, row.id) for kind, row in changed]
    for row in session.deleted:
        if kind := KIND_OF.get(type(row)):
            removed.append((kind, row.id))
    written = [values for kind, row in changed if (values := entry_values(kind, row))]
    if written or removed:
        _replace(session.connection(), written, removed)
    for kind in DATED:
        if ids := [values["row_id"] for values in written if values["kind"] == kind]:
            _date(session.connection(), kind, "row_id", ids)
    moved = [row.id for row in session.dirty if isinstance(row, Meeting) and sa.inspect(row).attrs.starts_at.history.has_changes()]
    for kind in DATED if moved else ():
        _date(session.connection(), kind, "meeting_id", moved)


def _date(connection, kind: str, by: str, ids: list[int]) -> None:
    """Copy the meeting's start onto the kind's entries: those of the rows with these ids (by
    "row_id") or of the rows of these meetings (by "meeting_id")."""
    table, under = SearchEntry.__table__, DATED[kind].subquery()
    rows = sa.select(under.c.row_id).where(under.c[by].in_(ids))
    day = sa.select(under.c.starts_at).where(under.c.row_id == table.c.row_id).scalar_subquery()
    connection.execute(table.update().where(table.c.kind == kind, table.c.row_id.in_(rows)).values(day=day))


def _replace(connection, written: list[dict], removed: Iterable[tuple[str, int]]) -> None:
    table = SearchEntry.__table__
    by_kind: dict[str, list[int]] = {}
    for kind, row_id in removed:
        by_kind.setdefault(kind, []).append(row_id)
    for kind, ids in by_kind.items():
        connection.execute(table.delete().where(table.c.kind == kind, table.c.row_id.in_(ids)))
    if written:
        connection.execute(table.insert(), written)


def rebuild(session: Session, report: Callable[[str, int, int], None] | None = None, kinds: Iterable[str] = KINDS) -> int:
    """Write every entry (of these kinds) again from the rows, in batches; report(kind, done,
    total) after each. Returns the number of entries."""
    connection, kinds = session.connection(), list(kinds)
    table = SearchEntry.__table__
    connection.execute(table.delete() if kinds == list(KINDS) else table.delete().where(table.c.kind.in_(kinds)))
    count = 0
    for kind in kinds:
        model, columns = KINDS[kind]
        total = session.execute(sa.select(sa.func.count()).select_from(model)).scalar()
        done, last = 0, 0
        stmt = sa.select(model.id, *(getattr(model, c) for c in columns))
        if kind in DATED:
            under = DATED[kind].subquery()
            stmt = stmt.add_columns(under.c.starts_at).outerjoin(under, under.c.row_id == model.id)
        while True:
            rows = session.execute(stmt.where(model.id > last).order_by(model.id).limit(BATCH)).all()
            if not rows:
                break
            entries = [
                {**values, **({"day": row.starts_at} if kind in DATED else {})}
                for row in rows
                if (values := entry_values(kind, row))
            ]
            if entries:
                connection.execute(SearchEntry.__table__.insert(), entries)
            done, last, count = done + len(rows), rows[-1].id, count + len(entries)
            if report:
                report(kind, done, total)
    return count
