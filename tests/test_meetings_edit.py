"""Meetings and agendas in the secretariat's hands: create, edit, cancel, delete, items, presenters."""
from __future__ import annotations

from datetime import timezone

import pytest
import sqlalchemy as sa

from consortium.japanese import tokyo_datetime
from consortium.models import (
    AgendaItem,
    AgendaPresenter,
    DatePrecision,
    GrantRole,
    Meeting,
    MeetingStatus,
    Minutes,
    Visibility,
)
from conftest import fresh, text

pytestmark = pytest.mark.usefixtures("english")


def meeting_data(**overrides) -> dict:
    data = {
        "number": "3",
        "title": "第3回 推進会議",
        "kind": "regular",
        "status": "scheduled",
        "precision": "minute",
        "day": "2030-05-10",
        "start_time": "10:00",
        "end_time": "12:00",
        "venue": "長野県庁",
        "room": "講堂",
        "address": "長野市大字南長野字幅下692-2",
        "online_url": "https://example.jp/meet/3",
        "is_public": "y",
        "description": "議事次第は追って送付します。",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def meetings_of(db, consortium) -> list[Meeting]:
    db.session.expire_all()
    return db.session.execute(sa.select(Meeting).where(Meeting.consortium_id == consortium.id)).scalars().all()


# ---------------------------------------------------------------------------------------------
# Creating and editing meetings


def test_secretariat_creates_a_meeting_with_times_in_tokyo(db, post, signed_in):
    response = post(f"/consortia/{signed_in.id}/meetings/new", meeting_data())
    assert response.status_code == 302
    [meeting] = meetings_of(db, signed_in)
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}")
    assert meeting.starts_at == tokyo_datetime(2030, 5, 10, 10)
    assert meeting.starts_at.astimezone(timezone.utc).hour == 1  # stored as UTC
    assert meeting.ends_at == tokyo_datetime(2030, 5, 10, 12)
    assert (meeting.number, meeting.venue, meeting.is_public) == (3, "長野県庁", True)


def test_a_title_is_kept_as_typed_without_its_surrounding_spaces(db, post, signed_in):
    post(f"/consortia/{signed_in.id}/meetings/new", meeting_data(title="　第３回　推進会議 ", room="第２会議室"))
    [meeting] = meetings_of(db, signed_in)
    assert (meeting.title, meeting.room) == ("第３回　推進会議", "第２会議室")


def test_missing_title_is_refused_and_what_was_typed_is_kept(db, post, signed_in):
    response = post(f"/consortia/{signed_in.id}/meetings/new", meeting_data(title="", venue="世田谷区役所 第1庁舎"))
    assert response.status_code == 422
    page = text(response)
    assert "Enter the title." in page
    assert 'value="世田谷区役所 第1庁舎"' in page
    assert 'value="2030-05-10"' in page and 'value="10:00"' in page
    assert meetings_of(db, signed_in) == []


def test_too_long_title_is_refused(db, post, signed_in):
    response = post(f"/consortia/{signed_in.id}/meetings/new", meeting_data(title="会" * 301))
    assert response.status_code == 422
    assert "300" in text(response)
    assert meetings_of(db, signed_in) == []


def test_end_before_start_is_refused(db, post, signed_in):
    response = post(f"/consortia/{signed_in.id}/meetings/new", meeting_data(start_time="15:00", end_time="13:00"))
    assert response.status_code == 422
    assert "The end must be after the start." in text(response)
    assert meetings_of(db, signed_in) == []


@pytest.mark.parametrize("field, value", [("number", "三"), ("day", "2030-13-45"), ("start_time", "25:99"), ("kind", "party")])
def test_wrong_types_are_refused(db, post, signed_in, field, value):
    response = post(f"/consortia/{signed_in.id}/meetings/new", meeting_data(**{field: value}))
    assert response.status_code == 422
    assert meetings_of(db, signed_in) == []


def test_start_time_is_required_when_the_time_is_known(db, post, signed_in):
    response = post(f"/consortia/{signed_in.id}/meetings/new", meeting_data(start_time="", end_time=""))
    assert response.status_code == 422
    assert "Enter the start time" in text(response)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.jp/x", "not a link"])
def test_online_link_must_be_a_web_address(db, post, signed_in, url):
    response = post(f"/consortia/{signed_in.id}/meetings/new", meeting_data(online_url=url))
    assert response.status_code == 422
    assert "https://" in text(response)
    assert meetings_of(db, signed_in) == []


@pytest.mark.parametrize(
    "precision, day, expected",
    [("day", "2030-05-29", tokyo_datetime(2030, 5, 29)), ("month", "2030-06-17", tokyo_datetime(2030, 6, 1))],
)
def test_times_are_ignored_when_only_the_date_or_month_is_known(db, post, signed_in, precision, day, expected):
    # Times left over in the form, even wrong ones, must neither block the save nor be stored.
    data = meeting_data(precision=precision, day=day, start_time="18:00", end_time="09:00")
    assert post(f"/consortia/{signed_in.id}/meetings/new", data).status_code == 302
    [meeting] = meetings_of(db, signed_in)
    assert meeting.precision is DatePrecision(precision)
    assert meeting.starts_at == expected
    assert meeting.ends_at is None


def test_script_in_a_title_is_shown_as_text(client, db, post, signed_in):
    post(f"/consortia/{signed_in.id}/meetings/new", meeting_data(title="<script>alert(1)</script>"))
    [meeting] = meetings_of(db, signed_in)
    page = text(client.get(f"/meetings/{meeting.id}"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_a_post_without_csrf_token_is_refused(db, post, signed_in):
    response = post(f"/consortia/{signed_in.id}/meetings/new", meeting_data(), csrf=False)
    assert response.status_code == 400
    assert meetings_of(db, signed_in) == []


@pytest.mark.parametrize("role", ["member", "other_secretariat"])
def test_members_and_other_secretariats_may_not_create_or_edit(db, client, post, login, make_consortium, make_meeting, make_user, office, role):
    consortium, _ = office
    meeting = make_meeting(consortium, title="元の題")
    grant = {consortium: GrantRole.MEMBER} if role == "member" else {make_consortium(): GrantRole.SECRETARIAT}
    login(make_user(grant))
    assert client.get(f"/consortia/{consortium.id}/meetings/new").status_code == 403
    assert post(f"/consortia/{consortium.id}/meetings/new", meeting_data()).status_code == 403
    assert post(f"/meetings/{meeting.id}/edit", meeting_data(title="書き換え")).status_code == 403
    assert fresh(db, Meeting, meeting.id).title == "元の題"


def test_edit_form_shows_the_times_in_tokyo(client, login, make_meeting, office):
    consortium, user = office
    meeting = make_meeting(consortium, starts_at=tokyo_datetime(2030, 7, 1, 13, 30), ends_at=tokyo_datetime(2030, 7, 1, 15))
    login(user)
    page = text(client.get(f"/meetings/{meeting.id}/edit"))
    assert 'value="2030-07-01"' in page and 'value="13:30"' in page and 'value="15:00"' in page


def _edit_data(meeting: Meeting, **overrides) -> dict:
    """The edit form as the secretariat finds it, with some values changed."""
    as_found = {
        "number": None, "title": meeting.title, "venue": None, "room": None, "address": None, "online_url": None,
        "description": None, "day": "2030-07-01", "start_time": "13:30", "end_time": "15:00",
    }
    return meeting_data(**{**as_found, **overrides})


def test_sequence_rises_when_the_time_changes(db, post, login, make_meeting, office):
    consortium, user = office
    meeting = make_meeting(consortium, starts_at=tokyo_datetime(2030, 7, 1, 13, 30), ends_at=tokyo_datetime(2030, 7, 1, 15))
    login(user)
    assert post(f"/meetings/{meeting.id}/edit", _edit_data(meeting, start_time="14:00")).status_code == 302
    changed = fresh(db, Meeting, meeting.id)
    assert changed.starts_at == tokyo_datetime(2030, 7, 1, 14)
    assert changed.sequence == 1


def test_sequence_stays_when_only_the_description_changes(db, post, login, make_meeting, office):
    consortium, user = office
    meeting = make_meeting(consortium, starts_at=tokyo_datetime(2030, 7, 1, 13, 30), ends_at=tokyo_datetime(2030, 7, 1, 15))
    login(user)
    assert post(f"/meetings/{meeting.id}/edit", _edit_data(meeting, description="資料を追加しました")).status_code == 302
    changed = fresh(db, Meeting, meeting.id)
    assert changed.description == "資料を追加しました"
    assert changed.sequence == 0


def test_sequence_rises_when_the_place_changes(db, post, login, make_meeting, office):
    consortium, user = office
    meeting = make_meeting(consortium, starts_at=tokyo_datetime(2030, 7, 1, 13, 30), ends_at=tokyo_datetime(2030, 7, 1, 15))
    login(user)
    post(f"/meetings/{meeting.id}/edit", _edit_data(meeting, venue="松本市役所"))
    assert fresh(db, Meeting, meeting.id).sequence == 1


def test_cancelling_marks_the_meeting_and_tells_calendars(db, post, login, make_meeting, office):
    consortium, user = office
    meeting = make_meeting(consortium)
    login(user)
    assert post(f"/meetings/{meeting.id}/cancel", {}).status_code == 422  # the box is not ticked
    assert fresh(db, Meeting, meeting.id).status is MeetingStatus.SCHEDULED
    assert post(f"/meetings/{meeting.id}/cancel", {"confirm": "y"}).status_code == 302
    cancelled = fresh(db, Meeting, meeting.id)
    assert (cancelled.status, cancelled.sequence) == (MeetingStatus.CANCELLED, 1)


# ---------------------------------------------------------------------------------------------
# Deleting meetings


def test_deleting_a_meeting_asks_for_confirmation(db, client, post, login, make_meeting, office):
    consortium, user = office
    meeting = make_meeting(consortium)
    db.session.add(AgendaItem(meeting=meeting, title="開会", position=1))
    db.session.commit()
    login(user)
    page = text(client.get(f"/meetings/{meeting.id}/delete"))
    assert "its agenda: 1 item" in page
    assert post(f"/meetings/{meeting.id}/delete", {}).status_code == 422
    assert fresh(db, Meeting, meeting.id) is not None
    response = post(f"/meetings/{meeting.id}/delete", {"confirm": "y"})
    assert response.headers["Location"].endswith(f"/consortia/{consortium.id}")
    assert fresh(db, Meeting, meeting.id) is None
    assert db.session.execute(sa.select(AgendaItem)).first() is None


def test_a_meeting_with_minutes_is_not_deleted(db, client, post, login, make_meeting, office):
    consortium, user = office
    meeting = make_meeting(consortium)
    db.session.add(Minutes(meeting=meeting, body="議事録の本文"))
    db.session.commit()
    login(user)
    response = post(f"/meetings/{meeting.id}/delete", {"confirm": "y"}, follow_redirects=True)
    assert "minutes are a record and are kept" in text(response)
    assert fresh(db, Meeting, meeting.id) is not None
    assert db.session.execute(sa.select(Minutes.body)).scalar() == "議事録の本文"


# ---------------------------------------------------------------------------------------------
# Agenda items


@pytest.fixture()
def meeting(office, make_meeting, login):
    """A meeting of the consortium, with its secretariat signed in."""
    consortium, user = office
    login(user)
    return make_meeting(consortium)


def add_item(db, meeting, title, position, parent=None, **values) -> AgendaItem:
    item = AgendaItem(meeting=meeting, title=title, position=position, parent=parent, **values)
    db.session.add(item)
    db.session.commit()
    return item


def agenda(db, meeting) -> list[tuple[str, str | None]]:
    """(title, parent title) in the order the meeting page shows them."""
    from consortium.meetings.services import in_agenda_order

    db.session.expire_all()
    items = db.session.execute(sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)).scalars().all()
    return [(i.title, i.parent.title if i.parent else None) for i in in_agenda_order(items)]


def test_items_are_added_at_the_end(db, post, meeting):
    for title in ("開会", "議事", "閉会"):
        assert post(f"/meetings/{meeting.id}/items/new", {"title": title, "is_public": "y"}).status_code == 302
    assert agenda(db, meeting) == [("開会", None), ("議事", None), ("閉会", None)]


def test_item_without_title_is_refused_and_typed_values_kept(db, post, meeting):
    response = post(f"/meetings/{meeting.id}/items/new", {"label": "議題2", "title": "", "note": "テーマ：観光"})
    assert response.status_code == 422
    page = text(response)
    assert "Enter the title." in page and 'value="議題2"' in page and "テーマ：観光" in page
    assert agenda(db, meeting) == []


@pytest.mark.parametrize("minutes", ["0", "-5", "十", "1441"])
def test_item_duration_must_be_a_positive_number_of_minutes(db, post, meeting, minutes):
    response = post(f"/meetings/{meeting.id}/items/new", {"title": "議事", "duration_minutes": minutes})
    assert response.status_code == 422
    assert agenda(db, meeting) == []


def test_item_label_too_long_is_refused(db, post, meeting):
    assert post(f"/meetings/{meeting.id}/items/new", {"title": "議事", "label": "x" * 21}).status_code == 422


def test_script_in_an_item_is_shown_as_text(client, db, post, meeting):
    post(f"/meetings/{meeting.id}/items/new", {"title": "<script>alert('x')</script>", "is_public": "y"})
    page = text(client.get(f"/meetings/{meeting.id}"))
    assert "&lt;script&gt;" in page and "<script>alert" not in page


def test_a_sub_item_goes_under_its_parent(db, post, meeting):
    first = add_item(db, meeting, "議事", 1)
    add_item(db, meeting, "閉会", 2)
    post(f"/meetings/{meeting.id}/items/new", {"title": "報告", "parent_id": first.id, "is_public": "y"})
    assert agenda(db, meeting) == [("議事", None), ("報告", "議事"), ("閉会", None)]


def test_an_item_with_sub_items_cannot_get_a_parent(db, post, meeting):
    parent = add_item(db, meeting, "議事", 1)
    add_item(db, meeting, "報告", 1, parent=parent)
    other = add_item(db, meeting, "その他", 2)
    response = post(f"/agenda-items/{parent.id}/edit", {"title": "議事", "parent_id": other.id})
    assert response.status_code == 422
    assert "has sub-items" in text(response)
    assert fresh(db, AgendaItem, parent.id).parent_id is None


def test_only_top_level_items_of_the_same_meeting_can_be_parents(db, post, meeting, make_meeting):
    parent = add_item(db, meeting, "議事", 1)
    child = add_item(db, meeting, "報告", 1, parent=parent)
    elsewhere = add_item(db, make_meeting(meeting.consortium), "他の会議の議題", 1)
    for bad_parent in (child, elsewhere):
        response = post(f"/meetings/{meeting.id}/items/new", {"title": "新しい議題", "parent_id": bad_parent.id})
        assert response.status_code == 422
    assert post(f"/agenda-items/{parent.id}/edit", {"title": "議事", "parent_id": parent.id}).status_code == 422
    assert len(agenda(db, meeting)) == 2


def test_moving_an_item_out_from_under_its_parent(db, post, meeting):
    parent = add_item(db, meeting, "議事", 1)
    child = add_item(db, meeting, "報告", 1, parent=parent)
    add_item(db, meeting, "閉会", 2)
    assert post(f"/agenda-items/{child.id}/edit", {"title": "報告", "parent_id": ""}).status_code == 302
    assert agenda(db, meeting) == [("議事", None), ("閉会", None), ("報告", None)]


def test_items_move_up_and_down_among_their_siblings(db, post, meeting):
    a = add_item(db, meeting, "A", 1)
    add_item(db, meeting, "A-1", 1, parent=a)
    add_item(db, meeting, "A-2", 2, parent=a)
    b = add_item(db, meeting, "B", 2)
    a2 = db.session.execute(sa.select(AgendaItem).where(AgendaItem.title == "A-2")).scalar_one()
    assert post(f"/agenda-items/{b.id}/move", {"direction": "up"}).status_code == 302
    assert post(f"/agenda-items/{a2.id}/move", {"direction": "up"}).status_code == 302
    assert agenda(db, meeting) == [("B", None), ("A", None), ("A-2", "A"), ("A-1", "A")]


def test_moving_the_first_item_up_changes_nothing(client, db, post, meeting):
    a = add_item(db, meeting, "A", 1)
    add_item(db, meeting, "B", 2)
    response = post(f"/agenda-items/{a.id}/move", {"direction": "up"}, follow_redirects=True)
    assert "already at that end" in text(response)
    assert agenda(db, meeting) == [("A", None), ("B", None)]


def test_a_move_without_direction_changes_nothing(db, post, meeting):
    a = add_item(db, meeting, "A", 1)
    add_item(db, meeting, "B", 2)
    assert post(f"/agenda-items/{a.id}/move", {"direction": "sideways"}).status_code == 302
    assert agenda(db, meeting) == [("A", None), ("B", None)]


def test_deleting_an_item_says_its_sub_items_go_with_it(client, db, post, meeting):
    parent = add_item(db, meeting, "議事", 1)
    add_item(db, meeting, "報告事項", 1, parent=parent)
    add_item(db, meeting, "閉会", 2)
    page = text(client.get(f"/agenda-items/{parent.id}/delete"))
    assert "sub-items" in page and "報告事項" in page
    assert post(f"/agenda-items/{parent.id}/delete", {}).status_code == 422
    assert len(agenda(db, meeting)) == 3
    assert post(f"/agenda-items/{parent.id}/delete", {"confirm": "y"}).status_code == 302
    assert agenda(db, meeting) == [("閉会", None)]


def test_member_may_not_change_the_agenda(db, client, post, login, make_user, meeting):
    item = add_item(db, meeting, "議事", 1)
    client.delete_cookie("session")
    login(make_user({meeting.consortium: GrantRole.MEMBER}))
    assert client.get(f"/agenda-items/{item.id}/edit").status_code == 403
    assert post(f"/agenda-items/{item.id}/move", {"direction": "down"}).status_code == 403
    assert post(f"/meetings/{meeting.id}/items/new", {"title": "追加"}).status_code == 403


def test_closed_items_are_hidden_from_non_members(client, db, make_consortium, make_meeting, make_user, login):
    consortium = make_consortium(visibility=Visibility.PUBLIC)
    meeting = make_meeting(consortium)
    closed = add_item(db, meeting, "人事案件", 1, is_public=False)
    add_item(db, meeting, "候補者の説明", 1, parent=closed)
    add_item(db, meeting, "公開の議題", 2)
    page = text(client.get(f"/meetings/{meeting.id}"))
    assert "公開の議題" in page and "人事案件" not in page and "候補者の説明" not in page
    login(make_user({consortium: GrantRole.MEMBER}))
    page = text(client.get(f"/meetings/{meeting.id}"))
    assert "人事案件" in page and "候補者の説明" in page


def test_meeting_page_shows_editing_controls_only_to_the_secretariat(client, login, make_meeting, make_user, office):
    consortium, user = office
    meeting = make_meeting(consortium)
    edit_link = f"/meetings/{meeting.id}/edit"
    assert edit_link not in text(client.get(f"/meetings/{meeting.id}"))
    login(make_user({consortium: GrantRole.MEMBER}))
    assert edit_link not in text(client.get(f"/meetings/{meeting.id}"))
    client.delete_cookie("session")
    login(user)
    page = text(client.get(f"/meetings/{meeting.id}"))
    assert edit_link in page and f"/meetings/{meeting.id}/items/new" in page and f"/meetings/{meeting.id}/documents/new" in page


# ---------------------------------------------------------------------------------------------
# Presenters


def presenters(db, item) -> list[tuple[str, str | None]]:
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(AgendaPresenter).where(AgendaPresenter.agenda_item_id == item.id).order_by(AgendaPresenter.position)
    ).scalars()
    return [(p.name, p.title) for p in rows]


def test_presenters_are_found_by_name_however_typed(db, post, meeting, make_organization, make_person):
    item = add_item(db, meeting, "挨拶", 1)
    make_organization(name="長野県")
    make_person(family_name="阿部", given_name="守一")
    url = f"/agenda-items/{item.id}/presenters"
    assert post(url, {"presenter_kind": "person", "presenter_name": "阿部　守一", "presenter_title": "長野県知事"}).status_code == 302
    assert post(url, {"presenter_kind": "organization", "presenter_name": " 長野県 "}).status_code == 302
    assert presenters(db, item) == [("阿部 守一", "長野県知事"), ("長野県", None)]


def test_an_unknown_presenter_is_refused_with_the_name_kept(db, post, meeting):
    item = add_item(db, meeting, "挨拶", 1)
    response = post(f"/agenda-items/{item.id}/presenters", {"presenter_kind": "organization", "presenter_name": "存在しない団体"})
    assert response.status_code == 422
    page = text(response)
    assert "is not in the directory" in page and 'value="存在しない団体"' in page
    assert presenters(db, item) == []


def test_namesakes_are_told_apart_by_number(db, post, meeting, make_person):
    item = add_item(db, meeting, "報告", 1)
    first = make_person(family_name="佐藤", given_name="花子")
    make_person(family_name="佐藤", given_name="花子")
    url = f"/agenda-items/{item.id}/presenters"
    response = post(url, {"presenter_kind": "person", "presenter_name": "佐藤 花子"})
    assert response.status_code == 422 and f"#{first.id}" in text(response)
    assert post(url, {"presenter_kind": "person", "presenter_name": f"＃{first.id}"}).status_code == 302
    assert presenters(db, item) == [("佐藤 花子", None)]


def test_a_presenter_is_removed_only_from_its_own_item(db, post, meeting, make_organization):
    org = make_organization(name="関東経済産業局")
    item = add_item(db, meeting, "挨拶", 1)
    other = add_item(db, meeting, "報告", 2)
    presenter = AgendaPresenter(agenda_item=item, organization=org, position=1)
    db.session.add(presenter)
    db.session.commit()
    post(f"/agenda-items/{other.id}/presenters/remove", {"presenter_id": presenter.id})
    assert presenters(db, item) == [("関東経済産業局", None)]
    post(f"/agenda-items/{item.id}/presenters/remove", {"presenter_id": presenter.id})
    assert presenters(db, item) == []
