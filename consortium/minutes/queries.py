"""The reads the minutes pages share, each loading what its page shows in a fixed number of queries."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from .. import permissions
from ..extensions import db
from ..models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    Decision,
    DiscussionPoint,
    Grant,
    Meeting,
    Membership,
    Minutes,
    MinutesApproval,
    MinutesComment,
    MinutesRevision,
    MinutesStatus,
    Role,
    User,
)


def load_minutes(meeting_id: int, workflow: bool = True) -> Minutes | None:
    """A meeting's minutes with their points, decisions and actions, and with workflow=True
    their approvals and comments (the meeting page shows neither)."""
    options = [
        selectinload(Minutes.points).options(joinedload(DiscussionPoint.speaker), joinedload(DiscussionPoint.agenda_item)),
        selectinload(Minutes.decisions).joinedload(Decision.agenda_item),
        selectinload(Minutes.action_items).joinedload(ActionItem.owner),
    ]
    if workflow:
        options += [
            selectinload(Minutes.approvals).joinedload(MinutesApproval.user),
            selectinload(Minutes.comments).joinedload(MinutesComment.user),
        ]
    return db.session.execute(sa.select(Minutes).where(Minutes.meeting_id == meeting_id).options(*options)).scalar_one_or_none()


# Loaded with a meeting (with_expression(Meeting.minutes_version, VERSION)): when its minutes row
# last changed (its status, its text), or None without minutes.
VERSION = sa.select(Minutes.updated_at).where(Minutes.meeting_id == Meeting.id).scalar_subquery()


def signatures(minutes_id: int) -> list[MinutesApproval]:
    """The signatories of the minutes (会議録署名) in the order designated, with the names they sign under."""
    return list(
        db.session.execute(
            sa.select(MinutesApproval)
            .where(MinutesApproval.minutes_id == minutes_id)
            .options(joinedload(MinutesApproval.user).joinedload(User.person))
            .order_by(MinutesApproval.id)
        ).scalars()
    )


def agenda_items(meeting_id: int) -> list[AgendaItem]:
    """All of a meeting's agenda items in order, closed ones included."""
    return list(
        db.session.execute(
            sa.select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(AgendaItem.position, AgendaItem.id)
        ).scalars()
    )


def latest_revision(minutes: Minutes, at_most: int | None = None) -> MinutesRevision | None:
    """The newest revision, or the newest one saved at or before a version."""
    stmt = sa.select(MinutesRevision).where(MinutesRevision.minutes_id == minutes.id)
    if at_most is not None:
        stmt = stmt.where(MinutesRevision.version <= at_most)
    stmt = stmt.options(joinedload(MinutesRevision.user)).order_by(MinutesRevision.version.desc()).limit(1)
    return db.session.execute(stmt).scalar_one_or_none()


def signatory_candidates(consortium_id: int) -> list[User]:
    """Active users holding a grant in the consortium: those who may sign its minutes."""
    return list(
        db.session.execute(
            sa.select(User)
            .join(Grant, Grant.user_id == User.id)
            .where(Grant.consortium_id == consortium_id, User.active)
            .order_by(User.display_name, User.id)
        ).scalars()
    )


def chair_users(consortium_id: int, today: date) -> list[User]:
    """Users linked to the person of a current chair (座長) membership who hold a grant here.

    Without a grant they could not open the minutes to sign them, so they are not added.
    """
    return list(
        db.session.execute(
            sa.select(User)
            .join(Membership, Membership.person_id == User.person_id)
            .join(Grant, sa.and_(Grant.user_id == User.id, Grant.consortium_id == consortium_id))
            .where(
                Membership.consortium_id == consortium_id,
                Membership.role == Role.CHAIR,
                Membership.in_term(today),
                User.active,
            )
            .order_by(User.id)
            .distinct()
        ).scalars()
    )


def open_action_items(consortium_id: int, user=None) -> list[ActionItem]:
    """Open action items across all of a consortium's minutes the viewer may see, soonest due first."""
    return list(db.session.execute(open_actions_statement(consortium_id, user)).scalars())


def open_actions_statement(consortium_id: int, user=None) -> sa.Select:
    """The query of open_action_items, for a paginated list.

    Members see every one. Others see those of published minutes of meetings they may see, and
    none from a meeting with a closed agenda item: an action item names no agenda item, so it
    cannot be shown to be outside the closed part.
    """
    stmt = (
        sa.select(ActionItem)
        .join(ActionItem.minutes)
        .join(Minutes.meeting)
        .join(Meeting.consortium)
        .where(Meeting.consortium_id == consortium_id, ActionItem.status == ActionStatus.OPEN)
        .options(joinedload(ActionItem.owner), contains_eager(ActionItem.minutes).contains_eager(Minutes.meeting))
        .order_by(
            ActionItem.due_on.is_(None), ActionItem.due_on, Meeting.starts_at, ActionItem.position, ActionItem.id
        )
    )
    if not permissions.is_member(consortium_id, user):
        closed = sa.exists().where(AgendaItem.meeting_id == Meeting.id, AgendaItem.is_public == sa.false())
        stmt = stmt.where(Minutes.status == MinutesStatus.PUBLISHED, permissions.visible_meetings(user), ~closed)
    return stmt
