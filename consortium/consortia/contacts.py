"""The secretariat's contact sheet: each current seat with the person who answers for it (the
member, or an organisation's contact as invitees.contacts_of derives it), so that the addresses
polls and invitations need can be filled in for many members at once.

An organisation's contact stays derived (the first of its people with an email): naming one is
giving one of its people an address, so there is no second record of who the contact is to keep
in step with the directory.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Membership, Person
from .invitees import contacts_of, has_email
from .services import current_roster


@dataclass(frozen=True)
class ContactRow:
    membership: Membership
    person: Person | None  # the member, or the organisation's contact; None when it has none
    candidates: tuple[Person, ...] = ()  # an organisation without a contact: its people, to name one

    @property
    def key(self) -> str:
        return f"m{self.membership.id}"


def without_address() -> sa.ColumnElement[bool]:
    """A seat nobody can be mailed at: the member has no email, or no one of the organisation has."""
    reachable = sa.select(Person.id).where(
        has_email(),
        sa.or_(
            Person.id == Membership.person_id,
            sa.and_(Membership.person_id.is_(None), Person.organization_id == Membership.organization_id),
        ),
    )
    return ~reachable.exists()


def sheet(consortium_id: int, missing_only: bool) -> sa.Select:
    """The current seats in roster order, those without an address only when asked."""
    stmt = current_roster(consortium_id).options(joinedload(Membership.person), joinedload(Membership.organization))
    return stmt.where(without_address()) if missing_only else stmt


def count_without_address(consortium_id: int) -> int:
    return db.session.execute(
        sa.select(sa.func.count()).select_from(current_roster(consortium_id).where(without_address()).subquery())
    ).scalar_one()


def contact_rows(memberships: list[Membership]) -> list[ContactRow]:
    """Each seat with its person; for organisations without a contact, their people (two queries)."""
    contacts = contacts_of([m.organization_id for m in memberships if m.person_id is None and m.organization_id])
    lacking = [m.organization_id for m in memberships if m.person_id is None and m.organization_id not in contacts]
    people: dict[int, list[Person]] = {}
    if lacking:
        for person in db.session.execute(
            sa.select(Person)
            .where(Person.organization_id.in_(lacking))
            .order_by(sa.func.coalesce(Person.family_name_kana, Person.family_name), Person.id)
        ).scalars():
            people.setdefault(person.organization_id, []).append(person)
    return [
        ContactRow(m, m.person)
        if m.person_id is not None
        else ContactRow(m, contacts.get(m.organization_id), tuple(people.get(m.organization_id, ())))
        for m in memberships
    ]
