"""Crafted input: one-line fields keep no line break or other control, and rows stored with a
line break before that (or by a script) still give valid calendars and mails, never a 500."""
from __future__ import annotations

import email
import re
from datetime import timedelta
from email import policy

import pytest
from conftest import fresh, text
from icalendar import Calendar

from consortium.forms import normalise_line, normalise_text
from consortium.japanese import tokyo_datetime
from consortium.models import Consortium, GrantRole, Poll, PollSlot

STARTS = tokyo_datetime(2030, 10, 1, 14)


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("世田谷区\n会議", "世田谷区会議"),  # as a browser drops a line feed from a text input
        ("世田谷区\r\n会議", "世田谷区会議"),
        ("世田谷区\u2028会議\u2029", "世田谷区会議"),
        ("世田谷区\x00\x7f\x85\x9f会議", "世田谷区会議"),  # NUL (PostgreSQL refuses it), DEL, C1
        ("長山\t宗広", "長山 宗広"),  # a cell pasted from a spreadsheet keeps its words apart
        ("\n\t\x00", None),
    ],
)
def test_a_one_line_field_keeps_no_control(typed, kept):
    assert normalise_line(typed) == kept


def test_free_text_keeps_its_lines_and_tabs_but_no_other_control():
    assert normalise_text("一行目\r\n\t二行目\x00\x0b\x85\r三行目") == "一行目\n\t二行目\n三行目"


def test_a_consortium_name_posted_with_a_line_feed_is_saved_on_one_line(db, post, signed_in):
    data = {"name": "改行の\n入った会議", "kind": "council", "status": "active", "visibility": "public"}
    assert post(f"/consortia/{signed_in.id}/edit", data).status_code == 302
    assert fresh(db, Consortium, signed_in.id).name == "改行の入った会議"


@pytest.fixture()
def stored_with_line_feeds(db, make_consortium, make_meeting, make_member, make_person, make_user, login):
    """A consortium, meeting, member and poll whose names were stored with line feeds (by an older
    version, or straight into the database), with the secretariat signed in."""
    consortium = make_consortium(name="改行の\n入った\r\n会議", short_name="改行\n会議")
    meeting = make_meeting(
        consortium, title="第3回\n定例会", starts_at=STARTS, ends_at=STARTS + timedelta(hours=2), venue="区役所\n本館"
    )
    make_member(consortium, person=make_person(family_name="長山\n", given_name="宗広", email="nagayama@example.jp"))
    poll = Poll(
        meeting=meeting, title="日程\n調整", respond_by=tokyo_datetime(2030, 9, 20, 23, 59),
        slots=[PollSlot(starts_at=STARTS)],
    )
    db.session.add(poll)
    db.session.commit()
    login(make_user({consortium: GrantRole.SECRETARIAT}))
    return consortium, meeting, poll


def test_a_feed_of_a_consortium_named_with_a_line_feed_is_a_valid_calendar(client, stored_with_line_feeds):
    consortium, meeting, _poll = stored_with_line_feeds
    response = client.get(f"/consortia/{consortium.id}/calendar.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["X-WR-CALNAME"]) == "改行の 入った 会議"
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "第3回\n定例会"  # escaped as \n in the file, as RFC 5545 allows
    assert all(line.endswith(b"\r") or not line for line in response.data.split(b"\n"))


def received(inbox) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(e.content, policy=policy.default) for e in inbox.envelopes]


def test_invitations_go_out_with_one_line_headers_when_names_hold_line_feeds(db, post, stored_with_line_feeds, smtp_server):
    consortium, meeting, _poll = stored_with_line_feeds
    members = [str(m.id) for m in consortium.memberships]
    assert post(f"/meetings/{meeting.id}/invitations", {"members": members}).status_code == 302
    [message] = received(smtp_server)
    assert message["Subject"].startswith("【開催のご案内】第3回 定例会")
    assert message["To"].addresses[0].display_name == "長山 宗広"
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    [event] = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    assert event["ORGANIZER"].params["CN"] == "改行の 入った 会議 事務局"


def test_a_poll_goes_out_when_its_title_and_an_invitees_name_hold_line_feeds(post, stored_with_line_feeds, smtp_server):
    _consortium, _meeting, poll = stored_with_line_feeds
    assert post(f"/polls/{poll.id}/send").status_code == 302
    [message] = received(smtp_server)
    assert message["Subject"] == "【日程調整】日程 調整 ご都合をお知らせください"


def test_the_meeting_pages_open_when_names_hold_line_feeds(client, stored_with_line_feeds):
    _consortium, meeting, _poll = stored_with_line_feeds
    assert client.get(f"/meetings/{meeting.id}.ics").status_code == 200
    assert client.get(f"/meetings/{meeting.id}/invitations").status_code == 200
    assert "改行の" in text(client.get(f"/meetings/{meeting.id}"))


@pytest.mark.parametrize("path", ["/consortia/{}", "/meetings/{}/edit", "/people/{}", "/polls/{}"])
def test_an_id_larger_than_any_row_is_not_found(client, signed_in, path):
    assert client.get(path.format(2**31)).status_code == 404
    assert client.get(path.format("9" * 30)).status_code == 404


@pytest.mark.parametrize("month", ["0000-01", "0999-12", "2101-01", "2026-13"])
def test_a_month_the_calendar_cannot_show_is_refused_with_this_month(client, signed_in, month, english):
    response = client.get(f"/calendar?month={month}")
    assert response.status_code == 400
    assert "from 1873 to 2100" in text(response)


def test_page_links_keep_the_query_but_not_what_would_break_them(client, db, admin, login, make_person, english):
    for n in range(25):  # two pages of people
        make_person(family_name=f"山田{n}")
    login(admin)
    response = client.get("/people/", query_string={"q": "山田", "_scheme": "javascript", "endpoint": "x", "person_id": "x"})
    assert response.status_code == 200
    assert re.search(r'href="/people/\?q=%E5%B1%B1%E7%94%B0&amp;person_id=x&amp;after=[\w-]+" rel="next"', text(response))


def test_an_audit_page_keeps_its_consortium_whatever_the_query_says(client, signed_in, make_meeting):
    for _ in range(25):  # more events than a page holds
        make_meeting(signed_in)
    response = client.get(f"/admin/consortia/{signed_in.id}/audit", query_string={"consortium_id": "\x0c"})
    assert response.status_code == 200
    assert f'href="/admin/consortia/{signed_in.id}/audit?page=2"' in text(response)


def test_a_poll_edit_without_its_respond_by_date_keeps_it(db, post, stored_with_line_feeds):
    _consortium, _meeting, poll = stored_with_line_feeds
    respond_by = poll.respond_by
    # Once a 500: the field kept the stored datetime and the date check compared it with a date.
    assert post(f"/polls/{poll.id}/edit", {"title": "日程調整"}).status_code == 302
    assert fresh(db, Poll, poll.id).respond_by == respond_by
