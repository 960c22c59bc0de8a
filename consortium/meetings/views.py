"""Meetings: the site-wide list, each meeting's page, and the secretariat's meeting and agenda forms."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from sqlalchemy.orm import joinedload, with_expression

from .. import page_cache, permissions, versions
from ..documents.services import discard
from ..extensions import db
from ..forms import ButtonForm, ConfirmForm, positive_int, render_form
from ..invitations.mailing import own_invitation
from ..invitations.views import send_due_and_say
from ..models import AgendaItem, AgendaPresenter, Consortium, Document, Meeting, MeetingStatus
from ..minutes import queries as minutes_queries
from ..minutes.summary import minutes_view, shown_outside
from ..pagination import paginate
from ..redirects import local_path
from ..permissions import Access, guard
from . import scheduling, services
from .forms import (
    AgendaForm,
    AgendaItemForm,
    AgendaRowForm,
    MeetingForm,
    MoveForm,
    NewMeetingForm,
    PresenterForm,
    RemovePresenterForm,
    WhenForm,
    pasted_plan,
)

# No url_prefix: the agenda's routes live under /agenda-items and a new meeting under its consortium.
bp = Blueprint("meetings", __name__)


def listing_statement(now: datetime, upcoming: bool = True) -> sa.Select:
    """Visible meetings with their consortium: from now on soonest first, or past newest first."""
    stmt = (
        sa.select(Meeting)
        .join(Meeting.consortium)
        .where(permissions.visible_meetings())
        .options(joinedload(Meeting.consortium))
    )
    if upcoming:
        return stmt.where(Meeting.past_from >= now).order_by(Meeting.starts_at, Meeting.id)
    return stmt.where(Meeting.past_from < now).order_by(Meeting.starts_at.desc(), Meeting.id)


@bp.get("/meetings/")
@guard(Access.PUBLIC)
def index():
    """List the meetings the visitor may see: upcoming, or past with ?when=past."""
    when = request.args.get("when", "upcoming")
    if when not in ("upcoming", "past"):
        abort(400, description=_("Choose upcoming or past meetings."))
    stmt = listing_statement(datetime.now(timezone.utc), upcoming=when == "upcoming")
    page = paginate(stmt, current_app.config["PER_PAGE"])
    return render_template(
        "meetings/index.html", page=page, when=when, not_held_ids=services.not_held_among(page.items, permissions.is_secretariat)
    )


@bp.get("/meetings/<int:meeting_id>")
@guard(Access.PUBLIC, joinedload(Meeting.consortium), with_expression(Meeting.minutes_version, minutes_queries.VERSION))
def show(meeting_id: int):
    """Show a meeting: when and where, agenda, materials, and minutes once published."""
    meeting = db.session.get(Meeting, meeting_id)
    return page_cache.page(
        "meeting",
        lambda: (meeting.id, meeting.updated_at, meeting.consortium.updated_at, meeting.minutes_version),
        lambda: _meeting_page(meeting),
    )


def _meeting_page(meeting: Meeting) -> str:
    is_member = permissions.is_member(meeting.consortium_id)
    items = services.agenda_with_presenters(meeting.id)
    documents = db.session.execute(
        sa.select(Document).where(Document.meeting_id == meeting.id).order_by(Document.position, Document.id)
    ).scalars().all()
    minutes = minutes_queries.load_minutes(meeting.id, workflow=False)
    if minutes is not None and not permissions.can_view_minutes(minutes):
        minutes = None
    all_items = items
    if not is_member:
        items, documents = shown_outside(all_items, documents)
    person_id = getattr(current_user, "person_id", None)
    return render_template(
        "meetings/show.html",
        meeting=meeting,
        own_invitation=own_invitation(meeting, person_id) if is_member and person_id else None,
        items=items,
        items_by_id={item.id: item for item in items},
        documents=documents,
        minutes_view=minutes_view(minutes, all_items, full=is_member) if minutes else None,
        is_member=is_member,
        can_edit=permissions.is_secretariat(meeting.consortium_id),
    )


def _meeting_url(meeting_id: int, anchor: str | None = None) -> str:
    return url_for("meetings.show", meeting_id=meeting_id, _anchor=anchor)


def _confirm_page(title: str, message: str, form, cancel_url: str, consequences=(), button: str | None = None):
    return render_form(
        "confirm.html",
        form,
        title=title,
        message=message,
        cancel_url=cancel_url,
        consequences=consequences,
        button=button,
        level="secretariat",
    )


# ---------------------------------------------------------------------------------------------
# Meetings


def _schedule_warnings(
    form: MeetingForm, consortium_id: int, meeting_id: int | None
) -> list[scheduling.ScheduleWarning]:
    """What to warn about for the time the form holds, or nothing while it does not say when."""
    when = form.when()
    return scheduling.warnings_for(consortium_id, *when, exclude_meeting_id=meeting_id) if when else []


def _flash_schedule_warnings(form: MeetingForm, meeting: Meeting) -> None:
    """Show the scheduling warnings on the next page too, for those whose browser ran no script."""
    for warning in _schedule_warnings(form, meeting.consortium_id, meeting.id):
        flash(warning.message, "warning")


def _meeting_form_page(form: MeetingForm, consortium: Consortium, meeting: Meeting | None, title: str, cancel_url):
    return render_form(
        "meetings/form.html",
        form,
        consortium=consortium,
        meeting=meeting,
        title=title,
        cancel_url=cancel_url,
        schedule_warnings=_schedule_warnings(form, consortium.id, meeting.id if meeting else None),
    )


@bp.route("/consortia/<int:consortium_id>/meetings/new", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def create(consortium_id: int):
    """Plan a meeting of the consortium."""
    consortium = db.session.get(Consortium, consortium_id)
    form = NewMeetingForm()
    if form.validate_on_submit():
        meeting = services.create_meeting(consortium, form.values())
        if form.pasted:
            services.save_agenda(meeting, {}, pasted_plan(form.pasted), [])
        db.session.commit()
        if form.pasted:
            flash(ngettext("The meeting has been created with %(num)d agenda item. Add its materials below.",
                           "The meeting has been created with %(num)d agenda items. Add its materials below.",
                           len(form.pasted)), "success")
        else:
            flash(_("The meeting has been created. Add its agenda and materials below."), "success")
        _flash_schedule_warnings(form, meeting)
        return redirect(_meeting_url(meeting.id))
    cancel_url = url_for("consortia.show", consortium_id=consortium.id)
    return _meeting_form_page(form, consortium, None, _("New meeting"), cancel_url)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def edit(meeting_id: int):
    """Change a meeting's facts; calendar subscribers see a change of time, place or status."""
    meeting = db.session.get(Meeting, meeting_id)
    form = MeetingForm(meeting)
    if form.validate_on_submit():
        versions.check(form, meeting)
        calendars_see_it = services.update_meeting(meeting, form.values())
        db.session.commit()
        if calendars_see_it:
            flash(_("The meeting has been saved. Calendars that subscribe to it will show the change."), "success")
            send_due_and_say(meeting)  # the invited get the update
        else:
            flash(_("The meeting has been saved."), "success")
        _flash_schedule_warnings(form, meeting)
        return redirect(_meeting_url(meeting.id))
    return _meeting_form_page(form, meeting.consortium, meeting, _("Edit the meeting"), _meeting_url(meeting.id))


@bp.get("/consortia/<int:consortium_id>/meetings/check")
@guard(Access.SECRETARIAT)
def check_schedule(consortium_id: int):
    """Answer in JSON what to warn about for the date and time typed in the meeting form (its field
    names: precision, day, start_time, end_time; meeting: the id of the meeting being edited)."""
    form = WhenForm(request.args, meta={"csrf": False})
    raw_meeting = request.args.get("meeting", "")
    exclude = positive_int(raw_meeting) if raw_meeting else None
    errors = {} if form.validate() else {name: [str(e) for e in found] for name, found in form.errors.items()}
    if raw_meeting and exclude is None:
        errors["meeting"] = [_("The meeting must be given by its number.")]
    if errors:
        response = jsonify(errors=errors)
        response.status_code = 400
    else:
        warnings = scheduling.warnings_for(consortium_id, *form.when(), exclude_meeting_id=exclude)
        response = jsonify(warnings=[{"kind": w.kind, "message": w.message} for w in warnings])
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def cancel(meeting_id: int):
    """Mark a meeting cancelled, after confirmation; it stays listed, and in calendars, as cancelled."""
    meeting = db.session.get(Meeting, meeting_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        if services.cancel_meeting(meeting):
            db.session.commit()
            flash(_("The meeting has been cancelled."), "success")
            send_due_and_say(meeting)  # the invited get the cancellation
        else:
            flash(_("The meeting was already cancelled."), "info")
        return redirect(_meeting_url(meeting.id))
    return _confirm_page(
        _("Cancel %(title)s?", title=meeting.title),
        _("The meeting stays on the site and in calendars, marked as cancelled. To hold it after all, edit it and change its status."),
        form,
        _meeting_url(meeting.id),
        button=_("Cancel the meeting"),
    )


@bp.post("/meetings/<int:meeting_id>/held")
@guard(Access.SECRETARIAT)
def mark_held(meeting_id: int):
    """Mark a meeting that has begun as held (開催済み), in one click; again, it changes nothing."""
    meeting = db.session.get(Meeting, meeting_id)
    back = local_path(request.form.get("next"), _meeting_url(meeting.id))
    if not ButtonForm().validate_on_submit():
        flash(_("The form had expired. Please send it again."), "error")
    elif services.mark_held(meeting):
        db.session.commit()
        flash(_("%(title)s is now marked as held.", title=meeting.title), "success")
    elif meeting.status is MeetingStatus.HELD:
        flash(_("%(title)s was already marked as held.", title=meeting.title), "info")
    else:
        flash(_("Only a planned meeting that has begun can be marked as held."), "error")
    return redirect(back)


@bp.route("/meetings/<int:meeting_id>/delete", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def delete(meeting_id: int):
    """Delete a meeting with its agenda and materials, after confirmation; never one with minutes."""
    meeting = db.session.get(Meeting, meeting_id)
    if services.has_minutes(meeting):
        flash(
            _("This meeting has minutes, so it cannot be deleted: minutes are a record and are kept. "
              "To call the meeting off, cancel it instead."),
            "error",
        )
        return redirect(_meeting_url(meeting.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        consortium_id = meeting.consortium_id
        try:
            keys = services.delete_meeting(meeting)
        except services.HasMinutes:  # minutes written meanwhile
            db.session.rollback()
            flash(_("This meeting has minutes, so it cannot be deleted."), "error")
            return redirect(_meeting_url(meeting_id))
        db.session.commit()
        discard(keys)
        flash(_("The meeting has been deleted."), "success")
        return redirect(url_for("consortia.show", consortium_id=consortium_id))
    counts = db.session.execute(
        sa.select(
            sa.select(sa.func.count(AgendaItem.id)).where(AgendaItem.meeting_id == meeting.id).scalar_subquery(),
            sa.select(sa.func.count(Document.id)).where(Document.meeting_id == meeting.id).scalar_subquery(),
        )
    ).one()
    return _confirm_page(
        _("Delete %(title)s?", title=meeting.title),
        _("The meeting is deleted with everything that belongs to it. This cannot be undone; to call a meeting off, cancel it instead."),
        form,
        _meeting_url(meeting.id),
        consequences=[
            ngettext("its agenda: %(num)d item", "its agenda: %(num)d items", counts[0]),
            ngettext("its materials and their files: %(num)d material", "its materials and their files: %(num)d materials", counts[1]),
            _("its invitations, replies and date polls"),
        ],
    )


# ---------------------------------------------------------------------------------------------
# Agenda items


def _item_page(form, item: AgendaItem | None, meeting: Meeting, presenter_form=None):
    return render_form(
        "meetings/item_form.html",
        form,
        meeting=meeting,
        item=item,
        presenter_form=presenter_form,
        title=_("Edit the agenda item") if item else _("New agenda item"),
        cancel_url=_meeting_url(meeting.id, "agenda"),
    )


@bp.route("/meetings/<int:meeting_id>/items/new", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def create_item(meeting_id: int):
    """Add an item to the agenda, at the end or under a top-level item."""
    meeting = db.session.get(Meeting, meeting_id)
    form = AgendaItemForm(services.top_level(meeting.id))
    if form.validate_on_submit():
        item = services.add_item(meeting, form.values())
        db.session.commit()
        flash(_("The agenda item has been added."), "success")
        return redirect(_meeting_url(meeting.id, f"item-{item.id}"))
    return _item_page(form, None, meeting)


@bp.route("/agenda-items/<int:item_id>/edit", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def edit_item(item_id: int):
    """Change an agenda item, put it under another item, and manage its presenters."""
    item = db.session.get(AgendaItem, item_id)
    meeting = item.meeting
    form = AgendaItemForm(services.top_level(meeting.id), item, has_children=bool(services.children_of(item)))
    if form.validate_on_submit():
        versions.check(form, item)
        services.update_item(item, form.values())
        db.session.commit()
        flash(_("The agenda item has been saved."), "success")
        return redirect(_meeting_url(meeting.id, f"item-{item.id}"))
    return _item_page(form, item, meeting, PresenterForm(formdata=None))


@bp.route("/agenda-items/<int:item_id>/delete", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def delete_item(item_id: int):
    """Delete an agenda item with its sub-items, after confirmation."""
    item = db.session.get(AgendaItem, item_id)
    meeting_id = item.meeting_id
    children = services.children_of(item)
    if services.item_in_minutes(item, children):
        flash(_("The minutes record discussion or decisions under this item, so it is kept. Edit its title instead."), "error")
        return redirect(_meeting_url(meeting_id, f"item-{item.id}"))
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_item(item, children)
        db.session.commit()
        flash(_("The agenda item has been deleted."), "success")
        return redirect(_meeting_url(meeting_id, "agenda"))
    consequences = [_("its presenters")]
    if children:
        consequences.insert(
            0,
            _("its sub-items: %(titles)s", titles="、".join(c.numbered_title for c in children)),
        )
    return _confirm_page(
        _("Delete the agenda item %(title)s?", title=item.title),
        _("The item is deleted with:"),
        form,
        _meeting_url(meeting_id, f"item-{item.id}"),
        consequences=consequences
        + [_("Materials attached to it are kept, as materials of the meeting; those of a closed item stay members-only.")],
    )


@bp.post("/agenda-items/<int:item_id>/move")
@guard(Access.SECRETARIAT)
def move_item(item_id: int):
    """Move an agenda item up or down among its siblings."""
    item = db.session.get(AgendaItem, item_id)
    form = MoveForm()
    if not form.validate_on_submit():
        flash(_("Choose whether to move the item up or down."), "error")
    elif services.move_item(item, form.direction.data):
        db.session.commit()
    else:
        flash(_("The item is already at that end of the list."), "info")
    return redirect(_meeting_url(item.meeting_id, f"item-{item.id}"))


@bp.post("/agenda-items/<int:item_id>/presenters")
@guard(Access.SECRETARIAT)
def add_presenter(item_id: int):
    """Add a person or organisation from the directory as a presenter of an item."""
    item = db.session.get(AgendaItem, item_id)
    presenter_form = PresenterForm()
    if presenter_form.validate_on_submit():
        services.add_presenter(item, presenter_form.who, presenter_form.presenter_title.data)
        db.session.commit()
        flash(_("The presenter has been added."), "success")
        return redirect(url_for("meetings.edit_item", item_id=item.id, _anchor="presenters"))
    form = AgendaItemForm(services.top_level(item.meeting_id), item, formdata=None)
    return _item_page(form, item, item.meeting, presenter_form)


@bp.post("/agenda-items/<int:item_id>/presenters/remove")
@guard(Access.SECRETARIAT)
def remove_presenter(item_id: int):
    """Remove one presenter of an item (named in the form) from it."""
    item = db.session.get(AgendaItem, item_id)
    form = RemovePresenterForm()
    presenter = None
    if form.validate_on_submit():
        presenter = db.session.get(AgendaPresenter, form.presenter_id.data)
    if presenter is None or presenter.agenda_item_id != item.id:
        flash(_("That presenter is not on this item."), "error")
    else:
        services.remove_presenter(presenter)
        db.session.commit()
        flash(_("The presenter has been removed."), "success")
    return redirect(url_for("meetings.edit_item", item_id=item.id, _anchor="presenters"))


# ---------------------------------------------------------------------------------------------
# The whole agenda on one page


def _agenda_rows(items: list[AgendaItem]) -> list[dict]:
    return [
        {
            "id": item.id,
            "version": item.version,
            "title": item.title,
            "level": "1" if item.parent_id else "0",
            "position": number,
            "is_public": item.is_public,
        }
        for number, item in enumerate(items, start=1)
    ]


def _agenda_page(form: AgendaForm, meeting: Meeting, conflicts=(), status: int | None = None):
    context = {
        "meeting": meeting,
        "conflicts": conflicts,
        "cancel_url": _meeting_url(meeting.id, "agenda"),
        "blank_row": AgendaRowForm(formdata=None, prefix=f"{form.items.name}-__index__-"),  # for rows.js
    }
    if status is not None:
        return render_template("meetings/agenda_form.html", form=form, **context), status
    return render_form("meetings/agenda_form.html", form, **context)


def _agenda_conflicts(form: AgendaForm, stored: dict[int, AgendaItem]) -> list[str]:
    """What others changed in the agenda since the form was read: the stored items' titles, as
    they are now. The form is brought up to date for a second save: rows of changed items carry
    the current version, a row of an item removed meanwhile becomes a new row, and items added
    meanwhile join the form at the end."""
    conflicts, posted = [], set()
    for entry in form.items:
        row = entry.form
        if row.id.data is None:
            continue
        item = stored.get(row.id.data)
        if item is None:
            conflicts.append(_("%(title)s was removed by someone else; saving again adds it anew.", title=row.title.data or ""))
            row.id.data, row.id.raw_data = None, [""]
            continue
        if item.id in posted:  # a row sent twice: the second becomes a new item, for the user to see
            conflicts.append(_("%(title)s was in the form twice.", title=item.numbered_title))
            row.id.data, row.id.raw_data = None, [""]
            continue
        posted.add(item.id)
        if row.version.data != item.version:
            conflicts.append(_("%(title)s was changed by someone else.", title=item.numbered_title))
            row.version.data, row.version.raw_data = item.version, [str(item.version)]
    for item in stored.values():
        if item.id not in posted:
            conflicts.append(_("%(title)s was added by someone else.", title=item.numbered_title))
            form.items.append_entry(_agenda_rows([item])[0] | {"position": None})
    return conflicts


@bp.route("/meetings/<int:meeting_id>/agenda", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def edit_agenda(meeting_id: int):
    """Add, change, nest, reorder and remove all of a meeting's agenda items on one page, and add
    items pasted as text; a save based on an agenda someone changed meanwhile is refused (409)."""
    meeting = db.session.get(Meeting, meeting_id)
    items = services.in_agenda_order(
        db.session.execute(sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)).scalars().all()
    )
    in_minutes = services.items_in_minutes(meeting.id)
    if request.method == "GET":
        form = AgendaForm(data={"items": _agenda_rows(items)}, in_minutes=in_minutes)
        form.add_blank_rows()
    else:
        form = AgendaForm(in_minutes=in_minutes)
    if not form.validate_on_submit():
        return _agenda_page(form, meeting)
    stored = {item.id: item for item in items}
    conflicts = _agenda_conflicts(form, stored)
    if conflicts:
        return _agenda_page(form, meeting, conflicts, 409)
    added, changed, removed = services.save_agenda(meeting, stored, form.plan(), form.removed_ids())
    db.session.commit()
    flash(
        _("The agenda has been saved: %(added)d added, %(changed)d changed, %(removed)d removed.",
          added=added, changed=changed, removed=removed),
        "success",
    )
    return redirect(_meeting_url(meeting.id, "agenda"))
