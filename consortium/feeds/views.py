"""iCalendar routes: one meeting's .ics, a consortium's feed, the public feed, each user's private
feed, and the page where users create, regenerate or revoke their feed's address."""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.http import is_resource_modified

from .. import permissions
from ..extensions import db
from ..forms import ButtonForm
from ..models import AgendaItem, Consortium, Meeting, User
from ..permissions import Access, guard
from . import ical, links, publish, services

bp = Blueprint("feeds", __name__)

# Said in full rather than left to Werkzeug's default for text/…: calendar apps read the
# charset to decode the Japanese.
CALENDAR_TYPE = "text/calendar; charset=utf-8"
# How long a shared cache or app may keep a feed that anyone may read before asking again.
PUBLIC_MAX_AGE = 300


def calendar_response(
    validators: publish.Validators, private: bool, render: Callable[[], bytes], filename: str | None = None
) -> Response:
    """200 with the calendar, or 304 when the client's copy is current: decided before rendering."""
    if is_resource_modified(request.environ, etag=validators.etag, last_modified=validators.last_modified):
        response = Response(render(), content_type=CALENDAR_TYPE)
        if filename:
            response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response = Response(status=304)
    response.headers["ETag"] = validators.etag
    response.last_modified = validators.last_modified
    if private:
        # The reader's own view: only their app may keep it, and it asks again each time (304s are cheap).
        response.cache_control.private = True
        response.cache_control.no_cache = True
    else:
        response.cache_control.public = True
        response.cache_control.max_age = PUBLIC_MAX_AGE
    return response


def serve(feed: publish.Feed) -> Response:
    validators = publish.validators(feed)
    return calendar_response(validators, feed.private, lambda: publish.body(feed, validators.earliest))


def webcal(endpoint: str, **values) -> str:
    """A subscription link: the page's address with the scheme that makes browsers hand it to the
    calendar app, which then polls it over http(s)."""
    parts = urlsplit(url_for(endpoint, _external=True, **values))
    return urlunsplit(("webcal", *parts[1:]))


@bp.get("/meetings/<int:meeting_id>.ics")
@guard(Access.PUBLIC)
def meeting(meeting_id: int):
    """Download one meeting as an .ics file, with what the visitor may see of it."""
    meeting = db.session.get(Meeting, meeting_id)
    if not meeting.dated:
        abort(404, description=_("This meeting has no date yet, so there is no calendar entry for it."))
    member = permissions.is_member(meeting.consortium_id)
    return calendar_response(
        publish.meeting_validators(meeting, member),
        member or ical.is_closed(meeting),
        lambda: publish.meeting_body(meeting, member),
        filename=f"meeting-{meeting.id}.ics",
    )


@bp.get("/consortia/<int:consortium_id>/calendar.ics")
@guard(Access.PUBLIC)
def consortium(consortium_id: int):
    """The consortium's meetings the visitor may see, as a calendar feed."""
    return serve(publish.consortium_feed(db.session.get(Consortium, consortium_id)))


@bp.get("/meetings/calendar.ics")
@guard(Access.PUBLIC)
def public():
    """Every public meeting of every public consortium from a year back on, as a calendar feed."""
    return serve(publish.public_feed())


@bp.get("/feeds/personal/<calendar_token>.ics")
@guard(Access.PUBLIC)
def personal(calendar_token: str):
    """A user's meetings across their consortia, at the private address only they were given.

    Calendar apps send no cookie: the address is the key. A revoked or replaced address, or an
    inactive account's, is unknown (404)."""
    user = db.session.execute(sa.select(User).where(User.calendar_token == calendar_token)).scalar_one_or_none()
    if user is None or not user.is_active:
        abort(404)
    return serve(publish.personal_feed(user))


@bp.get("/feeds/mine")
@guard(Access.SIGNED_IN)
def mine():
    """Show the signed-in user's private feed address, with buttons to create, replace or revoke it."""
    token = current_user.calendar_token
    response = make_response(render_template(
        "feeds/mine.html",
        https_url=url_for("feeds.personal", calendar_token=token, _external=True) if token else None,
        webcal_url=webcal("feeds.personal", calendar_token=token) if token else None,
        consortia=len(permissions.grants_of()),
    ))
    response.cache_control.no_store = True  # the page shows a secret
    return response


@bp.post("/feeds/mine/address")
@guard(Access.SIGNED_IN)
def issue_token():
    """Create the user's feed address, or replace it so that the old one stops working."""
    if not ButtonForm().validate_on_submit():
        flash(_("The form had expired. Please try again."), "warning")
    else:
        replaced = current_user.calendar_token is not None
        services.issue_calendar_token(current_user)
        db.session.commit()
        if replaced:
            flash(_("Your feed has a new address. The old one no longer works: subscribe again with the new one."), "success")
        else:
            flash(_("Your feed address has been created. Add it to your calendar app."), "success")
    return redirect(url_for("feeds.mine"))


@bp.post("/feeds/mine/revoke")
@guard(Access.SIGNED_IN)
def revoke_token():
    """Turn the user's feed address off."""
    if not ButtonForm().validate_on_submit():
        flash(_("The form had expired. Please try again."), "warning")
    elif services.revoke_calendar_token(current_user):
        db.session.commit()
        flash(_("Your feed address has been turned off. Calendar apps subscribed to it get nothing more."), "success")
    else:
        flash(_("Your feed had no address."), "info")
    return redirect(url_for("feeds.mine"))


@bp.app_template_global()
def meeting_calendar_links(meeting: Meeting, items: list[AgendaItem], member: bool) -> dict:
    """Links of a meeting's page: its .ics, Google Calendar, and a subscription to its consortium."""
    return {
        "ics": url_for("feeds.meeting", meeting_id=meeting.id),
        "google": links.google_calendar(publish.entry(meeting, member, items)),
        "subscribe": webcal("feeds.consortium", consortium_id=meeting.consortium_id)
        if meeting.consortium.is_public
        else None,
        "personal": url_for("feeds.mine") if current_user.is_authenticated else None,
    }


@bp.app_template_global()
def consortium_calendar_links(consortium: Consortium) -> dict:
    """Links of a consortium's page: subscribe (apps send no cookie, so public consortia only),
    download, and the signed-in user's own feed, which holds what only members see."""
    return {
        "subscribe": webcal("feeds.consortium", consortium_id=consortium.id) if consortium.is_public else None,
        "download": url_for("feeds.consortium", consortium_id=consortium.id),
        "personal": url_for("feeds.mine") if current_user.is_authenticated else None,
        "member": permissions.is_member(consortium.id),
    }


@bp.app_template_global()
def public_calendar_links() -> dict:
    return {"subscribe": webcal("feeds.public"), "download": url_for("feeds.public")}
