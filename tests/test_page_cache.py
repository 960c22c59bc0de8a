"""The public meeting page kept whole for visitors who are not signed in: built once per version,
shared through Redis when there is one, never shown to a member and never stale after an edit."""
from __future__ import annotations

import pytest
from flask import template_rendered
from redis import Redis

from consortium import page_cache
from consortium.models import AgendaItem, GrantRole, Minutes, MinutesStatus
from conftest import text

REDIS = "redis://127.0.0.1:6379/11"  # the job tests' database: emptied before and after


@pytest.fixture()
def builds(app):
    """How many times a page template was rendered."""
    rendered: list[str] = []

    def record(_sender, template, **_context):
        if template.name == "meetings/show.html":
            rendered.append(template.name)

    template_rendered.connect(record, app)
    yield rendered
    template_rendered.disconnect(record, app)


@pytest.fixture()
def shared(app, monkeypatch):
    """Pages kept in Redis, as with several machines."""
    redis = Redis.from_url(REDIS)
    redis.flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS)
    app.extensions.pop("jobs_redis", None)
    yield redis
    app.extensions.pop("jobs_redis", None)
    redis.flushdb()
    redis.close()


def test_a_visitor_gets_the_page_built_once_until_the_meeting_changes(client, db, make_consortium, make_meeting, builds, count_queries):
    meeting = make_meeting(make_consortium(), title="第1回 全体会議")
    for i in range(5):
        db.session.add(AgendaItem(meeting=meeting, title=f"議題{i}", position=i))
    db.session.commit()
    first = text(client.get(f"/meetings/{meeting.id}"))
    with count_queries() as statements:
        again = text(client.get(f"/meetings/{meeting.id}"))
    assert again == first and len(builds) == 1
    assert len(statements) == 1  # the meeting with its consortium and its minutes' version

    meeting.title = "第1回 全体会議（会場変更）"
    db.session.add(AgendaItem(meeting=meeting, title="追加の議題", position=9))
    db.session.commit()
    changed = text(client.get(f"/meetings/{meeting.id}"))
    assert "第1回 全体会議（会場変更）" in changed and "追加の議題" in changed
    assert len(builds) == 2


def test_published_minutes_reach_visitors_at_once(client, db, make_consortium, make_meeting, builds):
    meeting = make_meeting(make_consortium())
    minutes = Minutes(meeting=meeting, status=MinutesStatus.DRAFT, heading="主な議論の概要（第1回）")
    db.session.add(minutes)
    db.session.commit()
    assert "主な議論の概要（第1回）" not in text(client.get(f"/meetings/{meeting.id}"))
    minutes.status = MinutesStatus.PUBLISHED
    db.session.commit()
    assert "主な議論の概要（第1回）" in text(client.get(f"/meetings/{meeting.id}"))


def test_members_never_see_the_visitors_page_nor_visitors_the_members(client, db, make_consortium, make_meeting, make_user, login, post, builds):
    consortium = make_consortium()
    meeting = make_meeting(consortium)
    db.session.add_all([
        AgendaItem(meeting=meeting, title="公開の議題", position=1),
        AgendaItem(meeting=meeting, title="人事案件", position=2, is_public=False),
    ])
    db.session.commit()
    assert "人事案件" not in text(client.get(f"/meetings/{meeting.id}"))
    login(make_user({consortium: GrantRole.MEMBER}))
    assert "人事案件" in text(client.get(f"/meetings/{meeting.id}"))
    assert "人事案件" in text(client.get(f"/meetings/{meeting.id}"))
    assert post("/accounts/logout").status_code == 302
    assert "人事案件" not in text(client.get(f"/meetings/{meeting.id}"))  # with "signed out" shown
    assert "人事案件" not in text(client.get(f"/meetings/{meeting.id}"))
    assert len(builds) == 4  # the visitor's page once, the member's twice, the one with the message


def test_each_language_and_address_has_its_own_page(client, make_consortium, make_meeting, builds):
    meeting = make_meeting(make_consortium())
    assert "議事次第" in text(client.get(f"/meetings/{meeting.id}"))
    client.set_cookie("lang", "en")
    english = text(client.get(f"/meetings/{meeting.id}"))
    assert "Agenda" in english and 'lang="en"' in english
    # The sign-in link brings the visitor back to the address they came by.
    assert f"next=/meetings/{meeting.id}?from%3Dmail" in text(client.get(f"/meetings/{meeting.id}?from=mail")).replace("%2F", "/")
    assert len(builds) == 3


def test_a_message_waiting_for_the_visitor_is_shown_and_not_kept(client, make_consortium, make_meeting, builds):
    meeting = make_meeting(make_consortium())
    client.get(f"/meetings/{meeting.id}")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "保存しました。")]
    assert "保存しました。" in text(client.get(f"/meetings/{meeting.id}"))
    assert "保存しました。" not in text(client.get(f"/meetings/{meeting.id}"))
    assert len(builds) == 2


def test_with_redis_a_page_built_by_one_process_is_served_by_every_other(client, make_consortium, make_meeting, builds, shared):
    meeting = make_meeting(make_consortium(), title="連携会議")
    first = text(client.get(f"/meetings/{meeting.id}"))
    page_cache.memory.clear()  # nothing of this process's own
    assert text(client.get(f"/meetings/{meeting.id}")) == first and len(builds) == 1
    [key] = shared.keys(f"{page_cache.PREFIX}*")
    assert 0 < shared.ttl(key) <= page_cache.MAX_AGE  # bounded: each page is forgotten within a minute


def test_a_page_found_in_redis_is_kept_in_the_process_no_longer_than_in_redis(client, make_consortium, make_meeting, builds, shared, monkeypatch):
    meeting = make_meeting(make_consortium(), title="連携会議")
    first = text(client.get(f"/meetings/{meeting.id}"))
    page_cache.memory.clear()
    [key] = shared.keys(f"{page_cache.PREFIX}*")
    shared.pexpire(key, 1500)
    assert text(client.get(f"/meetings/{meeting.id}")) == first  # fetched from Redis, kept here
    shared.delete(key)
    assert text(client.get(f"/meetings/{meeting.id}")) == first and len(builds) == 1  # no round trip
    monkeypatch.setattr("consortium.kept.time.monotonic", lambda real=__import__("time").monotonic: real() + 2)
    assert text(client.get(f"/meetings/{meeting.id}")) == first and len(builds) == 2  # its life in Redis is over


def test_without_an_answer_from_redis_the_page_is_built(app, client, make_consortium, make_meeting, builds, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    app.extensions.pop("jobs_redis", None)
    meeting = make_meeting(make_consortium(), title="連携会議")
    assert "連携会議" in text(client.get(f"/meetings/{meeting.id}"))
    app.extensions.pop("jobs_redis", None)
