"""The sign-in throttle: slows down password guessing without letting a guesser lock the owner out.

Only wrong passwords count. They are counted in several buckets at once, each with limits that
grow (a minute's wait after a few failures, ten minutes and an hour after more):

- on a device the account signed in from before (a signed cookie naming the account), only that
  device's own failures count: whatever a guesser elsewhere does, the owner gets in from the
  browser they use (OWASP's "device cookies");
- anywhere else, per address and client IP (the guesser's own bucket), per client IP over every
  address (one machine trying many accounts), and per address over every IP with a high limit
  (many machines against one account: only this one can hold back the owner, and only on a new
  device, after far more guesses than a person makes).

The counters live in RATELIMIT_STORAGE_URI: Redis in production, so that every worker counts
the same attempts (production refuses to start with another store). When the store cannot be
reached the sign-in is refused with Unavailable rather than let through uncounted.
"""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Flask, Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

if TYPE_CHECKING:
    from ..models import User

DEVICE_COOKIE = "signin_device"
DEVICE_MAX_AGE = 365 * 24 * 3600
SHARED_STORES = ("redis://", "rediss://", "redis+sentinel://", "redis+cluster://")


class Unavailable(Exception):
    """The counters cannot be read or written: sign-ins wait until they can."""


@dataclass(frozen=True)
class Bucket:
    name: str  # names the limits in SIGN_IN_LIMITS
    key: tuple[str, ...]


def init_app(app: Flask) -> None:
    uri = app.config["RATELIMIT_STORAGE_URI"]
    if app.config.get("SIGN_IN_SHARED_STORE") and not uri.startswith(SHARED_STORES):
        raise RuntimeError("RATELIMIT_STORAGE_URI must be a redis:// URL in production: every worker must count the same sign-ins")
    app.extensions["sign_in_throttle"] = storage_from_string(
        uri, wrap_exceptions=True, key_prefix=app.config["SIGN_IN_KEY_PREFIX"], socket_connect_timeout=2, socket_timeout=2
    )


def storage() -> Storage:
    return current_app.extensions["sign_in_throttle"]


def _limits(bucket: Bucket) -> list[RateLimitItem]:
    return parse_many(current_app.config["SIGN_IN_LIMITS"][bucket.name])


def buckets(address: str, device: str | None) -> list[Bucket]:
    """Where a failed sign-in to the address from this request counts."""
    if device:
        return [Bucket("device", (device,))]
    ip = request.remote_addr or "unknown"
    return [Bucket("address_ip", (address, ip)), Bucket("ip", (ip,)), Bucket("address", (address,))]


def seconds_to_wait(address: str, device: str | None) -> int:
    """0 when a sign-in may be tried now, else how long until one may."""
    limiter = MovingWindowRateLimiter(storage())
    waits = []
    try:
        for bucket in buckets(address, device):
            for limit in _limits(bucket):
                if not limiter.test(limit, bucket.name, *bucket.key):
                    reset_at = limiter.get_window_stats(limit, bucket.name, *bucket.key).reset_time
                    waits.append(reset_at)
    except StorageError as error:
        raise Unavailable from error
    return max(1, int(max(waits) - time.time()) + 1) if waits else 0


def count_failure(address: str, device: str | None) -> None:
    limiter = MovingWindowRateLimiter(storage())
    try:
        for bucket in buckets(address, device):
            for limit in _limits(bucket):
                limiter.hit(limit, bucket.name, *bucket.key)
    except StorageError as error:
        raise Unavailable from error


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="sign-in-device")


def trusted_device(user: User | None) -> str | None:
    """The id of this browser when it signed in to the user's account before, else None."""
    cookie = request.cookies.get(DEVICE_COOKIE)
    if user is None or not cookie:
        return None
    try:
        data = _serializer().loads(cookie, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return None
    return data.get("device") if data.get("user") == user.id else None


def remember_device(response: Response, user: User) -> None:
    """Mark this browser as one the user signs in from (kept when it already is)."""
    if trusted_device(user):
        return
    value = _serializer().dumps({"user": user.id, "device": secrets.token_urlsafe(16)})
    response.set_cookie(
        DEVICE_COOKIE, value, max_age=DEVICE_MAX_AGE, path="/accounts/",
        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax",
    )
