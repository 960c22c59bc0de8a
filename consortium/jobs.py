"""Slow work and mail as jobs: on an RQ queue in Redis when REDIS_URL is set, else at once, in this process.

RQ rather than Celery: Redis is already the deployment's shared store (sign-in counts), RQ needs
nothing else, its jobs are plain functions, and it brings its own retries with backoff and its own
cron scheduler (`rq cron`'s CronScheduler), so reminders need no cron line. Celery's broker choice,
result backends and beat would be machinery this application does not use.

Workers (`flask jobs work`) run jobs inside the application, one at a time each (RQ's
SimpleWorker: no fork, so a job's database connection is the worker's own); run as many as needed.
A job carries the request id of the request that queued it, so its log lines join that request's.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from flask import current_app, g, has_request_context

QUEUE = "consortium"


def configured() -> bool:
    return bool(current_app.config.get("REDIS_URL"))


def redis():
    """One connection pool per application, shared by the queue and its scheduler."""
    client = current_app.extensions.get("jobs_redis")
    if client is None:
        from redis import Redis

        client = Redis.from_url(current_app.config["REDIS_URL"])
        current_app.extensions["jobs_redis"] = client
    return client


def queue():
    from rq import Queue

    return Queue(QUEUE, connection=redis())


def enqueue(func: Callable, *args: Any, retry_intervals: list[int] | None = None, once: str | None = None) -> None:
    """Run func(*args) on the queue, or now when no queue is configured. Call it after the commit
    that wrote what the job reads: a worker may start on it at once. With `once` (a job id), the
    job is not queued again while one of that id waits or runs."""
    if not configured():
        func(*args)
        return
    from rq import Retry
    from rq.job import JobStatus

    jobs = queue()
    if once is not None:
        waiting = jobs.fetch_job(once)
        if waiting is not None and waiting.get_status() in (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED):
            return
    retry = Retry(max=len(retry_intervals), interval=retry_intervals) if retry_intervals else None
    request_id = g.get("request_id") if has_request_context() else None
    jobs.enqueue(run, f"{func.__module__}:{func.__qualname__}", args, request_id, retry=retry, job_id=once)


def run(target: str, args: tuple, request_id: str | None = None) -> None:
    """A job as the worker runs it: the function named by target, in the worker's application."""
    from .extensions import db

    module, name = target.split(":")
    func = getattr(importlib.import_module(module), name)
    g.request_id = request_id
    try:
        func(*args)
    finally:
        db.session.remove()
