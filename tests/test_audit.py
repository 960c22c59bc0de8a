"""The audit log records every change: who, when, what, before and after."""
from __future__ import annotations

import sqlalchemy as sa

from consortium.audit import act_as
from consortium.models import AuditEvent, Meeting


def _events(db, entity_type):
    return db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.entity_type == entity_type).order_by(AuditEvent.id)
    ).scalars().all()


def test_create_update_delete_are_recorded_with_before_and_after(db, make_consortium, make_meeting, make_user):
    admin = make_user(is_admin=True)
    act_as(admin.id)
    consortium = make_consortium()
    meeting = make_meeting(consortium, title="第1回", venue="長野県庁")
    meeting.venue = "県民文化会館"
    db.session.commit()
    db.session.delete(meeting)
    db.session.commit()
    created, updated, deleted = _events(db, "Meeting")
    assert created.action == "create" and created.after["venue"] == "長野県庁"
    assert updated.before == {"venue": "長野県庁"} and updated.after == {"venue": "県民文化会館"}
    assert deleted.action == "delete" and deleted.before["title"] == "第1回"
    assert {e.user_id for e in (created, updated, deleted)} == {admin.id}
    assert {e.consortium_id for e in (created, updated, deleted)} == {consortium.id}


def test_secrets_never_reach_the_log(db, make_user):
    make_user(calendar_token="secret-token")
    event = _events(db, "User")[-1]
    assert event.after["password_hash"] == "***" and event.after["calendar_token"] == "***"


def test_deleting_a_consortium_keeps_its_events(db, make_consortium):
    consortium = make_consortium()
    db.session.delete(consortium)
    db.session.commit()
    events = _events(db, "Consortium")
    assert [e.action for e in events] == ["create", "delete"]
    assert events[-1].before["name"] == consortium.name


def test_a_change_of_nothing_writes_nothing(db, make_consortium, make_meeting):
    meeting = make_meeting(make_consortium())
    count = len(_events(db, "Meeting"))
    db.session.get(Meeting, meeting.id).title = meeting.title
    db.session.commit()
    assert len(_events(db, "Meeting")) == count
