"""Roster import (CSV or XLSX, preview, then confirm) and export (CSV, XLSX) in seat order."""
from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from flask_login import current_user
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import RequestEntityTooLarge

from ..documents.filetypes import human_size
from ..consortia.services import current_roster
from ..extensions import db
from ..forms import ButtonForm, render_form
from ..models import Consortium, Membership
from ..pagination import Page, page_number
from .. import contact, jobs, permissions
from ..permissions import Access, guard
from . import exporter, importer, importing, pending, services
from .forms import RosterUploadForm

bp = Blueprint("rosters", __name__, url_prefix="/consortia")

# Why a queued import wrote nothing (importing.Progress.failure).
FAILURES = {
    "errors": _l("Nothing was imported: some rows have errors. Correct the file and upload it again."),
    "stopped": _l("Nothing was imported: the import stopped on an error. Please try again."),
}
MAX_BYTES = 10 * 1024 * 1024  # a 20,000-row roster is a few megabytes
PREVIEW_PER_PAGE = 100


def _max_bytes() -> int:
    return current_app.config.get("ROSTER_IMPORT_MAX_BYTES", MAX_BYTES)


@bp.route("/<int:consortium_id>/roster/import", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def upload(consortium_id: int):
    """Upload a roster file; a readable one is kept and previewed, nothing is written yet."""
    consortium = db.session.get(Consortium, consortium_id)
    form = RosterUploadForm()
    if form.validate_on_submit():
        data = form.file.data.read(_max_bytes() + 1)
        try:
            if len(data) > _max_bytes():
                raise importer.RosterFileError(
                    _("The file is larger than %(size)s. Split it into smaller files.", size=human_size(_max_bytes()))
                )
            importer.read_roster(data)
        except importer.RosterFileError as error:
            form.file.errors.append(str(error.message))
        else:
            pending.store(consortium.id, form.file.data.filename or "", data, whole=form.whole.data)
            return redirect(url_for(".preview", consortium_id=consortium.id))
    return render_form(
        "rosters/upload.html", form, consortium=consortium, columns=_columns(), waiting=pending.waiting(consortium.id)
    )


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error):
    """Answer a body over the site's limit on the upload page, not with a bare error page."""
    # The body was refused before the guard ran, so check here who may see the upload page.
    consortium_id = (request.view_args or {}).get("consortium_id")
    consortium = db.session.get(Consortium, consortium_id) if consortium_id else None
    if (
        consortium is None
        or request.endpoint != "rosters.upload"
        or not permissions.can_view(consortium)
        or not permissions.is_secretariat(consortium.id)
    ):
        title = _("The file is too large")
        return render_template("errors/error.html", status=413, title=title, description=None), 413
    form = RosterUploadForm(formdata=None)
    form.file.errors = [_("The file is too large. Split it into smaller files.")]
    return render_template("rosters/upload.html", form=form, consortium=consortium, columns=_columns()), 413


def _columns() -> list[tuple[str, str]]:
    """(Japanese header, other accepted headers) for the upload page's help."""
    return [(names[0], "、".join(names[1:])) for names in (importer.HEADERS[c] for c in importer.COLUMNS)]


def _no_pending(consortium_id: int):
    flash(_("Upload a roster file first."), "info")
    return redirect(url_for(".upload", consortium_id=consortium_id))


def _plan_pending(consortium: Consortium):
    """(pending upload, plan) for the consortium, or (None, None) when there is nothing to preview."""
    stored = pending.load(consortium.id)
    if stored is None:
        return None, None
    try:
        table = importer.read_roster(stored.data)
    except importer.RosterFileError:
        return None, None
    return stored, services.plan_import(consortium, table, whole=stored.whole)


@bp.get("/<int:consortium_id>/roster/import/preview")
@guard(Access.SECRETARIAT)
def preview(consortium_id: int):
    """Show every row of the uploaded file, what it matches, what confirming would do, and its errors."""
    consortium = db.session.get(Consortium, consortium_id)
    stored, plan = _plan_pending(consortium)
    if plan is None:
        return _no_pending(consortium.id)
    only_errors = request.args.get("show") == "errors"
    rows = plan.errors if only_errors else plan.printed
    number = page_number()
    start = (number - 1) * PREVIEW_PER_PAGE
    page = Page(rows[start : start + PREVIEW_PER_PAGE], number, PREVIEW_PER_PAGE, len(rows))
    return render_template(
        "rosters/preview.html",
        consortium=consortium,
        filename=stored.filename,
        plan=plan,
        page=page,
        only_errors=only_errors,
        form=ButtonForm(),
        role_label=importer.role_label,
        describe_person=services.describe_person,
    )


@bp.post("/<int:consortium_id>/roster/import/confirm")
@guard(Access.SECRETARIAT)
def confirm(consortium_id: int):
    """Write the previewed file in one transaction, or nothing when any row is wrong now."""
    consortium = db.session.get(Consortium, consortium_id)
    form = ButtonForm()
    stored, plan = _plan_pending(consortium)
    if not form.validate_on_submit() or plan is None:
        return _no_pending(consortium.id)
    if not plan.ok:
        # Someone may have changed the roster since the preview: show it again, write nothing.
        flash(_("Nothing was imported: some rows have errors. Correct the file and upload it again."), "error")
        return redirect(url_for(".preview", consortium_id=consortium.id))
    if jobs.configured():
        import_id = importing.start(consortium.id, stored.name, stored.filename, stored.whole, current_user.id)
        pending.forget()  # the worker removes the file once it is written
        return redirect(url_for(".progress", consortium_id=consortium.id, import_id=import_id))
    result = services.apply_import(consortium, plan, stored.filename)
    db.session.commit()
    pending.discard()
    for message in outcome_messages(result.total, result.created, result.updated, result.left):
        flash(message, "success")
    return redirect(url_for("consortia.show", consortium_id=consortium.id))


def outcome_messages(total: int, created: int, updated: int, left: int) -> list[str]:
    """What an import did, as the consortium page flashes it and the progress page shows it."""
    messages = [ngettext(
        "%(num)d member imported (%(created)d new, %(updated)d updated).",
        "%(num)d members imported (%(created)d new, %(updated)d updated).",
        total, created=created, updated=updated,
    )]
    if left:
        messages.append(ngettext("%(num)d member left the roster.", "%(num)d members left the roster.", left))
    return messages


@bp.get("/<int:consortium_id>/roster/import/<import_id>")
@guard(Access.SECRETARIAT)
def progress(consortium_id: int, import_id: str):
    """How far a queued import has come; the page reloads itself until it has finished."""
    consortium = db.session.get(Consortium, consortium_id)
    found = importing.read(import_id, consortium.id) if jobs.configured() else None
    if found is None:
        abort(404, description=_("There is no such import of this roster. It may have finished more than a day ago."))
    if found.state == "done":
        messages = outcome_messages(found.total, found.created, found.updated, found.left)
    else:
        messages = [str(FAILURES[found.failure])] if found.failure in FAILURES else []
    return render_template("rosters/progress.html", consortium=consortium, progress=found, messages=messages)


@bp.post("/<int:consortium_id>/roster/import/cancel")
@guard(Access.SECRETARIAT)
def cancel(consortium_id: int):
    """Drop the uploaded file without importing it."""
    if ButtonForm().validate_on_submit():
        pending.discard()
        flash(_("The import was cancelled. Nothing was written."), "info")
    return redirect(url_for("consortia.show", consortium_id=consortium_id))


def _current_roster(consortium_id: int) -> list[Membership]:
    """Current members in seat order (the seatless last), then in roster order."""
    return list(
        db.session.execute(
            current_roster(consortium_id)
            .options(
                joinedload(Membership.person),
                joinedload(Membership.organization),
                joinedload(Membership.on_behalf_of),
            )
            .order_by(None)  # the export's seat order, as services.export_order sorts in Python
            .order_by(Membership.seat.is_(None), Membership.seat, Membership.position, Membership.id)
        ).scalars()
    )


def _download(data: bytes, mimetype: str, name: str):
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)
    # A members-only roster must not sit in a shared cache.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _email_column():
    """Each row's email as the viewer may see it (contact.email_of), or None: no column at all."""
    if not permissions.shows_contacts():
        return None
    return lambda m: contact.email_of(m.person) if m.person is not None else None


@bp.get("/<int:consortium_id>/roster.csv")
@guard(Access.PUBLIC)
def export_csv(consortium_id: int):
    """Download the current roster as CSV (UTF-8 with BOM, CRLF), in seat order, as printed."""
    consortium = db.session.get(Consortium, consortium_id)
    data = exporter.to_csv(_current_roster(consortium.id), _email_column(), consortium.roster_note)
    return _download(data, "text/csv", exporter.download_name(consortium.name, "csv"))


@bp.get("/<int:consortium_id>/roster-sjis.csv")
@guard(Access.PUBLIC)
def export_cp932(consortium_id: int):
    """Download the roster as CSV in Shift_JIS (CP932) for older Excel; list what it cannot hold first."""
    consortium = db.session.get(Consortium, consortium_id)
    members, email = _current_roster(consortium.id), _email_column()
    stand_in = request.args.get("stand_in") == "1"
    note = consortium.roster_note
    problems = [] if stand_in else exporter.cp932_problems(members, email, note)
    if problems:
        return render_template(
            "rosters/cp932.html", consortium=consortium, problems=problems[:200], total=len(problems),
            stand_in=exporter.CP932_STAND_IN,
        )
    data = exporter.to_cp932_csv(members, email, note, stand_in=stand_in)
    return _download(data, "text/csv; charset=shift_jis", exporter.download_name(consortium.name, "csv"))


@bp.get("/<int:consortium_id>/roster.xlsx")
@guard(Access.PUBLIC)
def export_xlsx(consortium_id: int):
    """Download the current roster as an Excel workbook, in seat order."""
    consortium = db.session.get(Consortium, consortium_id)
    data = exporter.to_xlsx(
        _current_roster(consortium.id), consortium.short_name or consortium.name, _email_column(), consortium.roster_note
    )
    return _download(data, exporter.XLSX_MIMETYPE, exporter.download_name(consortium.name, "xlsx"))
