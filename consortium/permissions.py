"""The one place that says who may see or change what. Views and templates both ask here.

Visibility is inherited downward: minutes and documents from their meeting, a meeting
from its consortium. Anonymous visitors see public consortia, their public meetings and
published minutes; members see their own consortia whole; administrators see everything.

Every view declares its rule with @guard(Access.…). The guard loads the row named by the
URL (one id per URL), answers 404 when the visitor may not see it, sends anonymous
visitors to the login page and answers 403 to signed-in users below the level.
"""
from __future__ import annotations

import enum
from functools import wraps

import sqlalchemy as sa
from flask import abort, g
from flask_login import AnonymousUserMixin, current_user

from .extensions import db, login_manager
from .japanese import today_tokyo
from .models import (
    AgendaItem,
    ApiToken,
    AgendaPresenter,
    Consortium,
    Document,
    DocumentAccess,
    Grant,
    GrantRole,
    Meeting,
    Membership,
    Milestone,
    Minutes,
    Organization,
    Person,
    Poll,
    RosterGroup,
    SentNotice,
    Target,
    TargetReport,
    User,
    Visibility,
)


class Access(enum.IntEnum):
    """Who may use a route, relative to the consortium its row belongs to.

    For rows outside any consortium (organisations, people), MEMBER and SECRETARIAT mean
    member or secretariat of some consortium: secretariats keep the shared directory.
    """

    PUBLIC = 0  # whoever may see the row
    SIGNED_IN = 1
    MEMBER = 2
    SECRETARIAT = 3
    ADMIN = 4


# The URL argument that names a route's row, and its model. A URL names at most one.
SUBJECTS = {
    "consortium_id": Consortium,
    "meeting_id": Meeting,
    "item_id": AgendaItem,
    "document_id": Document,
    "membership_id": Membership,
    "group_id": RosterGroup,
    "milestone_id": Milestone,
    "target_id": Target,
    "report_id": TargetReport,
    "organization_id": Organization,
    "person_id": Person,
    "user_id": User,
    "poll_id": Poll,
    "notice_id": SentNotice,
    "token_id": ApiToken,
}


def guard(level: Access, *options):
    """Declare and enforce a view's rule: load the URL's row, 404 if hidden, then check the level.

    Loader options (joinedload…) apply to that first load; the view's own db.session.get then
    finds the row, loaded with them, in the session.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(**kwargs):
            subject = None
            names = [name for name in kwargs if name in SUBJECTS]
            if len(names) > 1:
                raise RuntimeError(f"{view.__name__}: a URL names one row, not {names}")
            if names:
                subject = db.session.get(SUBJECTS[names[0]], kwargs[names[0]], options=options)
                if subject is None or not can_view(subject):
                    abort(404)
            require(level, consortium_of(subject) if subject is not None else None)
            return view(**kwargs)

        wrapper.access = level
        return wrapper

    return decorate


def require(level: Access, consortium_id: int | None = None) -> None:
    """Abort unless the visitor reaches the level (in the consortium, when given)."""
    if level is Access.PUBLIC:
        return
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not has_level(level, consortium_id):
        abort(403)


def has_level(level: Access, consortium_id: int | None = None, user=None) -> bool:
    user = _user(user)
    if level <= Access.PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    if level is Access.SIGNED_IN or is_admin(user):
        return True
    if level is Access.ADMIN:
        return False
    roles = grants_of(user)
    if consortium_id is not None:
        role = roles.get(consortium_id)
        roles = {consortium_id: role} if role else {}
    wanted = (GrantRole.SECRETARIAT,) if level is Access.SECRETARIAT else (GrantRole.SECRETARIAT, GrantRole.MEMBER)
    return any(role in wanted for role in roles.values())


def is_secretariat(consortium_id: int, user=None) -> bool:
    """Secretariat of the consortium, or an administrator."""
    return has_level(Access.SECRETARIAT, consortium_id, user)


def can_edit_directory(user=None) -> bool:
    """Organisations and people are kept by administrators and any secretariat."""
    return has_level(Access.SECRETARIAT, None, user)


def consortium_of(row) -> int | None:
    """The id of the consortium a row belongs to, walking up the chain; None for shared rows."""
    if isinstance(row, Consortium):
        return row.id
    if hasattr(row, "consortium_id"):
        return row.consortium_id
    for parent in ("meeting", "target", "minutes", "agenda_item", "poll", "slot"):
        owner = getattr(row, parent, None)
        if owner is not None:  # a notice names a meeting or a poll: the other is None
            return consortium_of(owner)
    return None


def can_view(row, user=None) -> bool:
    """Whether the visitor may see a row; each kind inherits from its parent."""
    if isinstance(row, Consortium):
        return can_view_consortium(row, user)
    if isinstance(row, Meeting):
        return can_view_meeting(row, user)
    if isinstance(row, AgendaItem):
        return can_view_meeting(row.meeting, user) and (is_open_item(row) or is_member(row.meeting.consortium_id, user))
    if isinstance(row, Document):
        return can_view_document(row, user)
    if isinstance(row, Minutes):
        return can_view_minutes(row, user)
    if isinstance(row, Poll):
        return can_view_meeting(row.meeting, user)
    if isinstance(row, Person):
        return can_view_person(row, user)
    if isinstance(row, User):
        return is_admin(user) or row.id == getattr(_user(user), "id", None)
    if isinstance(row, ApiToken):
        return is_admin(user) or row.user_id == getattr(_user(user), "id", None)
    if isinstance(row, Organization):
        return True
    consortium_id = consortium_of(row)
    return can_view_consortium(db.session.get(Consortium, consortium_id), user)


def is_open_item(item: AgendaItem) -> bool:
    """An agenda item open to the public: neither it nor the item it sits under is closed."""
    return item.is_public and (item.parent is None or item.parent.is_public)


def can_view_document(document: Document, user=None) -> bool:
    """A material goes where its meeting goes, unless it is for members or under a closed item."""
    if is_member(document.meeting.consortium_id, user):
        return True
    if document.access is DocumentAccess.MEMBERS:
        return False
    if document.agenda_item is not None and not is_open_item(document.agenda_item):
        return False
    return can_view_meeting(document.meeting, user)


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
    """The user's effective role per consortium id, read once per request in one query.

    A consortium's secretariat also runs the consortia below it (a programme's platforms and
    their projects), down to any that has a secretariat of its own: that one, and all below it,
    are run by their own. Membership is not inherited: a programme's member is no member of
    its platforms. Every rule here asks this, so each follows.
    """
    user = _user(user)
    if isinstance(user, AnonymousUserMixin) or not user.is_authenticated:
        return {}
    cache = g.setdefault("_grants", {})
    if user.id not in cache:
        granted = sa.select(Grant.consortium_id, Grant.role).where(Grant.user_id == user.id)
        run = _run_below(user.id)
        # Inherited rows carry no role (NULL): they are secretariat, whatever the own grant says.
        rows = db.session.execute(sa.union_all(granted, sa.select(run.c.id, sa.null()))).all()
        roles = {cid: role for cid, role in rows if role is not None}
        roles.update((cid, GrantRole.SECRETARIAT) for cid, role in rows if role is None)
        cache[user.id] = roles
    return cache[user.id]


def has_own_secretariat() -> sa.ColumnElement[bool]:
    """A clause on Consortium: an active account holds its secretariat grant (it runs itself)."""
    return (
        sa.select(Grant.id)
        .join(Grant.user)
        .where(Grant.consortium_id == Consortium.id, Grant.role == GrantRole.SECRETARIAT, User.active)
        .exists()
    )


def _run_below(user_id: int) -> sa.CTE:
    """Ids of the consortia the user runs as secretariat: those granted, and each consortium
    below one of them that has no secretariat of its own (UNION stops at any cycle)."""
    run = (
        sa.select(Grant.consortium_id.label("id"))
        .where(Grant.user_id == user_id, Grant.role == GrantRole.SECRETARIAT)
        .cte("run", recursive=True)
    )
    below = sa.select(Consortium.id).join(run, Consortium.parent_id == run.c.id).where(~has_own_secretariat())
    return run.union(below)


def run_by_ancestor(consortium: Consortium) -> Consortium | None:
    """The consortium whose secretariat runs this one, when it has no secretariat of its own:
    the nearest one above it that has (None if it runs itself, or nothing above it does)."""
    if consortium.parent_id is None:
        return None
    up = sa.select(Consortium.id, Consortium.parent_id).where(Consortium.id == consortium.id).cte("up", recursive=True)
    up = up.union(sa.select(Consortium.id, Consortium.parent_id).join(up, Consortium.id == up.c.parent_id))
    rows = db.session.execute(
        sa.select(Consortium, has_own_secretariat()).where(Consortium.id.in_(sa.select(up.c.id)))
    ).all()
    chain = {row.id: (row, runs) for row, runs in rows}
    seen, current = set(), consortium.id
    while current in chain and current not in seen:
        seen.add(current)
        row, runs = chain[current]
        if runs:
            return None if row.id == consortium.id else row
        current = row.parent_id
    return None


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


class ContactView(enum.Enum):
    """How much of a person's private email and phone a viewer sees (consortium/contact.py)."""

    FULL = "full"
    MASKED = "masked"  # that one exists, not what it is
    NONE = "none"


def contact_view(person: Person, user=None) -> ContactView:
    """Administrators and the person's own account see the details in full; secretariats, who
    keep the directory and invite members, see that they exist; no one else sees anything."""
    user = _user(user)
    if is_admin(user) or (user.is_authenticated and person.id is not None and user.person_id == person.id):
        return ContactView.FULL
    return ContactView.MASKED if can_edit_directory(user) else ContactView.NONE


def can_edit_contact(person: Person, user=None) -> bool:
    """A person's email and phone may be set by administrators, and by the secretariat of a
    consortium where the person holds a current or incoming seat, or works for an organisation that does
    (its contact). Never by a secretariat for people outside its consortia. Setting is not seeing:
    contact_view still decides what the page shows."""
    user = _user(user)
    if is_admin(user):
        return True
    managed = [cid for cid, role in grants_of(user).items() if role is GrantRole.SECRETARIAT]
    if not managed or person.id is None:
        return False
    seat_holder = sa.or_(
        Membership.person_id == person.id,
        sa.and_(Membership.organization_id.is_not(None), Membership.organization_id == person.organization_id),
    )
    not_ended = sa.or_(Membership.term_end.is_(None), Membership.term_end >= today_tokyo())  # incoming members too
    seat = sa.select(Membership.id).where(
        Membership.consortium_id.in_(managed), not_ended, seat_holder
    )
    return bool(db.session.execute(sa.select(seat.exists())).scalar())


def can_edit_roster_contacts(consortium_id: int, user=None) -> bool:
    """can_edit_contact for everyone who holds, or by a roster import takes, a current seat in the
    consortium: its secretariat and administrators. One answer for a whole file, not a query a row."""
    return is_secretariat(consortium_id, user)


def shows_contacts(user=None) -> bool:
    """Whether contact_view shows this viewer anything of people not their own (full or masked):
    a roster export carries an email column only for them."""
    user = _user(user)
    return is_admin(user) or can_edit_directory(user)


def can_view_private_note(user=None) -> bool:
    """A person's private note: administrators only."""
    return is_admin(user)


def visible_consortia(user=None) -> sa.ColumnElement[bool]:
    """A WHERE clause on Consortium for what the user may see."""
    if is_admin(user):
        return sa.true()
    own = list(grants_of(user))
    clause = Consortium.visibility == Visibility.PUBLIC
    return sa.or_(clause, Consortium.id.in_(own)) if own else clause


def visible_memberships(user=None, membership=Membership) -> sa.ColumnElement[bool]:
    """A WHERE clause on Membership (or an alias of it) joined to its Consortium: seats in consortia
    the viewer may see, current and former; a seat entered ahead (its term starts after today) is
    not announced before its day, except to the consortium's secretariat (roster.as_of)."""
    started = sa.or_(membership.term_start.is_(None), membership.term_start <= today_tokyo())
    return sa.and_(visible_consortia(user), sa.or_(started, managed_consortia(user)))


def managed_consortia(user=None) -> sa.ColumnElement[bool]:
    """A WHERE clause on Consortium for those the user runs as secretariat (administrators: all)."""
    if is_admin(user):
        return sa.true()
    return Consortium.id.in_([cid for cid, role in grants_of(user).items() if role is GrantRole.SECRETARIAT])


def visible_meetings(user=None) -> sa.ColumnElement[bool]:
    """A WHERE clause on Meeting joined to its Consortium."""
    if is_admin(user):
        return sa.true()
    own = list(grants_of(user))
    clause = sa.and_(Meeting.is_public, Consortium.visibility == Visibility.PUBLIC)
    return sa.or_(clause, Meeting.consortium_id.in_(own)) if own else clause


def own_meetings(user=None) -> sa.ColumnElement[bool]:
    """A WHERE clause on Meeting for the meetings of the consortia the user belongs to (grants),
    closed ones included: the personal calendar and feed. Administrators too: only their grants.
    A programme's secretariat gets the meetings of the platforms it runs (grants_of): it is the
    one who plans them; platforms with a secretariat of their own stay out."""
    return Meeting.consortium_id.in_(list(grants_of(user)))


def is_own(consortium_id: sa.ColumnElement[int], user=None) -> sa.ColumnElement[bool]:
    """SQL twin of is_member: the consortium is one of the viewer's (administrators: any)."""
    if is_admin(user):
        return sa.true()
    own = list(grants_of(user))
    return consortium_id.in_(own) if own else sa.false()


def _open(item, parent) -> sa.ColumnElement[bool]:
    return sa.and_(item.is_public, sa.or_(parent.id.is_(None), parent.is_public))


# An agenda item and the item it sits under, for the subqueries below (made once: aliasing costs).
_ITEM, _PARENT = sa.orm.aliased(AgendaItem, name="item"), sa.orm.aliased(AgendaItem, name="parent_item")


def is_open_item_id(item_id: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """SQL twin of is_open_item, for the agenda item of that id."""
    item, parent = _ITEM, _PARENT
    return (
        sa.select(item.id).outerjoin(parent, item.parent_id == parent.id).where(item.id == item_id, _open(item, parent)).exists()
    )


def has_closed_item(meeting_id: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """SQL: the meeting has an agenda item closed to the public (summary.closed_item_ids)."""
    item, parent = _ITEM, _PARENT
    return (
        sa.select(item.id)
        .outerjoin(parent, item.parent_id == parent.id)
        .where(item.meeting_id == meeting_id, sa.not_(_open(item, parent)))
        .exists()
    )


def presentations(user=None) -> sa.Select:
    """Agenda presenters on items the viewer may see: open items (under no closed item) of
    visible meetings, or any item of the viewer's own consortia."""
    parent = sa.orm.aliased(AgendaItem)
    item_visible = sa.or_(_open(AgendaItem, parent), is_own(Meeting.consortium_id, user))
    return (
        sa.select(AgendaPresenter)
        .join(AgendaPresenter.agenda_item)
        .outerjoin(parent, AgendaItem.parent_id == parent.id)
        .join(AgendaItem.meeting)
        .join(Meeting.consortium)
        .where(visible_meetings(user), item_visible)
    )


def visible_people(user=None) -> sa.ColumnElement[bool]:
    """A WHERE clause on Person: shown where they appear in something the viewer may see.

    Administrators and secretariats keep the shared directory, so they see everyone
    (their private contact details they see masked: contact_view).
    """
    if can_edit_directory(user):
        return sa.true()
    on_roster = (
        sa.select(Membership.id)
        .join(Membership.consortium)
        .where(Membership.person_id == Person.id, visible_consortia(user))
    )
    presenting = presentations(user).where(AgendaPresenter.person_id == Person.id)
    return sa.or_(on_roster.exists(), presenting.exists())


def can_view_person(person: Person, user=None) -> bool:
    if can_edit_directory(user):
        return True
    visible = sa.select(Person.id).where(Person.id == person.id, visible_people(user))
    return bool(db.session.execute(sa.select(visible.exists())).scalar())
