"""Who an API request acts as: the user of the bearer token it carries, or nobody.

The API reads no session cookie: a browser signed in to the site is anonymous here, so no other
site can make it act for its user (no CSRF), and a token sees exactly what its user sees.
"""
from __future__ import annotations

import time

import sqlalchemy as sa
from flask import Response, current_app, g, request
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort
from limits import parse_many
from limits.errors import StorageError
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy.orm import joinedload

from .. import permissions
from ..accounts import throttle
from ..extensions import csrf, db, login_manager
from ..japanese import today_tokyo
from ..models import ApiToken, Consortium, TokenScope
from ..tokens.services import digest


def api_blueprint(name: str, import_name: str, description: str) -> Blueprint:
    """A blueprint of the API: under /api/v1, its requests act as their token's user and need no
    CSRF token (no cookie is read), its answers vary by token and language."""
    blp = Blueprint(name, import_name, url_prefix="/api/v1", description=description)
    login_manager.blueprint_login_views[name] = None  # a route above PUBLIC answers 401, not the sign-in page
    blp.before_request(authenticate)
    blp.after_request(vary)
    csrf.exempt(blp)
    return blp


def authenticate() -> None:
    """Take the request's token (Authorization: Bearer …) as its user; none: anonymous."""
    g.api_token = None
    header = request.headers.get("Authorization")
    if header is None:
        g._login_user = login_manager.anonymous_user()  # where Flask-Login keeps current_user
        return
    scheme, _space, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        abort(401, message=_("Send the token as: Authorization: Bearer <token>."))
    token = db.session.execute(
        sa.select(ApiToken).options(joinedload(ApiToken.user)).where(ApiToken.digest == digest(raw.strip()))
    ).scalar_one_or_none()
    if token is None or token.is_revoked or not token.user.is_active:
        abort(401, message=_("This token is not valid, or it has been revoked."))
    _count(token)
    g.api_token, g._login_user = token, token.user
    today = today_tokyo()
    if token.last_used_on != today:  # the owner's list says when each token was last used: once a day
        db.session.execute(sa.update(ApiToken).where(ApiToken.id == token.id).values(last_used_on=today))
        db.session.commit()


def _count(token: ApiToken) -> None:
    """Count the request against the token's limits (API_TOKEN_LIMITS); 429 past one of them."""
    limiter = MovingWindowRateLimiter(throttle.storage())
    try:
        for limit in parse_many(current_app.config["API_TOKEN_LIMITS"]):
            if not limiter.hit(limit, "api-token", str(token.id)):
                reset = limiter.get_window_stats(limit, "api-token", str(token.id)).reset_time
                wait = max(1, int(reset - time.time()))
                abort(429, headers={"Retry-After": str(wait)})
    except StorageError:
        abort(503)


def vary(response: Response) -> Response:
    """What an answer depends on besides its address (the token, the language), and which other
    sites' pages may call the API: any, as the API takes no cookie, only a token its caller holds."""
    response.vary.update(("Authorization", "Accept-Language"))
    if g.get("api_token") is not None:
        response.cache_control.private = True
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, If-None-Match, Accept-Language"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, PATCH"
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    return response


def require_write(consortium_id: int | None) -> None:
    """Abort unless the token may write, there (None: the shared directory), as its user may (the
    route's guard has checked the user's level already)."""
    token = g.get("api_token")
    if token is None:
        abort(401)
    if token.scope is not TokenScope.WRITE:
        abort(403, message=_("This token may only read."))
    if token.consortium_id is not None and token.consortium_id != consortium_id:
        abort(403, message=_("This token writes to one consortium only."))
    allowed = permissions.can_edit_directory() if consortium_id is None else permissions.is_secretariat(consortium_id)
    if not allowed:
        abort(403, message=_("Only the consortium's secretariat may change this."))


def writable_consortium(consortium_id: int) -> Consortium:
    """The consortium a body names, once the token may write there: 404 when the caller may not
    see it, 403 when not theirs to change."""
    consortium = db.session.get(Consortium, consortium_id)
    if consortium is None or not permissions.can_view(consortium):
        abort(404)
    require_write(consortium.id)
    return consortium
