"""Logs: one JSON object per line, with the request id, which a queued job carries on."""
from __future__ import annotations

import io
import json
import logging

import pytest
from redis import Redis
from rq import SimpleWorker

from consortium import jobs, logs, reminders

QUEUE_DB = "redis://127.0.0.1:6379/11"


@pytest.fixture()
def lines():
    """What the JSON handler writes, as parsed objects."""
    out = io.StringIO()
    handler = logs.handler()
    handler.setStream(out)
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in out.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def test_a_request_answers_its_id_taking_a_plain_one_from_the_proxy(client):
    assert client.get("/", headers={"X-Request-ID": "proxy-id-1234"}).headers["X-Request-ID"] == "proxy-id-1234"
    made = client.get("/", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert made != "<script>" and len(made) == 16


def test_a_log_line_is_one_json_object_with_the_request_id(app, lines):
    with app.test_request_context("/", headers={"X-Request-ID": "req-abcdef12"}):
        app.preprocess_request()
        app.logger.warning("名簿を取り込みました")
    [line] = [entry for entry in lines() if entry["message"] == "名簿を取り込みました"]
    assert line["level"] == "WARNING" and line["request_id"] == "req-abcdef12" and line["time"]


def test_a_job_logs_under_the_request_that_queued_it(app, lines, monkeypatch):
    Redis.from_url(QUEUE_DB).flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", QUEUE_DB)
    monkeypatch.setitem(app.config, "SITE_URL", "https://consortium.example.jp")
    monkeypatch.delitem(app.extensions, "jobs_redis", raising=False)
    with app.test_request_context("/", headers={"X-Request-ID": "req-queued-01"}):
        app.preprocess_request()
        jobs.enqueue(reminders.scheduled)
    with app.app_context():
        SimpleWorker([jobs.queue()], connection=jobs.redis()).work(burst=True)
    [line] = [entry for entry in lines() if entry["message"].startswith("reminders:")]
    assert line["request_id"] == "req-queued-01" and line["logger"] == "consortium.reminders"
    app.extensions.pop("jobs_redis", None)
