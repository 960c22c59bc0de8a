"""Meetings (events) with their agenda tree, presenters and materials; published minutes."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_smorest import abort
from sqlalchemy.orm import contains_eager, joinedload, load_only, selectinload

from .. import permissions
from ..attendance.queries import ATTENDED, MISSED, ROSTER_ORDER, member_names
from ..documents.views import send_material
from ..extensions import db
from ..japanese import TOKYO
from ..minutes.summary import minutes_view, shown_outside
from ..minutes.text import person_or_label
from ..models import (
    ActionItem,
    AgendaItem,
    AgendaPresenter,
    Attendance,
    DiscussionPoint,
    Document,
    Meeting,
    Minutes,
    MinutesStatus,
)
from ..permissions import Access, guard
from . import schemas
from .auth import api_blueprint
from .paging import key_page, listing
from .shapes import columns, ref, site_url

blp = api_blueprint("api_meetings", __name__, "Meetings with their agenda and materials, and published minutes.")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=TOKYO)


def _dated(stmt: sa.Select, args: dict) -> sa.Select:
    """Meetings of the days and fiscal year asked for (days in Japan)."""
    if "start" in args:
        stmt = stmt.where(Meeting.starts_at >= _day_start(args["start"]))
    if "end" in args:
        stmt = stmt.where(Meeting.starts_at < _day_start(args["end"] + timedelta(days=1)))
    if "fiscal_year" in args:
        year = args["fiscal_year"]
        stmt = stmt.where(Meeting.starts_at >= _day_start(date(year, 4, 1)), Meeting.starts_at < _day_start(date(year + 1, 4, 1)))
    if "consortium" in args:
        stmt = stmt.where(Meeting.consortium_id == args["consortium"])
    return stmt


def _events_statement() -> sa.Select:
    """Meetings the caller may see, with everything an event shows loaded in a fixed number of queries."""
    return (
        sa.select(Meeting)
        .join(Meeting.consortium)
        .where(permissions.visible_meetings())
        .options(
            joinedload(Meeting.consortium),
            # Presenters joined to their items, not loaded by the items' ids: a page of 200 meetings
            # has a thousand items, past the 500 ids a select-in load takes at a time.
            selectinload(Meeting.agenda_items)
            .joinedload(AgendaItem.presenters)
            .options(joinedload(AgendaPresenter.person), joinedload(AgendaPresenter.organization)),
            selectinload(Meeting.documents).defer(Document.extracted_text),
            selectinload(Meeting.minutes).load_only(Minutes.id, Minutes.status, Minutes.meeting_id),
        )
    )


def agenda_item(item: AgendaItem) -> dict:
    """An agenda item with its presenters, its sub-items not yet filled in."""
    return columns(item, presenters=[columns(p, name=p.name) for p in item.presenters], children=[])


def _agenda(items: list[AgendaItem]) -> list[dict]:
    """The items as a tree: sub-items under their item, each level in order."""
    nodes = {item.id: agenda_item(item) for item in items}
    top = []
    for item in sorted(items, key=lambda i: (i.position, i.id)):
        (nodes[item.parent_id]["children"] if item.parent_id in nodes else top).append(nodes[item.id])
    return top


def event_by_id(meeting_id: int) -> dict:
    """The meeting as an event, with what the caller may see of it."""
    return _event(db.session.execute(_events_statement().where(Meeting.id == meeting_id)).unique().scalar_one())


def _event(meeting: Meeting) -> dict:
    member = permissions.is_member(meeting.consortium_id)
    items, documents = list(meeting.agenda_items), list(meeting.documents)
    if not member:
        items, documents = shown_outside(items, documents)
    minutes = meeting.minutes
    published = minutes is not None and minutes.status is MinutesStatus.PUBLISHED
    return columns(
        meeting,
        consortium=ref(meeting.consortium),
        name=meeting.title,
        classification=meeting.kind,
        start_date=meeting.starts_at,
        end_date=meeting.ends_at,
        public=meeting.is_public,
        location={"name": meeting.venue, "room": meeting.room, "address": meeting.address, "url": meeting.online_url},
        agenda=_agenda(items),
        materials=[
            columns(d, download_url=site_url("api_meetings.material_file", document_id=d.id))
            for d in sorted(documents, key=lambda d: (d.position, d.id))
        ],
        minutes_url=site_url("api_meetings.event_minutes", meeting_id=meeting.id) if published else None,
        html_url=site_url("meetings.show", meeting_id=meeting.id),
        ical_url=site_url("feeds.meeting", meeting_id=meeting.id) if meeting.dated else None,
    )


@blp.route("/events")
@guard(Access.PUBLIC)
@blp.etag
@blp.arguments(schemas.EventListArgs, location="query")
@blp.response(200, schemas.EventPage)
def events(args):
    """List the meetings the caller may see, in the order they were entered, each with its agenda
    and materials; filter by consortium, days, fiscal year or changes since a time."""
    stmt = _dated(_events_statement(), args)
    if "updated_since" in args:
        stmt = stmt.where(Meeting.updated_at >= args["updated_since"])
    rows, after = key_page(stmt, (Meeting.id,), args)
    return listing([_event(row) for row in rows], after)


@blp.route("/events/<int:meeting_id>")
@guard(Access.PUBLIC)
@blp.etag
@blp.response(200, schemas.Event)
def event(meeting_id: int):
    """Show a meeting with its agenda tree, presenters and the materials the caller may see."""
    return event_by_id(meeting_id)


@blp.route("/materials/<int:document_id>/file")
@guard(Access.PUBLIC)
@blp.response(200, {"format": "binary", "type": "string"}, content_type="*/*", description="The file, in its own type (PDF, Word, Excel …).")
def material_file(document_id: int):
    """Download a material's file, if the caller may see it."""
    return send_material(db.session.get(Document, document_id))


def _attendance(meeting_ids: list[int]) -> dict[int, list[dict]]:
    """Who was there and who was away, per meeting, in roster order: one query for them all."""
    rows = db.session.execute(
        sa.select(Attendance)
        .join(Attendance.membership)
        .where(Attendance.meeting_id.in_(meeting_ids), Attendance.presence.in_(ATTENDED + MISSED))
        .options(contains_eager(Attendance.membership).options(*member_names()))
        .order_by(Attendance.meeting_id, *ROSTER_ORDER)
    ).scalars()
    found: dict[int, list[dict]] = {meeting_id: [] for meeting_id in meeting_ids}
    for row in rows:
        sits_for = row.membership.on_behalf_of
        found[row.meeting_id].append(
            {"name": row.membership.name, "on_behalf_of": sits_for.name if sits_for else None, "presence": row.presence}
        )
    return found


def _minutes(minutes: Minutes, attendance: list[dict]) -> dict:
    meeting = minutes.meeting
    view = minutes_view(minutes, list(meeting.agenda_items), full=permissions.is_member(meeting.consortium_id))
    return {
        "event_id": meeting.id,
        "consortium_id": meeting.consortium_id,
        "full": view.full,
        "withheld": view.withheld,
        "heading": minutes.heading,
        "body": view.body,
        "published_at": minutes.published_at,
        "points": [{"text": p.text, "agenda_item_id": p.agenda_item_id, "speaker": person_or_label(p.speaker, p.speaker_label)} for p in view.points],
        "decisions": [{"text": d.text, "agenda_item_id": d.agenda_item_id} for d in view.decisions],
        "action_items": [columns(a, owner=person_or_label(a.owner, a.owner_label)) for a in view.actions],
        "attendance": attendance,
        "updated_at": max(minutes.updated_at, meeting.updated_at),
        "html_url": site_url("minutes.show", meeting_id=meeting.id),
    }


def _minutes_statement() -> sa.Select:
    """Published minutes of the meetings the caller may see, with their entries and agenda."""
    return (
        sa.select(Minutes)
        .join(Minutes.meeting)
        .join(Meeting.consortium)
        .where(Minutes.status == MinutesStatus.PUBLISHED, permissions.visible_meetings())
        .options(
            selectinload(Minutes.points).joinedload(DiscussionPoint.speaker),
            selectinload(Minutes.decisions),
            selectinload(Minutes.action_items).joinedload(ActionItem.owner),
            joinedload(Minutes.meeting).selectinload(Meeting.agenda_items).options(
                load_only(AgendaItem.id, AgendaItem.parent_id, AgendaItem.is_public, AgendaItem.meeting_id)
            ),
        )
    )


@blp.route("/minutes")
@guard(Access.PUBLIC)
@blp.etag
@blp.arguments(schemas.EventListArgs, location="query")
@blp.response(200, schemas.MinutesPage)
def minutes(args):
    """List the published minutes the caller may see, in the order they were written: the full
    minutes for the consortium's members, the public summary for everyone else."""
    stmt = _dated(_minutes_statement(), args)
    if "updated_since" in args:
        stmt = stmt.where(sa.or_(Minutes.updated_at >= args["updated_since"], Meeting.updated_at >= args["updated_since"]))
    rows, after = key_page(stmt, (Minutes.id,), args)
    attendance = _attendance([row.meeting_id for row in rows])
    return listing([_minutes(row, attendance[row.meeting_id]) for row in rows], after)


@blp.route("/events/<int:meeting_id>/minutes")
@guard(Access.PUBLIC)
@blp.etag
@blp.response(200, schemas.Minutes)
def event_minutes(meeting_id: int):
    """Show a meeting's published minutes: 404 until they are published."""
    row = db.session.execute(_minutes_statement().where(Minutes.meeting_id == meeting_id)).unique().scalar_one_or_none()
    if row is None:
        abort(404, message=_("These minutes are not published yet."))
    return _minutes(row, _attendance([meeting_id])[meeting_id])
