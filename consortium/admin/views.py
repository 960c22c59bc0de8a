"""Administration: users and their grants, merging duplicates, the audit log."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..permissions import Access, guard

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@guard(Access.ADMIN)
def index():
    """The administrator's start page."""
    return render_template("admin/index.html")
