"""The printed documents: 議事次第, 議事録 or 議事要旨, and 委員名簿 as PDF.

The documents are Japanese documents, whatever language the visitor reads the site in. Each
route renders its print template to HTML, and the HTML's hash finds the PDF in the cache or
has it rendered; the hash is also the ETag, so an unchanged document answers 304. The agenda
and the minutes first look up their version (cache.versions), which spares building the HTML.
"""
from __future__ import annotations

import io
from collections.abc import Callable

import sqlalchemy as sa
from flask import Blueprint, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale

from .. import jobs, permissions
from ..extensions import db
from ..models import Consortium, Meeting, Minutes
from ..permissions import Access, guard
from ..consortia.roster import as_of
from ..rosters.exporter import download_name
from . import cache, contents

bp = Blueprint("pdf", __name__)
PREPARING_RETRY = 2  # seconds before the waiting page asks again


@bp.get("/meetings/<int:meeting_id>/agenda.pdf")
@guard(Access.PUBLIC)
def agenda(meeting_id: int):
    """Print a meeting's 議事次第 with its materials, as the meeting page shows them to the visitor."""
    meeting = db.session.get(Meeting, meeting_id)
    is_member = permissions.is_member(meeting.consortium_id)
    version = ("agenda", meeting.id, is_member, meeting.updated_at, meeting.consortium.updated_at)
    return _send(lambda: contents.agenda(meeting), version)


@bp.get("/meetings/<int:meeting_id>/minutes.pdf")
@guard(Access.PUBLIC)
def minutes(meeting_id: int):
    """Print the minutes: members the full 議事録 (with ?public=1 the 議事要旨), others the 議事要旨."""
    meeting = db.session.get(Meeting, meeting_id)
    record = db.session.execute(sa.select(Minutes).where(Minutes.meeting_id == meeting.id)).scalar()
    if record is None or not permissions.can_view_minutes(record):
        # The meeting is visible but its minutes are not out: the minutes page says so.
        return redirect(url_for("minutes.show", meeting_id=meeting.id))
    full = permissions.is_member(meeting.consortium_id) and request.args.get("public") != "1"
    # Designating or signing leaves the minutes' row (and its version) as it was; the full
    # 議事録 prints the signatures, so their state is part of its version.
    signed = tuple((a.id, a.capacity, a.approved_at) for a in record.approvals) if full else ()
    version = ("minutes", meeting.id, full, meeting.updated_at, meeting.consortium.updated_at, record.version, signed)
    return _send(lambda: contents.minutes(meeting, full), version)


@bp.get("/consortia/<int:consortium_id>/roster.pdf")
@guard(Access.PUBLIC)
def roster(consortium_id: int):
    """Print a consortium's 委員名簿 in seat order."""
    # Its rows carry no version to trust, so the roster is built each time (three queries).
    on = as_of(consortium_id)
    return _send(lambda: contents.roster(db.session.get(Consortium, consortium_id), on))


def printed(printout: contents.Printout) -> str:
    """The printout's HTML: in Japanese, whatever language the visitor reads the site in."""
    with force_locale("ja"):
        return render_template(printout.template, **printout.context)


def warm_minutes(meeting: Meeting) -> None:
    """Just published: have a worker render the 議事録 and the 議事要旨, so the first visitors find
    them ready. Without a queue the first visitor of each has it rendered."""
    if jobs.configured():
        for full in (True, False):
            cache.render_later(printed(contents.minutes(meeting, full)))


def _send(build: Callable[[], contents.Printout], version: tuple | None = None):
    """Answer with the document's PDF, shown in the browser, 304 when the visitor has it already.
    With a queue, a PDF not rendered yet is rendered by a worker while the visitor waits on a page
    that reloads itself: no request renders a PDF."""
    known = cache.versions.get(version) if version else None
    data = cache.read(known.key) if known else None
    if data is None:
        printout = build()
        html = printed(printout)
        known = cache.Known(cache.content_key(html), printout.title, printout.public)
        if version:
            cache.versions.put(version, known)
        data = cache.read(known.key)
        if data is None and jobs.configured():
            cache.render_later(html)
            return _preparing(known)
        if data is None:
            _key, data = cache.pdf_for(html)
    response = send_file(
        io.BytesIO(data),
        mimetype="application/pdf",
        download_name=download_name(known.title, "pdf"),
        etag=known.key,
        conditional=True,
    )
    # What a visitor gets depends on who they are: only a wholly public document may sit in a
    # shared cache, and every copy is checked again (no-cache) so an edit shows at once.
    response.cache_control.public = known.public
    response.cache_control.private = not known.public
    response.cache_control.no_cache = True
    return response


def _preparing(known: cache.Known):
    """202 while a worker renders the PDF: the page reloads itself (static/reload.js) until it is there."""
    response = make_response(
        render_template("pdf/preparing.html", title=known.title, public=known.public, retry=PREPARING_RETRY), 202
    )
    response.headers["Retry-After"] = str(PREPARING_RETRY)
    response.cache_control.no_store = True
    return response
