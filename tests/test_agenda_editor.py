"""The whole agenda on one page: rows edited at once, and an agenda pasted as text."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from consortium.meetings.services import in_agenda_order
from consortium.models import AgendaItem, AuditEvent, AgendaPresenter, Decision, GrantRole, Minutes
from conftest import text

pytestmark = pytest.mark.usefixtures("english")

SIX_ITEMS = "1. 開会\n2. 報告事項\n　(1) 県の取組\n　(2) 市の取組\n3. 意見交換\n4. 閉会\n"


def agenda(db, meeting) -> list[tuple[int, str, int | None]]:
    """The agenda as (depth, title, stored position), in agenda order."""
    db.session.expire_all()
    items = in_agenda_order(
        db.session.execute(sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)).scalars().all()
    )
    return [(1 if i.parent_id else 0, i.title, i.position) for i in items]


def rows_of(html: str) -> dict[str, str]:
    """The editor's fields as a browser would post them (inputs with a value, checked boxes, selects)."""
    data = {}
    for tag in re.findall(r"<input [^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or "__index__" in name.group(1):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag and "checked" not in tag:
            continue
        data[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        if "__index__" not in name:
            chosen = re.search(r'<option selected value="([^"]*)"', body) or re.search(r'<option value="([^"]*)"', body)
            data[name] = chosen.group(1)
    return data


@pytest.fixture()
def meeting(signed_in, make_meeting):
    return make_meeting(signed_in)


def url(meeting) -> str:
    return f"/meetings/{meeting.id}/agenda"


def test_a_pasted_six_item_agenda_is_created_in_one_submit(db, client, post, meeting):
    page = client.get(url(meeting))
    assert page.status_code == 200
    response = post(url(meeting), rows_of(text(page)) | {"paste": SIX_ITEMS})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}#agenda")
    assert agenda(db, meeting) == [
        (0, "開会", 1), (0, "報告事項", 2), (1, "県の取組", 1), (1, "市の取組", 2), (0, "意見交換", 3), (0, "閉会", 4),
    ]
    shown = text(client.get(f"/meetings/{meeting.id}"))
    assert shown.index("県の取組") < shown.index("意見交換")
    assert 'class="sub-item"' in shown


def test_rows_are_edited_nested_and_reordered_in_place(db, client, post, meeting, make_person):
    post(url(meeting), rows_of(text(client.get(url(meeting)))) | {"paste": "開会\n報告\n閉会"})
    opening = db.session.execute(sa.select(AgendaItem).filter_by(meeting_id=meeting.id, title="開会")).scalar_one()
    db.session.add(AgendaPresenter(agenda_item=opening, person=make_person(), position=1))
    db.session.commit()
    data = rows_of(text(client.get(url(meeting))))
    # 閉会 first by its Order number, 報告 made a sub-item of 開会 and renamed, a new row at the end.
    data |= {"items-2-position": "0", "items-1-level": "1", "items-1-title": "報告事項", "items-3-title": "その他"}
    data["items-2-position"] = "1"
    data["items-0-position"] = "2"
    data["items-1-position"] = "3"
    response = post(url(meeting), data)
    assert response.status_code == 302, text(response)
    assert agenda(db, meeting) == [(0, "閉会", 1), (0, "開会", 2), (1, "報告事項", 1), (0, "その他", 3)]
    same = db.session.get(AgendaItem, opening.id)
    assert same.title == "開会" and len(same.presenters) == 1  # updated in place: presenters kept


def test_an_order_number_typed_without_javascript_moves_the_row_to_that_place(db, client, post, meeting):
    post(url(meeting), rows_of(text(client.get(url(meeting)))) | {"paste": "開会\n報告\n議事\n閉会"})
    data = rows_of(text(client.get(url(meeting)))) | {"items-2-position": "2"}  # 議事 to second place
    assert post(url(meeting), data).status_code == 302
    assert [t for _d, t, _p in agenda(db, meeting)] == ["開会", "議事", "報告", "閉会"]
    changes = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.entity_type == "AgendaItem", AuditEvent.action == "update")
    ).scalars().all()
    assert changes and all("position" in event.after for event in changes)  # the move is in the audit log


def test_a_removed_item_goes_and_its_sub_items_follow_the_rows(db, client, post, meeting):
    post(url(meeting), rows_of(text(client.get(url(meeting)))) | {"paste": "開会\n議事\n  報告\n閉会"})
    data = rows_of(text(client.get(url(meeting))))
    data["items-1-delete"] = "y"  # 議事: its sub-item 報告 now follows 開会
    assert post(url(meeting), data).status_code == 302
    assert agenda(db, meeting) == [(0, "開会", 1), (1, "報告", 1), (0, "閉会", 2)]


def test_bad_rows_are_answered_beside_the_row_and_nothing_is_lost(db, client, post, meeting):
    post(url(meeting), rows_of(text(client.get(url(meeting)))) | {"paste": "開会\n閉会"})
    data = rows_of(text(client.get(url(meeting))))
    data |= {"items-0-title": "", "items-0-level": "1", "items-2-title": "x" * 301, "paste": "追加の議題"}
    response = post(url(meeting), data)
    assert response.status_code == 422
    page = text(response)
    assert "Enter the title, or tick “Remove this item”." in page
    assert "A sub-item needs a top-level item above it." in page
    assert "x" * 301 in page and "追加の議題" in page
    assert [t for _d, t, _p in agenda(db, meeting)] == ["開会", "閉会"]


def test_an_item_the_minutes_refer_to_cannot_be_removed(db, client, post, meeting):
    post(url(meeting), rows_of(text(client.get(url(meeting)))) | {"paste": "議事"})
    item = db.session.execute(sa.select(AgendaItem).filter_by(meeting_id=meeting.id)).scalar_one()
    minutes = Minutes(meeting_id=meeting.id)
    db.session.add(minutes)
    db.session.flush()
    db.session.add(Decision(minutes=minutes, text="承認", agenda_item_id=item.id, position=1))
    db.session.commit()
    data = rows_of(text(client.get(url(meeting)))) | {"items-0-delete": "y"}
    response = post(url(meeting), data)
    assert response.status_code == 422
    assert "so it is kept" in text(response)


def test_a_stale_save_is_refused_with_409_and_the_input_kept(db, client, post, meeting):
    post(url(meeting), rows_of(text(client.get(url(meeting)))) | {"paste": "開会\n閉会"})
    data = rows_of(text(client.get(url(meeting))))
    item = db.session.execute(sa.select(AgendaItem).filter_by(meeting_id=meeting.id, title="開会")).scalar_one()
    item.title = "開会挨拶"  # someone else saves meanwhile
    db.session.add(AgendaItem(meeting_id=meeting.id, title="追加", position=9))
    db.session.commit()
    data["items-0-title"] = "開会(私の案)"
    response = post(url(meeting), data)
    assert response.status_code == 409
    page = text(response)
    assert "開会挨拶 was changed by someone else." in page and "追加 was added by someone else." in page
    assert "開会(私の案)" in page
    assert [t for _d, t, _p in agenda(db, meeting)] == ["開会挨拶", "閉会", "追加"]
    # The form is now based on what is stored: saving it again is accepted.
    assert post(url(meeting), rows_of(page)).status_code == 302
    assert [t for _d, t, _p in agenda(db, meeting)] == ["開会(私の案)", "閉会", "追加"]


@pytest.mark.parametrize("role", ["member", "other secretariat"])
def test_only_the_meetings_secretariat_may_edit_the_agenda(client, login, make_user, make_consortium, meeting, role):
    other = make_consortium()
    grants = {meeting.consortium: GrantRole.MEMBER} if role == "member" else {other: GrantRole.SECRETARIAT}
    client.post("/accounts/logout")
    login(make_user(grants))
    assert client.get(url(meeting)).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, meeting):
    client.post("/accounts/logout")
    client.delete_cookie("session")
    response = client.get(url(meeting))
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]


def test_queries_do_not_grow_with_the_items(db, client, post, meeting, count_queries):
    def counted() -> int:
        with count_queries() as statements:
            assert client.get(url(meeting)).status_code == 200
        return len(statements)

    post(url(meeting), rows_of(text(client.get(url(meeting)))) | {"paste": "開会\n  報告"})
    few = counted()
    post(url(meeting), rows_of(text(client.get(url(meeting)))) | {"paste": "\n".join(f"議題{n}\n  細目{n}" for n in range(10))})
    assert counted() == few
