"""Minutes: the editor, review (発言者確認), approval (会議録署名), publication and history."""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from .. import permissions
from ..attendance.queries import absentees, attendees
from ..extensions import db
from ..forms import ButtonForm, positive_int, render_form
from ..models import (
    Meeting,
    Membership,
    Minutes,
    MinutesRevision,
    MinutesStatus,
    Person,
    User,
)
from ..pagination import paginate
from ..pdf import views as pdf_views
from ..permissions import Access, guard
from ..redirects import local_path
from . import queries, services
from .diff import line_diff
from .forms import (
    ActionDoneForm,
    CommentForm,
    MinutesForm,
    RemoveSignatoryForm,
    SignatoryForm,
    editor_data,
    row_templates,
)
from .summary import minutes_view
from .text import content_as_text, minutes_as_text

bp = Blueprint("minutes", __name__, url_prefix="/meetings")


def _back(meeting_id: int):
    """Where a workflow step returns to: a path on this site the form names, else the minutes page."""
    return redirect(local_path(request.form.get("next"), url_for("minutes.show", meeting_id=meeting_id)))


def _people_names(consortium_id: int) -> list[str]:
    """Names offered while typing a speaker or owner: the consortium's people."""
    return list(
        db.session.execute(
            sa.select(Person.family_name, Person.given_name)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.consortium_id == consortium_id)
            .distinct()
            .order_by(Person.family_name, Person.given_name)
        ).all()
    )


def _editor_context(meeting: Meeting, minutes, items) -> dict:
    names = [f"{family} {given}" if given else family for family, given in _people_names(meeting.consortium_id)]
    return {
        "meeting": meeting,
        "minutes": minutes,
        "items": items,
        "people_names": names,
        "editable": services.is_editable(minutes),
        "row_templates": row_templates(items),
    }


@bp.route("/<int:meeting_id>/minutes/edit", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def edit(meeting_id: int):
    """Edit the minutes on one page; a save based on an older version gets the conflict page."""
    meeting = db.session.get(Meeting, meeting_id)
    minutes = queries.load_minutes(meeting.id)
    items = queries.agenda_items(meeting.id)
    if request.method == "GET":
        form = MinutesForm(data=editor_data(minutes))
        form.add_blank_rows()
    else:
        form = MinutesForm()
    form.set_agenda_items(items)
    if not form.validate_on_submit():
        return render_form("minutes/edit.html", form, **_editor_context(meeting, minutes, items))
    content = form.content()
    if services.has_conflict(minutes, form.version.data):
        return _conflict(meeting, form, content, items)
    if not services.is_editable(minutes):
        form.form_errors.append(_("These minutes are %(status)s: reopen them (back to draft) before editing. Your text is still below.", status=minutes.status.label))
        return render_template("minutes/edit.html", form=form, **_editor_context(meeting, minutes, items)), 409
    try:
        saved = services.save_minutes(meeting, minutes, content, {item.id: item for item in items}, current_user)
        if saved is None:
            db.session.rollback()
            flash(_("Nothing had changed, so no new version was saved."), "info")
            return redirect(url_for("minutes.edit", meeting_id=meeting.id))
        version = saved.version
        db.session.commit()
    except (StaleDataError, IntegrityError):
        # Another save reached the database between our check and our write.
        db.session.rollback()
        return _conflict(meeting, form, content, queries.agenda_items(meeting.id))
    flash(_("The minutes have been saved (version %(version)d).", version=version), "success")
    return redirect(url_for("minutes.show", meeting_id=meeting.id))


def _conflict(meeting: Meeting, form: MinutesForm, content: dict, items):
    """Show what is stored beside what the user sent, with their text in a form based on the current version."""
    minutes = queries.load_minutes(meeting.id)
    theirs = minutes_as_text(minutes) if minutes is not None else ""
    yours = content_as_text(content, {item.id: item for item in items})
    revision = queries.latest_revision(minutes) if minutes is not None else None
    # The form now builds on the stored version; raw_data is what the hidden input prints.
    form.version.data = minutes.version if minutes is not None else 0
    form.version.raw_data = [str(form.version.data)]
    form.set_agenda_items(items)
    context = _editor_context(meeting, minutes, items)
    return (
        render_template(
            "minutes/conflict.html",
            form=form,
            theirs=theirs,
            yours=yours,
            revision=revision,
            changes=line_diff(theirs, yours),
            **context,
        ),
        409,
    )


def _render_show(meeting: Meeting, status: int = 200, comment_form=None, signatory_form=None):
    """The minutes page: the full 議事録 for members, the public 議事要旨 for everyone else."""
    minutes = queries.load_minutes(meeting.id)
    if minutes is None or not permissions.can_view_minutes(minutes):
        # Not 404: the meeting is visible, and its page already says the minutes are not out yet.
        return render_template(
            "minutes/unavailable.html",
            meeting=meeting,
            minutes=minutes,
            is_secretariat=permissions.is_secretariat(meeting.consortium_id),
        ), status
    is_member = permissions.is_member(meeting.consortium_id)
    is_secretariat = permissions.is_secretariat(meeting.consortium_id)
    full = is_member and request.args.get("public") != "1"
    view = minutes_view(minutes, queries.agenda_items(meeting.id), full=full)
    own = next((a for a in minutes.approvals if a.user_id == getattr(current_user, "id", None)), None)
    if is_secretariat and signatory_form is None:
        signatory_form = SignatoryForm(formdata=None)
    if signatory_form is not None:
        signatory_form.set_users(queries.signatory_candidates(meeting.consortium_id))
    return (
        render_template(
            "minutes/show.html",
            meeting=meeting,
            minutes=minutes,
            view=view,
            attendees=attendees(meeting.id),
            absentees=absentees(meeting.id),
            is_member=is_member,
            is_secretariat=is_secretariat,
            own_approval=own,
            comment_form=comment_form or CommentForm(formdata=None),
            signatory_form=signatory_form,
        ),
        status,
    )


@bp.get("/<int:meeting_id>/minutes")
@guard(Access.PUBLIC)
def show(meeting_id: int):
    """Read the minutes: members the full 議事録 (with ?public=1 the public view), others the 議事要旨."""
    return _render_show(db.session.get(Meeting, meeting_id))


@bp.get("/<int:meeting_id>/minutes/history")
@guard(Access.MEMBER)
def history(meeting_id: int):
    """List the saved versions of the minutes, newest first, and the changes made in one (?rev=N)."""
    meeting = db.session.get(Meeting, meeting_id)
    minutes = db.session.execute(sa.select(Minutes).where(Minutes.meeting_id == meeting.id)).scalar_one_or_none()
    page, selected, changes = None, None, None
    if minutes is not None:
        stmt = (
            sa.select(MinutesRevision)
            .where(MinutesRevision.minutes_id == minutes.id)
            .options(joinedload(MinutesRevision.user))
            .order_by(MinutesRevision.version.desc())
        )
        page = paginate(stmt, current_app.config["PER_PAGE"])
        rev = request.args.get("rev")
        if rev is not None:
            version = positive_int(rev)
            if version is None:
                abort(400, description=_("The revision must be a version number."))
            selected = db.session.execute(
                sa.select(MinutesRevision)
                .where(MinutesRevision.minutes_id == minutes.id, MinutesRevision.version == version)
                .options(joinedload(MinutesRevision.user))
            ).scalar_one_or_none()
            if selected is None:
                abort(404, description=_("These minutes have no version %(version)s.", version=rev))
            previous = queries.latest_revision(minutes, at_most=selected.version - 1)
            changes = line_diff(previous.content if previous else "", selected.content)
    return render_template(
        "minutes/history.html", meeting=meeting, minutes=minutes, page=page, selected=selected, changes=changes
    )


def _step(meeting_id: int, step, success: str, then: Callable[[Meeting], None] | None = None):
    """Run one workflow step on the meeting's minutes: flash what happened, go back. `then` runs
    once the step is committed."""
    meeting = db.session.get(Meeting, meeting_id)
    if not ButtonForm().validate_on_submit():
        flash(_("The form had expired. Please try again."), "warning")
        return _back(meeting.id)
    minutes = queries.load_minutes(meeting.id)
    if minutes is None:
        flash(_("There are no minutes for this meeting yet."), "warning")
        return _back(meeting.id)
    try:
        message = step(minutes) or success
        db.session.commit()
    except services.WorkflowError as error:
        db.session.rollback()
        flash(str(error), "warning")
        return _back(meeting.id)
    except StaleDataError:
        db.session.rollback()
        flash(_("Someone changed the minutes at the same moment. Please try again."), "warning")
        return _back(meeting.id)
    if then is not None:
        then(meeting)
    flash(message, "success")
    return _back(meeting.id)


@bp.post("/<int:meeting_id>/minutes/review")
@guard(Access.SECRETARIAT)
def review(meeting_id: int):
    """Send draft minutes to the members and speakers for review (発言者確認)."""
    return _step(meeting_id, services.send_to_review, _("The minutes are now in review. Members can read and comment on them."))


@bp.post("/<int:meeting_id>/minutes/approve")
@guard(Access.MEMBER)
def approve(meeting_id: int):
    """Sign the minutes as one of their designated signatories (会議録署名)."""

    def sign(minutes):
        if services.approve(minutes, current_user):
            return _("You have approved the minutes. Every signatory has now approved them.")
        return None

    return _step(meeting_id, sign, _("You have approved the minutes."))


@bp.post("/<int:meeting_id>/minutes/publish")
@guard(Access.SECRETARIAT)
def publish(meeting_id: int):
    """Publish approved minutes to whoever may see the meeting."""
    return _step(meeting_id, services.publish, _("The minutes are published."), then=pdf_views.warm_minutes)


@bp.post("/<int:meeting_id>/minutes/reopen")
@guard(Access.SECRETARIAT)
def reopen(meeting_id: int):
    """Send the minutes back to draft; approvals are cleared and must be given again."""
    return _step(meeting_id, services.reopen, _("The minutes are a draft again; their approvals have been cleared."))


@bp.post("/<int:meeting_id>/minutes/comments")
@guard(Access.MEMBER)
def comment(meeting_id: int):
    """Comment on minutes in review."""
    meeting = db.session.get(Meeting, meeting_id)
    minutes = queries.load_minutes(meeting.id)
    if minutes is None or minutes.status is not MinutesStatus.IN_REVIEW:
        flash(_("Comments can be made only while the minutes are in review."), "warning")
        return _back(meeting.id)
    form = CommentForm()
    if not form.validate_on_submit():
        return _render_show(meeting, 422, comment_form=form)
    services.add_comment(minutes, current_user, form.body.data)
    db.session.commit()
    flash(_("Your comment has been added."), "success")
    return redirect(url_for("minutes.show", meeting_id=meeting.id, _anchor="comments"))


@bp.post("/<int:meeting_id>/minutes/signatories")
@guard(Access.SECRETARIAT)
def signatories(meeting_id: int):
    """Designate a signatory of the minutes, with the capacity in which they sign."""
    meeting = db.session.get(Meeting, meeting_id)
    minutes = queries.load_minutes(meeting.id)
    if minutes is None:
        flash(_("There are no minutes for this meeting yet."), "warning")
        return _back(meeting.id)
    form = SignatoryForm()
    form.set_users(queries.signatory_candidates(meeting.consortium_id))
    if not form.validate_on_submit():
        return _render_show(meeting, 422, signatory_form=form)
    user = db.session.get(User, form.user_id.data)
    try:
        services.designate(minutes, user, form.capacity.data)
    except services.WorkflowError as error:
        db.session.rollback()
        flash(str(error), "warning")
        return _back(meeting.id)
    db.session.commit()
    flash(_("%(name)s will sign the minutes.", name=user.display_name), "success")
    return redirect(url_for("minutes.show", meeting_id=meeting.id, _anchor="signatories"))


@bp.post("/<int:meeting_id>/minutes/signatories/remove")
@guard(Access.SECRETARIAT)
def remove_signatory(meeting_id: int):
    """Take a signatory off the minutes (the approval's id is in the form)."""
    meeting = db.session.get(Meeting, meeting_id)
    form = RemoveSignatoryForm()
    minutes = queries.load_minutes(meeting.id)
    if not form.validate_on_submit() or minutes is None:
        flash(_("That signatory is not on these minutes."), "warning")
        return _back(meeting.id)
    try:
        approval = services.remove_signatory(minutes, form.approval_id.data)
    except services.WorkflowError as error:
        db.session.rollback()
        flash(str(error), "warning")
        return _back(meeting.id)
    name = approval.user.display_name
    db.session.commit()
    flash(_("%(name)s will no longer sign the minutes.", name=name), "success")
    return _back(meeting.id)


@bp.post("/<int:meeting_id>/minutes/actions/done")
@guard(Access.SECRETARIAT)
def action_done(meeting_id: int):
    """Mark one of the meeting's action items done (its id is in the form)."""
    meeting = db.session.get(Meeting, meeting_id)
    form = ActionDoneForm()
    minutes = queries.load_minutes(meeting.id)
    if not form.validate_on_submit() or minutes is None:
        flash(_("That action item is not in these minutes."), "warning")
        return _back(meeting.id)
    try:
        services.mark_done(minutes, form.action_id.data, current_user)
        db.session.commit()
    except services.WorkflowError as error:
        db.session.rollback()
        flash(str(error), "warning")
        return _back(meeting.id)
    except StaleDataError:
        db.session.rollback()
        flash(_("Someone changed the minutes at the same moment. Please try again."), "warning")
        return _back(meeting.id)
    flash(_("The action item is marked done."), "success")
    return _back(meeting.id)
