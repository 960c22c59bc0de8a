"""Materials: upload, download by those allowed, edit and delete."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from .. import jobs, versions
from ..extensions import db
from ..forms import ConfirmForm, render_form
from ..models import AgendaItem, Document, Meeting
from ..meetings.services import in_agenda_order
from ..permissions import Access, guard
from . import extraction, services, storage
from .filetypes import KIND_NAMES, human_size
from .forms import DocumentForm, UploadForm

bp = Blueprint("documents", __name__)


@bp.app_template_filter("file_size")
def file_size(size: int) -> str:
    """120 KB, 3.4 MB: a material's size beside its link."""
    return human_size(size)


@bp.app_template_filter("file_kind")
def file_kind(content_type: str) -> str:
    """PDF, Excel…: a material's type in words a reader knows."""
    return str(KIND_NAMES.get(content_type, content_type))


def items_in_order(meeting_id: int) -> list[AgendaItem]:
    items = db.session.execute(sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)).scalars().all()
    return in_agenda_order(items)


def _meeting_url(meeting_id: int) -> str:
    return url_for("meetings.show", meeting_id=meeting_id, _anchor="materials")


@bp.route("/meetings/<int:meeting_id>/documents/new", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def upload(meeting_id: int):
    """Upload a material of a meeting; the type is checked by content, the file stored under a random name and its text read by a job."""
    meeting = db.session.get(Meeting, meeting_id)
    form = UploadForm(items_in_order(meeting.id))
    if form.validate_on_submit():
        save_upload(meeting, form)
        flash(_("The material has been uploaded."), "success")
        return redirect(_meeting_url(meeting.id))
    return render_form("documents/form.html", form, meeting=meeting, document=None, title=_("Upload a material"))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error):
    """Explain a refused oversized upload in the visitor's language, with the limit."""
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    back = url_for(request.endpoint, **request.view_args) if request.endpoint and request.view_args else url_for("site.home")
    return render_template("documents/too_large.html", limit=human_size(limit), back=back), 413


def save_upload(meeting: Meeting, form: UploadForm) -> Document:
    """Store a validated upload as the meeting's material and commit (the bytes are removed again
    when the commit fails); its text is read by a job."""
    document = services.add_document(
        meeting,
        form.content,
        form.file.data.filename,
        content_type=form.inspected.content_type,
        uploaded_by_id=current_user.id,
        **form.values(),
    )
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        services.discard([document.storage_key])
        raise
    jobs.enqueue(extraction.extract, document.id)
    return document


@bp.get("/documents/<int:document_id>")
@guard(Access.PUBLIC)
def download(document_id: int):
    """Send a material as a download, to whoever may see it, under its original name."""
    return send_material(db.session.get(Document, document_id))


def send_material(document: Document):
    """The material's file under its original name, kept by no shared cache (who may download
    depends on the visitor); 404 when the file is missing from the storage."""
    try:
        response = send_file(
            storage.open(document.storage_key),
            mimetype=document.content_type,
            as_attachment=True,
            download_name=document.filename,
        )
    except FileNotFoundError:
        current_app.logger.error("The file of document %s (%s) is missing", document.id, document.storage_key)
        abort(404, description=_("The file of this material is missing. Please tell the secretariat."))
    response.cache_control.public = False
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response


@bp.route("/documents/<int:document_id>/edit", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def edit(document_id: int):
    """Change a material's label, title, type, agenda item and who may download it."""
    document = db.session.get(Document, document_id)
    form = DocumentForm(items_in_order(document.meeting_id), document)
    if form.validate_on_submit():
        versions.check(form, document)
        services.update_document(document, form.values())
        db.session.commit()
        flash(_("The material has been saved."), "success")
        return redirect(_meeting_url(document.meeting_id))
    return render_form(
        "documents/form.html", form, meeting=document.meeting, document=document, title=_("Edit the material")
    )


@bp.route("/documents/<int:document_id>/delete", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def delete(document_id: int):
    """Delete a material and its file, after confirmation."""
    document = db.session.get(Document, document_id)
    meeting_id = document.meeting_id
    form = ConfirmForm()
    if form.validate_on_submit():
        key = services.delete_document(document)
        db.session.commit()
        services.discard([key])
        flash(_("The material has been deleted."), "success")
        return redirect(_meeting_url(meeting_id))
    return render_form(
        "confirm.html",
        form,
        title=_("Delete the material %(title)s?", title=document.title),
        message=_("The material and its file %(filename)s are deleted. This cannot be undone.", filename=document.filename),
        cancel_url=_meeting_url(meeting_id),
        level="secretariat",
    )
