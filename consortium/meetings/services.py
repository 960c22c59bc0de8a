"""Meetings and their agenda: the write operations. Services add and flush, never commit."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..invitations.services import is_over
from ..japanese import to_tokyo, tokyo_datetime
from ..models.base import utcnow
from ..rows import assign, move
from ..models import (
    AgendaItem,
    AgendaPresenter,
    Attendance,
    Consortium,
    DatePrecision,
    Decision,
    DiscussionPoint,
    Document,
    DocumentAccess,
    Meeting,
    MeetingStatus,
    Minutes,
    Organization,
    Person,
)
from ..permissions import is_open_item

# What a calendar client shows or acts on (RFC 5545): a change to one of these is a new SEQUENCE.
CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "precision", "venue", "room", "address", "online_url", "status")
# A change to one of these is a new time: replies given for the old one no longer hold.
TIME_FIELDS = ("starts_at", "ends_at", "precision")


class HasMinutes(Exception):
    """The meeting has minutes; they must be deleted on purpose before the meeting can go."""


def create_meeting(consortium: Consortium, values: dict) -> Meeting:
    """Add a meeting to a consortium."""
    meeting = Meeting(consortium=consortium, **values)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def _differs(meeting: Meeting, values: dict, names: tuple[str, ...]) -> bool:
    return any(getattr(meeting, name) != values[name] for name in names if name in values)


def update_meeting(meeting: Meeting, values: dict) -> bool:
    """Apply the typed values; raise the calendar SEQUENCE once when calendar fields change, and
    clear the invitees' replies when the time changes (the update mail asks them again), and with
    them what was kept of the old time: that it was estimated, and that it was reminded of.

    Returns whether calendar clients will see a change.
    """
    changed, retimed = _differs(meeting, values, CALENDAR_FIELDS), _differs(meeting, values, TIME_FIELDS)
    assign(meeting, values)
    if changed:
        meeting.sequence = (meeting.sequence or 0) + 1
    if retimed:
        reset_replies(meeting)
        # A time someone set is no estimate, and a new time may pass unmarked again.
        meeting.date_estimated, meeting.not_held_reminded_at = False, None
    db.session.flush()
    return changed


def reset_replies(meeting: Meeting) -> None:
    """Forget the replies to the meeting's invitation, and a stand-in named only in a reply."""
    db.session.execute(
        sa.update(Attendance)
        .where(Attendance.meeting_id == meeting.id, Attendance.reply.is_not(None))
        .values(
            reply=None,
            reply_note=None,
            replied_at=None,
            stand_in=sa.case((Attendance.presence.is_(None), None), else_=Attendance.stand_in),
        )
        .execution_options(synchronize_session="fetch")
    )


def cancel_meeting(meeting: Meeting) -> bool:
    """Mark the meeting cancelled; False when it already was."""
    if meeting.status is MeetingStatus.CANCELLED:
        return False
    return update_meeting(meeting, {"status": MeetingStatus.CANCELLED})


# Planned and not yet marked held: what recording attendance or publishing minutes moves to held.
PLANNED = (MeetingStatus.TENTATIVE, MeetingStatus.SCHEDULED)


def may_be_held(meeting: Meeting) -> bool:
    """Whether the meeting is planned and has begun, so may be marked held."""
    return meeting.status in PLANNED and is_over(meeting, utcnow())


def mark_held(meeting: Meeting) -> bool:
    """Mark a planned meeting held (開催済み) once it has begun; False when it is not planned or
    has not begun. Nothing is mailed: once a meeting has begun the invitations send no update
    (invitations.mailing.due), and the views that call this send none."""
    if not may_be_held(meeting):
        return False
    update_meeting(meeting, {"status": MeetingStatus.HELD})
    return True


def is_begun_but_not_held(meeting: Meeting, now: datetime) -> bool:
    """Still 開催予定 though it has begun: what begun_but_not_held finds in SQL. A meeting known
    only to its fiscal years is never overdue: its secretariat gives it a day when it is held."""
    return meeting.status is MeetingStatus.SCHEDULED and meeting.dated and is_over(meeting, now)


def not_held_among(meetings: Iterable[Meeting], may_edit: Callable[[int], bool]) -> set[int]:
    """Ids of the listed meetings begun but still 開催予定 whose consortium may_edit allows: a list
    shows them to their secretariat as needing attention."""
    now = utcnow()
    return {m.id for m in meetings if is_begun_but_not_held(m, now) and may_edit(m.consortium_id)}


def begun_but_not_held_clause(now: datetime) -> sa.ColumnElement[bool]:
    """Still 開催予定 though begun by now: is_begun_but_not_held in SQL."""
    today = to_tokyo(now).date()
    midnight = tokyo_datetime(today.year, today.month, today.day)
    begun = sa.or_(
        sa.and_(Meeting.precision == DatePrecision.MINUTE, Meeting.starts_at <= now),
        sa.and_(Meeting.precision != DatePrecision.MINUTE, Meeting.starts_at < midnight),
    )
    return sa.and_(Meeting.status == MeetingStatus.SCHEDULED, Meeting.dated, begun)


def begun_but_not_held(consortium_id: int, limit: int) -> list[Meeting]:
    """The consortium's meetings still 開催予定 though they have begun, the oldest `limit` of them:
    the secretariat is asked to mark them held."""
    return list(
        db.session.execute(
            sa.select(Meeting)
            .where(Meeting.consortium_id == consortium_id, begun_but_not_held_clause(utcnow()))
            .order_by(Meeting.starts_at, Meeting.id)
            .limit(limit)
        ).scalars()
    )


def has_minutes(meeting: Meeting) -> bool:
    return db.session.execute(sa.select(sa.exists().where(Minutes.meeting_id == meeting.id))).scalar()


def delete_meeting(meeting: Meeting) -> list[str]:
    """Delete a meeting with its agenda and materials; return the storage keys to remove after commit.

    Raises HasMinutes rather than take minutes with it: they are a record, never lost by accident.
    """
    if has_minutes(meeting):
        raise HasMinutes()
    keys = list(db.session.execute(sa.select(Document.storage_key).where(Document.meeting_id == meeting.id)).scalars())
    db.session.delete(meeting)
    db.session.flush()
    return keys


# ---------------------------------------------------------------------------------------------
# Agenda items


def agenda_with_presenters(meeting_id: int) -> list[AgendaItem]:
    """A meeting's agenda items in agenda order, closed ones included, presenters loaded."""
    items = db.session.execute(
        sa.select(AgendaItem)
        .where(AgendaItem.meeting_id == meeting_id)
        .options(
            selectinload(AgendaItem.presenters).options(
                joinedload(AgendaPresenter.person), joinedload(AgendaPresenter.organization)
            )
        )
    ).scalars().all()
    return in_agenda_order(items)


def in_agenda_order(items: list[AgendaItem]) -> list[AgendaItem]:
    """Top-level items by position, each followed by its sub-items by position."""
    def key(item: AgendaItem) -> tuple[int, int]:
        return item.position, item.id

    children: dict[int, list[AgendaItem]] = {}
    for item in items:
        if item.parent_id is not None:
            children.setdefault(item.parent_id, []).append(item)
    ordered = []
    for item in sorted((i for i in items if i.parent_id is None), key=key):
        ordered.append(item)
        ordered.extend(sorted(children.get(item.id, []), key=key))
    return ordered


def places(items: list[AgendaItem]) -> list[tuple[AgendaItem, int, int]]:
    """Items already in agenda order with their place: (item, n, 0) for the n-th at the top,
    (item, n, k) for the k-th under it. Each printout writes the place its own way."""
    placed, top, sub = [], 0, 0
    for item in items:
        if item.parent_id is None:
            top, sub = top + 1, 0
        else:
            sub += 1
        placed.append((item, top, sub))
    return placed


def _siblings(meeting_id: int, parent_id: int | None) -> list[AgendaItem]:
    parent = AgendaItem.parent_id.is_(None) if parent_id is None else AgendaItem.parent_id == parent_id
    return list(
        db.session.execute(
            sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting_id, parent).order_by(AgendaItem.position, AgendaItem.id)
        ).scalars()
    )


def _next_position(meeting_id: int, parent_id: int | None, excluding: AgendaItem | None = None) -> int:
    positions = [i.position for i in _siblings(meeting_id, parent_id) if i is not excluding]
    return max(positions, default=0) + 1


def top_level(meeting_id: int) -> list[AgendaItem]:
    """The meeting's top-level items, in order: those an item may go under."""
    return _siblings(meeting_id, None)


def children_of(item: AgendaItem) -> list[AgendaItem]:
    """The item's sub-items, in order."""
    return _siblings(item.meeting_id, item.id)


def add_item(meeting: Meeting, values: dict) -> AgendaItem:
    """Add an item at the end of the agenda, or at the end of the chosen parent's sub-items."""
    item = AgendaItem(meeting=meeting, position=_next_position(meeting.id, values.get("parent_id")), **values)
    db.session.add(item)
    db.session.flush()
    return item


def update_item(item: AgendaItem, values: dict) -> None:
    """Apply the typed values; an item put under another parent goes to the end of its sub-items."""
    if values.get("parent_id") != item.parent_id:
        item.position = _next_position(item.meeting_id, values.get("parent_id"), excluding=item)
    assign(item, values)
    db.session.flush()


def move_item(item: AgendaItem, direction: str) -> bool:
    """Swap the item with its neighbour among its siblings; False when it is already at that end."""
    return move(_siblings(item.meeting_id, item.parent_id), item, direction)


def item_in_minutes(item: AgendaItem, children: list[AgendaItem]) -> bool:
    """Whether the minutes record something under the item or its sub-items; it is then kept."""
    ids = [item.id, *(child.id for child in children)]
    return any(
        db.session.execute(sa.select(sa.exists().where(model.agenda_item_id.in_(ids)))).scalar()
        for model in (DiscussionPoint, Decision)
    )


def delete_item(item: AgendaItem, children: list[AgendaItem]) -> None:
    """Delete an item with its sub-items (children_of) and presenters; its materials stay with
    the meeting. Materials of a closed item stay closed: they become members-only materials."""
    for row in [item, *children]:
        if not is_open_item(row):
            for document in row.documents:
                document.access = DocumentAccess.MEMBERS
    for child in children:
        db.session.delete(child)
    db.session.delete(item)
    db.session.flush()


def add_presenter(item: AgendaItem, who: Person | Organization, title: str | None) -> AgendaPresenter:
    """Add a presenter at the end of the item's list."""
    position = max((p.position for p in item.presenters), default=0) + 1
    presenter = AgendaPresenter(
        agenda_item=item,
        person=who if isinstance(who, Person) else None,
        organization=who if isinstance(who, Organization) else None,
        title=title,
        position=position,
    )
    db.session.add(presenter)
    db.session.flush()
    return presenter


def remove_presenter(presenter: AgendaPresenter) -> None:
    db.session.delete(presenter)
    db.session.flush()


def items_in_minutes(meeting_id: int) -> frozenset[int]:
    """The ids of the meeting's items the minutes record something under: they are kept."""
    found = set()
    for model in (DiscussionPoint, Decision):
        found.update(
            db.session.execute(
                sa.select(model.agenda_item_id)
                .join(AgendaItem, AgendaItem.id == model.agenda_item_id)
                .where(AgendaItem.meeting_id == meeting_id)
            ).scalars()
        )
    return frozenset(found)


def save_agenda(
    meeting: Meeting, stored: dict[int, AgendaItem], plan: list[tuple[int | None, str, bool, bool]], removed: list[int]
) -> tuple[int, int, int]:
    """Make the meeting's agenda the plan: (stored item id or None for a new one, title, is a
    sub-item, is public) in agenda order, a sub-item going under the nearest top-level item above
    it; remove the items named in `removed`. Stored items are changed in place, so their
    presenters, materials and the minutes' links stay. Return how many were added, changed, removed.
    """
    added = changed = 0
    top: AgendaItem | None = None
    top_count = sub_count = 0
    for item_id, title, is_sub, is_public in plan:
        if is_sub:
            sub_count += 1
            values = {"parent_id": top.id, "position": sub_count}
        else:
            top_count, sub_count = top_count + 1, 0
            values = {"parent_id": None, "position": top_count}
        values.update(title=title, is_public=is_public)
        if item_id is None:
            item = AgendaItem(meeting=meeting, **values)
            db.session.add(item)
            added += 1
        else:
            item = stored[item_id]
            if any(getattr(item, name) != value for name, value in values.items() if name != "position"):
                changed += 1
            assign(item, values)
        if not is_sub:
            if item.id is None:
                db.session.flush()  # a new top-level item needs its id before its sub-items name it
            top = item
    db.session.flush()  # every kept item is under its new parent before a removed one goes
    # Sub-items first: a top-level item's removal takes its remaining sub-items with it in the database.
    for item_id in sorted(removed, key=lambda i: stored[i].parent_id is None):
        delete_item(stored[item_id], [])
    return added, changed, len(removed)
