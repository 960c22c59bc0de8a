"""GET /healthz for load balancers and monitoring: whether what this process relies on answers.

Each part is "ok", "unreachable" or, when the deployment does not use it, "not configured";
the answer is 200 when every configured part is ok, else 503. Nothing in it names a host or
carries an error's text: it is public.
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from .. import jobs, storage
from ..accounts import throttle
from ..extensions import db
from ..permissions import Access, guard

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)
OK, DOWN, UNUSED = "ok", "unreachable", "not configured"


def _check(name: str, probe) -> str:
    try:
        probe()
    except Exception:  # any failure is the part being down; its detail goes to the log only
        log.exception("health check of %s failed", name)
        return DOWN
    return OK


def _database() -> None:
    db.session.execute(sa.text("SELECT 1"))


def _storage() -> None:
    area = storage.store("uploads")
    if isinstance(area, storage.S3Store):
        area.client.head_bucket(Bucket=area.bucket)
    else:
        area.put("health/probe", b"ok")


def _sign_in_counter() -> None:
    if not throttle.storage().check():
        raise ConnectionError("the sign-in counter's store does not answer")


@bp.get("/healthz")
@guard(Access.PUBLIC)
def healthz():
    parts = {"database": _check("database", _database), "storage": _check("storage", _storage)}
    # Failed sign-ins are counted in Redis in production: when it is away, nobody can sign in.
    parts["sign_in_counter"] = _check("sign-in counter", _sign_in_counter)
    if jobs.configured():
        parts["redis"] = _check("redis", jobs.redis().ping)
        parts["queue"] = {"state": parts["redis"]}
        if parts["redis"] == OK:
            from rq import Worker

            queue = jobs.queue()
            parts["queue"].update(
                waiting=len(queue), failed=queue.failed_job_registry.count, workers=Worker.count(queue=queue),
            )
            if not parts["queue"]["workers"]:
                parts["queue"]["state"] = DOWN  # jobs would wait for ever
    else:
        parts["redis"] = parts["queue"] = UNUSED
    healthy = all((p["state"] if isinstance(p, dict) else p) in (OK, UNUSED) for p in parts.values())
    response = jsonify(status=OK if healthy else DOWN, **parts)
    response.status_code = 200 if healthy else 503
    response.cache_control.no_store = True
    return response
