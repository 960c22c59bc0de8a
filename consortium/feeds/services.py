"""The private address of a user's personal feed. Services flush, never commit."""
from __future__ import annotations

import secrets

from ..extensions import db
from ..models import User


def issue_calendar_token(user: User) -> str:
    """Give the user a new private feed address; the previous one, if any, stops working at once."""
    user.calendar_token = secrets.token_urlsafe(32)
    db.session.flush()
    return user.calendar_token


def revoke_calendar_token(user: User) -> bool:
    """Turn the user's feed address off; False when there was none."""
    if user.calendar_token is None:
        return False
    user.calendar_token = None
    db.session.flush()
    return True
