"""Writes of the administration: accounts, grants, merging duplicates. Flush, never commit.

Column changes reach the audit log at flush (consortium/audit.py); a merge also records one
event of its own on the row kept, holding the duplicate as it was and what moved.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from .. import audit
from ..accounts import services as accounts
from ..extensions import db
from ..rows import assign
from ..models import (
    ActionItem,
    AgendaPresenter,
    Consortium,
    DiscussionPoint,
    Grant,
    GrantRole,
    Membership,
    Organization,
    Person,
    User,
)

# Copied from the duplicate where the row kept has nothing.
ORGANIZATION_FILLED = ("name_kana", "name_en", "prefecture", "website")
PERSON_FILLED = (
    "given_name", "family_name_kana", "given_name_kana", "name_en", "title", "organization_id", "email", "phone",
)


# ---------------------------------------------------------------------------------------------
# Accounts and grants


def create_account(email: str, display_name: str, is_admin: bool, person: Person | None,
                   consortium: Consortium | None, role: GrantRole) -> User:
    """Create an account without a password, linked and granted as asked; its owner sets the password by link."""
    user = accounts.create_user(email, display_name, is_admin=is_admin)
    if person is not None:
        user.person = person
    if consortium is not None:
        db.session.add(Grant(user=user, consortium=consortium, role=role))
    db.session.flush()
    return user


def update_user(user: User, values: dict) -> None:
    """Change a user's name, status, administrator flag and linked person."""
    assign(user, values)
    db.session.flush()


def grant_role(user: User, consortium: Consortium, role: GrantRole) -> Grant:
    """Give the user a role in the consortium, or change the one they have."""
    grant = db.session.execute(
        sa.select(Grant).where(Grant.user_id == user.id, Grant.consortium_id == consortium.id)
    ).scalar_one_or_none()
    if grant is None:
        grant = Grant(user=user, consortium=consortium, role=role)
        db.session.add(grant)
    elif grant.role is not role:
        grant.role = role
    db.session.flush()
    return grant


def revoke_grant(grant: Grant) -> None:
    """Take a role away."""
    db.session.delete(grant)
    db.session.flush()


# ---------------------------------------------------------------------------------------------
# Merging duplicates


@dataclass
class MergePlan:
    """What a merge moves to the row kept, row by row, before anything is written."""

    moves: dict[str, list] = field(default_factory=dict)  # label → rows whose reference moves
    filled: list[str] = field(default_factory=list)  # fields of the kept row taken from the duplicate
    shared_consortia: list[str] = field(default_factory=list)  # rosters both are on
    user: User | None = None  # the duplicate's account, moving to the kept person

    def counts(self) -> dict[str, int]:
        return {label: len(rows) for label, rows in self.moves.items()}


def _rows(model, *where) -> list:
    return list(db.session.execute(sa.select(model).where(*where).order_by(model.id)).scalars())


def _empty(value) -> bool:
    return value is None or value == ""


def _shared_consortia(column, kept_id: int, duplicate_id: int) -> list[str]:
    both = (
        sa.select(Consortium.name)
        .join(Membership, Membership.consortium_id == Consortium.id)
        .where(column == kept_id)
        .intersect(
            sa.select(Consortium.name).join(Membership, Membership.consortium_id == Consortium.id).where(column == duplicate_id)
        )
    )
    return sorted(db.session.execute(both).scalars())


# What points at an organisation or a person, by the label a merge plan lists it under.
ORGANIZATION_MOVES = {
    "memberships": Membership.organization_id,
    "sat_for": Membership.on_behalf_of_id,
    "people": Person.organization_id,
    "presenters": AgendaPresenter.organization_id,
}
PERSON_MOVES = {
    "memberships": Membership.person_id,
    "presenters": AgendaPresenter.person_id,
    "speaker_of": DiscussionPoint.speaker_id,
    "owner_of": ActionItem.owner_id,
}


def _moves(columns: dict, duplicate) -> dict[str, list]:
    return {label: _rows(column.class_, column == duplicate.id) for label, column in columns.items()}


def _move(columns: dict, plan: MergePlan, kept) -> None:
    """Point every row the plan lists at the entry kept."""
    for label, column in columns.items():
        for row in plan.moves[label]:
            setattr(row, column.key, kept.id)


def organization_merge_plan(kept: Organization, duplicate: Organization) -> MergePlan:
    """What merging the duplicate into the organisation kept would move."""
    return MergePlan(
        moves=_moves(ORGANIZATION_MOVES, duplicate),
        filled=[f for f in ORGANIZATION_FILLED if _empty(getattr(kept, f)) and not _empty(getattr(duplicate, f))],
        shared_consortia=_shared_consortia(Membership.organization_id, kept.id, duplicate.id),
    )


def person_merge_plan(kept: Person, duplicate: Person) -> MergePlan:
    """What merging the duplicate into the person kept would move."""
    filled = [f for f in PERSON_FILLED if _empty(getattr(kept, f)) and not _empty(getattr(duplicate, f))]
    if not _empty(duplicate.private_note) and duplicate.private_note != kept.private_note:
        filled.append("private_note")
    return MergePlan(
        moves=_moves(PERSON_MOVES, duplicate),
        filled=filled,
        shared_consortia=_shared_consortia(Membership.person_id, kept.id, duplicate.id),
        user=duplicate.user,
    )


def _finish_merge(kept, duplicate, plan: MergePlan, before: dict) -> None:
    """Delete the emptied duplicate and record the merge with what moved."""
    db.session.flush()
    # Its collections still hold the moved rows; reloaded, they are empty and nothing is unlinked.
    db.session.expire(duplicate)
    db.session.delete(duplicate)
    after = {"duplicate_id": before["id"], **plan.counts(), "filled": plan.filled}
    after.update({f"{label}_ids": [row.id for row in rows] for label, rows in plan.moves.items() if rows})
    if plan.user is not None:
        after["user_id"] = plan.user.id
    audit.record("merge", kept, before=before, after=after)
    db.session.flush()


def merge_organizations(kept: Organization, duplicate: Organization) -> MergePlan:
    """Move everything that points at the duplicate to the organisation kept, fill its gaps, delete the duplicate."""
    plan = organization_merge_plan(kept, duplicate)
    before = audit.snapshot(duplicate)
    _move(ORGANIZATION_MOVES, plan, kept)
    for name in plan.filled:
        setattr(kept, name, getattr(duplicate, name))
    _finish_merge(kept, duplicate, plan, before)
    return plan


class MergeRefused(Exception):
    """A merge that would lose something; its message says what."""


def merge_people(kept: Person, duplicate: Person) -> MergePlan:
    """Move everything that names the duplicate to the person kept, fill their gaps, delete the duplicate."""
    if kept.user is not None and duplicate.user is not None:
        raise MergeRefused("both have accounts")
    plan = person_merge_plan(kept, duplicate)
    before = audit.snapshot(duplicate)
    _move(PERSON_MOVES, plan, kept)
    for name in plan.filled:
        if name == "private_note" and not _empty(kept.private_note):
            kept.private_note = f"{kept.private_note}\n\n{duplicate.private_note}"
        else:
            setattr(kept, name, getattr(duplicate, name))
    if plan.user is not None:
        plan.user.person_id = kept.id  # the kept person has no account: checked above
    _finish_merge(kept, duplicate, plan, before)
    return plan
