"""Scheduling aids in the meeting form: holidays, weekends and members' other meetings, warned about, never refused."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from consortium.japanese import tokyo_datetime
from consortium.meetings.scheduling import DEFAULT_LENGTH, day_warnings, span, warnings_for
from consortium.models import DatePrecision, GrantRole, Meeting, MeetingStatus, Visibility
from conftest import fresh, text

pytestmark = pytest.mark.usefixtures("english")

MINUTE, DAY, MONTH = DatePrecision.MINUTE, DatePrecision.DAY, DatePrecision.MONTH


@pytest.fixture()
def in_english(app, db):
    """A request context that reads the interface in English, for calling the scheduling functions directly."""
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        yield


def messages(warnings) -> list[str]:
    return [w.message for w in warnings]


def at(day: date, hour: int, minute: int = 0):
    return tokyo_datetime(day.year, day.month, day.day, hour, minute)


WEDNESDAY = date(2026, 11, 25)


# ---------------------------------------------------------------------------------------------
# Holidays and weekends


@pytest.mark.usefixtures("in_english")
def test_a_national_holiday_is_named():
    [warning] = day_warnings(MINUTE, at(date(2026, 11, 23), 10))
    assert warning.kind == "holiday"
    assert warning.message == "Monday, 23 November 2026 (Reiwa 8) is a national holiday: 勤労感謝の日."
    assert "振替休日" in day_warnings(DAY, tokyo_datetime(2026, 5, 6))[0].message
    assert "国民の休日" in day_warnings(DAY, tokyo_datetime(2026, 9, 22))[0].message


@pytest.mark.usefixtures("in_english")
def test_weekends_are_warned_about_and_weekdays_and_month_only_dates_are_not():
    saturday = day_warnings(MINUTE, at(date(2026, 11, 21), 10))
    assert messages(saturday) == ["Saturday, 21 November 2026 (Reiwa 8) is a Saturday."]
    assert [w.kind for w in day_warnings(DAY, tokyo_datetime(2026, 11, 22))] == ["weekend"]
    # 憲法記念日 on a Sunday: both.
    assert [w.kind for w in day_warnings(DAY, tokyo_datetime(2026, 5, 3))] == ["holiday", "weekend"]
    assert day_warnings(MINUTE, at(WEDNESDAY, 10)) == []
    assert day_warnings(MONTH, tokyo_datetime(2026, 11, 1)) == []  # the 1st of a month-only date is no Sunday


@pytest.mark.usefixtures("in_english")
def test_the_day_is_the_day_in_japan():
    # 23:30 on Friday in UTC is Saturday morning in Tokyo.
    assert [w.kind for w in day_warnings(MINUTE, tokyo_datetime(2026, 11, 21, 8, 30))] == ["weekend"]
    assert day_warnings(MINUTE, tokyo_datetime(2026, 11, 20, 23, 30)) == []


def test_spans_follow_the_precision():
    assert span(MINUTE, at(WEDNESDAY, 10), None) == (at(WEDNESDAY, 10), at(WEDNESDAY, 10) + DEFAULT_LENGTH)
    assert span(MINUTE, at(WEDNESDAY, 10), at(WEDNESDAY, 11)) == (at(WEDNESDAY, 10), at(WEDNESDAY, 11))
    assert span(DAY, tokyo_datetime(2026, 11, 25), None) == (tokyo_datetime(2026, 11, 25), tokyo_datetime(2026, 11, 26))
    assert span(MONTH, tokyo_datetime(2026, 11, 1), None) is None


# ---------------------------------------------------------------------------------------------
# Members' other meetings


@pytest.fixture()
def two_rosters(office, make_consortium, make_member, make_person):
    """The office's consortium and another one; 山田 花子 sits on both."""
    consortium, secretariat = office
    other = make_consortium(name="よその推進会議", short_name="よその会議")
    person = make_person(family_name="山田", given_name="花子")
    make_member(consortium, person=person)
    make_member(other, person=person)
    make_member(consortium)  # someone on this roster only
    return consortium, other, secretariat


def clashes(consortium, secretariat, starts_at, ends_at=None, precision=MINUTE, exclude=None):
    found = warnings_for(consortium.id, precision, starts_at, ends_at, exclude, user=secretariat)
    return [w for w in found if w.kind == "clash"]


@pytest.mark.usefixtures("in_english")
def test_a_member_with_another_consortiums_meeting_then_is_named_with_it(two_rosters, make_meeting):
    consortium, other, secretariat = two_rosters
    make_meeting(other, title="第4回 よその会議", starts_at=at(WEDNESDAY, 10), ends_at=at(WEDNESDAY, 12))
    [warning] = clashes(consortium, secretariat, at(WEDNESDAY, 11), at(WEDNESDAY, 13))
    assert warning.message == "Overlaps with “第4回 よその会議” of よその会議 (Wed 25 Nov 2026 10:00–12:00) for 山田 花子."
    assert clashes(consortium, secretariat, at(WEDNESDAY, 12), at(WEDNESDAY, 13)) == []  # back to back is fine
    assert clashes(consortium, secretariat, at(WEDNESDAY, 8), at(WEDNESDAY, 10)) == []


@pytest.mark.usefixtures("in_english")
def test_meetings_without_an_end_last_the_default_length(two_rosters, make_meeting):
    consortium, other, secretariat = two_rosters
    make_meeting(other, starts_at=at(WEDNESDAY, 10), ends_at=None)
    assert len(clashes(consortium, secretariat, at(WEDNESDAY, 11, 59))) == 1
    assert clashes(consortium, secretariat, at(WEDNESDAY, 12)) == []
    assert len(clashes(consortium, secretariat, at(WEDNESDAY, 9))) == 1  # ours, without an end, runs 9–11


@pytest.mark.usefixtures("in_english")
def test_a_date_only_meeting_takes_the_whole_day_and_a_month_only_one_nothing(two_rosters, make_meeting):
    consortium, other, secretariat = two_rosters
    make_meeting(other, title="日付だけの会", precision=DAY, starts_at=tokyo_datetime(2026, 11, 25), ends_at=None)
    make_meeting(other, title="月だけの会", precision=MONTH, starts_at=tokyo_datetime(2026, 11, 1), ends_at=None)
    [warning] = clashes(consortium, secretariat, at(WEDNESDAY, 18))
    assert "日付だけの会" in warning.message
    assert clashes(consortium, secretariat, at(date(2026, 11, 26), 0)) == []
    assert clashes(consortium, secretariat, tokyo_datetime(2026, 11, 1), precision=MONTH) == []
    [warning] = clashes(consortium, secretariat, tokyo_datetime(2026, 11, 25), precision=DAY)
    assert "日付だけの会" in warning.message


@pytest.mark.usefixtures("in_english")
def test_cancelled_and_postponed_meetings_and_the_meeting_itself_do_not_count(two_rosters, make_meeting):
    consortium, other, secretariat = two_rosters
    make_meeting(other, status=MeetingStatus.CANCELLED, starts_at=at(WEDNESDAY, 10))
    make_meeting(other, status=MeetingStatus.POSTPONED, starts_at=at(WEDNESDAY, 10))
    itself = make_meeting(consortium, starts_at=at(WEDNESDAY, 10))
    assert clashes(consortium, secretariat, at(WEDNESDAY, 10), exclude=itself.id) == []
    # Unexcluded, the consortium's own meeting clashes for its whole roster.
    [warning] = clashes(consortium, secretariat, at(WEDNESDAY, 10))
    assert "山田 花子" in warning.message and "地域SDGsコンソーシアム" in warning.message


@pytest.mark.usefixtures("in_english")
def test_former_members_do_not_count(two_rosters, make_meeting, db):
    consortium, other, secretariat = two_rosters
    make_meeting(other, starts_at=at(WEDNESDAY, 10))
    for membership in other.memberships:
        membership.term_end = date(2026, 3, 31)
    db.session.commit()
    assert clashes(consortium, secretariat, at(WEDNESDAY, 10)) == []


@pytest.mark.usefixtures("in_english")
def test_organisations_on_both_rosters_in_their_own_name_clash(
    office, make_consortium, make_member, make_organization, make_person, make_meeting
):
    consortium, secretariat = office
    other = make_consortium()
    bank = make_organization(name="八十二銀行")
    make_member(consortium, organization=bank)
    make_member(other, organization=bank)
    # A person sitting for the bank elsewhere is not the bank: it may send someone else.
    third = make_consortium()
    make_member(third, person=make_person(), on_behalf_of=bank)
    make_meeting(other, title="銀行も出る会", starts_at=at(WEDNESDAY, 10))
    make_meeting(third, title="行員が出る会", starts_at=at(WEDNESDAY, 10))
    [warning] = clashes(consortium, secretariat, at(WEDNESDAY, 10))
    assert warning.message.startswith("Overlaps with “銀行も出る会”") and warning.message.endswith("for 八十二銀行.")


@pytest.mark.usefixtures("in_english")
def test_a_meeting_the_secretariat_may_not_see_keeps_its_title(two_rosters, make_meeting, db):
    consortium, other, secretariat = two_rosters
    make_meeting(other, title="人事の非公開会議", is_public=False, starts_at=at(WEDNESDAY, 10))
    [warning] = clashes(consortium, secretariat, at(WEDNESDAY, 10))
    assert warning.message == "Overlaps with another meeting (not public) for 山田 花子."
    other.visibility = Visibility.MEMBERS
    db.session.commit()
    make_meeting(other, title="公開だが会員限定の会", starts_at=at(WEDNESDAY, 15))
    [warning] = clashes(consortium, secretariat, at(WEDNESDAY, 15))
    assert "公開だが会員限定の会" not in warning.message and "よその" not in warning.message


@pytest.mark.usefixtures("in_english")
def test_many_names_are_cut_short(office, make_consortium, make_member, make_person, make_meeting):
    consortium, secretariat = office
    other = make_consortium()
    for n in range(8):
        person = make_person(family_name=f"委員{n}", given_name="太郎")
        make_member(consortium, person=person, position=n)
        make_member(other, person=person)
    make_meeting(other, starts_at=at(WEDNESDAY, 10))
    [warning] = clashes(consortium, secretariat, at(WEDNESDAY, 10))
    assert warning.message.endswith("for 委員0 太郎、委員1 太郎、委員2 太郎、委員3 太郎、委員4 太郎 and 3 others.")


def test_clash_query_count_does_not_grow_with_rosters_or_meetings(
    client, login, office, make_consortium, make_member, make_person, make_meeting, count_queries
):
    consortium, secretariat = office
    login(secretariat)

    def queries_for(n: int) -> int:
        day = WEDNESDAY + timedelta(days=7 * n)
        for i in range(n):
            other = make_consortium()
            person = make_person()
            make_member(consortium, person=person)
            make_member(other, person=person)
            make_meeting(other, starts_at=at(day, 10), is_public=i % 2 == 0)
        url = f"/consortia/{consortium.id}/meetings/check?precision=minute&day={day}&start_time=10:00"
        with count_queries() as statements:
            found = client.get(url).get_json()["warnings"]
        assert len(found) == n
        return len(statements)

    assert queries_for(2) == queries_for(40) <= 4  # the user, the consortium, the grants, the clashes


# ---------------------------------------------------------------------------------------------
# The meeting form: warnings flashed after saving, and shown again on a form sent back


def meeting_data(**overrides) -> dict:
    data = {
        "title": "第3回 推進会議",
        "kind": "regular",
        "status": "scheduled",
        "precision": "minute",
        "day": "2026-11-23",
        "start_time": "10:00",
        "end_time": "12:00",
        "is_public": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_meeting_on_a_holiday_is_saved_and_the_warning_shown_after(client, db, post, signed_in):
    response = post(f"/consortia/{signed_in.id}/meetings/new", meeting_data())
    assert response.status_code == 302
    meeting = db.session.execute(sa.select(Meeting)).scalar_one()
    assert meeting.starts_at == tokyo_datetime(2026, 11, 23, 10)
    page = text(client.get(response.headers["Location"]))
    assert "The meeting has been created" in page
    assert '<p class="flash warning">Monday, 23 November 2026 (Reiwa 8) is a national holiday: 勤労感謝の日.</p>' in page


def test_an_edit_into_a_clash_is_saved_and_named_after_but_never_clashes_with_itself(
    client, db, post, two_rosters, login, make_meeting
):
    consortium, other, secretariat = two_rosters
    login(secretariat)
    make_meeting(other, title="よその定例会", starts_at=at(WEDNESDAY, 10), ends_at=at(WEDNESDAY, 12))
    ours = make_meeting(consortium, title="第3回 推進会議", starts_at=at(date(2026, 11, 24), 10))
    response = post(f"/meetings/{ours.id}/edit", meeting_data(day="2026-11-25", start_time="11:00", end_time="12:30"))
    assert response.status_code == 302
    assert fresh(db, Meeting, ours.id).starts_at == at(WEDNESDAY, 11)
    page = text(client.get(response.headers["Location"]))
    assert "The meeting has been saved" in page
    assert "Overlaps with “よその定例会” of よその会議 (Wed 25 Nov 2026 10:00–12:00) for 山田 花子." in page
    assert "Overlaps with “第3回 推進会議”" not in page  # not a clash with itself


def test_a_form_sent_back_keeps_what_was_typed_and_shows_the_warnings(post, signed_in):
    response = post(f"/consortia/{signed_in.id}/meetings/new", meeting_data(title="", day="2026-11-21", venue="長野県庁"))
    assert response.status_code == 422
    page = text(response)
    assert 'value="2026-11-21"' in page and 'value="長野県庁"' in page
    assert 'id="schedule-warnings"' in page and 'aria-live="polite"' in page
    assert "Saturday, 21 November 2026 (Reiwa 8) is a Saturday." in page


def test_the_edit_form_shows_the_warnings_for_the_stored_date(client, login, office, make_meeting):
    consortium, secretariat = office
    meeting = make_meeting(consortium, starts_at=at(date(2026, 9, 22), 14))
    login(secretariat)
    page = text(client.get(f"/meetings/{meeting.id}/edit"))
    assert "国民の休日" in page
    assert f'data-schedule-check="/consortia/{consortium.id}/meetings/check"' in page
    assert f'data-meeting="{meeting.id}"' in page and "scheduling.js" in page


def test_the_new_meeting_form_starts_without_warnings(client, signed_in):
    page = text(client.get(f"/consortia/{signed_in.id}/meetings/new"))
    assert 'aria-live="polite" data-heading="Worth checking before you save (you can still save):"></div>' in page


# ---------------------------------------------------------------------------------------------
# The check the form's script asks


def test_the_check_answers_the_secretariat_in_json(client, signed_in):
    response = client.get(
        f"/consortia/{signed_in.id}/meetings/check?precision=minute&day=2026-11-23&start_time=10:00&end_time=12:00"
    )
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.get_json() == {
        "warnings": [{"kind": "holiday", "message": "Monday, 23 November 2026 (Reiwa 8) is a national holiday: 勤労感謝の日."}]
    }
    quiet = client.get(f"/consortia/{signed_in.id}/meetings/check?precision=day&day=2026-11-25")
    assert quiet.get_json() == {"warnings": []}


def test_the_check_leaves_out_the_meeting_being_edited(client, two_rosters, login, make_meeting):
    consortium, other, secretariat = two_rosters
    login(secretariat)
    ours = make_meeting(consortium, starts_at=at(WEDNESDAY, 10))
    url = f"/consortia/{consortium.id}/meetings/check?precision=minute&day=2026-11-25&start_time=10:30"
    assert [w["kind"] for w in client.get(url).get_json()["warnings"]] == ["clash"]
    assert client.get(f"{url}&meeting={ours.id}").get_json() == {"warnings": []}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("precision=minute&day=2026-11-31&start_time=10:00", "day"),
        ("precision=minute&day=2026-11-25", "start_time"),
        ("precision=minute&day=2026-11-25&start_time=10:00&end_time=09:00", "end_time"),
        ("precision=weekly&day=2026-11-25", "precision"),
        ("precision=day&day=2026-11-25&meeting=abc", "meeting"),
        ("", "day"),
    ],
)
def test_the_check_says_what_it_could_not_read(client, signed_in, query, field):
    response = client.get(f"/consortia/{signed_in.id}/meetings/check?{query}")
    assert response.status_code == 400
    assert field in response.get_json()["errors"]


def test_the_check_is_for_the_secretariat_only(client, login, office, make_consortium, make_user):
    consortium, _secretariat = office
    url = f"/consortia/{consortium.id}/meetings/check?precision=day&day=2026-11-23"
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]
    login(make_user({consortium: GrantRole.MEMBER}))
    assert client.get(url).status_code == 403
    login(make_user({make_consortium(): GrantRole.SECRETARIAT}))
    assert client.get(url).status_code == 403
    login(make_user(is_admin=True))
    assert client.get(url).status_code == 200
