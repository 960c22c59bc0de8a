"""The search page: one box, every kind of thing the visitor may see."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user

from .. import permissions
from ..extensions import db
from ..models import Consortium
from ..pagination import Page, page_number
from ..permissions import Access, guard
from . import folding
from .forms import FindForm
from .queries import BY_NAME, KINDS, applies, search

bp = Blueprint("search", __name__)
# Hits of each kind on the page of all kinds; each kind's own page has them all, page by page.
GROUPED = 5


@bp.get("/search")
@guard(Access.PUBLIC)
def find():
    """Find words across consortia, meetings, agendas, minutes, materials, rosters, organisations
    and people, among what the visitor may see: each kind a few hits, or one kind page by page."""
    form = FindForm()
    if not form.validate():
        return render_template("search/results.html", form=form, terms=[], link=_link, consortium=None), 400
    terms = folding.terms(form.q.data or "")
    filters = form.filters()
    consortium = db.session.get(Consortium, filters.consortium_id) if filters.consortium_id else None
    if consortium is not None and not permissions.can_view_consortium(consortium):
        consortium = None  # its hits are none of the visitor's, and its name is not theirs to read
    groups = page = kind = None
    if terms and form.kind.data:
        kind, number, per_page = BY_NAME[form.kind.data], page_number(), current_app.config["PER_PAGE"]
        kinds = [kind] if applies(kind, filters) else []
        found = search(terms, filters, current_user, kinds, per_page, (number - 1) * per_page)
        page = Page(found[0].hits if found else [], number, per_page, found[0].total if found else 0)
    elif terms:
        groups = search(terms, filters, current_user, [k for k in KINDS if applies(k, filters)], GROUPED)
    return render_template(
        "search/results.html",
        form=form, terms=terms, groups=groups, page=page, kind=kind, consortium=consortium, link=_link,
    )


def _link(**changes) -> str:
    """This search with some conditions changed (None drops one), from its first page."""
    args = {name: value for name, value in request.args.items() if name in FindForm.CONDITIONS}
    args.update(changes)
    return url_for("search.find", **{name: value for name, value in args.items() if value not in (None, "")})
