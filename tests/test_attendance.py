"""Attendance: the secretariat's recording form, the attendees of the minutes (page and PDF),
and the roster's attendance rates."""
from __future__ import annotations

import io
import re
from datetime import date

import pypdf
import pytest
import sqlalchemy as sa
from browsing import check_page, expect_flash, needs_chromium, sign_in
from conftest import fresh, text
from playwright.sync_api import expect

from consortium.japanese import tokyo_datetime
from consortium.models import (
    Attendance,
    GrantRole,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    Presence,
    Reply,
    Role,
)

PAST = tokyo_datetime(2025, 6, 2, 14)
FUTURE = tokyo_datetime(2099, 6, 2, 14)


@pytest.fixture()
def council(db, make_consortium, make_meeting, make_person, make_organization, make_member, make_user):
    """A council with three members on the roster in seat order (created out of order), one whose
    term ended and one whose term began after the meeting, its secretariat (an organisation), a
    meeting held in 2025, and users: the secretariat, a member, the secretariat of another council."""
    consortium = make_consortium(name="地域経済会議")
    banker = make_member(consortium, person=make_person(family_name="中山", given_name="耕輝"), seat=2, position=2)
    chair = make_member(
        consortium, person=make_person(family_name="長山", given_name="宗広"), seat=1, position=1, role=Role.CHAIR,
        title="駒澤大学教授",
    )
    citizen = make_member(consortium, person=make_person(family_name="大藤", given_name="清佳"), seat=3, position=3)
    make_member(consortium, person=make_person(family_name="前任", given_name="一郎"), position=4, term_end=date(2025, 3, 31))
    make_member(consortium, person=make_person(family_name="後任", given_name="二郎"), position=5, term_start=date(2025, 7, 1))
    make_member(consortium, organization=make_organization(name="世田谷区"), role=Role.SECRETARIAT)
    return {
        "consortium": consortium,
        "meeting": make_meeting(consortium, title="第5回 会議", starts_at=PAST),
        "chair": chair,
        "banker": banker,
        "citizen": citizen,
        "secretariat": make_user({consortium: GrantRole.SECRETARIAT}),
        "member": make_user({consortium: GrantRole.MEMBER}),
        "outsider": make_user({make_consortium(): GrantRole.SECRETARIAT}),
    }


def url(meeting) -> str:
    return f"/meetings/{meeting.id}/attendance"


def rows(*pairs, observers="") -> dict:
    """The form's POST data: (membership, presence, stand-in) for each row sent, and the observers."""
    data = {"observers": observers}
    for membership, presence, stand_in in pairs:
        data[f"m{membership.id}-presence"] = presence
        data[f"m{membership.id}-stand_in"] = stand_in
    return data


def stored(db, meeting) -> dict[int, Attendance]:
    db.session.expire_all()
    found = db.session.execute(sa.select(Attendance).where(Attendance.meeting_id == meeting.id)).scalars()
    return {a.membership_id: a for a in found}


def row_of(page: str, membership) -> str:
    """The HTML of one member's row of the form."""
    match = re.search(rf'<fieldset id="member-{membership.id}"[^>]*>(.*?)</fieldset>', page, re.DOTALL)
    assert match, f"no row for membership {membership.id}"
    return match.group(1)


def selected(page: str, membership) -> str:
    match = re.search(r'<option selected value="([^"]*)"', row_of(page, membership))
    return match.group(1) if match else ""


# ---------------------------------------------------------------------------------------------
# Recording


def test_the_secretariat_records_presence_and_observers(client, db, login, post, council):
    login(council["secretariat"])
    meeting = council["meeting"]
    page = text(client.get(url(meeting)))
    # Those on the roster on the day, in seat order; not former or later members, nor the secretariat.
    assert page.index("長山 宗広") < page.index("中山 耕輝") < page.index("大藤 清佳")
    for absent in ("前任", "後任", "世田谷区"):
        assert absent not in page
    assert "このページを見られる人：この会議体の事務局と管理者。" in page
    assert f'href="/meetings/{meeting.id}"' in page

    response = post(url(meeting), rows(
        (council["chair"], "present", ""),
        (council["banker"], "represented", "中山 代理"),
        (council["citizen"], "", ""),
        observers="12",
    ))
    assert response.status_code == 302 and response.headers["Location"].endswith(url(meeting))
    saved = stored(db, meeting)
    assert set(saved) == {council["chair"].id, council["banker"].id}  # "not recorded" makes no row
    assert saved[council["chair"].id].presence is Presence.PRESENT
    assert (saved[council["banker"].id].presence, saved[council["banker"].id].stand_in) == (Presence.REPRESENTED, "中山 代理")
    assert fresh(db, Meeting, meeting.id).observers == 12
    page = text(client.get(url(meeting)))
    assert selected(page, council["banker"]) == "represented" and 'value="中山 代理"' in page
    assert 'value="12"' in page


def test_a_stand_in_without_representation_is_not_kept_unless_a_proxy_reply_gave_it(client, db, login, post, council):
    meeting = council["meeting"]
    db.session.add_all([
        Attendance(meeting=meeting, membership=council["chair"], reply=Reply.PROXY, stand_in="長山 代理"),
        Attendance(meeting=meeting, membership=council["banker"], presence=Presence.REPRESENTED, stand_in="中山 代理"),
    ])
    db.session.commit()
    login(council["secretariat"])
    post(url(meeting), rows(
        (council["chair"], "present", "長山 代理"),  # came in person after all: the reply keeps its name
        (council["banker"], "present", "中山 代理"),
        (council["citizen"], "absent", "誰か"),
    ))
    saved = stored(db, meeting)
    assert (saved[council["chair"].id].presence, saved[council["chair"].id].stand_in) == (Presence.PRESENT, "長山 代理")
    assert (saved[council["banker"].id].presence, saved[council["banker"].id].stand_in) == (Presence.PRESENT, None)
    assert saved[council["citizen"].id].stand_in is None
    # Blank again: the row stays (it may carry a reply) but no presence is recorded.
    post(url(meeting), rows((council["banker"], "", "")))
    assert stored(db, meeting)[council["banker"].id].presence is None


def test_representation_without_a_stand_in_is_refused_and_what_was_typed_is_kept(client, db, login, post, council, english):
    login(council["secretariat"])
    meeting = council["meeting"]
    response = post(url(meeting), rows(
        (council["chair"], "present", ""),
        (council["banker"], "excused", ""),
        (council["citizen"], "represented", ""),
        observers="7",
    ))
    page = text(response)
    assert response.status_code == 422
    assert "Enter the name of the person who attended in the member's place (代理出席)." in row_of(page, council["citizen"])
    assert selected(page, council["chair"]) == "present" and selected(page, council["banker"]) == "excused"
    assert selected(page, council["citizen"]) == "represented" and 'value="7"' in page
    assert stored(db, meeting) == {} and fresh(db, Meeting, meeting.id).observers is None


@pytest.mark.parametrize("observers", ["-1", "三人", "100001"], ids=["negative", "not-a-number", "too-many"])
def test_observers_must_be_a_whole_number_within_range(client, db, login, post, council, observers):
    login(council["secretariat"])
    response = post(url(council["meeting"]), rows((council["citizen"], "present", ""), observers=observers))
    page = text(response)
    assert response.status_code == 422 and page.count("0から100000までの整数を入力してください。") == 1
    assert f'value="{observers}"' in page
    assert stored(db, council["meeting"]) == {}


def test_a_stand_in_name_over_200_characters_is_refused(client, db, login, post, council, english):
    login(council["secretariat"])
    response = post(url(council["meeting"]), rows((council["citizen"], "represented", "代" * 201)))
    assert response.status_code == 422
    assert "Keep the name of the stand-in within 200 characters." in row_of(text(response), council["citizen"])
    assert stored(db, council["meeting"]) == {}


def test_replies_prefill_the_form_as_suggestions_until_saved(client, db, login, post, make_member, make_person, council, english):
    meeting = council["meeting"]
    online = make_member(council["consortium"], person=make_person(family_name="遠隔", given_name="花子"), seat=4, position=4)
    db.session.add_all([
        Attendance(meeting=meeting, membership=council["chair"], reply=Reply.ATTEND),
        Attendance(meeting=meeting, membership=council["banker"], reply=Reply.PROXY, stand_in="中山 代理"),
        Attendance(meeting=meeting, membership=council["citizen"], reply=Reply.ABSENT, reply_note="出張のため"),
        Attendance(meeting=meeting, membership=online, reply=Reply.ONLINE),
    ])
    db.session.commit()
    login(council["secretariat"])
    page = text(client.get(url(meeting)))
    assert "They are suggestions until you save this page." in page
    assert selected(page, council["chair"]) == "present" and selected(page, online) == "present"
    assert selected(page, council["banker"]) == "represented" and 'value="中山 代理"' in row_of(page, council["banker"])
    assert selected(page, council["citizen"]) == "excused" and "出張のため" in row_of(page, council["citizen"])
    assert "Suggested from the reply" in row_of(page, council["chair"])
    assert all(a.presence is None for a in stored(db, meeting).values())  # nothing recorded by looking

    # What is recorded wins over the reply, and is no longer a suggestion.
    post(url(meeting), rows((council["chair"], "absent", "")))
    page = text(client.get(url(meeting)))
    assert selected(page, council["chair"]) == "absent" and "Suggested from the reply" not in row_of(page, council["chair"])


def test_attendance_cannot_be_recorded_before_the_meeting_day(client, db, login, post, council, make_meeting, english):
    meeting = make_meeting(council["consortium"], starts_at=FUTURE)
    login(council["secretariat"])
    page = text(client.get(url(meeting)))
    assert "Attendance can be recorded from the day of the meeting" in page and "Save the attendance" not in page
    response = post(url(meeting), rows((council["chair"], "present", ""), observers="3"))
    page = text(response)
    assert response.status_code == 409
    assert "Nothing was saved." in page and "Save the attendance" not in page
    assert stored(db, meeting) == {} and fresh(db, Meeting, meeting.id).observers is None


def test_a_cancelled_meeting_has_no_attendance_to_record(client, db, login, post, council, make_meeting, english):
    meeting = make_meeting(council["consortium"], starts_at=PAST, status=MeetingStatus.CANCELLED)
    login(council["secretariat"])
    response = post(url(meeting), rows((council["chair"], "present", "")))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/meetings/{meeting.id}")
    assert "there is no attendance to record" in text(client.get(response.headers["Location"]))
    assert stored(db, meeting) == {}


def test_only_the_secretariat_may_record(client, login, post, council):
    meeting = council["meeting"]
    anonymous = client.get(url(meeting))
    assert anonymous.status_code == 302 and "/accounts/login" in anonymous.headers["Location"]
    for user in (council["member"], council["outsider"]):
        login(user)
        assert client.get(url(meeting)).status_code == 403
        assert post(url(meeting), rows((council["chair"], "present", ""))).status_code == 403


def test_a_post_saves_only_the_members_of_its_page(app, client, db, login, post, council, monkeypatch):
    monkeypatch.setitem(app.config, "ROSTER_PER_PAGE", 2)
    meeting = council["meeting"]
    db.session.add(Attendance(meeting=meeting, membership=council["chair"], presence=Presence.EXCUSED))
    db.session.commit()
    login(council["secretariat"])
    page = text(client.get(url(meeting) + "?page=2"))
    assert "大藤 清佳" in page and "長山 宗広" not in page
    # The chair's fields are not on page 2: sent anyway, they are ignored.
    response = post(url(meeting) + "?page=2", rows(
        (council["chair"], "present", ""), (council["citizen"], "absent", ""), observers="4",
    ))
    assert response.status_code == 302 and response.headers["Location"].endswith("?page=2")
    saved = stored(db, meeting)
    assert saved[council["chair"].id].presence is Presence.EXCUSED
    assert saved[council["citizen"].id].presence is Presence.ABSENT
    assert council["banker"].id not in saved and fresh(db, Meeting, meeting.id).observers == 4


def test_the_recording_page_queries_do_not_grow_with_the_roster(client, db, login, make_consortium, make_meeting, make_member, make_user, count_queries):
    consortia = [make_consortium(), make_consortium()]
    login(make_user({c: GrantRole.SECRETARIAT for c in consortia}))

    def queries_for(consortium, n: int) -> int:
        meeting = make_meeting(consortium, starts_at=PAST)
        for seat in range(1, n + 1):
            membership = make_member(consortium, seat=seat, position=seat)
            db.session.add(Attendance(meeting=meeting, membership=membership, reply=Reply.ATTEND))
        db.session.commit()
        with count_queries() as statements:
            assert client.get(url(meeting)).status_code == 200
        return len(statements)

    assert queries_for(consortia[0], 2) == queries_for(consortia[1], 30)


# ---------------------------------------------------------------------------------------------
# The attendees in the minutes


@pytest.fixture()
def attended(db, council):
    """Published minutes of the meeting: the chair and the banker present (rows made out of
    roster order), the citizen represented, a former member absent, five observers."""
    meeting = council["meeting"]
    db.session.add_all([
        Minutes(meeting=meeting, status=MinutesStatus.PUBLISHED, body="議事の本文"),
        Attendance(meeting=meeting, membership=council["citizen"], presence=Presence.REPRESENTED, stand_in="大藤 一郎"),
        Attendance(meeting=meeting, membership=council["banker"], presence=Presence.PRESENT),
        Attendance(meeting=meeting, membership=council["chair"], presence=Presence.PRESENT),
    ])
    meeting.observers = 5
    db.session.commit()
    return council


def test_the_minutes_page_lists_attendees_in_roster_order_with_observers(client, login, attended):
    page_url = f"/meetings/{attended['meeting'].id}/minutes"
    for who in (None, attended["member"]):  # the public summary, then a member's full minutes
        if who is not None:
            login(who)
        page = text(client.get(page_url))
        assert page.index("長山 宗広（駒澤大学教授）") < page.index("中山 耕輝") < page.index("大藤 清佳")
        assert "大藤 一郎" in page and "傍聴者：5名" in page


def test_the_minutes_page_names_the_stand_in(client, login, attended, english):
    page = text(client.get(f"/meetings/{attended['meeting'].id}/minutes"))
    assert "大藤 清佳（Stand-in: 大藤 一郎）" in page and "Observers: 5" in page
    assert "Record attendance" not in page
    login(attended["secretariat"])
    page = text(client.get(f"/meetings/{attended['meeting'].id}/minutes"))
    assert f'href="/meetings/{attended["meeting"].id}/attendance"' in page


def test_attendance_recorded_on_the_form_reaches_the_printed_minutes(client, login, post, attended):
    login(attended["secretariat"])
    meeting = attended["meeting"]
    post(url(meeting), rows(
        (attended["chair"], "present", ""),
        (attended["banker"], "absent", ""),
        (attended["citizen"], "represented", "大藤 次郎"),
        observers="8",
    ))
    response = client.get(f"/meetings/{meeting.id}/minutes.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    printed = "".join(p.extract_text().replace("\n", "") for p in pypdf.PdfReader(io.BytesIO(response.get_data())).pages)
    assert "出席者 長山 宗広" in printed and "代理出席 大藤 清佳の代理　大藤 次郎" in printed and "8名" in printed
    assert "欠席者 中山 耕輝" in printed and "大藤 一郎" not in printed


def test_the_minutes_page_lists_the_represented_and_the_absentees_apart(client, login, post, attended, english):
    login(attended["secretariat"])
    meeting = attended["meeting"]
    post(url(meeting), rows(
        (attended["chair"], "present", ""),
        (attended["banker"], "excused", ""),
        (attended["citizen"], "represented", "大藤 次郎"),
    ))
    page = re.sub(r"\s+", " ", text(client.get(f"/meetings/{meeting.id}/minutes")))
    assert "<dt>Attendees</dt> <dd>長山 宗広（駒澤大学教授）</dd>" in page
    assert "<dt>Represented by a stand-in</dt> <dd>大藤 清佳（Stand-in: 大藤 次郎）</dd>" in page
    assert "<dt>Absentees</dt> <dd>中山 耕輝</dd>" in page


# ---------------------------------------------------------------------------------------------
# Attendance rates on the roster


@pytest.fixture()
def history(db, council, make_meeting, make_member, make_person, make_consortium):
    """Meetings of the council: three recorded, one with replies only, and one of another council.

    The banker and the citizen joined on 2025-04-01; one meeting starts half an hour into that
    day in Japan (still 3/31 in UTC), so it falls within their terms. A fourth member joined after
    every meeting.
    """
    for member in (council["banker"], council["citizen"]):
        member.term_start = date(2025, 4, 1)
    late = make_member(council["consortium"], person=make_person(family_name="新任", given_name="三郎"), seat=9, position=9, term_start=date(2025, 9, 1))
    consortium = council["consortium"]
    march = make_meeting(consortium, starts_at=tokyo_datetime(2025, 3, 10, 14))
    april = make_meeting(consortium, starts_at=tokyo_datetime(2025, 4, 1, 0, 30))
    may = make_meeting(consortium, starts_at=tokyo_datetime(2025, 5, 10, 14))
    replied_only = make_meeting(consortium, starts_at=tokyo_datetime(2025, 6, 10, 14))
    elsewhere = make_meeting(make_consortium(), starts_at=tokyo_datetime(2025, 5, 20, 14))
    chair, banker, citizen = council["chair"], council["banker"], council["citizen"]
    db.session.add_all([
        Attendance(meeting=march, membership=chair, presence=Presence.PRESENT),
        Attendance(meeting=april, membership=chair, presence=Presence.PRESENT),
        Attendance(meeting=april, membership=banker, presence=Presence.REPRESENTED, stand_in="中山 代理"),
        Attendance(meeting=april, membership=citizen, presence=Presence.ABSENT),
        Attendance(meeting=may, membership=chair, presence=Presence.EXCUSED),
        Attendance(meeting=may, membership=banker, presence=Presence.PRESENT),  # the citizen left blank
        Attendance(meeting=replied_only, membership=chair, reply=Reply.ATTEND),
        # A row of another council's meeting never counts here (a stray row, for the test).
        Attendance(meeting=elsewhere, membership=citizen, presence=Presence.PRESENT),
    ])
    db.session.commit()
    return {**council, "late": late}


def roster_row(page: str, name: str) -> str:
    match = re.search(rf"<tr>(?:(?!</tr>).)*{name}(?:(?!</tr>).)*</tr>", page, re.DOTALL)
    assert match, name
    return match.group(0)


def test_the_secretariat_sees_each_members_attendance_rate(client, login, history, english):
    login(history["secretariat"])
    page = text(client.get(f"/consortia/{history['consortium'].id}"))
    assert '<th scope="col">Attendance rate</th>' in page
    assert "2/3 (67%)" in roster_row(page, "長山 宗広")  # march, april present; may excused
    assert "2/2 (100%)" in roster_row(page, "中山 耕輝")  # represented counts as attended
    assert "0/2 (0%)" in roster_row(page, "大藤 清佳")  # absent, then left blank
    assert "—" in roster_row(page, "新任 三郎") and "No recorded meeting" in roster_row(page, "新任 三郎")
    assert "counts as attended" in page


def test_the_attendance_rate_is_in_japanese(client, login, history):
    login(history["secretariat"])
    page = text(client.get(f"/consortia/{history['consortium'].id}"))
    assert "2/3" in roster_row(page, "長山 宗広") and "67%" in roster_row(page, "長山 宗広")


@pytest.mark.parametrize("role", ["public", "member", "outsider"])
def test_members_and_the_public_do_not_see_attendance_rates(client, login, history, english, role):
    if role != "public":
        login(history[role])
    page = text(client.get(f"/consortia/{history['consortium'].id}"))
    assert "中山 耕輝" in page
    assert "Attendance rate" not in page and "2/3" not in page and "(100%)" not in page


def test_the_consortium_page_queries_do_not_grow_with_members_and_meetings(client, db, login, make_consortium, make_meeting, make_member, make_user, count_queries):
    consortia = [make_consortium(), make_consortium()]
    login(make_user({c: GrantRole.SECRETARIAT for c in consortia}))

    def queries_for(consortium, n: int) -> int:
        members = [make_member(consortium, seat=seat, position=seat) for seat in range(1, n + 1)]
        for k in range(n):
            meeting = make_meeting(consortium, starts_at=tokyo_datetime(2025, 1, 1 + k, 14))
            db.session.add_all(Attendance(meeting=meeting, membership=m, presence=Presence.PRESENT) for m in members)
        db.session.commit()
        with count_queries() as statements:
            page = text(client.get(f"/consortia/{consortium.id}"))
        assert f"{n}/{n}" in page
        return len(statements)

    assert queries_for(consortia[0], 2) == queries_for(consortia[1], 20)


# ---------------------------------------------------------------------------------------------
# In a browser at a phone's width


@needs_chromium
def test_the_secretariat_records_attendance_on_a_phone(live_server, page, db, council):
    sign_in(page, live_server, council["secretariat"])
    page.goto(f"{live_server}{url(council['meeting'])}")
    check_page(page)
    chair, citizen = page.locator(f"#member-{council['chair'].id}"), page.locator(f"#member-{council['citizen'].id}")
    chair.get_by_label("Attendance").select_option(label="Present")
    citizen.get_by_label("Attendance").select_option(label="Represented by a stand-in")
    page.get_by_label("Number of observers").fill("5")
    page.get_by_role("button", name="Save the attendance").last.click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(citizen).to_contain_text("Enter the name of the person who attended")
    check_page(page)
    citizen.get_by_label("Name of the stand-in").fill("大藤 一郎")
    page.get_by_role("button", name="Save the attendance").last.click()
    expect_flash(page, "The attendance has been saved.")
    page.goto(f"{live_server}/consortia/{council['consortium'].id}")
    expect(page.locator("main table").first).to_contain_text("1/1 (100%)")
    check_page(page)
