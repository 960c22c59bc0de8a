"""Mail through the job queue (RQ on the Redis at 127.0.0.1:6379): the request only records and
queues; a worker sends each mail once, retries with backoff, and leaves failures to the mail page."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from redis import Redis
from rq import SimpleWorker

from consortium import jobs
from consortium.mail import outbox
from consortium.models import MailState, SentNotice
from conftest import free_port, text
from test_invitations import invite_all, received, world  # noqa: F401 (world is a fixture)

QUEUE_DB = "redis://127.0.0.1:6379/11"  # a database of its own, emptied by each test


@pytest.fixture()
def queue(app, monkeypatch):
    """Jobs go to Redis; work() runs them as a worker would, until the queue is empty."""
    redis = Redis.from_url(QUEUE_DB)
    redis.flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", QUEUE_DB)
    app.extensions.pop("jobs_redis", None)

    def work() -> None:
        with app.app_context():
            SimpleWorker([jobs.queue()], connection=jobs.redis()).work(burst=True, with_scheduler=True)

    yield work
    app.extensions.pop("jobs_redis", None)
    redis.flushdb()


def states(db) -> list[MailState]:
    db.session.expire_all()
    return db.session.execute(sa.select(SentNotice.state).order_by(SentNotice.id)).scalars().all()


def test_a_request_only_queues_and_a_worker_sends_each_mail_once(app, db, client, world, login, post, smtp_server, queue, english):
    login(world["users"]["secretariat"])
    response = invite_all(post, world)
    assert "3 mails are on their way" in text(client.get(response.headers["Location"]))
    assert smtp_server.envelopes == [] and states(db) == [MailState.QUEUED] * 3

    queue()
    assert sorted(received(smtp_server)) == ["kitahara@example.jp", "madoguchi@example.jp", "nagayama@example.jp"]
    assert states(db) == [MailState.SENT] * 3
    queue()  # nothing is left to run, and nothing goes twice
    assert len(smtp_server.envelopes) == 3


def test_a_mail_claimed_by_a_worker_that_died_is_not_sent_again_by_itself(app, db, client, world, login, post, smtp_server, queue):
    login(world["users"]["secretariat"])
    invite_all(post, world)
    first = db.session.execute(sa.select(SentNotice.id).order_by(SentNotice.id)).scalars().first()
    # A worker claimed it and died after the SMTP send: the row says "sending", never "queued".
    db.session.execute(sa.update(SentNotice).where(SentNotice.id == first).values(state=MailState.SENDING, attempts=1))
    db.session.commit()
    queue()
    assert len(smtp_server.envelopes) == 2 and states(db) == [MailState.SENDING, MailState.SENT, MailState.SENT]
    with app.app_context():
        assert outbox.deliver(first, may_retry=True) is True  # a second worker on the same job
    assert len(smtp_server.envelopes) == 2


def test_a_refused_mail_is_tried_again_later_with_backoff(app, db, world, login, post, smtp_server, queue, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # the mail server is away
    login(world["users"]["secretariat"])
    invite_all(post, world)
    queue()
    with app.app_context():
        assert len(jobs.queue().scheduled_job_registry.get_job_ids()) == 3  # each due again in a minute
    db.session.expire_all()
    notices = db.session.execute(sa.select(SentNotice).order_by(SentNotice.id)).scalars().all()
    assert [(n.state, n.attempts) for n in notices] == [(MailState.QUEUED, 1)] * 3 and all(n.error for n in notices)
    assert smtp_server.envelopes == []


def test_a_mail_out_of_tries_waits_on_the_mail_page_until_the_secretariat_sends_it_again(
    app, db, client, world, login, post, smtp_server, queue, monkeypatch, english
):
    monkeypatch.setattr(outbox, "BACKOFF", [0])  # two tries, the second at once
    working = app.config["MAIL_PORT"]
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    login(world["users"]["secretariat"])
    invite_all(post, world)
    queue()
    assert states(db) == [MailState.FAILED] * 3
    assert "Failed: 3" in text(client.get(f"/consortia/{world['consortium'].id}/mail"))

    monkeypatch.setitem(app.config, "MAIL_PORT", working)
    post(f"/consortia/{world['consortium'].id}/mail/retry")
    queue()
    assert states(db) == [MailState.SENT] * 3 and len(smtp_server.envelopes) == 3


def test_the_worker_and_scheduler_commands_need_a_queue(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    for command in (["jobs", "work", "--burst"], ["jobs", "schedule"]):
        result = app.test_cli_runner().invoke(args=command)
        assert result.exit_code != 0 and "Set REDIS_URL" in result.output
