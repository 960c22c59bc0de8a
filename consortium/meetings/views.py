"""Meetings: the site-wide list and each meeting's page."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from .. import permissions
from ..permissions import Access, guard
from ..extensions import db
from ..models import AgendaItem, AgendaPresenter, Consortium, Document, Meeting, Minutes
from ..pagination import paginate

bp = Blueprint("meetings", __name__, url_prefix="/meetings")


def listing_statement(now: datetime, upcoming: bool = True) -> sa.Select:
    """Visible meetings with their consortium: from now on soonest first, or past newest first."""
    stmt = (
        sa.select(Meeting)
        .join(Meeting.consortium)
        .where(permissions.visible_meetings())
        .options(joinedload(Meeting.consortium))
    )
    if upcoming:
        return stmt.where(Meeting.starts_at >= now).order_by(Meeting.starts_at, Meeting.id)
    return stmt.where(Meeting.starts_at < now).order_by(Meeting.starts_at.desc(), Meeting.id.desc())


@bp.get("/")
@guard(Access.PUBLIC)
def index():
    """List the meetings the visitor may see: upcoming, or past with ?when=past."""
    when = request.args.get("when", "upcoming")
    if when not in ("upcoming", "past"):
        abort(400, description=_("Choose upcoming or past meetings."))
    stmt = listing_statement(datetime.now(timezone.utc), upcoming=when == "upcoming")
    page = paginate(stmt, current_app.config["PER_PAGE"])
    return render_template("meetings/index.html", page=page, when=when)


@bp.get("/<int:meeting_id>")
@guard(Access.PUBLIC)
def show(meeting_id: int):
    """Show a meeting: when and where, agenda, materials, and minutes once published."""
    meeting = db.session.get(
        Meeting,
        meeting_id,
        options=[joinedload(Meeting.consortium).joinedload(Consortium.parent)],
    )
    is_member = permissions.is_member(meeting.consortium_id)
    items = db.session.execute(
        sa.select(AgendaItem)
        .where(AgendaItem.meeting_id == meeting.id)
        .options(
            selectinload(AgendaItem.presenters).options(
                joinedload(AgendaPresenter.person), joinedload(AgendaPresenter.organization)
            )
        )
        .order_by(AgendaItem.position, AgendaItem.id)
    ).scalars().all()
    documents = db.session.execute(
        sa.select(Document).where(Document.meeting_id == meeting.id).order_by(Document.position, Document.id)
    ).scalars().all()
    minutes = db.session.execute(
        sa.select(Minutes)
        .where(Minutes.meeting_id == meeting.id)
        .options(
            selectinload(Minutes.points),
            selectinload(Minutes.decisions),
            selectinload(Minutes.action_items),
        )
    ).scalar_one_or_none()
    if minutes is not None and not permissions.can_view_minutes(minutes):
        minutes = None
    points = minutes.points if minutes else []
    decisions = minutes.decisions if minutes else []
    if not is_member:
        # Closed agenda items, and what was said and decided under them, stay with the members.
        closed = {item.id for item in items if not item.is_public}
        items = [item for item in items if item.id not in closed]
        points = [p for p in points if p.agenda_item_id not in closed]
        decisions = [d for d in decisions if d.agenda_item_id not in closed]
    return render_template(
        "meetings/show.html",
        meeting=meeting,
        items=items,
        documents=documents,
        minutes=minutes,
        points=points,
        decisions=decisions,
        is_member=is_member,
    )
