"""Invitations: the secretariat's invitation and replies page, and the invitee's reply page
reached by the personal link in their mail."""
from __future__ import annotations

from collections import Counter

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ..consortia.invitees import invitee, invitees, requested_invitee
from ..extensions import db
from ..forms import ButtonForm, render_form
from ..mail import notices
from ..models import Meeting, Reply
from ..models.base import utcnow
from ..pagination import page_of
from ..permissions import Access, guard
from ..personal_links import private, read_token
from . import mailing, services
from .forms import InviteForm, ReplyForm

bp = Blueprint("invitations", __name__)

WHY_NOT = {
    "cancelled": _l("The meeting is cancelled, so no invitation can go out."),
    "no_date": _l("The meeting has no date yet. Set its date (a date poll helps) before inviting."),
    "over": _l("The meeting has already begun, so invitations can no longer go out."),
}

LINK_INVALID = _l(
    "The link may have been copied incompletely, or the meeting it was for has been deleted. "
    "Please ask the secretariat for a new invitation."
)

REPLY_CLOSED = {
    "cancelled": _l("This meeting has been cancelled, so there is nothing to reply to."),
    "over": _l("The meeting has already begun, so replies can no longer change. Please contact the secretariat."),
}


def _page_url(meeting: Meeting) -> str:
    return url_for("invitations.index", meeting_id=meeting.id)


def send_due_and_say(meeting: Meeting, message: str | None = None) -> None:
    """Send the invited what they are due (mailing.send_due), commit, and say so."""
    notices.send_and_say(lambda: mailing.send_due(meeting, message), meeting.consortium_id)


@bp.route("/meetings/<int:meeting_id>/invitations", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def index(meeting_id: int):
    """Every member's invitation and reply, and the form that invites those not invited yet."""
    meeting = db.session.get(Meeting, meeting_id, options=[joinedload(Meeting.consortium)])
    everyone = invitees(meeting.consortium_id)
    rows = services.attendance_by_member(meeting.id)
    invited = mailing.invited(meeting, everyone, rows)
    invited_ids = {i.membership.id for i in invited}
    candidates = [i for i in everyone if i.email and i.membership.id not in invited_ids]
    why_not = services.why_not_invite(meeting, utcnow())
    form = InviteForm(candidates)
    status = 200
    if request.method == "POST":
        if why_not:
            flash(str(WHY_NOT[why_not]), "error")
            return redirect(_page_url(meeting))
        if form.validate_on_submit():
            chosen = set(form.membership_ids())
            services.invite(meeting, [i.membership.id for i in candidates if i.membership.id in chosen], rows)
            send_due_and_say(meeting, form.message.data)
            return redirect(_page_url(meeting))
        status = 422
    kind = mailing.due_kind(meeting)
    due = len(mailing.due(meeting, invited)) if invited else 0
    replies = Counter(rows[i.membership.id].reply for i in invited)
    return render_template(
        "invitations/index.html", meeting=meeting, rows=rows, form=form if candidates and not why_not else None,
        page=page_of(everyone, current_app.config["ROSTER_PER_PAGE"]), invited=invited, due=due, due_kind=kind,
        why_not=WHY_NOT.get(why_not), replies=replies, Reply=Reply,
        no_email=[i for i in everyone if not i.email],
        replies_open=services.why_not_reply(meeting, utcnow()) is None,
    ), status


@bp.post("/meetings/<int:meeting_id>/invitations/send")
@guard(Access.SECRETARIAT)
def send(meeting_id: int):
    """Send the invited what they have not had yet: the latest version, or the cancellation."""
    meeting = db.session.get(Meeting, meeting_id)
    if not ButtonForm().validate_on_submit():
        flash(_("The form had expired. Please send it again."), "error")
    else:
        send_due_and_say(meeting)
    return redirect(_page_url(meeting))


@bp.route("/invitations/<invitation_token>", methods=["GET", "POST"])
@guard(Access.PUBLIC)
def reply(invitation_token: str):
    """Reply to an invitation through the personal link: no password, only the holder's own reply.

    Following a link never answers by itself (mail scanners open links): the reply in the link
    is chosen in advance, and saved when the invitee presses the button."""
    data = read_token(mailing.LINK_KIND, invitation_token)
    meeting = db.session.get(Meeting, data[0], options=[joinedload(Meeting.consortium)]) if data else None
    row = services.attendance_by_member(meeting.id).get(data[1]) if meeting else None
    me = invitee(meeting.consortium_id, data[1]) if row else None
    if me is None or row.invited_at is None:
        return private(render_template("link_invalid.html", message=LINK_INVALID), 404)
    closed = services.why_not_reply(meeting, utcnow())
    status = 200
    if request.method == "GET":
        form = ReplyForm(data=_reply_data(row))
        if request.args.get("reply") in {r.value for r in Reply}:
            form.reply.data = request.args["reply"]
    else:
        form = ReplyForm()
        if closed:
            status = 409
        elif form.validate_on_submit():
            services.record_reply(row, Reply(form.reply.data), form.note.data, form.stand_in.data)
            db.session.commit()
            flash(_("Thank you: your reply has been sent to the secretariat. You can change it with this link until the meeting."), "success")
            return private(redirect(url_for("invitations.reply", invitation_token=invitation_token)))
        else:
            status = 422
    page = render_template(
        "invitations/reply.html", meeting=meeting, me=me, row=row, form=None if closed else form,
        closed=REPLY_CLOSED.get(closed), refused=request.method == "POST" and closed,
    )
    return private(page, status)


@bp.route("/meetings/<int:meeting_id>/invitations/on-behalf", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def on_behalf(meeting_id: int):
    """Record the reply a member gave another way (by telephone, by fax), for ?member=<membership id>:
    members without email are reached this way. They count as invited from then on."""
    meeting = db.session.get(Meeting, meeting_id, options=[joinedload(Meeting.consortium)])
    me = requested_invitee(meeting.consortium_id, _("Choose a member of the roster from the invitations page."))
    rows = services.attendance_by_member(meeting.id)
    closed = services.why_not_reply(meeting, utcnow())
    form = ReplyForm(data=_reply_data(rows.get(me.membership.id))) if request.method == "GET" else ReplyForm()
    if request.method == "POST" and not closed and form.validate_on_submit():
        services.invite(meeting, [me.membership.id], rows)
        services.record_reply(rows[me.membership.id], Reply(form.reply.data), form.note.data, form.stand_in.data)
        db.session.commit()
        flash(_("The reply of %(name)s has been recorded.", name=me.name), "success")
        return redirect(_page_url(meeting))
    if closed and request.method == "POST":
        flash(str(REPLY_CLOSED[closed]), "error")
        return redirect(_page_url(meeting))
    return render_form(
        "invitations/on_behalf.html", form, meeting=meeting, me=me, closed=REPLY_CLOSED.get(closed),
    )


def _reply_data(row) -> dict:
    """The reply form's data from a stored reply, if any."""
    if row is None:
        return {}
    return {"reply": row.reply.value if row.reply else None, "stand_in": row.stand_in, "note": row.reply_note}
