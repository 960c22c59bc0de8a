"""The audit log records every change: who, when, what, before and after."""
from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from consortium.audit import act_as
from consortium.models import AuditEvent, Meeting, MeetingStatus
from conftest import text


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
    assert {e.entity_id for e in (created, updated, deleted)} == {meeting.id}


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


# ---------------------------------------------------------------------------------------------
# Reading the log (in Japanese, the default language)


def squeezed(response) -> str:
    """The page with each run of white space made one space, so markup reads as the text does."""
    return re.sub(r"\s+", " ", text(response))


def test_a_sign_in_is_recorded_apart_not_as_a_change(db, login, make_user):
    user = make_user()
    login(user)
    events = _events(db, "User")
    assert [e.action for e in events] == ["create", "sign_in"] and events[-1].user_id == user.id


def test_the_log_shows_edits_by_default_and_sign_ins_under_their_own_tab(client, login, post, admin, make_user):
    member = make_user(display_name="山本 一郎")
    login(member)
    post("/accounts/logout")
    login(admin)
    edits = text(client.get("/admin/audit"))
    assert "ログイン</span>" not in edits and "作成</span>" in edits
    sign_ins = text(client.get("/admin/audit", query_string={"show": "sign_ins"}))
    assert sign_ins.count("ログイン</span>") == 2
    assert f'<a href="/admin/users/{member.id}/edit">山本 一郎</a>' in sign_ins
    assert "作成</span>" not in sign_ins


def test_a_change_reads_as_the_forms_say_it_in_japanese(db, client, login, admin, make_consortium, make_meeting):
    meeting = make_meeting(make_consortium(), title="第3回 全体会議", venue="長野県庁")
    act_as(admin.id)
    meeting.venue = "県民文化会館"
    meeting.status = MeetingStatus.CANCELLED
    db.session.commit()
    login(admin)
    page = squeezed(client.get("/admin/audit", query_string={"entity_type": "Meeting", "action": "update"}))
    assert f'変更</span> 会議 <a href="/meetings/{meeting.id}">第3回 全体会議</a>' in page
    assert '<th scope="row">場所</th><td class="pre">長野県庁</td><td class="pre">県民文化会館</td>' in page
    assert '<th scope="row">状況</th><td class="pre">開催予定</td><td class="pre">中止</td>' in page
    assert f'<a href="/admin/users/{admin.id}/edit">管理者</a>' in page
    moment = re.search(r'<time datetime="([^"]+)">(令和\d+年（\d{4}年）\d+月\d+日（.）) \d\d:\d\d</time>', page)
    assert moment and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00", moment.group(1))
    shown = re.sub(r"<[^>]+>", " ", page)
    assert "update" not in shown and "venue" not in shown and "User #" not in shown


def test_a_date_reads_in_the_japanese_calendar(db, client, login, admin, make_consortium):
    consortium = make_consortium()
    consortium.period_start = date(2024, 4, 1)
    db.session.commit()
    login(admin)
    page = text(client.get("/admin/audit", query_string={"entity_type": "Consortium", "action": "update"}))
    assert '<td class="pre">令和6年（2024年）4月1日（月）</td>' in page and "2024-04-01" not in page


def test_a_deleted_row_is_named_from_its_last_values_without_a_link(db, client, login, admin, make_consortium, make_meeting):
    meeting = make_meeting(make_consortium(), title="消えた会議")
    meeting_id = meeting.id
    db.session.delete(meeting)
    db.session.commit()
    login(admin)
    page = squeezed(client.get("/admin/audit", query_string={"entity_type": "Meeting", "action": "delete"}))
    assert "削除</span> 会議 消えた会議" in page and f'href="/meetings/{meeting_id}"' not in page


def test_a_roster_entry_names_its_member_and_the_secretariat_sees_no_account_pages(
    db, client, login, office, make_member, make_person
):
    consortium, secretariat = office
    member = make_member(consortium, person=make_person(family_name="長山", given_name="宗広"))
    login(secretariat)
    page = text(client.get(f"/admin/consortia/{consortium.id}/audit", query_string={"entity_type": "Membership"}))
    assert f'<a href="/memberships/{member.id}/edit">長山 宗広</a>' in page
    assert '<th scope="row">人物</th><td class="pre"></td><td class="pre">長山 宗広</td>' in page
    assert "/admin/users/" not in page


def test_the_filters_name_kinds_and_actions_in_japanese(client, login, admin, make_consortium):
    make_consortium()
    login(admin)
    page = text(client.get("/admin/audit"))
    assert '<option value="Meeting">会議</option>' in page and '<option value="create">作成</option>' in page
    assert '<option value="sign_in">' not in page


def test_every_kind_of_row_and_every_field_has_a_name_in_the_log(app):
    from consortium.admin.audit_fields import label_of
    from consortium.admin.audit_subjects import KINDS
    from consortium.audit import IGNORED, NOT_AUDITED
    from consortium.extensions import db

    audited = [m for m in db.Model.registry.mappers if not issubclass(m.class_, NOT_AUDITED)]
    assert {m.class_.__name__ for m in audited} == set(KINDS)
    unnamed = [
        f"{m.class_.__name__}.{c.key}"
        for m in audited
        for c in m.column_attrs
        if c.key not in IGNORED | {"id"} and label_of(m.class_.__name__, c.key) is None
    ]
    assert unnamed == []


def test_a_page_of_the_log_costs_the_same_queries_for_more_rows(
    db, client, login, admin, make_consortium, make_meeting, make_member, count_queries
):
    consortium = make_consortium()

    def add_rows():
        meeting = make_meeting(consortium)
        meeting.venue = "会場"
        make_member(consortium)
        db.session.commit()

    add_rows()
    login(admin)
    with count_queries() as few:
        assert client.get("/admin/audit").status_code == 200
    for _ in range(5):
        add_rows()
    with count_queries() as many:
        assert client.get("/admin/audit").status_code == 200
    assert len(many) == len(few)


def test_every_kind_of_row_in_the_demo_reads_in_the_log(db, client, login, admin, demo):
    from consortium.admin.audit_subjects import KINDS

    login(admin)
    logged = set(db.session.execute(sa.select(AuditEvent.entity_type).distinct()).scalars())
    assert len(logged) > 5
    for kind in KINDS:
        response = client.get("/admin/audit", query_string={"entity_type": kind})
        assert response.status_code == 200, kind
        headings = re.sub(r"<[^>]+>", " ", " ".join(re.findall(r'<h2 class="event">(.*?)</h2>', squeezed(response))))
        assert (kind in logged) == ("作成" in headings), kind
        assert kind not in headings and "#" not in headings, kind
