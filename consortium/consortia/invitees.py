"""Who mail about a poll or a meeting goes to: the current roster, each with the address it reaches them at."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, request
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..forms import positive_int
from ..models import Membership, Person
from .services import current_roster


@dataclass(frozen=True)
class Invitee:
    """A current member and the person who answers for them: the member themself, or, for an
    organisation on the roster, its contact (see contacts_of)."""

    membership: Membership
    contact: Person | None

    @property
    def email(self) -> str | None:
        return (self.contact.email or None) if self.contact else None

    @property
    def name(self) -> str:
        return self.membership.name


def invitees(consortium_id: int) -> list[Invitee]:
    """The consortium's current members in roster order, with whoever answers for each (two queries)."""
    memberships = db.session.execute(
        current_roster(consortium_id).options(joinedload(Membership.person), joinedload(Membership.organization))
    ).scalars().all()
    contacts = contacts_of([m.organization_id for m in memberships if m.organization_id])
    return [
        Invitee(m, m.person if m.person is not None else contacts.get(m.organization_id)) for m in memberships
    ]


def invitee(consortium_id: int, membership_id: int) -> Invitee | None:
    """One current member as an invitee, or None when the membership is not on the roster."""
    return next((i for i in invitees(consortium_id) if i.membership.id == membership_id), None)


def requested_invitee(consortium_id: int, missing: str) -> Invitee:
    """The current member a page's ?member=<membership id> names: 400 with the message when it
    names none, 404 when they are not on the consortium's roster."""
    membership_id = positive_int(request.args.get("member", ""))
    if membership_id is None:
        abort(400, description=missing)
    return invitee(consortium_id, membership_id) or abort(404)


def has_email() -> sa.ColumnElement[bool]:
    """A person with an address mail can go to."""
    return sa.and_(Person.email.is_not(None), Person.email != "")


def contacts_of(organization_ids: list[int]) -> dict[int, Person]:
    """Each organisation's contact: of the people whose main affiliation it is and who have an
    email, the first recorded (the directory keeps no separate contact field)."""
    if not organization_ids:
        return {}
    people = db.session.execute(
        sa.select(Person)
        .where(Person.organization_id.in_(organization_ids), has_email())
        .order_by(Person.id)
    ).scalars()
    contacts: dict[int, Person] = {}
    for person in people:
        contacts.setdefault(person.organization_id, person)
    return contacts


def invitee_of_person(found: list[Invitee], person_id: int | None) -> Invitee | None:
    """The invitee a signed-in person answers for: their own seat first, else an organisation
    they are the contact of."""
    if person_id is None:
        return None
    own = [i for i in found if i.membership.person_id == person_id]
    theirs = [i for i in found if i.contact is not None and i.contact.id == person_id]
    return (own or theirs or [None])[0]
