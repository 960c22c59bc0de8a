"""A confirmed roster import as a job: with a queue, a worker writes the file while the secretariat
watches its progress on a page any web machine can show (the progress lives in Redis).

The worker plans the import again from the stored file, so the roster as it is when the job runs
decides, as it would when confirming without a queue; a plan that no longer holds writes nothing.
"""
from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass

from .. import audit, jobs, storage
from ..extensions import db
from ..models import Consortium, User
from . import importer, services

KEY = "consortium:roster-import:{}"
KEPT = 24 * 3600  # seconds a finished import's outcome stays to be read


@dataclass
class Progress:
    consortium_id: int
    state: str = "queued"  # queued, running, done, failed
    done: int = 0
    total: int = 0
    failure: str = ""  # why nothing was written: "errors" or "stopped" (the page words it)
    created: int = 0
    updated: int = 0
    left: int = 0

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")


def _save(import_id: str, progress: Progress) -> None:
    key = KEY.format(import_id)
    jobs.redis().hset(key, mapping={k: str(v) for k, v in asdict(progress).items()})
    jobs.redis().expire(key, KEPT)


def read(import_id: str, consortium_id: int) -> Progress | None:
    """The import's progress, or None when there is no such import of this consortium."""
    if not import_id.isalnum():
        return None
    found = {k.decode(): v.decode() for k, v in jobs.redis().hgetall(KEY.format(import_id)).items()}
    if not found or found.get("consortium_id") != str(consortium_id):
        return None
    numbers = {"consortium_id", "done", "total", "created", "updated", "left"}
    return Progress(**{k: int(v) if k in numbers else v for k, v in found.items()})


def start(consortium_id: int, name: str, filename: str, whole: bool, user_id: int) -> str:
    """Queue the import of the stored file; return the id its progress page is found by."""
    import_id = secrets.token_hex(16)
    _save(import_id, Progress(consortium_id))
    jobs.enqueue(run, import_id, consortium_id, name, filename, whole, user_id)
    return import_id


def run(import_id: str, consortium_id: int, name: str, filename: str, whole: bool, user_id: int) -> None:
    """The job: plan the stored file against the roster as it is now, write it in one transaction."""
    progress = Progress(consortium_id, state="running")
    _save(import_id, progress)
    data = storage.store("imports").get(name)
    consortium, user = db.session.get(Consortium, consortium_id), db.session.get(User, user_id)
    plan = services.plan_import(consortium, importer.read_roster(data), whole=whole, user=user) if data and consortium else None
    if plan is None or not plan.ok:
        progress.state, progress.failure = "failed", "errors"
        _save(import_id, progress)
        return
    progress.total = len(plan.rows)

    def step(done: int) -> None:
        progress.done = done
        _save(import_id, progress)

    audit.act_as(user_id)
    try:
        result = services.apply_import(consortium, plan, filename, progress=step)
        db.session.commit()
    except Exception:
        db.session.rollback()
        progress.state, progress.failure = "failed", "stopped"
        _save(import_id, progress)
        raise
    storage.store("imports").delete(name)
    progress.state, progress.done = "done", progress.total
    progress.created, progress.updated, progress.left = result.created, result.updated, result.left
    _save(import_id, progress)
