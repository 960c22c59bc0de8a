"""The network page: consortia and the organisations that sit on them, as a picture and a table."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from .. import page_cache, permissions
from ..extensions import db
from ..models import Consortium
from ..permissions import Access, guard
from . import layout
from .forms import NetworkForm
from .queries import CONSORTIA_CAP, ORGANISATIONS_CAP, graph, on_related_councils

bp = Blueprint("network", __name__)


@bp.get("/network")
@guard(Access.PUBLIC)
def index():
    """Draw the consortia and organisations the visitor may see, filtered by theme, region and
    fiscal year, or centred on one consortium with the organisations on its related councils."""
    form = NetworkForm()
    if not form.validate():
        return render_template("network/index.html", form=form, graph=None, consortium=None, link=_link), 400
    # Counting every seat of a national directory takes a second: visitors not signed in share the
    # page, kept for a minute (a new seat shows within it).
    return page_cache.page("network", tuple, lambda: _page(form))


def _page(form: NetworkForm) -> str:
    filters = form.filters()
    consortium = db.session.get(Consortium, filters.consortium_id) if filters.consortium_id else None
    if consortium is not None and not permissions.can_view_consortium(consortium):
        consortium = None  # not the visitor's to know of: its seats are filtered out too
    found = graph(filters)
    consortia, organisations = layout.place(
        [c.id for c in found.consortia],
        {oid: [c.id for c in cs] for oid, cs in found.consortia_of.items()},
        [o.id for o in found.organisations],
        centre=consortium.id if consortium else None,
    )
    return render_template(
        "network/index.html",
        form=form,
        graph=found,
        spots={"consortium": consortia, "organisation": organisations},
        consortium=consortium,
        related=on_related_councils(consortium.id) if consortium else None,
        caps=(CONSORTIA_CAP, ORGANISATIONS_CAP),
        size=layout.SIZE,
        label=layout.label,
        link=_link,
    )


def _link(**changes) -> str:
    """This picture with some conditions changed (None drops one)."""
    args = {name: value for name, value in request.args.items() if name in NetworkForm.CONDITIONS}
    args.update(changes)
    return url_for("network.index", **{name: value for name, value in args.items() if value not in (None, "")})
