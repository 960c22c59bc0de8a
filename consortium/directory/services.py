"""Writes of the directory: organisations and people. Flush, never commit.

Every change here reaches the audit log at flush (consortium/audit.py).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext, ngettext

from ..extensions import db
from ..rows import assign
from ..models import ActionItem, AgendaPresenter, DiscussionPoint, Membership, Organization, Person, User




def _count(model, *where) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model).where(*where)).scalar_one()


def create_organization(values: dict) -> Organization:
    """Add an organisation to the shared directory."""
    organization = Organization(**values)
    db.session.add(organization)
    db.session.flush()
    return organization


def update_organization(organization: Organization, values: dict) -> None:
    """Change an organisation's names, kind, prefecture or website."""
    assign(organization, values)
    db.session.flush()


def organization_blockers(organization: Organization) -> list[str]:
    """Why an organisation may not be deleted: whatever still points at it."""
    reasons = []
    if n := _count(Membership, Membership.organization_id == organization.id):
        reasons.append(ngettext("It is on %(num)d roster entry.", "It is on %(num)d roster entries.", n))
    if n := _count(Membership, Membership.on_behalf_of_id == organization.id):
        reasons.append(ngettext("Someone sits for it on %(num)d roster entry.", "People sit for it on %(num)d roster entries.", n))
    if n := _count(AgendaPresenter, AgendaPresenter.organization_id == organization.id):
        reasons.append(ngettext("It presents %(num)d agenda item.", "It presents %(num)d agenda items.", n))
    if n := _count(Person, Person.organization_id == organization.id):
        reasons.append(ngettext("%(num)d person belongs to it.", "%(num)d people belong to it.", n))
    return reasons


def delete_organization(organization: Organization) -> None:
    """Delete an organisation nothing points at; see organization_blockers."""
    db.session.delete(organization)
    db.session.flush()


def create_person(values: dict) -> Person:
    """Add a person to the shared directory."""
    person = Person(**values)
    db.session.add(person)
    db.session.flush()
    return person


def update_person(person: Person, values: dict) -> None:
    """Change a person's names, title, organisation and, when given, private contact details."""
    assign(person, values)
    db.session.flush()


def person_blockers(person: Person) -> list[str]:
    """Why a person may not be deleted: rosters, agendas, minutes or an account still name them."""
    reasons = []
    if n := _count(Membership, Membership.person_id == person.id):
        reasons.append(ngettext("They are on %(num)d roster entry.", "They are on %(num)d roster entries.", n))
    if n := _count(AgendaPresenter, AgendaPresenter.person_id == person.id):
        reasons.append(ngettext("They present %(num)d agenda item.", "They present %(num)d agenda items.", n))
    # The database would quietly blank these; minutes must not lose who spoke or who acts.
    if n := _count(DiscussionPoint, DiscussionPoint.speaker_id == person.id):
        reasons.append(ngettext(
            "Minutes name them as the speaker of %(num)d point.", "Minutes name them as the speaker of %(num)d points.", n
        ))
    if n := _count(ActionItem, ActionItem.owner_id == person.id):
        reasons.append(ngettext(
            "Minutes name them as the owner of %(num)d action item.", "Minutes name them as the owner of %(num)d action items.", n
        ))
    if _count(User, User.person_id == person.id):
        reasons.append(gettext("A user account is linked to them."))
    return reasons


def delete_person(person: Person) -> None:
    """Delete a person nothing points at; see person_blockers."""
    db.session.delete(person)
    db.session.flush()
