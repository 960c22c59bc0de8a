"""Site-wide pages: home, the language switch, and error pages."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..api import errors as api_errors
from ..documents.filetypes import human_size
from ..extensions import db
from ..permissions import Access, guard
from ..redirects import local_path
from ..meetings.views import listing_statement

bp = Blueprint("site", __name__)


@bp.get("/")
@guard(Access.PUBLIC)
def home():
    """Show the next meetings the visitor may see."""
    upcoming = db.session.execute(listing_statement(datetime.now(timezone.utc)).limit(10)).scalars().all()
    return render_template("site/home.html", upcoming=upcoming)


@bp.get("/language/<code>")
@guard(Access.PUBLIC)
def language(code: str):
    """Remember the chosen language in a cookie and go back where the visitor was."""
    if code not in ("ja", "en"):
        return render_error(404)
    response = redirect(local_path(request.args.get("next"), url_for("site.home")))
    response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


ERROR_TITLES = {
    400: lambda: _("The request could not be understood"),
    403: lambda: _("You may not see this page"),
    404: lambda: _("Page not found"),
    405: lambda: _("This method is not allowed here"),
    413: lambda: _("The file is too large to send"),
    500: lambda: _("Something went wrong on our side"),
}


def render_error(status: int, description: str | None = None):
    title = ERROR_TITLES.get(status, ERROR_TITLES[500])()
    return render_template("errors/error.html", status=status, title=title, description=description), status


def register_error_handlers(app: Flask) -> None:
    """Answer errors with a page in the visitor's language, never a stack trace."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if api_errors.is_api_request():
            return api_errors.error_response(error)
        # Werkzeug's own descriptions are English boilerplate; show only ours.
        own = error.description if error.description != type(error).description else None
        return render_error(error.code or 500, own)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error):
        if api_errors.is_api_request():
            return api_errors.error_response(error)
        limit = human_size(app.config["MAX_CONTENT_LENGTH"])
        return render_error(413, _("Files can be at most %(size)s.", size=limit))

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        app.logger.exception("Unhandled error")
        db.session.rollback()
        if api_errors.is_api_request():
            return api_errors.server_error_response()
        return render_error(500)
