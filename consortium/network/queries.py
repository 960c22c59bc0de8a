"""The organisation network: organisations linked to the consortia they hold seats in, as the
viewer may see them (permissions.visible_memberships). Every answer costs a fixed number of
queries, however many seats there are, and the picture is capped."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_login import AnonymousUserMixin
from sqlalchemy.orm import aliased

from .. import page_cache, permissions
from ..extensions import db
from ..japanese import today_tokyo
from ..models import Consortium, Membership, Organization, Theme, Visibility
from ..models.consortia import consortium_theme

# The most the picture shows; the page says so, and how many more matched.
CONSORTIA_CAP = 20
ORGANISATIONS_CAP = 60
# Partners listed on an organisation's page, and organisations on related councils.
CO_MEMBERS_SHOWN = 10
RELATED_SHOWN = 20


def seat_holder(membership=Membership) -> sa.ColumnElement[int]:
    """The organisation a seat is of: its own, or the one its person sits for."""
    return sa.func.coalesce(membership.organization_id, membership.on_behalf_of_id)


def seats_of(organization_id: int, membership=Membership) -> sa.ColumnElement[bool]:
    """A WHERE clause: the seat is the organisation's (seat_holder), in a form each column's index serves."""
    return sa.or_(membership.organization_id == organization_id, membership.on_behalf_of_id == organization_id)


def _by_reading():
    return sa.func.coalesce(Organization.name_kana, Organization.name)


def in_fiscal_year(year: int) -> sa.ColumnElement[bool]:
    """A WHERE clause on Membership: the term overlaps the fiscal year (1 April to 31 March)."""
    first, last = date(year, 4, 1), date(year + 1, 3, 31)
    return sa.and_(
        sa.or_(Membership.term_start.is_(None), Membership.term_start <= last),
        sa.or_(Membership.term_end.is_(None), Membership.term_end >= first),
    )


# ---------------------------------------------------------------------------------------------
# An organisation's partners


@dataclass
class Partner:
    organization: Organization
    shared: int  # consortia both sit on


def co_members(organization_id: int, limit: int = CO_MEMBERS_SHOWN, user=None) -> list[Partner]:
    """The organisations that sit with this one in the most consortia (seats of any time), among
    seats the viewer may see on both sides: one query."""
    mine = aliased(Membership, name="mine")
    shared = sa.func.count(sa.distinct(Membership.consortium_id))
    rows = db.session.execute(
        sa.select(Organization, shared)
        .join(Membership, Organization.id == seat_holder())
        .join(Membership.consortium)
        .join(mine, sa.and_(mine.consortium_id == Membership.consortium_id, seats_of(organization_id, mine)))
        .where(
            Organization.id != organization_id,
            permissions.visible_memberships(user),
            permissions.visible_memberships(user, mine),
        )
        .group_by(Organization.id)
        .order_by(shared.desc(), _by_reading(), Organization.id)
        .limit(limit)
    ).all()
    return [Partner(organization, count) for organization, count in rows]


# ---------------------------------------------------------------------------------------------
# The picture


@dataclass(frozen=True)
class Filters:
    theme_id: int | None = None
    region: str | None = None  # an organisation's prefecture
    fiscal_year: int | None = None  # seats in that fiscal year; else today's
    consortium_id: int | None = None  # the picture centred on one consortium


@dataclass
class Graph:
    consortia: list[Consortium]
    organisations: list[Organization]
    edges: list[tuple[int, int]]  # (consortium id, organisation id)
    more_consortia: bool  # more matched than the picture shows
    more_organisations: bool
    consortia_of: dict[int, list[Consortium]] = field(default_factory=dict)  # organisation id: its consortia here
    members_of: dict[int, list[Organization]] = field(default_factory=dict)  # consortium id: its organisations here

    @property
    def empty(self) -> bool:
        return not self.edges


def _conditions(filters: Filters, user, around: bool = True) -> list[sa.ColumnElement[bool]]:
    """WHERE clauses on Membership joined to its Consortium and the Organization of the seat."""
    where = [permissions.visible_memberships(user)]
    where.append(in_fiscal_year(filters.fiscal_year) if filters.fiscal_year else Membership.in_term(today_tokyo()))
    if filters.theme_id:
        where.append(Consortium.themes.any(Theme.id == filters.theme_id))
    if filters.region:
        where.append(Organization.prefecture == filters.region)
    if filters.consortium_id and around:
        # The consortium's organisations, and every seat they hold (under the same filters).
        own = _seats(filters, user, around=False).where(Membership.consortium_id == filters.consortium_id)
        where.append(seat_holder().in_(own.with_only_columns(seat_holder()).correlate(None)))
    return where


def _seats(filters: Filters, user, around: bool = True) -> sa.Select:
    return (
        sa.select(Membership.consortium_id, seat_holder())
        .join(Membership.consortium)
        .join(Organization, Organization.id == seat_holder())
        .where(*_conditions(filters, user, around))
    )


def _holders(filters: Filters, user, *where, limit: int = CONSORTIA_CAP + 1) -> list[tuple[int, int, str]]:
    """(consortium id, organisations seated, name) of the consortia with the most (the centred one
    first) among those the clauses allow, at most limit of them."""
    holders = sa.func.count(sa.distinct(seat_holder()))
    order = [holders.desc(), Consortium.name, Consortium.id]
    if filters.consortium_id:
        order.insert(0, (Consortium.id == filters.consortium_id).desc())
    rows = db.session.execute(
        _seats(filters, user)
        .with_only_columns(Consortium.id, holders, Consortium.name)
        .where(*where)
        .group_by(Consortium.id)
        .order_by(*order)
        .limit(limit)
    ).all()
    return [tuple(row) for row in rows]


def _ranked(filters: Filters, user) -> list[int]:
    """The ids of the consortia with the most organisations matching the filters, at most
    CONSORTIA_CAP + 1. Counting a national directory's seats takes a second, so the ranking of the
    public consortia (the same for every viewer) is kept a minute, and merged with the viewer's own
    consortia counted afresh (twice as many public ones are kept, for those the viewer's replace);
    an administrator, who sees every seat, and a picture centred on one consortium are counted
    afresh."""
    if permissions.is_admin(user) or filters.consortium_id:
        return [cid for cid, _, _ in _holders(filters, user)]
    public = json.loads(page_cache.kept(("network-ranking", filters, str(today_tokyo())), lambda: json.dumps(
        _holders(filters, AnonymousUserMixin(), Consortium.visibility == Visibility.PUBLIC, limit=2 * (CONSORTIA_CAP + 1))
    )))
    own = list(permissions.grants_of(user))
    mine = _holders(filters, user, Consortium.id.in_(own)) if own else []
    rows = {cid: (cid, count, name) for cid, count, name in public if cid not in own}
    rows.update((cid, (cid, count, name)) for cid, count, name in mine)
    ranked = sorted(rows.values(), key=lambda row: (-row[1], row[2], row[0]))
    return [cid for cid, _, _ in ranked[: CONSORTIA_CAP + 1]]


def graph(filters: Filters, user=None) -> Graph:
    """The consortia with the most organisations matching the filters (the centred one first), and
    the organisations with the most seats among them: two queries."""
    ranked = _ranked(filters, user)
    found = db.session.execute(sa.select(Consortium).where(Consortium.id.in_(ranked[:CONSORTIA_CAP]))).scalars()
    consortia = {c.id: c for c in sorted(found, key=lambda c: ranked.index(c.id))}
    seats = db.session.execute(
        _seats(filters, user)
        .with_only_columns(Membership.consortium_id, Organization)
        .where(Membership.consortium_id.in_(list(consortia)))
        .distinct()
    ).all()
    organisations: dict[int, Organization] = {}
    degree: dict[int, set[int]] = defaultdict(set)
    for consortium_id, organisation in seats:
        organisations[organisation.id] = organisation
        degree[organisation.id].add(consortium_id)
    chosen = sorted(organisations.values(), key=lambda o: (-len(degree[o.id]), o.name_kana or o.name, o.id))
    shown = chosen[:ORGANISATIONS_CAP]
    shown_ids = {o.id for o in shown}
    edges = sorted((c, o) for o in shown_ids for c in degree[o])
    result = Graph(
        consortia=list(consortia.values()),
        organisations=sorted(shown, key=lambda o: (o.name_kana or o.name, o.id)),
        edges=edges,
        more_consortia=len(ranked) > CONSORTIA_CAP,
        more_organisations=len(chosen) > ORGANISATIONS_CAP,
    )
    members_of: dict[int, list[Organization]] = defaultdict(list)
    consortia_of: dict[int, list[Consortium]] = defaultdict(list)
    for consortium_id, organisation_id in edges:
        consortia_of[organisation_id].append(consortia[consortium_id])
    for organisation in result.organisations:
        for consortium in consortia_of[organisation.id]:
            members_of[consortium.id].append(organisation)
    result.consortia_of, result.members_of = dict(consortia_of), dict(members_of)
    return result


# ---------------------------------------------------------------------------------------------
# Who is already on related councils


@dataclass
class Candidate:
    organization: Organization
    councils: list[Consortium]  # related consortia it sits on today
    already_here: bool  # it sits on the consortium itself today


def related_consortia(consortium_id: int) -> sa.Select:
    """Ids of the other consortia sharing a theme with this one."""
    own = sa.select(consortium_theme.c.theme_id).where(consortium_theme.c.consortium_id == consortium_id)
    return sa.select(consortium_theme.c.consortium_id).where(
        consortium_theme.c.theme_id.in_(own), consortium_theme.c.consortium_id != consortium_id
    )


def on_related_councils(consortium_id: int, limit: int = RELATED_SHOWN, user=None) -> list[Candidate]:
    """The organisations holding today's seats on the most consortia that share a theme with this
    one (seats the viewer may see), and whether each already sits on this one: two queries."""
    today = today_tokyo()
    here = aliased(Membership, name="here")
    already = (
        sa.select(here.id)
        .where(here.consortium_id == consortium_id, seat_holder(here) == Organization.id, here.in_term(today))
        .exists()
    )
    seated = (
        sa.select(Membership.consortium_id)
        .join(Membership.consortium)
        .join(Organization, Organization.id == seat_holder())
        .where(
            Membership.consortium_id.in_(related_consortia(consortium_id)),
            Membership.in_term(today),
            permissions.visible_memberships(user),
        )
    )
    councils = sa.func.count(sa.distinct(Membership.consortium_id))
    ranked = db.session.execute(
        seated.with_only_columns(Organization, councils, already)
        .group_by(Organization.id)
        .order_by(councils.desc(), _by_reading(), Organization.id)
        .limit(limit)
    ).all()
    if not ranked:
        return []
    where = db.session.execute(
        seated.with_only_columns(Organization.id, Consortium)
        .where(Organization.id.in_([organisation.id for organisation, _, _ in ranked]))
        .distinct()
        .order_by(Consortium.name, Consortium.id)
    ).all()
    sits_on: dict[int, list[Consortium]] = defaultdict(list)
    for organisation_id, consortium in where:
        sits_on[organisation_id].append(consortium)
    return [Candidate(organisation, sits_on[organisation.id], bool(here_too)) for organisation, _, here_too in ranked]
