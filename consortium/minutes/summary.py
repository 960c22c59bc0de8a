"""The full 議事録 for members and the public 議事要旨 that leaves closed agenda items out.

One place decides what of a meeting's agenda and minutes stays with the members, so the
minutes page, the meeting page and the open action items cannot disagree.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from ..models import (
    ActionItem,
    AgendaItem,
    Consortium,
    Decision,
    DiscussionPoint,
    Document,
    Meeting,
    Minutes,
    MinutesStatus,
    Visibility,
)
from ..permissions import can_view_document, has_closed_item, is_open_item, is_open_item_id, is_own


def closed_item_ids(items: list[AgendaItem]) -> set[int]:
    """Ids of the agenda items closed to the public; a sub-item of a closed item is closed too."""
    return {item.id for item in items if not is_open_item(item)}


def leave_out_closed(items: list[AgendaItem], *rows: list) -> tuple[list, ...]:
    """The public part: open agenda items, then each list of rows (anything with agenda_item_id)
    without those under a closed item. `items` must be all of the meeting's agenda items."""
    closed = closed_item_ids(items)
    return (
        [item for item in items if item.id not in closed],
        *([row for row in group if row.agenda_item_id not in closed] for group in rows),
    )


def shown_outside(items: list[AgendaItem], documents: list[Document]) -> tuple[list[AgendaItem], list[Document]]:
    """What of a meeting's agenda and materials is shown to those outside its consortium: the open
    items, and the materials neither for members only nor under a closed item."""
    (items,) = leave_out_closed(items)
    return items, [d for d in documents if can_view_document(d)]


@dataclass
class MinutesView:
    """What a reader is shown of the minutes."""

    minutes: Minutes
    full: bool  # the 議事録 for members, or the public 議事要旨
    points: list[DiscussionPoint] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)
    body: str | None = None
    # Set when the summary had to leave out what cannot be placed under an agenda item.
    withheld: bool = False


def minutes_view(minutes: Minutes, items: list[AgendaItem], full: bool) -> MinutesView:
    """The full minutes, or the public summary of them.

    The free body, the action items and points or decisions that name no agenda item cannot be
    placed, so when a meeting has a closed item they stay out of the public summary.
    """
    if full:
        return MinutesView(minutes, True, minutes.points, minutes.decisions, minutes.action_items, minutes.body)
    closed = closed_item_ids(items)
    has_closed = bool(closed)
    if has_closed:
        # What names no agenda item cannot be shown to be outside the closed part.
        closed = closed | {None}
    points = [p for p in minutes.points if p.agenda_item_id not in closed]
    decisions = [d for d in minutes.decisions if d.agenda_item_id not in closed]
    return MinutesView(
        minutes,
        False,
        points,
        decisions,
        [] if has_closed else list(minutes.action_items),
        None if has_closed else minutes.body,
        withheld=has_closed,
    )


def shown(model: type, user=None) -> sa.ColumnElement[bool]:
    """SQL twin of can_view_minutes with minutes_view, for rows of the model (Minutes, for their
    body; DiscussionPoint, Decision or ActionItem) joined to their Minutes, Meeting and Consortium:
    every row for members, and for others what the public summary shows."""
    public = sa.and_(Minutes.status == MinutesStatus.PUBLISHED, Meeting.is_public, Consortium.visibility == Visibility.PUBLIC)
    no_closed_item = sa.not_(has_closed_item(Meeting.id))
    if model in (Minutes, ActionItem):
        placed = no_closed_item
    else:
        placed = sa.or_(sa.and_(model.agenda_item_id.is_(None), no_closed_item), is_open_item_id(model.agenda_item_id))
    return sa.or_(is_own(Meeting.consortium_id, user), sa.and_(public, placed))
