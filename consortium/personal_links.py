"""Personal links: signed tokens that let one member act on one row without a password.

A token names its kind (what it is for), the row and the membership; nothing is stored, so
the row's own state decides when a link stops working (a poll once closed, an invitation
withdrawn). Kinds in use: "poll" (polls.mailing) and "invitation" (invitations.mailing).
"""
from __future__ import annotations

from flask import current_app
from werkzeug.wrappers import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

# Links are mailed, so they should not live for ever even if their row forgets to end them.
LINK_MAX_AGE = 180 * 24 * 3600


def _serializer(kind: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"personal-link:{kind}")


def make_token(kind: str, row_id: int, membership_id: int) -> str:
    """A token for the member's own link to the row."""
    return _serializer(kind).dumps([row_id, membership_id])


def read_token(kind: str, token: str) -> tuple[int, int] | None:
    """The (row id, membership id) a token was made for, or None when tampered with or too old."""
    try:
        data = _serializer(kind).loads(token, max_age=LINK_MAX_AGE)
    except BadSignature:  # SignatureExpired is one too
        return None
    if not (isinstance(data, list) and len(data) == 2 and all(type(n) is int for n in data)):
        return None
    return data[0], data[1]


def private(response, status: int = 302) -> Response:
    """A page reached by a personal link: the link is a key, so keep it out of caches and out of
    Referer headers."""
    response = current_app.make_response((response, status) if isinstance(response, str) else response)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
