"""Logs as one JSON object per line, each with the request id of the request it belongs to.

The id comes from the proxy's X-Request-ID when it sends a plain one, or is made here; it is
answered in the response's X-Request-ID, and a job queued by the request carries it on
(consortium/jobs.py), so a mail sent by a worker logs under the request that asked for it.
LOG_FORMAT=text keeps Flask's plain lines (the tests and a developer's terminal).
"""
from __future__ import annotations

import logging
import re
import secrets

from flask import Flask, Response, g, has_app_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestIdFilter(logging.Filter):
    """Put the current request's (or job's) id on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id") if has_app_context() else None
        return True


def handler() -> logging.Handler:
    out = logging.StreamHandler()
    out.setFormatter(JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    ))
    out.addFilter(RequestIdFilter())
    return out


def init_app(app: Flask) -> None:
    @app.before_request
    def _request_id() -> None:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if REQUEST_ID.fullmatch(given) else secrets.token_hex(8)

    @app.after_request
    def _answer_request_id(response: Response) -> Response:
        if "request_id" in g:
            response.headers["X-Request-ID"] = g.request_id
        return response

    if app.config["LOG_FORMAT"] == "json":
        root = logging.getLogger()
        if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
            root.addHandler(handler())
        root.setLevel(app.config["LOG_LEVEL"])
        app.logger.handlers.clear()  # Flask's own handler would print each line a second time, as text
        app.logger.propagate = True
