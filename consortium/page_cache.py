"""Whole pages as visitors who are not signed in see them, kept by the version of what they show.

A public meeting page costs about 7 ms to build (six queries and a template) and is the page most
visited; for visitors who are not signed in it is the same for everyone, so it is built once per
version and kept whole: in Redis when REDIS_URL is set, shared by every process on every machine,
and in this process's memory (a page found in Redis is kept there for the rest of its life, so
the most visited pages cost no round trip to Redis). A version names the rows a page shows that carry one (a meeting's
updated_at moves with its agenda, materials and minutes entries); what a page shows of rows that
carry none (a presenter's name as the directory spells it) is trusted for MAX_AGE seconds, so an
edit there reaches the page within that time, and every other edit at once.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from flask import request, session
from flask_babel import get_locale
from flask_login import current_user
from redis.exceptions import RedisError

from . import jobs
from .kept import Kept

MAX_AGE = 60
# Pages kept in a process's memory (its own, or copies of Redis's): about 30 kB each.
KEPT = 2000
PREFIX = "consortium-page:"

log = logging.getLogger(__name__)
memory = Kept(KEPT, max_age=MAX_AGE)


def applies() -> bool:
    """Only visitors not signed in, with no message waiting for them, see the same page."""
    return not current_user.is_authenticated and "_flashes" not in session


def page(name: str, version: Callable[[], tuple], build: Callable[[], str]) -> str:
    """The page's HTML: kept for its version, else built (and kept, when the visitor is anonymous).
    The key adds what a page's links depend on besides the rows: its address and the language."""
    if not applies():
        return build()
    return kept((name, version(), request.host_url, request.full_path, str(get_locale())), build)


def kept(state: tuple, build: Callable[[], str]) -> str:
    """The text kept under this state (for MAX_AGE seconds at most), else built and kept."""
    key = PREFIX + hashlib.blake2b(repr(state).encode(), digest_size=16).hexdigest()
    text = _get(key)
    if text is None:
        text = build()
        _put(key, text)
    return text


def _get(key: str) -> str | None:
    html = memory.get(key)
    if html is not None or not jobs.configured():
        return html
    try:
        data, life = jobs.redis().pipeline().get(key).pttl(key).execute()
    except RedisError:
        # A cache that cannot answer costs a page build, never the page; /healthz reports Redis.
        log.warning("page cache unavailable", exc_info=True)
        return None
    if data is None or life <= 0:
        return None
    memory.put(key, data.decode(), max_age=life / 1000)
    return data.decode()


def _put(key: str, html: str) -> None:
    memory.put(key, html)
    if not jobs.configured():
        return
    try:
        jobs.redis().set(key, html.encode(), ex=MAX_AGE)
    except RedisError:
        log.warning("page cache unavailable", exc_info=True)

