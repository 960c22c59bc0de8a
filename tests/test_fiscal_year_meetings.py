"""Meetings known only to their fiscal years (a seminar a programme plans for 2016〜2018年度 with no
date): entered and edited by the secretariat, printed as the years with 日付未定, upcoming until the
years end, and kept out of everything that needs a day: calendars, feeds, invitations, reminders."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from conftest import fresh, text, version_of
from test_meetings_edit import meeting_data, meetings_of

from consortium.japanese import fiscal_year, today_tokyo, tokyo_datetime
from consortium.meetings import services
from consortium.models import DatePrecision, Meeting, MeetingStatus


def planned(make_meeting, consortium, first: int, last: int, **overrides) -> Meeting:
    return make_meeting(
        consortium, precision=DatePrecision.FISCAL_YEAR, starts_at=tokyo_datetime(first, 4, 1),
        ends_at=tokyo_datetime(last + 1, 4, 1), **overrides,
    )


def test_the_secretariat_enters_a_meeting_known_only_to_its_fiscal_years(db, client, post, signed_in):
    data = meeting_data(precision="fiscal_year", day="2031-01-15", start_time="", end_time="", last_fiscal_year="2032")
    assert post(f"/consortia/{signed_in.id}/meetings/new", data).status_code == 302
    [meeting] = meetings_of(db, signed_in)
    assert meeting.precision is DatePrecision.FISCAL_YEAR
    assert (meeting.starts_at, meeting.ends_at) == (tokyo_datetime(2030, 4, 1), tokyo_datetime(2033, 4, 1))
    page = text(client.get(f"/meetings/{meeting.id}"))
    assert "2030年度（令和12年度）〜2032年度（令和14年度）（日付未定）" in page
    assert "日付が決まると、カレンダーに追加できます。" in page
    assert f"/meetings/{meeting.id}.ics" not in page


def test_one_fiscal_year_reads_as_during_that_year(db, client, post, signed_in):
    data = meeting_data(precision="fiscal_year", day="2030-06-01", last_fiscal_year="")
    assert post(f"/consortia/{signed_in.id}/meetings/new", data).status_code == 302
    [meeting] = meetings_of(db, signed_in)
    assert meeting.ends_at == tokyo_datetime(2031, 4, 1)
    assert "2030年度（令和12年度）中（日付未定）" in text(client.get(f"/meetings/{meeting.id}"))


def test_a_last_fiscal_year_before_the_first_is_refused_keeping_what_was_typed(db, post, signed_in):
    data = meeting_data(precision="fiscal_year", day="2031-01-15", last_fiscal_year="2029", venue="長野県庁 講堂")
    response = post(f"/consortia/{signed_in.id}/meetings/new", data)
    assert response.status_code == 422
    page = text(response)
    assert "日付の年度（2030年度）以降の年度を入力してください。" in page
    assert 'value="2029"' in page and 'value="長野県庁 講堂"' in page
    assert meetings_of(db, signed_in) == []


def test_a_last_fiscal_year_means_nothing_when_the_date_is_known(db, post, signed_in):
    data = meeting_data(last_fiscal_year="not a year")
    assert post(f"/consortia/{signed_in.id}/meetings/new", data).status_code == 302
    [meeting] = meetings_of(db, signed_in)
    assert meeting.precision is DatePrecision.MINUTE and meeting.ends_at == tokyo_datetime(2030, 5, 10, 12)


def test_editing_keeps_the_fiscal_years(db, client, post, signed_in, make_meeting):
    meeting = planned(make_meeting, signed_in, 2030, 2032, title="販路拡大のためのビジネスマッチング")
    form = text(client.get(f"/meetings/{meeting.id}/edit"))
    assert re.search(r'<input checked[^>]* value="fiscal_year">', form) and 'name="last_fiscal_year" type="number" value="2032"' in form
    data = meeting_data(
        title="販路拡大のためのビジネスマッチング", precision="fiscal_year", day="2030-04-01", start_time="", end_time="",
        last_fiscal_year="2032", version=version_of(form),
    )
    assert post(f"/meetings/{meeting.id}/edit", data).status_code == 302
    saved = fresh(db, Meeting, meeting.id)
    assert (saved.starts_at, saved.ends_at, saved.precision) == (meeting.starts_at, meeting.ends_at, DatePrecision.FISCAL_YEAR)


def test_it_is_upcoming_until_its_last_fiscal_year_ends(client, make_consortium, make_meeting):
    consortium = make_consortium()
    this_year = fiscal_year(today_tokyo())
    current = planned(make_meeting, consortium, this_year - 1, this_year, title="今年度までのセミナー")
    ended = planned(make_meeting, consortium, 2016, 2018, title="2018年度までのフォーラム")
    upcoming = text(client.get("/meetings/"))
    past = text(client.get("/meetings/?when=past"))
    assert current.title in upcoming and current.title not in past
    assert ended.title in past and ended.title not in upcoming
    page = text(client.get(f"/consortia/{consortium.id}"))
    assert page.index(current.title) < page.index("過去の会議") < page.index(ended.title)


def test_no_calendar_carries_it(client, make_consortium, make_meeting):
    consortium = make_consortium()
    this_year = fiscal_year(today_tokyo())
    undated = planned(make_meeting, consortium, this_year, this_year, title="日付のないセミナー")
    dated = make_meeting(consortium, title="日付のある会議", starts_at=tokyo_datetime(this_year, 4, 1, 10))
    feed = client.get(f"/consortia/{consortium.id}/calendar.ics").get_data(as_text=True)
    assert dated.title in feed and undated.title not in feed
    assert undated.title not in client.get("/meetings/calendar.ics").get_data(as_text=True)
    response = client.get(f"/meetings/{undated.id}.ics")
    assert response.status_code == 404
    assert "まだ日付が決まっていない" in text(response)
    month = text(client.get(f"/consortia/{consortium.id}/calendar?month={this_year}-04"))
    assert dated.title in month and undated.title not in month


def test_it_is_never_flagged_as_past_but_not_held(db, make_consortium, make_meeting):
    consortium = make_consortium()
    undated = planned(make_meeting, consortium, 2016, 2018, status=MeetingStatus.SCHEDULED)
    overdue = make_meeting(consortium, starts_at=datetime.now(timezone.utc) - timedelta(days=3))
    assert [m.id for m in services.begun_but_not_held(consortium.id, 10)] == [overdue.id]
    assert services.not_held_among([undated, overdue], lambda _id: True) == {overdue.id}


def test_a_meeting_known_to_its_fiscal_years_must_have_an_end(db, make_consortium, make_meeting):
    with pytest.raises(Exception, match="fiscal_years_end"):
        make_meeting(make_consortium(), precision=DatePrecision.FISCAL_YEAR, ends_at=None)
    db.session.rollback()
