"""The sign-in throttle: a guesser is slowed down, the owner still gets in, every worker counts the
same attempts in Redis, and a sign-in is refused clearly (503) when the counters cannot be reached."""
from __future__ import annotations

import os
import uuid

import pytest
import redis

from config import ProductionConfig, TestConfig
from consortium import create_app

from conftest import PASSWORD, free_port, post_form, text

ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"
REDIS = "redis://127.0.0.1:6379"


def sign_in(client, email, password, ip=ATTACKER):
    return post_form(client, "/accounts/login", {"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip})


def guess(client, email, times, ip=ATTACKER):
    for _ in range(times):
        assert sign_in(client, email, "wrong guess", ip).status_code == 422


def test_the_guesser_is_stopped_after_five_wrong_passwords(client, make_user):
    user = make_user()
    guess(client, user.email, 5)
    refused = sign_in(client, user.email, PASSWORD)  # even the right password: the guesser learns nothing
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60


def test_the_owner_elsewhere_is_not_locked_out_by_the_guesser(app, make_user):
    user = make_user()
    guesser, owner = app.test_client(), app.test_client()
    guess(guesser, user.email, 5)
    assert sign_in(guesser, user.email, PASSWORD).status_code == 429
    assert sign_in(owner, user.email, PASSWORD, ip=OWNER).status_code == 302


def test_the_owner_on_a_device_they_used_before_gets_in_even_behind_the_guessers_address(app, make_user, monkeypatch):
    """The guesser shares the owner's IP (an office's NAT) and has used up the address's own limit."""
    monkeypatch.setitem(app.config, "SIGN_IN_LIMITS", {**app.config["SIGN_IN_LIMITS"], "address": "8 per hour"})
    user = make_user()
    owner, guesser, new_device = app.test_client(), app.test_client(), app.test_client()
    assert sign_in(owner, user.email, PASSWORD).status_code == 302
    post_form(owner, "/accounts/logout")
    guess(guesser, user.email, 5)
    guess(guesser, user.email, 3, ip="192.0.2.1")
    assert sign_in(new_device, user.email, PASSWORD, ip=OWNER).status_code == 429  # a new device waits
    assert sign_in(owner, user.email, PASSWORD).status_code == 302  # the owner's browser does not


def test_a_device_cookie_of_another_account_does_not_help(app, make_user):
    mine, theirs = make_user(), make_user()
    client = app.test_client()
    assert sign_in(client, mine.email, PASSWORD).status_code == 302
    post_form(client, "/accounts/logout")
    guess(client, theirs.email, 5)
    assert sign_in(client, theirs.email, PASSWORD).status_code == 429


def test_guessing_many_addresses_from_one_ip_is_stopped(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_IN_LIMITS", {**app.config["SIGN_IN_LIMITS"], "ip": "6 per 10 minutes"})
    users = [make_user() for _ in range(3)]
    for user in users:
        guess(client, user.email, 2)
    assert sign_in(client, users[0].email, PASSWORD).status_code == 429
    assert sign_in(client, users[0].email, PASSWORD, ip=OWNER).status_code == 302


def test_a_mistyped_form_does_not_count(client, make_user):
    user = make_user()
    for _ in range(8):
        assert sign_in(client, user.email, "").status_code == 422
    assert sign_in(client, user.email, PASSWORD).status_code == 302


@pytest.fixture()
def redis_url():
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):  # .ci/run starts Redis: there, its absence is a failure
            raise
        pytest.skip("no Redis at 127.0.0.1:6379")
    return REDIS


def worker(app, storage: str, prefix: str):
    """Another process of the site: its own app on the same database and counter store."""
    return create_app(TestConfig, {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "RATELIMIT_STORAGE_URI": storage, "SIGN_IN_KEY_PREFIX": prefix,
    })


def test_workers_count_the_same_failures_in_redis(app, make_user, redis_url):
    user = make_user()
    prefix = f"test-{uuid.uuid4().hex}"
    workers = [worker(app, redis_url, prefix) for _ in range(4)]
    try:
        for n in range(5):
            guess(workers[n % 4].test_client(), user.email, 1)
        for each in workers:
            assert sign_in(each.test_client(), user.email, PASSWORD).status_code == 429
    finally:
        with workers[0].app_context():
            workers[0].extensions["sign_in_throttle"].reset()


def test_sign_in_is_refused_clearly_when_the_counter_store_is_down(app, make_user):
    user = make_user()
    down = worker(app, f"redis://127.0.0.1:{free_port()}", "test-down").test_client()
    assert down.get("/accounts/login").status_code == 200  # the page itself needs no counter
    response = sign_in(down, user.email, PASSWORD)
    assert response.status_code == 503
    assert "ただいまログインを受け付けられません。数分後にもう一度お試しください。" in text(response)
    assert f'value="{user.email}"' in text(response)
    assert int(response.headers["Retry-After"]) > 0


def test_production_refuses_to_count_in_one_process_memory(tmp_path):
    settings = {"SECRET_KEY": "s" * 40, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.sqlite"}
    with pytest.raises(RuntimeError, match="redis://"):
        create_app(ProductionConfig, {**settings, "RATELIMIT_STORAGE_URI": "memory://"})
    assert create_app(ProductionConfig, {**settings, "RATELIMIT_STORAGE_URI": REDIS})
