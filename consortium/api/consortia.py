"""Consortia with their themes, hosts, secretariat, milestones and targets; their rosters."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from .. import permissions
from ..consortia.roster import LEADING_ROLES, roster_statement
from ..extensions import db
from ..japanese import today_tokyo
from ..models import Consortium, Membership, Role, RosterGroup, Target
from ..permissions import Access, guard
from . import schemas
from .auth import api_blueprint
from .paging import key_page, listing
from .shapes import columns, ref, site_url

blp = api_blueprint("api_consortia", __name__, "Consortia, councils and programmes, and their rosters.")


def _visible_ids(ids: set[int]) -> set[int]:
    if not ids:
        return set()
    stmt = sa.select(Consortium.id).where(Consortium.id.in_(ids), permissions.visible_consortia())
    return set(db.session.execute(stmt).scalars())


def _consortium(row: Consortium, shown_parents: set[int], **more) -> dict:
    parent = row.parent if row.parent_id in shown_parents else None
    return columns(
        row, parent=ref(parent), themes=row.themes, html_url=site_url("consortia.show", consortium_id=row.id), **more
    )


@blp.route("/consortia")
@guard(Access.PUBLIC)
@blp.etag
@blp.arguments(schemas.ConsortiumListArgs, location="query")
@blp.response(200, schemas.ConsortiumPage)
def consortia(args):
    """List the consortia the caller may see, oldest first."""
    stmt = (
        sa.select(Consortium)
        .where(permissions.visible_consortia())
        .options(selectinload(Consortium.themes), joinedload(Consortium.parent))
    )
    if "updated_since" in args:
        stmt = stmt.where(Consortium.updated_at >= args["updated_since"])
    if "classification" in args:
        stmt = stmt.where(Consortium.kind == args["classification"])
    if "parent" in args:
        stmt = stmt.where(Consortium.parent_id == args["parent"])
    rows, after = key_page(stmt, (Consortium.id,), args)
    shown = _visible_ids({row.parent_id for row in rows} - {None})
    return listing([_consortium(row, shown) for row in rows], after)


def _leading(consortium: Consortium) -> dict[Role, list[dict]]:
    """Today's hosts and secretariat, by role, as the consortium's page lists them."""
    found: dict[Role, list[dict]] = {role: [] for role in LEADING_ROLES}
    for membership in db.session.execute(roster_statement(consortium, leading=True)).scalars():
        member = membership.organization or membership.person
        found[membership.role].append({"id": member.id, "name": membership.name})
    return found


@blp.route("/consortia/<int:consortium_id>")
@guard(Access.PUBLIC, selectinload(Consortium.themes), joinedload(Consortium.parent))
@blp.etag
@blp.response(200, schemas.ConsortiumDetail)
def consortium(consortium_id: int):
    """Show a consortium: what it is for, what is above and below it, who runs it, its milestones
    and its targets with what was reported each fiscal year."""
    row = db.session.get(Consortium, consortium_id)
    children = db.session.execute(
        sa.select(Consortium).where(Consortium.parent_id == row.id, permissions.visible_consortia()).order_by(Consortium.id)
    ).scalars()
    targets = db.session.execute(
        sa.select(Target).where(Target.consortium_id == row.id).options(selectinload(Target.reports)).order_by(Target.position, Target.id)
    ).scalars().all()
    leading = _leading(row)
    return _consortium(
        row,
        _visible_ids({row.parent_id} - {None}),
        children=[ref(child) for child in children],
        hosts=leading[Role.HOST],
        secretariat=leading[Role.SECRETARIAT],
        milestones=row.milestones,
        targets=targets,
    )


def membership(row: Membership) -> dict:
    """A seat; a former seat's 連携概要 only for its secretariat (the pages show it on today's roster
    and on the secretariat's roster page only)."""
    member = row.person or row.organization
    kind = "Person" if row.person is not None else "Organization"
    described = not row.has_ended or permissions.is_secretariat(row.consortium_id)
    return columns(
        row,
        member={"type": kind, "id": member.id, "name": row.name},
        on_behalf_of=ref(row.on_behalf_of),
        group=row.group,
        description=row.description if described else None,
    )


def memberships_statement() -> sa.Select:
    """Seats the caller may see, with what they print."""
    return (
        sa.select(Membership)
        .join(Membership.consortium)
        .where(permissions.visible_memberships())
        .options(
            joinedload(Membership.person),
            joinedload(Membership.organization),
            joinedload(Membership.on_behalf_of),
            joinedload(Membership.group).load_only(RosterGroup.id, RosterGroup.label, RosterGroup.title, RosterGroup.parent_id),
        )
    )


@blp.route("/memberships")
@guard(Access.PUBLIC)
@blp.etag
@blp.arguments(schemas.MembershipListArgs, location="query")
@blp.response(200, schemas.MembershipPage)
def memberships(args):
    """List the seats on the rosters the caller may see, current and former: who sits in which
    consortium, in what role, for whom, from when to when."""
    stmt = memberships_statement()
    if "consortium" in args:
        stmt = stmt.where(Membership.consortium_id == args["consortium"])
    if "organization" in args:
        stmt = stmt.where(sa.or_(Membership.organization_id == args["organization"], Membership.on_behalf_of_id == args["organization"]))
    if "person" in args:
        stmt = stmt.where(Membership.person_id == args["person"])
    if "updated_since" in args:
        stmt = stmt.where(Membership.updated_at >= args["updated_since"])
    if "current" in args:
        today = Membership.in_term(today_tokyo())
        stmt = stmt.where(today if args["current"] else sa.not_(today))
    rows, after = key_page(stmt, (Membership.id,), args)
    return listing([membership(row) for row in rows], after)
