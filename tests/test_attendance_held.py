"""Attendance in one pass (filling in from the replies, the rest present, a bulk change; the expected
attendance before the day) and "held is held": recording attendance or publishing minutes marks a
meeting held, and a past meeting never marked held is flagged to its secretariat."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from browsing import check_page, expect_flash, needs_chromium, sign_in
from conftest import PASSWORD, fresh, text
from playwright.sync_api import expect
from test_attendance import FUTURE, PAST, council, row_of, rows, selected, stored, url  # noqa: F401 (fixture)

from consortium.models import (
    Attendance,
    AuditEvent,
    DatePrecision,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    Presence,
    Reply,
    SentNotice,
    User,
)


def replied(db, council):
    """The chair replied 出席, the banker 代理出席 with a stand-in; the citizen did not reply."""
    meeting = council["meeting"]
    db.session.add_all([
        Attendance(meeting=meeting, membership=council["chair"], invited_at=meeting.created_at, reply=Reply.ATTEND),
        Attendance(meeting=meeting, membership=council["banker"], invited_at=meeting.created_at, reply=Reply.PROXY, stand_in="中山 代理"),
    ])
    db.session.commit()
    return meeting


def form_of(page: str, council, **extra) -> dict:
    """The recording form as the page shows it (the version, each row's presence and stand-in)."""
    from test_versions import form_as_shown

    return {**form_as_shown(page), **extra}


# ---------------------------------------------------------------------------------------------
# Filling in


def test_the_rest_button_fills_in_members_without_a_reply_as_present_and_saves_nothing(client, db, login, post, council, english):
    meeting = replied(db, council)
    login(council["secretariat"])
    shown = text(client.get(url(meeting)))
    assert selected(shown, council["citizen"]) == ""  # no reply: left unset

    response = post(url(meeting), form_of(shown, council, action="rest"))
    page = text(response)
    assert response.status_code == 200
    assert "Rows filled in: 1. Nothing is saved yet" in page
    assert selected(page, council["citizen"]) == "present"
    assert selected(page, council["chair"]) == "present"  # as replied
    assert selected(page, council["banker"]) == "represented" and 'value="中山 代理"' in row_of(page, council["banker"])
    assert all(a.presence is None for a in stored(db, meeting).values()) and len(stored(db, meeting)) == 2

    # The page it gives back saves as shown: the second click.
    assert post(url(meeting), form_of(page, council)).status_code == 302
    recorded = {m: (a.presence, a.stand_in) for m, a in stored(db, meeting).items()}
    assert recorded == {
        council["chair"].id: (Presence.PRESENT, None),
        council["banker"].id: (Presence.REPRESENTED, "中山 代理"),
        council["citizen"].id: (Presence.PRESENT, None),
    }


def test_a_bulk_change_sets_only_the_selected_members(client, db, login, post, council, english):
    meeting = replied(db, council)
    login(council["secretariat"])
    shown = text(client.get(url(meeting)))
    data = form_of(shown, council, action="bulk", bulk_presence="absent")
    data["selected"] = [str(council["chair"].id), str(council["citizen"].id)]
    page = text(post(url(meeting), data))
    assert selected(page, council["chair"]) == "absent" and selected(page, council["citizen"]) == "absent"
    assert selected(page, council["banker"]) == "represented"
    assert 'id="select-%d" checked' % council["chair"].id in page  # the ticks are kept
    assert all(a.presence is None for a in stored(db, meeting).values())


@pytest.mark.parametrize(
    "change, message",
    [({"bulk_presence": "present"}, "Tick the members to change first."),
     ({"bulk_presence": "everywhere", "selected": "1"}, "Choose what to set the selected members to.")],
    ids=["nobody-ticked", "unknown-presence"],
)
def test_a_bulk_change_without_members_or_a_presence_is_explained(client, db, login, post, council, english, change, message):
    meeting = replied(db, council)
    login(council["secretariat"])
    response = post(url(meeting), form_of(text(client.get(url(meeting))), council, action="bulk", **change))
    assert response.status_code == 422 and message in text(response)


def test_before_the_day_the_page_shows_the_expected_attendance_from_the_replies(client, db, login, post, council, make_meeting, english):
    meeting = make_meeting(council["consortium"], starts_at=FUTURE)
    db.session.add_all([
        Attendance(meeting=meeting, membership=council["chair"], reply=Reply.ATTEND),
        Attendance(meeting=meeting, membership=council["banker"], reply=Reply.PROXY, stand_in="中山 代理", reply_note="所用のため"),
    ])
    db.session.commit()
    login(council["secretariat"])
    page = text(client.get(url(meeting)))
    assert "Expected attendance, from the replies" in page and "Save the attendance" not in page
    assert "<li>Attending: 1</li>" in page and "<li>Sending a proxy: 1</li>" in page
    assert "<li>Not attending: 0</li>" in page and "<li>No reply yet: 2</li>" in page  # 大藤, and 後任 (on the roster by then)
    assert "Stand-in: 中山 代理" in page and "所用のため" in page and "大藤 清佳" in page
    response = post(url(meeting), rows((council["chair"], "present", "")))
    assert response.status_code == 409 and all(a.presence is None for a in stored(db, meeting).values())


def test_the_expected_attendance_needs_the_same_queries_for_2_or_30_members(client, db, login, make_consortium, make_meeting, make_member, make_user, count_queries):
    from consortium.models import GrantRole

    consortia = [make_consortium(), make_consortium()]
    login(make_user({c: GrantRole.SECRETARIAT for c in consortia}))

    def queries_for(consortium, n: int) -> int:
        meeting = make_meeting(consortium, starts_at=FUTURE)
        for seat in range(1, n + 1):
            membership = make_member(consortium, seat=seat, position=seat)
            db.session.add(Attendance(meeting=meeting, membership=membership, reply=Reply.PROXY, stand_in="代理"))
        db.session.commit()
        with count_queries() as statements:
            assert client.get(url(meeting)).status_code == 200
        return len(statements)

    assert queries_for(consortia[0], 2) == queries_for(consortia[1], 30)


# ---------------------------------------------------------------------------------------------
# Held is held


def test_recording_attendance_marks_the_meeting_held_and_mails_no_one(client, db, login, post, council, smtp_server, english):
    meeting = replied(db, council)
    db.session.add(SentNotice(kind="meeting_invitation", meeting_id=meeting.id, sequence=0,
                              membership_id=council["chair"].id, email="chair@example.jp"))
    db.session.commit()
    login(council["secretariat"])
    assert "saving the attendance also marks it as held" in text(client.get(url(meeting)))
    response = post(url(meeting), rows((council["chair"], "present", "")), follow_redirects=True)
    assert "The meeting is now marked as held (開催済み)." in text(response)
    assert fresh(db, Meeting, meeting.id).status is MeetingStatus.HELD
    event = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.entity_type == "Meeting", AuditEvent.entity_id == meeting.id)
        .order_by(AuditEvent.id.desc())
    ).scalars().first()
    assert event.before["status"] == "scheduled" and event.after["status"] == "held"
    # Nor does a later edit of the held meeting mail the invited: it has begun.
    from consortium.invitations.mailing import send_due

    assert send_due(fresh(db, Meeting, meeting.id)) == 0
    assert smtp_server.envelopes == []
    assert "also marks it as held" not in text(client.get(url(meeting)))


def test_a_save_that_records_no_one_leaves_the_meeting_as_it_was(client, db, login, post, council):
    login(council["secretariat"])
    assert post(url(council["meeting"]), rows((council["chair"], "", ""), observers="3")).status_code == 302
    assert fresh(db, Meeting, council["meeting"].id).status is MeetingStatus.SCHEDULED


def test_a_meeting_not_yet_begun_on_its_day_is_not_marked_held(client, db, login, post, council, make_meeting):
    later_today = datetime.now(UTC) + timedelta(minutes=30)
    meeting = make_meeting(council["consortium"], starts_at=later_today, precision=DatePrecision.MINUTE)
    login(council["secretariat"])
    response = post(url(meeting), rows((council["chair"], "present", "")))
    if response.status_code == 409:  # 30 minutes on is tomorrow in Japan: no recording yet either
        return
    assert fresh(db, Meeting, meeting.id).status is MeetingStatus.SCHEDULED


def test_publishing_the_minutes_marks_the_meeting_held(client, db, login, post, council, smtp_server):
    meeting = council["meeting"]
    db.session.add(Minutes(meeting=meeting, body="議事要旨", status=MinutesStatus.APPROVED))
    db.session.commit()
    login(council["secretariat"])
    assert post(f"/meetings/{meeting.id}/minutes/publish").status_code == 302
    assert fresh(db, Meeting, meeting.id).status is MeetingStatus.HELD
    assert smtp_server.envelopes == []


def test_publishing_leaves_a_postponed_meeting_postponed(client, db, login, post, council):
    meeting = council["meeting"]
    meeting.status = MeetingStatus.POSTPONED
    db.session.add(Minutes(meeting=meeting, body="議事要旨", status=MinutesStatus.APPROVED))
    db.session.commit()
    login(council["secretariat"])
    post(f"/meetings/{meeting.id}/minutes/publish")
    assert fresh(db, Meeting, meeting.id).status is MeetingStatus.POSTPONED


# ---------------------------------------------------------------------------------------------
# The flag and its one click


def held_url(meeting) -> str:
    return f"/meetings/{meeting.id}/held"


def test_the_secretariat_sees_past_meetings_not_marked_held_and_marks_one_in_a_click(client, db, login, post, council, make_meeting, english):
    upcoming = make_meeting(council["consortium"], title="第6回 会議", starts_at=FUTURE)
    login(council["secretariat"])
    consortium_url = f"/consortia/{council['consortium'].id}"
    page = text(client.get(consortium_url))
    assert "Past meetings not marked as held" in page
    assert f'action="{held_url(council["meeting"])}"' in page and held_url(upcoming) not in page

    response = post(held_url(council["meeting"]), {"next": consortium_url}, follow_redirects=True)
    assert "第5回 会議 is now marked as held." in text(response)
    assert "Past meetings not marked as held" not in text(response)
    assert fresh(db, Meeting, council["meeting"].id).status is MeetingStatus.HELD
    again = text(post(held_url(council["meeting"]), follow_redirects=True))
    assert "was already marked as held" in again  # a second click changes nothing

    assert "Only a planned meeting that has begun" in text(post(held_url(upcoming), follow_redirects=True))
    assert fresh(db, Meeting, upcoming.id).status is MeetingStatus.SCHEDULED


def test_only_the_secretariat_sees_the_flag_and_may_mark_a_meeting_held(client, db, login, post, council):
    consortium_url = f"/consortia/{council['consortium'].id}"
    anonymous = post(held_url(council["meeting"]))
    assert anonymous.status_code == 302 and "/accounts/login" in anonymous.headers["Location"]
    for who in ("member", "outsider"):
        login(council[who])
        assert held_url(council["meeting"]) not in text(client.get(consortium_url))
        assert post(held_url(council["meeting"])).status_code == 403
    assert fresh(db, Meeting, council["meeting"].id).status is MeetingStatus.SCHEDULED


def test_a_day_only_meeting_is_flagged_from_the_day_after(client, db, login, council, make_meeting, english):
    today = datetime.now(UTC)
    make_meeting(council["consortium"], title="今日の会議", starts_at=today, precision=DatePrecision.DAY)
    login(council["secretariat"])
    page = text(client.get(f"/consortia/{council['consortium'].id}"))
    assert "第5回 会議" in page and "今日の会議" not in page.split("Past meetings not marked as held")[1].split("</section>")[0]


# ---------------------------------------------------------------------------------------------
# The attendance keeps its own version


def test_saving_attendance_and_editing_the_meeting_do_not_make_each_other_stale(app, db, client, login, post, council):
    from test_versions import form_as_shown

    meeting = council["meeting"]
    login(council["secretariat"])
    attendance_page = form_as_shown(text(client.get(url(meeting))))
    meeting_form = form_as_shown(text(client.get(f"/meetings/{meeting.id}/edit")))
    assert post(f"/meetings/{meeting.id}/edit", {**meeting_form, "venue": "区役所"}).status_code == 302
    assert post(url(meeting), {**attendance_page, "observers": "7"}).status_code == 302
    assert fresh(db, Meeting, meeting.id).observers == 7 and fresh(db, Meeting, meeting.id).venue == "区役所"


# ---------------------------------------------------------------------------------------------
# In a browser, on the demo's Setagaya council


@needs_chromium
def test_the_secretariat_records_a_whole_meeting_in_two_clicks_after_the_replies(live_server, page, db):
    from consortium.demo.loader import load_demo

    load_demo(password=PASSWORD)
    meeting = db.session.execute(sa.select(Meeting).where(Meeting.title == "第9回 地域経済の持続可能な発展を目指す会議")).scalar_one()
    # The demo's next meeting, with its replies, moved to yesterday: its day has come.
    meeting.starts_at = datetime.now(UTC) - timedelta(days=1)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    db.session.commit()
    sign_in(page, live_server, db.session.execute(sa.select(User).where(User.email == "setagaya@example.jp")).scalar_one())
    page.goto(f"{live_server}{url(meeting)}")
    check_page(page)
    members = page.locator("fieldset.attendance-row")
    assert members.count() >= 17

    page.get_by_role("button", name="Mark everyone not yet set as present").click()  # click 1
    expect(page.get_by_role("status").last).to_contain_text(f"Rows filled in: {members.count() - 9}.")
    page.get_by_role("button", name="Save the attendance").first.click()  # click 2
    expect_flash(page, "The meeting is now marked as held")
    check_page(page)

    db.session.expire_all()
    recorded = stored(db, meeting)
    assert len(recorded) == members.count() and all(a.presence is not None for a in recorded.values())
    by_reply = {a.reply: a for a in recorded.values() if a.reply}
    assert by_reply[Reply.PROXY].presence is Presence.REPRESENTED and by_reply[Reply.PROXY].stand_in.startswith("山田 太郎")
    assert by_reply[Reply.ABSENT].presence is Presence.EXCUSED and by_reply[Reply.ONLINE].presence is Presence.PRESENT
    assert fresh(db, Meeting, meeting.id).status is MeetingStatus.HELD


@needs_chromium
def test_a_bulk_change_in_the_browser_sets_the_ticked_rows(live_server, page, db, council):
    replied(db, council)
    sign_in(page, live_server, council["secretariat"])
    page.goto(f"{live_server}{url(council['meeting'])}")
    page.get_by_label("Select 長山 宗広").check()
    page.get_by_label("Select 大藤 清佳").press("Space")  # keyboard
    page.get_by_label("Set the selected members to").select_option(label="Absent")
    page.get_by_role("button", name="Apply to the selected").click()
    for member in ("chair", "citizen"):
        expect(page.locator(f"#m{council[member].id}-presence")).to_have_value("absent")
    expect(page.locator(f"#m{council['banker'].id}-presence")).to_have_value("represented")
    check_page(page)
