"""Consortia: the list with its filters, and each consortium's page."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template
from sqlalchemy.orm import joinedload, selectinload

from .. import permissions
from ..permissions import Access, guard
from ..extensions import db
from ..models import Consortium, Meeting, Membership, Milestone, Role, RosterGroup, Target, Theme
from ..pagination import paginate
from .forms import ConsortiumFilterForm
from .roster import roster_rows

bp = Blueprint("consortia", __name__, url_prefix="/consortia")

# Shown above the roster rather than in it.
LEADING_ROLES = (Role.HOST, Role.SECRETARIAT)


@bp.get("/")
@guard(Access.PUBLIC)
def index():
    """List the consortia the visitor may see, filtered and paginated."""
    themes = db.session.execute(sa.select(Theme).order_by(Theme.position)).scalars().all()
    form = ConsortiumFilterForm(themes)
    if not form.validate():
        return render_template("consortia/index.html", form=form, page=None), 400
    stmt = (
        sa.select(Consortium)
        .where(permissions.visible_consortia())
        .options(selectinload(Consortium.themes))
        .order_by(Consortium.name)
    )
    if form.status.data:
        stmt = stmt.where(Consortium.status == form.status.data)
    if form.kind.data:
        stmt = stmt.where(Consortium.kind == form.kind.data)
    if form.theme.data:
        stmt = stmt.where(Consortium.themes.any(Theme.code == form.theme.data))
    if form.query_key:
        stmt = stmt.where(Consortium.search_text.contains(form.query_key, autoescape=True))
    page = paginate(stmt, current_app.config["PER_PAGE"])
    return render_template("consortia/index.html", form=form, page=page)


def get_visible_consortium(consortium_id: int) -> Consortium:
    """The consortium the guard has loaded and checked, with what its page shows."""
    return db.session.get(
        Consortium, consortium_id, options=[joinedload(Consortium.parent), selectinload(Consortium.themes)]
    )


def _roster_statement(consortium: Consortium, leading: bool) -> sa.Select:
    roles = Membership.role.in_(LEADING_ROLES)
    return (
        sa.select(Membership)
        .where(Membership.consortium_id == consortium.id, Membership.term_end.is_(None))
        .where(roles if leading else ~roles)
        .options(
            joinedload(Membership.person),
            joinedload(Membership.organization),
            joinedload(Membership.on_behalf_of),
            joinedload(Membership.group).joinedload(RosterGroup.parent),
        )
        .order_by(Membership.position, Membership.seat, Membership.id)
    )


def _meetings_statement(consortium: Consortium) -> sa.Select:
    stmt = sa.select(Meeting).where(Meeting.consortium_id == consortium.id)
    if not permissions.is_member(consortium.id):
        stmt = stmt.where(Meeting.is_public)
    return stmt


@bp.get("/<int:consortium_id>")
@guard(Access.PUBLIC)
def show(consortium_id: int):
    """Show a consortium: purpose, hosts, roster, meetings, milestones and targets."""
    consortium = get_visible_consortium(consortium_id)
    now = datetime.now(timezone.utc)
    leading = db.session.execute(_roster_statement(consortium, leading=True)).scalars().all()
    roster = paginate(
        _roster_statement(consortium, leading=False),
        current_app.config["ROSTER_PER_PAGE"],
        param="roster_page",
    )
    meetings = _meetings_statement(consortium)
    upcoming = db.session.execute(
        meetings.where(Meeting.starts_at >= now).order_by(Meeting.starts_at).limit(10)
    ).scalars().all()
    past = db.session.execute(
        meetings.where(Meeting.starts_at < now).order_by(Meeting.starts_at.desc()).limit(10)
    ).scalars().all()
    children = db.session.execute(
        sa.select(Consortium)
        .where(Consortium.parent_id == consortium.id, permissions.visible_consortia())
        .order_by(Consortium.id)
    ).scalars().all()
    milestones = db.session.execute(
        sa.select(Milestone).where(Milestone.consortium_id == consortium.id).order_by(Milestone.on)
    ).scalars().all()
    targets = db.session.execute(
        sa.select(Target).where(Target.consortium_id == consortium.id).order_by(Target.position, Target.id)
    ).scalars().all()
    return render_template(
        "consortia/show.html",
        consortium=consortium,
        leading=leading,
        roster=roster,
        rows=roster_rows(roster.items),
        upcoming=upcoming,
        past=past,
        children=children,
        milestones=milestones,
        targets=targets,
    )


@bp.get("/<int:consortium_id>/meetings")
@guard(Access.PUBLIC)
def meetings(consortium_id: int):
    """List all of a consortium's meetings the visitor may see, newest first."""
    consortium = get_visible_consortium(consortium_id)
    page = paginate(
        _meetings_statement(consortium).order_by(Meeting.starts_at.desc()),
        current_app.config["PER_PAGE"],
    )
    return render_template("consortia/meetings.html", consortium=consortium, page=page)
