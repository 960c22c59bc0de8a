"""With a queue, a change to a meeting queues a job that writes its calendar events before any feed
asks: the first reader after an edit is served events already written, with the new SEQUENCE."""
from __future__ import annotations

import pytest
from redis import Redis

from consortium import jobs
from consortium.feeds import ical, publish
from consortium.models import GrantRole
from conftest import fresh
from test_consortia_edit import consortium_form
from test_feeds import council, events_of, meeting_form, parse, uid_of  # noqa: F401 (council is a fixture)
from test_jobs import QUEUE_DB, queue  # noqa: F401 (queue is a fixture)


@pytest.fixture()
def written(monkeypatch):
    """The meetings whose events a feed request had to write itself."""
    ids: list[int] = []
    event = ical.event

    def counting(entry, *args, **kwargs):
        ids.append(entry.meeting.id)
        return event(entry, *args, **kwargs)

    monkeypatch.setattr(ical, "event", counting)
    return ids


def queued() -> int:
    return Redis.from_url(QUEUE_DB).llen(f"rq:queue:{jobs.QUEUE}")


def test_an_edited_meeting_is_written_by_the_worker_before_the_feed_is_read(client, db, council, make_user, login, post, queue, written):
    consortium, meeting = council
    login(make_user({consortium: GrantRole.SECRETARIAT}))
    assert post(f"/meetings/{meeting.id}/edit", meeting_form(start_time="19:00", end_time="21:00")).status_code == 302
    assert queued() == 1
    queue()
    assert sorted(written) == [meeting.id, meeting.id]  # as members and as the public see it
    written.clear()

    publish.events.clear()  # another machine: nothing in its memory, all in the shared store
    members = events_of(parse(client.get(f"/consortia/{consortium.id}/calendar.ics")))[uid_of(meeting)]
    assert post("/accounts/logout").status_code == 302
    public = events_of(parse(client.get("/meetings/calendar.ics")))[uid_of(meeting)]
    assert written == []  # both readers found the event ready
    assert members["SEQUENCE"] == public["SEQUENCE"] == 1
    assert "人事案件の審議" in str(members["DESCRIPTION"]) and "人事案件の審議" not in str(public["DESCRIPTION"])


def test_a_renamed_consortium_has_every_meeting_rewritten(client, db, council, make_meeting, make_user, login, post, queue, written):
    consortium, meeting = council
    other = make_meeting(consortium, title="第6回")
    login(make_user({consortium: GrantRole.SECRETARIAT}))
    response = post(f"/consortia/{consortium.id}/edit", consortium_form(name=consortium.name, short_name="新しい略称"))
    assert response.status_code == 302
    queue()
    assert sorted(set(written)) == sorted({meeting.id, other.id})
    written.clear()
    client.get(f"/consortia/{consortium.id}/calendar.ics")
    assert written == []


def test_a_change_outside_a_request_queues_nothing(db, council, queue):
    _consortium, meeting = council
    meeting.title = "書き換え"
    db.session.commit()
    assert queued() == 0


def test_an_edit_is_saved_though_redis_does_not_answer(app, db, council, make_user, login, post, monkeypatch):
    consortium, meeting = council
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    app.extensions.pop("jobs_redis", None)
    login(make_user({consortium: GrantRole.SECRETARIAT}))
    assert post(f"/meetings/{meeting.id}/edit", meeting_form(room="大会議室")).status_code == 302
    app.extensions.pop("jobs_redis", None)
    assert fresh(db, type(meeting), meeting.id).room == "大会議室"
