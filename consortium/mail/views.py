"""The secretariat's mail page: every mail about its meetings and polls, waiting, sent or failed,
and sending a failed one again."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..forms import ButtonForm
from ..models import Consortium, MailState, Meeting, Membership, Poll, SentNotice
from ..pagination import paginate
from ..permissions import Access, guard
from . import notices, outbox

bp = Blueprint("mail", __name__)


def _of_consortium(consortium_id: int) -> sa.Select:
    """The consortium's notices: about one of its meetings, or a poll of one."""
    return (
        sa.select(SentNotice)
        .outerjoin(Poll, Poll.id == SentNotice.poll_id)
        .join(Meeting, Meeting.id == sa.func.coalesce(SentNotice.meeting_id, Poll.meeting_id))
        .where(Meeting.consortium_id == consortium_id)
    )


@bp.get("/consortia/<int:consortium_id>/mail")
@guard(Access.SECRETARIAT)
def index(consortium_id: int):
    """The consortium's mails, newest first, by state."""
    consortium = db.session.get(Consortium, consortium_id)
    state = request.args.get("state")
    state = MailState(state) if state in {s.value for s in MailState} else None
    counts = dict(db.session.execute(
        _of_consortium(consortium_id).with_only_columns(SentNotice.state, sa.func.count()).group_by(SentNotice.state)
    ).all())
    stmt = _of_consortium(consortium_id).options(
        joinedload(SentNotice.membership).joinedload(Membership.person),
        joinedload(SentNotice.membership).joinedload(Membership.organization),
        joinedload(SentNotice.meeting),
        joinedload(SentNotice.poll).joinedload(Poll.meeting),
    ).order_by(SentNotice.sent_at.desc(), SentNotice.id.desc())
    if state is not None:
        stmt = stmt.where(SentNotice.state == state)
    return render_template(
        "mail/index.html", consortium=consortium, state=state, counts=counts, MailState=MailState,
        page=paginate(stmt, current_app.config["PER_PAGE"]), form=ButtonForm(),
    )


@bp.post("/mail/<int:notice_id>/retry")
@guard(Access.SECRETARIAT)
def retry(notice_id: int):
    """Send a failed mail again (or one whose worker stopped while sending it)."""
    notice = db.session.get(SentNotice, notice_id)
    consortium_id = (notice.meeting or notice.poll.meeting).consortium_id
    if ButtonForm().validate_on_submit():
        notices.say(outbox.retry([notice.id]), consortium_id, _("This mail has already been sent."))
    else:
        flash(_("The form had expired. Please send it again."), "error")
    return redirect(url_for("mail.index", consortium_id=consortium_id, state=request.args.get("state")))


@bp.post("/consortia/<int:consortium_id>/mail/retry")
@guard(Access.SECRETARIAT)
def retry_all(consortium_id: int):
    """Send every failed mail of the consortium again."""
    if ButtonForm().validate_on_submit():
        failed = _of_consortium(consortium_id).where(SentNotice.state == MailState.FAILED).with_only_columns(SentNotice.id)
        notices.say(outbox.retry(db.session.execute(failed).scalars().all()), consortium_id, _("No mail has failed."))
    else:
        flash(_("The form had expired. Please send it again."), "error")
    return redirect(url_for("mail.index", consortium_id=consortium_id))
