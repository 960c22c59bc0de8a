"""Attendance: the secretariat records who attended a meeting, a page of its roster at a time."""
from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from .. import versions
from ..extensions import db
from ..filters import long_date
from ..forms import positive_int, render_form
from ..invitations.mailing import REPLIES
from ..meetings.services import may_be_held
from ..models import Meeting, MeetingStatus, Presence
from ..pagination import paginate
from ..permissions import Access, guard
from . import queries, services
from .forms import attendance_form

bp = Blueprint("attendance", __name__, url_prefix="/meetings")


@bp.route("/<int:meeting_id>/attendance", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def record(meeting_id: int):
    """Record each member's presence and the number of observers, from the meeting's day on;
    before it, show the attendance the replies lead one to expect.

    A POST saves the members of its own page (and the observers), so a long roster is recorded
    page by page without one page overwriting another.
    """
    meeting = db.session.get(Meeting, meeting_id)
    if meeting.status is MeetingStatus.CANCELLED:
        flash(_("This meeting was cancelled, so there is no attendance to record."), "error")
        return redirect(url_for("meetings.show", meeting_id=meeting.id))
    day = queries.meeting_day(meeting)
    if not services.can_record(meeting):
        return _expected(meeting, day)
    page = paginate(queries.sheet(meeting), current_app.config["ROSTER_PER_PAGE"], scalars=False)
    rows = [(membership, attendance) for membership, attendance in page.items]  # Row → plain pairs
    form = attendance_form(rows, meeting.observers, version=meeting.attendance_version)
    context = {
        "meeting": meeting,
        "day": day,
        "page": page,
        "suggested": {m.id for m, attendance in rows if services.suggestion(attendance) is not None},
        "selected": set(),
        "bulk": "",
        "holds": may_be_held(meeting),
    }
    action = request.form.get("action") if request.method == "POST" else None
    if action in FILLS:
        return _filled(form, action, context)
    if form.validate_on_submit():
        versions.check(form, meeting, "attendance_version")
        try:
            held = services.record_attendance(
                meeting, {m.id: attendance for m, attendance in rows}, form.presences(), form.observers.data
            )
            db.session.commit()
        except IntegrityError:
            # An invitation created a member's row between our read and our write.
            db.session.rollback()
            flash(_("Someone changed this meeting's attendance at the same moment. Please check and save again."), "warning")
            return redirect(_page_url(meeting.id, page.page))
        if page.pages > 1:
            flash(_("The attendance of the members on this page and the number of observers have been saved."), "success")
        else:
            flash(_("The attendance has been saved."), "success")
        if held:
            flash(_("The meeting is now marked as held (開催済み)."), "success")
        return redirect(_page_url(meeting.id, page.page))
    return render_form("attendance/record.html", form, **context)


# The buttons that fill rows in without saving; static/attendance.js does the same in the page.
FILLS = ("rest", "bulk")
# What the selected rows may be set to: a presence, or "" (not recorded).
BULK_CHOICES = {""} | {presence.value for presence in Presence}


def _filled(form, action: str, context: dict):
    """Without JavaScript, fill rows in as a button asks and show the form again; nothing is saved."""
    if action == "rest":
        changed = form.fill(Presence.PRESENT.value)
    else:
        context["selected"] = selected = set(filter(None, map(positive_int, request.form.getlist("selected"))))
        context["bulk"] = bulk = request.form.get("bulk_presence", "")
        if bulk not in BULK_CHOICES:
            flash(_("Choose what to set the selected members to."), "error")
            return render_template("attendance/record.html", form=form, **context), 422
        if not selected:
            flash(_("Tick the members to change first."), "error")
            return render_template("attendance/record.html", form=form, **context), 422
        changed = form.fill(bulk, selected)
    flash(_("Rows filled in: %(num)s. Nothing is saved yet: check the rows and save.", num=changed), "info")
    return render_template("attendance/record.html", form=form, **context)


def _expected(meeting: Meeting, day):
    """Before the meeting's day: the attendance the replies lead one to expect; nothing is recorded."""
    status = 200
    if request.method == "POST":
        flash(_("Attendance can be recorded from the day of the meeting, %(day)s. Nothing was saved.", day=long_date(day)), "warning")
        status = 409
    page = paginate(queries.sheet(meeting), current_app.config["ROSTER_PER_PAGE"], scalars=False)
    counts = queries.reply_counts(meeting)
    tally = [(reply.label, counts.get(reply, 0)) for reply in REPLIES] + [(_("No reply yet"), counts.get(None, 0))]
    return render_template("attendance/record.html", meeting=meeting, day=day, form=None, page=page, tally=tally), status


def _page_url(meeting_id: int, page: int) -> str:
    return url_for("attendance.record", meeting_id=meeting_id, page=page if page > 1 else None)
