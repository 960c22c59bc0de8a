"""The one place that says who may see or change what. Views and templates both ask here.

Visibility is inherited downward: minutes and documents from their meeting, a meeting
from its consortium. Anonymous visitors see public consortia, their public meetings and
published minutes; members see their own consortia whole; administrators see everything.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import g
from flask_login import AnonymousUserMixin, current_user

from .extensions import db, login_manager
from .models import (
    AgendaPresenter,
    AgendaItem,
    Consortium,
    Grant,
    GrantRole,
    Meeting,
    Membership,
    Minutes,
    Person,
    User,
    Visibility,
)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.is_active else None


def _user(user=None):
    return current_user if user is None else user


def is_admin(user=None) -> bool:
    user = _user(user)
    return bool(user.is_authenticated and user.is_admin)


def grants_of(user=None) -> dict[int, GrantRole]:
    """The user's role per consortium id, read once per request."""
    user = _user(user)
    if isinstance(user, AnonymousUserMixin) or not user.is_authenticated:
        return {}
    cache = g.setdefault("_grants", {})
    if user.id not in cache:
        rows = db.session.execute(
            sa.select(Grant.consortium_id, Grant.role).where(Grant.user_id == user.id)
        ).all()
        cache[user.id] = {cid: role for cid, role in rows}
    return cache[user.id]


def is_member(consortium_id: int, user=None) -> bool:
    """Member or secretariat of the consortium, or an administrator."""
    return is_admin(user) or consortium_id in grants_of(user)


def can_view_consortium(consortium: Consortium, user=None) -> bool:
    return consortium.visibility is Visibility.PUBLIC or is_member(consortium.id, user)


def can_view_meeting(meeting: Meeting, user=None) -> bool:
    if is_member(meeting.consortium_id, user):
        return True
    return meeting.is_public and meeting.consortium.visibility is Visibility.PUBLIC


def can_view_minutes(minutes: Minutes, user=None) -> bool:
    """Published minutes go wherever their meeting goes; drafts stay with the members."""
    if is_member(minutes.meeting.consortium_id, user):
        return True
    return minutes.is_published and can_view_meeting(minutes.meeting, user)


def can_view_private_contact(user=None) -> bool:
    """Private contact details of people: administrators only."""
    return is_admin(user)


def visible_consortia(user=None) -> sa.ColumnElement[bool]:
    """A WHERE clause on Consortium for what the user may see."""
    if is_admin(user):
        return sa.true()
    own = list(grants_of(user))
    clause = Consortium.visibility == Visibility.PUBLIC
    return sa.or_(clause, Consortium.id.in_(own)) if own else clause


def visible_meetings(user=None) -> sa.ColumnElement[bool]:
    """A WHERE clause on Meeting joined to its Consortium."""
    if is_admin(user):
        return sa.true()
    own = list(grants_of(user))
    clause = sa.and_(Meeting.is_public, Consortium.visibility == Visibility.PUBLIC)
    return sa.or_(clause, Meeting.consortium_id.in_(own)) if own else clause


def can_view_person(person: Person, user=None) -> bool:
    """A person is shown only where they appear in something the viewer may see."""
    if is_admin(user):
        return True
    on_roster = sa.select(Membership.id).join(Consortium).where(
        Membership.person_id == person.id, visible_consortia(user)
    )
    presenting = (
        sa.select(AgendaPresenter.id)
        .join(AgendaItem)
        .join(Meeting)
        .join(Consortium)
        .where(AgendaPresenter.person_id == person.id, visible_meetings(user))
    )
    return bool(db.session.execute(sa.select(sa.exists(on_roster) | sa.exists(presenting))).scalar())
