"""Secretariats' writes to meetings: plan one (its agenda pasted as text), change it, add and
change agenda items, upload materials. Each goes through the site's own form (api/forms.py) and
service, so the same rules hold; the audit log names the token's user; a change names the version
it read and is refused (409, with what is stored now) when someone saved in between."""
from __future__ import annotations

from ..documents.views import items_in_order, save_upload
from ..documents.forms import UploadForm
from ..extensions import db
from ..invitations import mailing
from ..mail import notices
from ..meetings import services
from ..meetings.forms import AgendaItemForm, MeetingForm, NewMeetingForm, pasted_plan
from ..models import AgendaItem, Meeting
from ..permissions import Access, guard
from . import auth, schemas
from .auth import api_blueprint
from .forms import posted, unchanged_since_read
from .meetings import agenda_item, event_by_id
from .shapes import columns, site_url

blp = api_blueprint("api_meeting_edits", __name__, "Secretariats plan and change meetings, their agenda and materials.")


@blp.route("/events", methods=["POST"])
@guard(Access.SECRETARIAT)
@blp.arguments(schemas.NewMeeting)
@blp.response(201, schemas.Event)
def create_event(body):
    """Plan a meeting of a consortium, with its agenda when given as text (secretariat's token)."""
    consortium = auth.writable_consortium(body.pop("consortium_id"))
    form = posted(NewMeetingForm, body)
    meeting = services.create_meeting(consortium, form.values())
    if form.pasted:
        services.save_agenda(meeting, {}, pasted_plan(form.pasted), [])
    db.session.commit()
    return event_by_id(meeting.id)


@blp.route("/events/<int:meeting_id>", methods=["PATCH"])
@guard(Access.SECRETARIAT)
@blp.arguments(schemas.MeetingChange)
@blp.response(200, schemas.Event)
@blp.alt_response(409, schema=schemas.EventConflict)
def change_event(body, meeting_id: int):
    """Change a meeting's facts; the invited are mailed when its time, place or status changes."""
    meeting = db.session.get(Meeting, meeting_id)
    auth.require_write(meeting.consortium_id)
    form = posted(MeetingForm, body, meeting)
    unchanged_since_read(form.version.data, meeting, lambda: schemas.Event().dump(event_by_id(meeting_id)))
    calendars_see_it = services.update_meeting(meeting, form.values())
    db.session.commit()
    if calendars_see_it:
        notices.send_now(lambda: mailing.send_due(meeting))
    return event_by_id(meeting_id)


@blp.route("/events/<int:meeting_id>/agenda-items", methods=["POST"])
@guard(Access.SECRETARIAT)
@blp.arguments(schemas.NewAgendaItem)
@blp.response(201, schemas.AgendaItem)
def create_agenda_item(body, meeting_id: int):
    """Add an item at the end of a meeting's agenda, or under one of its top-level items."""
    meeting = db.session.get(Meeting, meeting_id)
    auth.require_write(meeting.consortium_id)
    form = posted(AgendaItemForm, body, services.top_level(meeting.id))
    item = services.add_item(meeting, form.values())
    db.session.commit()
    return agenda_item(item)


@blp.route("/agenda-items/<int:item_id>", methods=["PATCH"])
@guard(Access.SECRETARIAT)
@blp.arguments(schemas.AgendaItemChange)
@blp.response(200, schemas.AgendaItem)
@blp.alt_response(409, schema=schemas.AgendaItemConflict)
def change_agenda_item(body, item_id: int):
    """Change an agenda item, or put it under another item of its meeting."""
    item = db.session.get(AgendaItem, item_id)
    auth.require_write(item.meeting.consortium_id)
    children = services.children_of(item)
    form = posted(AgendaItemForm, body, services.top_level(item.meeting_id), item, has_children=bool(children))
    unchanged_since_read(form.version.data, item, lambda: schemas.AgendaItem().dump(agenda_item(item)))
    services.update_item(item, form.values())
    db.session.commit()
    return agenda_item(item)


@blp.route("/events/<int:meeting_id>/materials", methods=["POST"])
@guard(Access.SECRETARIAT)
@blp.arguments(schemas.MaterialFields, location="form")
@blp.arguments(schemas.MaterialFile, location="files")
@blp.response(201, schemas.Material)
def upload_material(fields, files, meeting_id: int):
    """Upload a material of a meeting: checked by its content like an upload on the site."""
    meeting = db.session.get(Meeting, meeting_id)
    auth.require_write(meeting.consortium_id)
    form = posted(UploadForm, fields, items_in_order(meeting.id), files=files)
    document = save_upload(meeting, form)
    return columns(document, download_url=site_url("api_meetings.material_file", document_id=document.id))
