"""What each printed document shows to the visitor, loaded in a fixed number of queries.

Each function decides as the matching page does: the meeting page for the 議事次第, the minutes
page for the 議事録 or 議事要旨, the consortium page for the 委員名簿. Closed agenda items and
members-only materials stay with the members; so do drafts of the minutes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import groupby

import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from .. import permissions
from ..attendance.queries import absentees, attendees
from ..consortia.roster import LEADING_ROLES, roster_rows, roster_statement
from ..extensions import db
from ..japanese import seat_mark, today_tokyo
from ..meetings.services import agenda_with_presenters, in_agenda_order, places
from ..minutes import queries as minutes_queries
from ..minutes.summary import leave_out_closed, minutes_view
from ..models import (
    AgendaItem,
    Consortium,
    Document,
    DocumentType,
    Meeting,
    Role,
)

ANONYMOUS = AnonymousUserMixin()
# What a meeting hands out; its own 次第 and minutes are not on the list of materials.
HANDED_OUT = (DocumentType.MATERIAL, DocumentType.REFERENCE, DocumentType.ROSTER)


@dataclass
class Printout:
    """A document to print: its template and context, the name it is saved under, and whether
    everything in it is public (then shared caches may keep it)."""

    template: str
    title: str
    public: bool
    context: dict


@dataclass
class NumberedItem:
    item: AgendaItem
    number: str  # the item's own label, else its place: 1, 2 … at the top, ①, ② … below


def numbered(items: list[AgendaItem]) -> list[NumberedItem]:
    """Agenda items in agenda order, each with the number it is printed under."""
    return [
        NumberedItem(item, item.label or (seat_mark(sub) if sub else str(top)))
        for item, top, sub in places(in_agenda_order(items))
    ]


def agenda(meeting: Meeting) -> Printout:
    """The 議事次第: when and where, the agenda with presenters, and the materials."""
    is_member = permissions.is_member(meeting.consortium_id)
    items = agenda_with_presenters(meeting.id)
    documents = db.session.execute(
        sa.select(Document)
        .where(Document.meeting_id == meeting.id, Document.doc_type.in_(HANDED_OUT))
        .order_by(Document.position, Document.id)
    ).scalars().all()
    if not is_member:
        (items,) = leave_out_closed(items)
        documents = [d for d in documents if permissions.can_view_document(d)]
    public = (
        permissions.can_view_meeting(meeting, ANONYMOUS)
        and all(permissions.is_open_item(item) for item in items)
        and all(permissions.can_view_document(d, ANONYMOUS) for d in documents)
        and not (is_member and meeting.online_url)
    )
    return Printout(
        "pdf/agenda.html",
        f"{_short_name(meeting.consortium)} {meeting.title} 議事次第",
        public,
        {"meeting": meeting, "items": numbered(items), "documents": documents, "is_member": is_member},
    )


def minutes(meeting: Meeting, full: bool) -> Printout:
    """The full 議事録 (for members) or the 議事要旨, of minutes the visitor may read."""
    record = minutes_queries.load_minutes(meeting.id, workflow=False)
    items = minutes_queries.agenda_items(meeting.id)
    view = minutes_view(record, items, full=full)
    if not full:
        (items,) = leave_out_closed(items)
    kind = "議事録" if full else "議事要旨"
    draft = not record.is_final
    rows = numbered(items)
    by_id = {row.item.id: row for row in rows}
    return Printout(
        "pdf/minutes.html",
        f"{_short_name(meeting.consortium)} {meeting.title} {kind}{'（案）' if draft else ''}",
        not full and record.is_published and permissions.can_view_meeting(meeting, ANONYMOUS),
        {
            "meeting": meeting,
            "view": view,
            "kind": kind,
            "draft": draft,
            "items": rows,
            "numbers": by_id,
            # Points under the same item, in the order recorded, print under one heading.
            "point_groups": [
                (by_id.get(item_id), list(points)) for item_id, points in groupby(view.points, lambda p: p.agenda_item_id)
            ],
            "attendees": attendees(meeting.id),
            "absentees": absentees(meeting.id),
            # The 会議録署名 belongs to the full 議事録, as the minutes page shows it to members only.
            "signatures": minutes_queries.signatures(record.id) if full else [],
        },
    )


def roster(consortium: Consortium, on: date | None = None) -> Printout:
    """The 委員名簿 of a day (today unless given) in seat order, as the consortium page lays it out."""
    leading = db.session.execute(roster_statement(consortium, leading=True, on=on)).scalars().all()
    members = db.session.execute(roster_statement(consortium, leading=False, on=on)).scalars().all()
    return Printout(
        "pdf/roster.html",
        f"{consortium.name} 委員名簿",
        consortium.is_public and on is None,  # a roster ahead is the secretariat's until its day
        {
            "consortium": consortium,
            "rows": roster_rows(members),
            "leading": [(role, [m for m in leading if m.role is role]) for role in LEADING_ROLES],
            "has_roles": any(m.role is not Role.MEMBER for m in members),
            "today": on or today_tokyo(),
        },
    )


def _short_name(consortium: Consortium) -> str:
    return consortium.short_name or consortium.name
