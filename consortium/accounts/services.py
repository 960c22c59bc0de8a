"""Accounts: passwords, sign-in bookkeeping and set-password links. Services flush, never commit."""
from __future__ import annotations

import secrets
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

import sqlalchemy as sa

from .. import audit
from ..extensions import db
from ..models import User
from ..models.base import utcnow

SET_PASSWORD_MAX_AGE = 7 * 24 * 3600  # an invitation link lasts a week


def set_password(user: User, password: str) -> None:
    """Store a salted scrypt hash (Werkzeug's current default), never the password."""
    user.password_hash = generate_password_hash(password)


def user_by_email(email: str) -> User | None:
    """The account of an email address, however its letters are cased."""
    return db.session.execute(sa.select(User).where(sa.func.lower(User.email) == email.lower())).scalar_one_or_none()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None."""
    user = user_by_email(email)
    # Hash even when there is no such account, so the time taken does not tell which accounts exist.
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    if not check_password_hash(stored, password) or user is None or not user.password_hash:
        return None
    return user if user.is_active else None


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    audit.record_sign_in(user)


def create_user(email: str, display_name: str, password: str | None = None, is_admin: bool = False) -> User:
    user = User(email=email.lower(), display_name=display_name, is_admin=is_admin)
    if password:
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="set-password")


def password_token(user: User) -> str:
    """A link token to choose a password; it stops working once the password changes."""
    return _serializer().dumps({"user": user.id, "hash": (user.password_hash or "")[-12:]})


def user_for_token(token: str) -> User | None:
    """The user a set-password token was made for, if it is still valid and unused."""
    try:
        data = _serializer().loads(token, max_age=SET_PASSWORD_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("user"))
    if user is None or not user.is_active or (user.password_hash or "")[-12:] != data.get("hash"):
        return None
    return user
