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
from .queries import BY_NAME, CAP, KINDS, applies, search

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
    more = False
    if terms and form.kind.data:
        kind, number, per_page = BY_NAME[form.kind.data], page_number(), current_app.config["PER_PAGE"]
        found = search(terms, filters, current_user, [kind] if applies(kind, filters) else [], per_page, (number - 1) * per_page)
        hits, total = (found[0].hits, found[0].shown_total) if found else ([], 0)
        more = bool(found) and found[0].more_than_counted
        page = Page(hits, number, per_page, total)
    elif terms:
        groups = search(terms, filters, current_user, [k for k in KINDS if applies(k, filters)], GROUPED)
        more = any(found.more_than_counted for found in groups)
    return render_template(
        "search/results.html",
        form=form, terms=terms, groups=groups, page=page, kind=kind, more=more, cap=CAP, consortium=consortium,
        link=_link,
    )


def _link(**changes) -> str:
    """This search with some conditions changed (None drops one), from its first page."""
    args = {name: value for name, value in request.args.items() if name in FindForm.CONDITIONS}
    args.update(changes)
    return url_for("search.find", **{name: value for name, value in args.items() if value not in (None, "")})
