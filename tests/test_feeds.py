"""iCalendar feeds: fields, visibility, edits and cancellations, precision, folding, query counts."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from consortium.feeds import ical, publish
from consortium.meetings.scheduling import DEFAULT_LENGTH
from consortium.japanese import TOKYO, tokyo_datetime
from consortium.models import (
    AgendaItem,
    AgendaPresenter,
    DatePrecision,
    GrantRole,
    Meeting,
    MeetingStatus,
    Visibility,
)
from conftest import fresh, text


def parse(response) -> Calendar:
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.data)


def events_of(calendar: Calendar) -> dict[str, object]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def uid_of(meeting: Meeting) -> str:
    return f"meeting-{meeting.id}@consortium.invalid"


@pytest.fixture()
def council(db, make_consortium, make_meeting, make_person, make_organization):
    """A public council with a numbered meeting: venue, online link, an open and a closed item."""
    consortium = make_consortium(name="世田谷区地域経済の持続可能な発展を目指す会議", short_name="世田谷会議")
    meeting = make_meeting(
        consortium,
        number=5,
        title="地域経済の持続可能な発展を目指す会議",
        starts_at=tokyo_datetime(2030, 9, 7, 18, 30),
        ends_at=tokyo_datetime(2030, 9, 7, 20, 30),
        venue="世田谷区役所",
        room="第1会議室",
        address="世田谷区世田谷4-21-27",
        online_url="https://meet.example.jp/setagaya-5",
        description="第5回の会議です。",
    )
    speaker = make_person(family_name="長山", given_name="宗広")
    ward = make_organization(name="世田谷区")
    open_item = AgendaItem(meeting=meeting, label="(1)", title="区内経済の現状報告", position=1)
    open_item.presenters = [AgendaPresenter(person=speaker, title="駒澤大学経済学部教授")]
    closed_item = AgendaItem(meeting=meeting, label="(2)", title="人事案件の審議", position=2, is_public=False)
    closed_item.presenters = [AgendaPresenter(organization=ward)]
    db.session.add_all([open_item, closed_item])
    db.session.commit()
    return consortium, meeting


# ---------------------------------------------------------------------------------------------
# Fields


def test_consortium_feed_carries_every_field_calendars_need(client, db, council, english):
    consortium, meeting = council
    calendar = parse(client.get(f"/consortia/{consortium.id}/calendar.ics"))
    calendar.validate()
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == ical.PRODID
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert "METHOD" not in calendar
    assert calendar.refresh_interval == timedelta(hours=1)
    assert str(calendar["X-WR-CALNAME"]) == consortium.name
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Tokyo"
    [timezone_] = calendar.walk("VTIMEZONE")
    assert str(timezone_["TZID"]) == "Asia/Tokyo"
    assert timezone_.walk("STANDARD")[-1]["TZOFFSETTO"].td == timedelta(hours=9)

    event = events_of(calendar)[uid_of(meeting)]
    meeting = fresh(db, Meeting, meeting.id)
    assert event["DTSTART"].dt == datetime(2030, 9, 7, 18, 30, tzinfo=TOKYO)
    assert event["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert event["DTEND"].dt == datetime(2030, 9, 7, 20, 30, tzinfo=TOKYO)
    assert str(event["SUMMARY"]) == "第5回 地域経済の持続可能な発展を目指す会議"
    assert str(event["LOCATION"]) == "世田谷区役所 第1会議室、世田谷区世田谷4-21-27"
    assert str(event["URL"]) == f"http://localhost/meetings/{meeting.id}"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["SEQUENCE"] == 0
    assert event["LAST-MODIFIED"].dt == meeting.updated_at.replace(microsecond=0)
    assert event["CREATED"].dt == meeting.created_at.replace(microsecond=0)
    assert event["DTSTAMP"].dt == meeting.updated_at.replace(microsecond=0)
    assert "TRANSP" not in event and "CLASS" not in event
    assert [str(c) for c in event.categories] == ["世田谷会議"]
    description = str(event["DESCRIPTION"])
    assert "第5回の会議です。" in description
    assert "議事次第" in description  # Japanese, though the visitor reads the site in English
    assert "(1) 区内経済の現状報告（駒澤大学経済学部教授 長山 宗広）" in description
    assert f"http://localhost/meetings/{meeting.id}" in description


def test_every_calendar_route_names_its_charset_and_decodes_to_japanese(client, db, council, make_user):
    consortium, meeting = council
    user = make_user({consortium: GrantRole.MEMBER}, calendar_token="a-personal-feed-address")
    for path in (
        f"/meetings/{meeting.id}.ics", f"/consortia/{consortium.id}/calendar.ics", "/meetings/calendar.ics",
        f"/feeds/personal/{user.calendar_token}.ics",
    ):
        response = client.get(path)
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8", path
        assert "世田谷区役所" in response.get_data().decode(response.mimetype_params["charset"]), path


def test_raw_feed_names_the_tokyo_zone_on_each_time(client, council):
    consortium, _meeting = council
    raw = client.get(f"/consortia/{consortium.id}/calendar.ics").data
    assert b"DTSTART;TZID=Asia/Tokyo:20300907T183000\r\n" in raw
    assert b"DTEND;TZID=Asia/Tokyo:20300907T203000\r\n" in raw
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in raw
    assert raw.index(b"BEGIN:VTIMEZONE") < raw.index(b"BEGIN:VEVENT")


def test_anonymous_readers_get_neither_closed_items_nor_the_online_link(client, council):
    consortium, meeting = council
    event = events_of(parse(client.get(f"/consortia/{consortium.id}/calendar.ics")))[uid_of(meeting)]
    description = str(event["DESCRIPTION"])
    assert "区内経済の現状報告" in description
    assert "人事案件" not in description and "世田谷区）" not in description
    assert "meet.example.jp" not in description


def test_members_get_closed_items_and_the_online_link_privately(client, council, make_user, login):
    consortium, meeting = council
    login(make_user({consortium: GrantRole.MEMBER}))
    response = client.get(f"/consortia/{consortium.id}/calendar.ics")
    description = str(events_of(parse(response))[uid_of(meeting)]["DESCRIPTION"])
    assert "(2) 人事案件の審議（世田谷区）" in description
    assert "https://meet.example.jp/setagaya-5" in description
    assert response.headers["Cache-Control"] in ("private, no-cache", "no-cache, private")


def test_a_public_feed_may_be_cached_by_anyone(client, council):
    consortium, _meeting = council
    response = client.get(f"/consortia/{consortium.id}/calendar.ics")
    assert set(response.headers["Cache-Control"].split(", ")) == {"public", f"max-age={300}"}
    assert "Cookie" in response.headers.get("Vary", "")


def test_one_meetings_ics_is_a_download_with_the_same_uid(client, council):
    _consortium, meeting = council
    response = client.get(f"/meetings/{meeting.id}.ics")
    assert response.headers["Content-Disposition"] == f'attachment; filename="meeting-{meeting.id}.ics"'
    calendar = parse(response)
    assert list(events_of(calendar)) == [uid_of(meeting)]
    assert "人事案件" not in str(calendar.walk("VEVENT")[0]["DESCRIPTION"])


def test_an_invitation_carries_its_method_and_the_feeds_uid(app, db, council):
    """Issue 5 sends invitations through the same serializer: METHOD, same UID, DTSTAMP = when sent."""
    _consortium, meeting = council
    sent = datetime(2030, 8, 1, 9, tzinfo=timezone.utc)
    with app.test_request_context():
        publish.load(Meeting.id == meeting.id)
        raw = ical.serialize([publish.entry(meeting, member=True)], name=None, domain="consortium.invalid",
                             method="REQUEST", stamp=sent)
    calendar = Calendar.from_ical(raw)
    assert str(calendar["METHOD"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == uid_of(meeting) == ical.uid(meeting.id, "consortium.invalid")
    assert event["DTSTAMP"].dt == sent
    assert "https://meet.example.jp/setagaya-5" in str(event["DESCRIPTION"])


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (MeetingStatus.TENTATIVE, "TENTATIVE"),
        (MeetingStatus.POSTPONED, "TENTATIVE"),
        (MeetingStatus.SCHEDULED, "CONFIRMED"),
        (MeetingStatus.HELD, "CONFIRMED"),
        (MeetingStatus.CANCELLED, "CANCELLED"),
    ],
)
def test_each_status_becomes_an_icalendar_status(client, make_consortium, make_meeting, status, expected):
    meeting = make_meeting(make_consortium(), status=status)
    event = events_of(parse(client.get(f"/meetings/{meeting.id}.ics")))[uid_of(meeting)]
    assert str(event["STATUS"]) == expected


def test_numbered_titles_that_say_their_number_are_left_alone(client, make_consortium, make_meeting):
    meeting = make_meeting(make_consortium(), number=1, title="ステークホルダーミーティング（第1回）")
    event = events_of(parse(client.get(f"/meetings/{meeting.id}.ics")))[uid_of(meeting)]
    assert str(event["SUMMARY"]) == "ステークホルダーミーティング（第1回）"


def test_agenda_without_labels_is_numbered_with_sub_items_under_their_parent(client, db, make_consortium, make_meeting):
    meeting = make_meeting(make_consortium())
    first = AgendaItem(meeting=meeting, title="開会", position=1)
    second = AgendaItem(meeting=meeting, title="議題", position=2)
    db.session.add_all([first, second])
    db.session.flush()
    db.session.add(AgendaItem(meeting=meeting, parent_id=second.id, title="報告", position=1))
    db.session.commit()
    description = str(events_of(parse(client.get(f"/meetings/{meeting.id}.ics")))[uid_of(meeting)]["DESCRIPTION"])
    assert "1. 開会\n2. 議題\n  2.1 報告" in description


# ---------------------------------------------------------------------------------------------
# Precision and ends


def test_a_meeting_known_by_its_date_is_an_all_day_event(client, make_consortium, make_meeting):
    meeting = make_meeting(make_consortium(), precision=DatePrecision.DAY, starts_at=tokyo_datetime(2030, 5, 29), ends_at=None)
    raw = client.get(f"/meetings/{meeting.id}.ics").data
    assert b"DTSTART;VALUE=DATE:20300529\r\n" in raw
    assert b"DTEND;VALUE=DATE:20300530\r\n" in raw
    event = events_of(Calendar.from_ical(raw))[uid_of(meeting)]
    assert event["DTSTART"].dt == date(2030, 5, 29)
    assert str(event["STATUS"]) == "CONFIRMED"


def test_a_meeting_known_by_its_month_is_a_tentative_free_entry_over_the_month(client, make_consortium, make_meeting):
    meeting = make_meeting(
        make_consortium(), title="ステークホルダーミーティング（第2回）", precision=DatePrecision.MONTH,
        starts_at=tokyo_datetime(2030, 12, 1), ends_at=None,
    )
    event = events_of(parse(client.get(f"/meetings/{meeting.id}.ics")))[uid_of(meeting)]
    assert (event["DTSTART"].dt, event["DTEND"].dt) == (date(2030, 12, 1), date(2031, 1, 1))
    assert str(event["TRANSP"]) == "TRANSPARENT"
    assert str(event["STATUS"]) == "TENTATIVE"  # though scheduled: the date is not
    summary = str(event["SUMMARY"])
    assert summary.startswith("ステークホルダーミーティング（第2回）") and len(summary) > len(meeting.title)


def test_a_cancelled_month_only_meeting_stays_cancelled(client, make_consortium, make_meeting):
    meeting = make_meeting(make_consortium(), precision=DatePrecision.MONTH, ends_at=None, status=MeetingStatus.CANCELLED)
    event = events_of(parse(client.get(f"/meetings/{meeting.id}.ics")))[uid_of(meeting)]
    assert str(event["STATUS"]) == "CANCELLED"


def test_a_meeting_without_an_end_lasts_the_default_and_says_so(client, make_consortium, make_meeting):
    meeting = make_meeting(make_consortium(), starts_at=tokyo_datetime(2030, 6, 3, 14), ends_at=None)
    event = events_of(parse(client.get(f"/meetings/{meeting.id}.ics")))[uid_of(meeting)]
    assert event["DTEND"].dt - event["DTSTART"].dt == DEFAULT_LENGTH == timedelta(hours=2)


def test_vtimezone_covers_japans_summer_time_for_meetings_before_1970(client, make_consortium, make_meeting):
    assert ical.timezone_start(tokyo_datetime(1970, 1, 1)) == ical.timezone_start(None) == 1970
    assert ical.timezone_start(tokyo_datetime(1950, 5, 1)) == 1873
    consortium = make_consortium()
    make_meeting(consortium, starts_at=tokyo_datetime(2030, 1, 1, 10))
    [zone] = parse(client.get(f"/consortia/{consortium.id}/calendar.ics")).walk("VTIMEZONE")
    assert zone.walk("DAYLIGHT") == []
    meeting = make_meeting(consortium, starts_at=tokyo_datetime(1950, 5, 10, 10))
    calendar = parse(client.get(f"/consortia/{consortium.id}/calendar.ics"))
    [zone] = calendar.walk("VTIMEZONE")
    assert [str(c["TZNAME"]) for c in zone.walk("DAYLIGHT")] == ["JDT"]
    # Summer time: 10:00 in Tokyo was 00:00 UTC that day.
    event = events_of(calendar)[uid_of(meeting)]
    assert event["DTSTART"].dt.astimezone(timezone.utc) == datetime(1950, 5, 10, 0, tzinfo=timezone.utc)


# ---------------------------------------------------------------------------------------------
# Line folding


def test_lines_end_in_crlf_and_fold_at_75_octets_between_characters(client, db, make_consortium, make_meeting):
    meeting = make_meeting(
        make_consortium(name="長野県・関東経済産業局の連携による地域ＳＤＧｓコンソーシアム" * 2),
        title="長野県・関東経済産業局の連携による地域SDGsコンソーシアムキックオフ会議" * 3,
        description="実務者レベルにて具体的な検討を実施（1か月半程度の頻度で計5回程度を予定）。𠮷野家の🍱も出ます。" * 6,
        venue="長野県庁 講堂" * 10,
    )
    db.session.add(AgendaItem(meeting=meeting, label="(1)", title="プロジェクトコンセプト・概要説明" * 5, position=1))
    db.session.commit()
    raw = client.get(f"/consortia/{meeting.consortium_id}/calendar.ics").data
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # no character is cut in two by a fold
    continued = [line for line in lines if line.startswith(b" ")]
    assert len(continued) > 10
    event = events_of(Calendar.from_ical(raw))[uid_of(meeting)]
    assert str(event["SUMMARY"]) == "長野県・関東経済産業局の連携による地域SDGsコンソーシアムキックオフ会議" * 3
    assert "𠮷野家の🍱も出ます。" in str(event["DESCRIPTION"])


# ---------------------------------------------------------------------------------------------
# Edits and cancellations


def meeting_form(**overrides) -> dict:
    data = {
        "number": "5",
        "title": "地域経済の持続可能な発展を目指す会議",
        "kind": "regular",
        "status": "scheduled",
        "precision": "minute",
        "day": "2030-09-07",
        "start_time": "18:30",
        "end_time": "20:30",
        "venue": "世田谷区役所",
        "room": "第1会議室",
        "address": "世田谷区世田谷4-21-27",
        "online_url": "https://meet.example.jp/setagaya-5",
        "is_public": "y",
        "description": "第5回の会議です。",
    }
    data.update(overrides)
    return data


def test_a_meeting_edited_twice_keeps_its_uid_and_its_sequence_rises_by_two(client, db, council, make_user, login, post):
    consortium, meeting = council
    login(make_user({consortium: GrantRole.SECRETARIAT}))
    feed = f"/consortia/{consortium.id}/calendar.ics"
    before = events_of(parse(client.get(feed)))[uid_of(meeting)]

    assert post(f"/meetings/{meeting.id}/edit", meeting_form(start_time="19:00", end_time="21:00")).status_code == 302
    assert post(f"/meetings/{meeting.id}/edit", meeting_form(start_time="19:00", end_time="21:00", room="大会議室")).status_code == 302

    after = events_of(parse(client.get(feed)))
    assert list(after) == [uid_of(meeting)]
    event = after[uid_of(meeting)]
    assert event["SEQUENCE"] == before["SEQUENCE"] + 2 == 2
    assert event["DTSTART"].dt == datetime(2030, 9, 7, 19, tzinfo=TOKYO)
    assert str(event["LOCATION"]).startswith("世田谷区役所 大会議室")
    assert event["LAST-MODIFIED"].dt >= before["LAST-MODIFIED"].dt


def test_a_cancelled_meeting_stays_in_the_feed_as_cancelled(client, db, council, make_user, login, post):
    consortium, meeting = council
    login(make_user({consortium: GrantRole.SECRETARIAT}))
    client.get(f"/consortia/{consortium.id}/calendar.ics")  # its event is now kept, to be replaced
    assert post(f"/meetings/{meeting.id}/cancel", {"confirm": "y"}).status_code == 302
    event = events_of(parse(client.get(f"/consortia/{consortium.id}/calendar.ics")))[uid_of(meeting)]
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 1


def test_an_agenda_change_reaches_the_feed(client, db, council):
    consortium, meeting = council
    client.get(f"/consortia/{consortium.id}/calendar.ics")
    db.session.add(AgendaItem(meeting_id=meeting.id, label="(3)", title="閉会", position=3))
    db.session.commit()
    event = events_of(parse(client.get(f"/consortia/{consortium.id}/calendar.ics")))[uid_of(meeting)]
    assert "(3) 閉会" in str(event["DESCRIPTION"])


def test_a_renamed_consortium_renames_the_calendar_and_its_events(client, db, council):
    consortium, meeting = council
    client.get(f"/consortia/{consortium.id}/calendar.ics")
    fresh(db, type(consortium), consortium.id).short_name = "新しい略称"
    db.session.commit()
    event = events_of(parse(client.get(f"/consortia/{consortium.id}/calendar.ics")))[uid_of(meeting)]
    assert [str(c) for c in event.categories] == ["新しい略称"]


# ---------------------------------------------------------------------------------------------
# Conditional GET


def test_a_client_with_the_current_etag_gets_304_without_a_body(client, council):
    consortium, _meeting = council
    url = f"/consortia/{consortium.id}/calendar.ics"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag  # RFC 9110 15.4.5: ETag, Cache-Control and Vary come with a 304
    assert again.headers["Cache-Control"] == first.headers["Cache-Control"]


def test_a_client_with_the_last_modified_date_gets_304(client, council):
    consortium, _meeting = council
    url = f"/consortia/{consortium.id}/calendar.ics"
    last_modified = client.get(url).headers["Last-Modified"]
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    older = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get(url, headers={"If-Modified-Since": older}).status_code == 200


def test_a_change_answers_200_with_a_new_etag(client, db, council, make_meeting):
    consortium, meeting = council
    url = f"/consortia/{consortium.id}/calendar.ics"
    etag = client.get(url).headers["ETag"]
    fresh(db, Meeting, meeting.id).room = "大会議室"
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert "大会議室" in text(changed)

    etag = changed.headers["ETag"]
    make_meeting(consortium)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_a_deleted_meeting_changes_the_etag(client, db, council, make_meeting):
    consortium, _meeting = council
    extra = make_meeting(consortium)
    url = f"/consortia/{consortium.id}/calendar.ics"
    etag = client.get(url).headers["ETag"]
    db.session.delete(fresh(db, Meeting, extra.id))
    db.session.commit()
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert uid_of(extra) not in events_of(parse(response))


def test_a_member_and_an_anonymous_reader_never_share_an_etag(client, council, make_user, login):
    consortium, _meeting = council
    url = f"/consortia/{consortium.id}/calendar.ics"
    public_etag = client.get(url).headers["ETag"]
    login(make_user({consortium: GrantRole.MEMBER}))
    assert client.get(url, headers={"If-None-Match": public_etag}).status_code == 200


def test_one_meetings_ics_answers_conditional_gets(client, db, council):
    _consortium, meeting = council
    url = f"/meetings/{meeting.id}.ics"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    fresh(db, Meeting, meeting.id).title = "改題"
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


# ---------------------------------------------------------------------------------------------
# Who sees what


@pytest.fixture()
def private_world(db, make_consortium, make_meeting, make_user):
    """A public consortium with an open and a closed meeting, a members-only one, and an outsider."""
    public = make_consortium(name="公開の会議体")
    members_only = make_consortium(name="非公開の会議体", visibility=Visibility.MEMBERS)
    other = make_consortium(name="よその会議体")
    meetings = {
        "open": make_meeting(public, title="公開の会議"),
        "closed": make_meeting(public, title="非公開の会議", is_public=False),
        "members_only": make_meeting(members_only, title="会員限定の会議"),
        "other": make_meeting(other, title="よその会議"),
    }
    outsider = make_user({other: GrantRole.MEMBER}, calendar_token="outsider-address")
    return public, members_only, meetings, outsider


def titles(calendar: Calendar) -> set[str]:
    return {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}


def test_the_public_feed_holds_public_meetings_of_public_consortia_only(client, private_world):
    _public, _members_only, _meetings, _outsider = private_world
    response = client.get("/meetings/calendar.ics")
    calendar = parse(response)
    assert titles(calendar) == {"公開の会議", "よその会議"}
    assert str(calendar["X-WR-CALNAME"])  # 公開の会議 once the catalogue is merged
    assert "public" in response.headers["Cache-Control"]


def test_the_public_feed_is_the_same_for_members(client, council, make_user, login):
    consortium, meeting = council
    login(make_user({consortium: GrantRole.SECRETARIAT}))
    response = client.get("/meetings/calendar.ics")
    description = str(events_of(parse(response))[uid_of(meeting)]["DESCRIPTION"])
    assert "人事案件" not in description and "meet.example.jp" not in description


def test_private_meetings_stay_out_of_a_foreign_members_feeds(client, private_world, login):
    public, members_only, _meetings, outsider = private_world
    assert titles(parse(client.get("/feeds/personal/outsider-address.ics"))) == {"よその会議"}
    login(outsider)
    assert titles(parse(client.get(f"/consortia/{public.id}/calendar.ics"))) == {"公開の会議"}
    assert client.get(f"/consortia/{members_only.id}/calendar.ics").status_code == 404


def test_members_only_consortium_feed_is_404_to_strangers_and_private_to_members(client, private_world, make_user, login):
    _public, members_only, meetings, _outsider = private_world
    assert client.get(f"/consortia/{members_only.id}/calendar.ics").status_code == 404
    assert client.get(f"/meetings/{meetings['members_only'].id}.ics").status_code == 404
    assert client.get(f"/meetings/{meetings['closed'].id}.ics").status_code == 404
    login(make_user({members_only: GrantRole.MEMBER}))
    response = client.get(f"/consortia/{members_only.id}/calendar.ics")
    event = events_of(parse(response))[uid_of(meetings["members_only"])]
    assert str(event["CLASS"]) == "PRIVATE"
    assert "private" in response.headers["Cache-Control"]


def test_the_public_feed_starts_a_year_back_and_a_consortiums_keeps_its_history(client, make_consortium, make_meeting):
    consortium = make_consortium()
    now = datetime.now(timezone.utc)
    old = make_meeting(consortium, title="昔の会議", starts_at=now - timedelta(days=400), ends_at=None)
    recent = make_meeting(consortium, title="先月の会議", starts_at=now - timedelta(days=30), ends_at=None)
    assert titles(parse(client.get("/meetings/calendar.ics"))) == {recent.title}
    assert titles(parse(client.get(f"/consortia/{consortium.id}/calendar.ics"))) == {old.title, recent.title}


def test_events_written_once_serve_another_process_from_the_disk_store(client, council, monkeypatch):
    consortium, _meeting = council
    url = f"/consortia/{consortium.id}/calendar.ics"
    first = client.get(url).get_data()
    publish.events.clear()  # as a new worker, or after a restart, starts

    def written_again(*args, **kwargs):
        raise AssertionError("an unchanged event was written again")

    monkeypatch.setattr(ical, "event", written_again)
    assert client.get(url).get_data() == first


# ---------------------------------------------------------------------------------------------
# Queries


def _count(client, count_queries, url: str) -> int:
    publish.events.clear()
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def _fill(db, consortium, make_meeting, n: int) -> None:
    for k in range(n):
        meeting = make_meeting(consortium)
        item = AgendaItem(meeting=meeting, label=f"({k})", title="議題", position=1)
        db.session.add(item)
        db.session.add(AgendaItem(meeting=meeting, title="非公開の議題", position=2, is_public=False))
        db.session.flush()
        db.session.add(AgendaPresenter(agenda_item=item, person_id=None, organization=_organization(db)))
    db.session.commit()


def _organization(db):
    from consortium.models import Organization

    organization = db.session.execute(sa.select(Organization).limit(1)).scalar_one_or_none()
    if organization is None:
        organization = Organization(name="世田谷区")
        db.session.add(organization)
    return organization


def test_feed_queries_do_not_grow_with_the_meetings(client, db, make_consortium, make_meeting, make_user, count_queries):
    counts = {}
    for n in (2, 40):
        consortium = make_consortium()
        _fill(db, consortium, make_meeting, n)
        make_user({consortium: GrantRole.MEMBER}, calendar_token=f"address-{n}")
        counts[n] = (
            _count(client, count_queries, f"/consortia/{consortium.id}/calendar.ics"),
            _count(client, count_queries, f"/feeds/personal/address-{n}.ics"),
        )
    counts["public"] = _count(client, count_queries, "/meetings/calendar.ics")
    assert counts[2] == counts[40]
    consortium_feed, personal_feed = counts[40]
    # consortium; aggregate; rows; meetings, items, presenters — and the user and grants for a token
    assert consortium_feed <= 6 and personal_feed <= 7 and counts["public"] <= 5


def test_a_kept_feed_runs_two_queries_past_the_guard(client, db, make_consortium, make_meeting, count_queries):
    consortium = make_consortium()
    _fill(db, consortium, make_meeting, 5)
    url = f"/consortia/{consortium.id}/calendar.ics"
    client.get(url)
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    assert len(statements) == 3  # consortium, aggregate, rows: every event was kept
    etag = client.get(url).headers["ETag"]
    with count_queries() as statements:
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert len(statements) == 2
