"""Date polls: the secretariat's poll pages, the members' answer page, and personal answer links."""
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
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import joinedload

from .. import permissions, versions
from ..consortia.invitees import Invitee, invitee, invitee_of_person, invitees, requested_invitee
from ..extensions import db
from ..mail import notices
from ..forms import ButtonForm, ConfirmForm, render_form
from ..invitations.mailing import invite_everyone_reachable
from ..invitations.services import why_not_invite
from ..invitations.views import send_due_and_say
from ..models import Meeting, Poll
from ..models.base import utcnow
from ..pagination import page_of
from ..permissions import Access, guard
from ..personal_links import private, read_token
from . import mailing, services
from .forms import PickForm, PollForm, RemoveSlotForm, answer_form
from .results import Results, results
from .scheduling import slot_warnings

bp = Blueprint("polls", __name__)

WITH_MEETING = joinedload(Poll.meeting).joinedload(Meeting.consortium)
LINK_INVALID = _l(
    "The link may have been copied incompletely, or the poll it was for has been deleted. "
    "Please ask the secretariat for a new link, or sign in to answer."
)


def _poll_url(poll: Poll, anchor: str | None = None) -> str:
    return url_for("polls.show", poll_id=poll.id, _anchor=anchor)


def _form_for(poll: Poll, found: Results, invitee: Invitee, **kwargs):
    answers = {slot.id: a for slot in found.slots if (a := found.answer(invitee, slot)) is not None}
    response = found.responses.get(invitee.membership.id)
    return answer_form(found.slots, answers, response.comment if response else None, **kwargs)


@bp.route("/meetings/<int:meeting_id>/polls/new", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def create(meeting_id: int):
    """Propose candidate slots for a meeting and a respond-by date."""
    meeting = db.session.get(Meeting, meeting_id)
    form = PollForm(title=meeting.title) if request.method == "GET" else PollForm()
    if form.validate_on_submit():
        poll = services.create_poll(meeting, form.values(), form.new_slots())
        db.session.commit()
        flash(_("The poll has been created. Check the candidates and who it goes to, then send it."), "success")
        _flash_slot_warnings(meeting, form)
        return redirect(_poll_url(poll))
    return render_form(
        "polls/form.html", form, meeting=meeting, poll=None, title=_("New date poll"),
        invitees=invitees(meeting.consortium_id), slot_warnings=slot_warnings(meeting, form.new_slots()),
    )


def _flash_slot_warnings(meeting: Meeting, form: PollForm) -> None:
    """Warn on the next page about the candidates just saved, as the meeting form does about its date."""
    for message in slot_warnings(meeting, form.new_slots()):
        flash(message, "warning")


@bp.route("/polls/<int:poll_id>", methods=["GET", "POST"])
@guard(Access.MEMBER, WITH_MEETING)
def show(poll_id: int):
    """Show a poll's results to the members; the member signed in answers here too."""
    poll = db.session.get(Poll, poll_id)
    everyone = invitees(poll.meeting.consortium_id)
    found = results(poll, everyone)
    me = invitee_of_person(everyone, getattr(current_user, "person_id", None))
    form = _form_for(poll, found, me) if me is not None and poll.is_open else None
    status = 200
    if request.method == "POST":
        if me is None:
            flash(_("You are not on this consortium's roster, so there is nothing for you to answer."), "error")
            return redirect(_poll_url(poll))
        if not poll.is_open:
            flash(_("This poll is closed, so answers can no longer change."), "error")
            status = 409
        elif form.validate_on_submit():
            services.save_answers(poll, me.membership.id, form.answers(), form.comment.data)
            db.session.commit()
            flash(_("Your answers have been saved. You can change them until the poll closes."), "success")
            return redirect(_poll_url(poll, "answer"))
        else:
            status = 422
    is_secretariat = permissions.is_secretariat(poll.meeting.consortium_id)
    page = page_of(everyone, current_app.config["ROSTER_PER_PAGE"])
    pending = {}
    if is_secretariat:
        kind = mailing.INVITATION if poll.is_open else mailing.DECISION
        pending = {"count": len(mailing.pending(kind, poll, everyone)), "kind": kind}
    return render_template(
        "polls/show.html", poll=poll, meeting=poll.meeting, results=found, page=page, me=me, form=form,
        is_secretariat=is_secretariat, pending=pending,
        no_email=[i for i in everyone if not i.email],
    ), status


@bp.route("/polls/answer/<poll_token>", methods=["GET", "POST"])
@guard(Access.PUBLIC)
def answer(poll_token: str):
    """Answer a poll through a personal link: no password, only the holder's own answers."""
    data = read_token(mailing.LINK_KIND, poll_token)
    poll = db.session.get(Poll, data[0], options=[WITH_MEETING]) if data else None
    me = None
    if poll is not None:
        me = invitee(poll.meeting.consortium_id, data[1])
    if me is None:
        return private(render_template("link_invalid.html", message=LINK_INVALID), 404)
    found = results(poll, [me])
    form = _form_for(poll, found, me) if poll.is_open else None
    status = 200
    if request.method == "POST":
        if not poll.is_open:
            status = 409
        elif form.validate_on_submit():
            services.save_answers(poll, me.membership.id, form.answers(), form.comment.data)
            db.session.commit()
            flash(_("Your answers have been saved. You can change them with this link until the poll closes."), "success")
            return private(redirect(url_for("polls.answer", poll_token=poll_token, _anchor="answer")))
        else:
            status = 422
    page = render_template(
        "polls/answer.html", poll=poll, meeting=poll.meeting, me=me, results=found, form=form,
        refused=request.method == "POST" and not poll.is_open,
    )
    return private(page, status)


@bp.route("/polls/<int:poll_id>/on-behalf", methods=["GET", "POST"])
@guard(Access.SECRETARIAT, WITH_MEETING)
def on_behalf(poll_id: int):
    """Enter the answers a member gave another way (by telephone, by fax), for ?member=<membership
    id>: members without email are reached this way."""
    poll = db.session.get(Poll, poll_id)
    member = requested_invitee(poll.meeting.consortium_id, _("Choose a member of the roster from the poll's results."))
    if not poll.is_open:
        flash(_("This poll is closed, so answers can no longer change."), "error")
        return redirect(_poll_url(poll))
    form = _form_for(poll, results(poll, [member]), member)
    if form.validate_on_submit():
        services.save_answers(poll, member.membership.id, form.answers(), form.comment.data)
        db.session.commit()
        flash(_("The answers of %(name)s have been recorded.", name=member.name), "success")
        return redirect(_poll_url(poll))
    return render_form("polls/on_behalf.html", form, poll=poll, meeting=poll.meeting, member=member)


@bp.route("/polls/<int:poll_id>/edit", methods=["GET", "POST"])
@guard(Access.SECRETARIAT, WITH_MEETING)
def edit(poll_id: int):
    """Change a poll's title, message and respond-by date, and add or remove candidates."""
    poll = db.session.get(Poll, poll_id)
    if not poll.is_open:
        flash(_("This poll is closed, so it can no longer change."), "error")
        return redirect(_poll_url(poll))
    form = PollForm(poll, needs_slot=False)
    if form.validate_on_submit():
        versions.check(form, poll)
        services.update_poll(poll, form.values())
        added = services.add_slots(poll, form.new_slots())
        db.session.commit()
        flash(_("The poll has been saved."), "success")
        if added:
            flash(ngettext("%(num)d candidate has been added.", "%(num)d candidates have been added.", added), "success")
        _flash_slot_warnings(poll.meeting, form)
        return redirect(_poll_url(poll))
    given = [(slot.starts_at, slot.ends_at) for slot in poll.slots] + form.new_slots()
    return render_form(
        "polls/form.html", form, meeting=poll.meeting, poll=poll, title=_("Edit the date poll"),
        invitees=None, remove_form=RemoveSlotForm(formdata=None), slot_warnings=slot_warnings(poll.meeting, given),
    )


@bp.post("/polls/<int:poll_id>/slots/remove")
@guard(Access.SECRETARIAT, WITH_MEETING)
def remove_slot(poll_id: int):
    """Take a candidate out of an open poll, with the answers given for it."""
    poll = db.session.get(Poll, poll_id)
    form = RemoveSlotForm()
    slot = next((s for s in poll.slots if form.validate_on_submit() and str(s.id) == form.slot_id.data), None)
    if slot is None:
        flash(_("Choose a candidate of this poll to remove."), "error")
    elif not poll.is_open:
        flash(_("This poll is closed, so it can no longer change."), "error")
    else:
        services.remove_slot(poll, slot)
        db.session.commit()
        flash(_("The candidate has been removed, with the answers given for it."), "success")
    return redirect(url_for("polls.edit", poll_id=poll.id))


@bp.post("/polls/<int:poll_id>/send")
@guard(Access.SECRETARIAT, WITH_MEETING)
def send(poll_id: int):
    """Mail what is due and not yet sent: each member's personal link, or the decision."""
    poll = db.session.get(Poll, poll_id)
    if ButtonForm().validate_on_submit():
        _send_pending(poll)
    else:
        flash(_("The form had expired. Please send it again."), "error")
    return redirect(_poll_url(poll))


def _send_pending(poll: Poll) -> None:
    """Send the poll's pending mails and commit them with their notices; say what happened."""
    consortium_id = poll.meeting.consortium_id
    notices.send_and_say(
        lambda: mailing.send_pending(poll, invitees(consortium_id)),
        consortium_id,
        _("Nothing to send: everyone with an email address has had this mail."),
    )


@bp.route("/polls/<int:poll_id>/pick", methods=["GET", "POST"])
@guard(Access.SECRETARIAT, WITH_MEETING)
def pick(poll_id: int):
    """Choose the slot: it becomes the meeting's time, the poll closes and the members are told."""
    poll = db.session.get(Poll, poll_id)
    if not poll.is_open:
        flash(_("This poll is closed: its date has already been chosen."), "info")
        return redirect(_poll_url(poll))
    found = results(poll, invitees(poll.meeting.consortium_id))
    form = PickForm(found.slots)
    if request.method == "GET" and request.args.get("slot") in form.by_id:
        form.slot_id.data = request.args["slot"]
    if form.validate_on_submit():
        calendars_see_it = services.pick_slot(poll, form.slot)
        db.session.commit()
        flash(_("The meeting's date has been set and the poll closed."), "success")
        _send_pending(poll)
        if form.invite.data and why_not_invite(poll.meeting, utcnow()) is None:
            invite_everyone_reachable(poll.meeting)
            send_due_and_say(poll.meeting)  # the invitations, and the new time to any invited before
        elif calendars_see_it:
            send_due_and_say(poll.meeting)  # those already invited get the new time
        return redirect(_poll_url(poll))
    return render_form("polls/pick.html", form, poll=poll, meeting=poll.meeting, results=found)


@bp.route("/polls/<int:poll_id>/delete", methods=["GET", "POST"])
@guard(Access.SECRETARIAT, WITH_MEETING)
def delete(poll_id: int):
    """Delete a poll with its answers, after confirmation; the meeting keeps its time."""
    poll = db.session.get(Poll, poll_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        meeting_id = poll.meeting_id
        services.delete_poll(poll)
        db.session.commit()
        flash(_("The poll has been deleted."), "success")
        return redirect(url_for("meetings.show", meeting_id=meeting_id))
    return render_form(
        "confirm.html", form,
        title=_("Delete the date poll %(title)s?", title=poll.title),
        message=_("The poll is deleted with its candidates and every answer. Personal links stop working."),
        cancel_url=_poll_url(poll), consequences=(), button=None, level="secretariat",
    )
