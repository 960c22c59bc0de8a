"""The open data page and its downloads (public), and the administrator's terms."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from .. import versions
from ..extensions import db
from ..forms import render_form
from ..models import Licence
from ..permissions import Access, guard
from ..rows import assign
from . import datasets
from .forms import TermsForm

bp = Blueprint("opendata", __name__)

TYPES = {".json": "application/json", ".csv": "text/csv"}


@bp.get("/open-data/")
@guard(Access.PUBLIC)
def index():
    """List the open data files with their licence, size and the time they were made."""
    manifest = datasets.latest()
    return render_template(
        "opendata/index.html",
        manifest=manifest,
        made=datetime.fromisoformat(manifest["generated_at"]) if manifest else None,
        terms=datasets.terms_of(datasets.terms()),
        tables=list(datasets.TABLES),
    )


@bp.get("/open-data/<name>")
@guard(Access.PUBLIC)
def download(name: str):
    """Download one file of the open data (the current build)."""
    manifest = datasets.latest()
    if manifest is None:
        abort(503, description=_("The open data is being prepared. Try again in a minute."))
    data = datasets.read(manifest, name)
    if data is None:
        abort(404)
    charset = "Shift_JIS" if name.endswith("_sjis.csv") else "utf-8"
    kind = next(t for ending, t in TYPES.items() if name.endswith(ending))
    response = Response(data, mimetype=kind, headers={"Content-Disposition": f'attachment; filename="{name}"'})
    response.mimetype_params["charset"] = charset
    response.set_etag(manifest["fingerprint"] + name)
    return response.make_conditional(request)


@bp.route("/admin/open-data", methods=["GET", "POST"])
@guard(Access.ADMIN)
def terms():
    """Choose the licence of the open data and the attribution it asks for."""
    row = datasets.terms()
    form = TermsForm(obj=row)
    if form.validate_on_submit():
        if row in db.session:
            versions.check(form, row)
        else:
            db.session.add(row)
        assign(row, {"licence": Licence(form.licence.data), "attribution": form.attribution.data})
        try:
            db.session.commit()
        except IntegrityError:  # another administrator saved the first terms at the same moment
            db.session.rollback()
            raise versions.StaleEdit() from None
        flash(_("The terms of the open data have been saved. The next download carries them."), "success")
        return redirect(url_for("opendata.index"))
    return render_form("opendata/terms.html", form)
