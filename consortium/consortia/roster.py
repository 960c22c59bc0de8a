"""Lay out a roster as printed: merged cells for runs of the same category or 連携概要."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import abort, request
from sqlalchemy.orm import joinedload

from .. import permissions
from ..forms import FIRST_DATE, LAST_DATE
from ..models import Consortium, Membership, Role, RosterGroup
from .services import current_roster

# Shown above the roster rather than in it.
LEADING_ROLES = (Role.HOST, Role.SECRETARIAT)


@dataclass
class RosterRow:
    membership: Membership
    group: RosterGroup | None  # set on the first row of a new group, for a heading row
    affiliation: str | None  # the 団体等 column: category, else the body sat for
    affiliation_span: int  # rows this cell covers; 0 where an earlier cell already covers it
    description_span: int


def as_of(consortium_id: int) -> date | None:
    """The day the secretariat asked to see the roster on (?on=2027-04-01), or None for today.

    Others always see today's roster: a transfer entered ahead is not announced before its day.
    """
    raw = request.args.get("on")
    if not raw or not permissions.is_secretariat(consortium_id):
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        abort(400)
    if not FIRST_DATE <= day <= LAST_DATE:
        abort(400)
    return day


def roster_statement(consortium: Consortium, leading: bool, on: date | None = None) -> sa.Select:
    """The roster of a day (today unless given) with what it prints loaded: hosts and secretariat
    (leading), or the rest."""
    roles = Membership.role.in_(LEADING_ROLES)
    return (
        current_roster(consortium.id, on)
        .where(roles if leading else ~roles)
        .options(
            joinedload(Membership.person),
            joinedload(Membership.organization),
            joinedload(Membership.on_behalf_of),
            joinedload(Membership.group).joinedload(RosterGroup.parent),
        )
    )


def affiliation_of(membership: Membership) -> str | None:
    if membership.category:
        return membership.category
    return membership.on_behalf_of.name if membership.on_behalf_of else None


def _spans(values: list, breaks: list[bool]) -> list[int]:
    """Span of each run of equal, non-empty values; a break starts a new run."""
    spans = [1] * len(values)
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or breaks[i] or values[i] != values[start] or not values[i]:
            spans[start] = i - start
            for j in range(start + 1, i):
                spans[j] = 0
            start = i
    return spans


def roster_rows(memberships: list[Membership]) -> list[RosterRow]:
    groups = [m.group for m in memberships]
    new_group = [i == 0 or groups[i] is not groups[i - 1] for i in range(len(memberships))]
    affiliations = [affiliation_of(m) for m in memberships]
    affiliation_spans = _spans(affiliations, new_group)
    description_spans = _spans([m.description for m in memberships], new_group)
    return [
        RosterRow(
            membership=m,
            group=groups[i] if new_group[i] and groups[i] is not None else None,
            affiliation=affiliations[i],
            affiliation_span=affiliation_spans[i],
            description_span=description_spans[i],
        )
        for i, m in enumerate(memberships)
    ]
