"""Personal access tokens: a user's own (create, list, revoke) and every token for administrators."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from .. import permissions
from ..extensions import db
from ..forms import ButtonForm, render_form
from ..models import ApiToken, Consortium, GrantRole, TokenScope
from ..pagination import paginate
from ..permissions import Access, guard
from . import services
from .forms import TokenForm

bp = Blueprint("tokens", __name__)
NEW_TOKEN = "new_api_token"  # the session key that carries a new token to the one page showing it


def _managed() -> list[tuple[int, str]]:
    ids = [cid for cid, role in permissions.grants_of().items() if role is GrantRole.SECRETARIAT]
    if not ids:
        return []
    rows = db.session.execute(sa.select(Consortium.id, Consortium.name).where(Consortium.id.in_(ids)).order_by(Consortium.name))
    return [tuple(row) for row in rows]


def _listing() -> sa.Select:
    return sa.select(ApiToken).options(joinedload(ApiToken.consortium)).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())


@bp.route("/account/tokens", methods=["GET", "POST"])
@guard(Access.SIGNED_IN)
def mine():
    """List one's own tokens and create a new one, shown once."""
    managed = _managed()
    form = TokenForm(managed, may_write=bool(managed) or permissions.is_admin())
    if form.validate_on_submit():
        _row, token = services.issue(current_user, form.name.data, TokenScope(form.scope.data), form.consortium_id.data)
        db.session.commit()
        # Shown once, on the page the browser is sent to: reloading it makes no second token.
        session[NEW_TOKEN] = token
        return redirect(url_for("tokens.mine"))
    page = paginate(_listing().where(ApiToken.user_id == current_user.id), current_app.config["PER_PAGE"])
    created = session.pop(NEW_TOKEN, None) if request.method == "GET" else None
    return render_form("tokens/mine.html", form, page=page, created=created)


@bp.post("/account/tokens/<int:token_id>/revoke")
@guard(Access.SIGNED_IN)
def revoke(token_id: int):
    """Revoke a token: one's own, or any as an administrator. It stops working at once."""
    row = db.session.get(ApiToken, token_id)
    if ButtonForm().validate_on_submit():
        services.revoke(row)
        db.session.commit()
        flash(_("The token %(name)s is revoked.", name=row.name), "success")
    if row.user_id == current_user.id:
        return redirect(url_for("tokens.mine"))
    return redirect(url_for("tokens.every"))


@bp.get("/admin/tokens")
@guard(Access.ADMIN)
def every():
    """List every account's tokens, to revoke any."""
    stmt = _listing().options(joinedload(ApiToken.user))
    page = paginate(stmt, current_app.config["PER_PAGE"])
    return render_template("tokens/every.html", page=page)
