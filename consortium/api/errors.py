"""The API's one error path: every error under /api/ answers JSON, in the caller's language.

{"code": 422, "status": "Unprocessable Entity", "message": "…", "errors": {"json": {"title": ["…"]}}}
"""
from __future__ import annotations

from flask import Response, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from .forms import translated


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def _message(code: int) -> str:
    messages = {
        400: _("The request is not understood."),
        401: _("A valid access token is needed."),
        403: _("This token may not do that."),
        404: _("There is nothing here, or you may not see it."),
        405: _("This address does not take that method."),
        409: _("Someone else changed this in the meantime."),
        413: _("The request is too large."),
        422: _("Some values are not valid."),
        429: _("Too many requests with this token: wait a little."),
        503: _("The service is not available for a moment: try again shortly."),
    }
    return messages.get(code, _("Something went wrong on our side. It has been logged."))


def error_response(error: HTTPException) -> Response:
    """The JSON for an HTTP error raised in the API (a 304 from the ETag check: an empty answer)."""
    code = error.code or 500
    if code == 304:
        return Response(status=304)
    data = getattr(error, "data", None) or {}
    # Werkzeug's own descriptions are English boilerplate; only ours are worth sending.
    own = error.description if error.description != type(error).description else None
    payload = {"code": code, "status": error.name, "message": data.get("message") or own or _message(code)}
    errors = data.get("errors") or data.get("messages")  # webargs puts validation errors in messages
    if errors:
        payload["errors"] = translated(errors)
    if "current" in data:
        payload["current"] = data["current"]
    response = jsonify(payload)
    response.status_code = code
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    response.headers.update(data.get("headers") or {})
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def server_error_response() -> Response:
    response = jsonify({"code": 500, "status": "Internal Server Error", "message": _message(500)})
    response.status_code = 500
    return response
