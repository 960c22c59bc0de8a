"""Calendar pages: month and list views with Japanese national holidays, per consortium and per user."""
from __future__ import annotations

import re
from datetime import date

import pytest

from consortium.calendar import views as calendar_views
from consortium.calendar.holidays import holiday_name, holidays_between
from consortium.calendar.month import parse_month
from consortium.japanese import tokyo_datetime
from consortium.models import DatePrecision, GrantRole, MeetingStatus, Visibility
from conftest import text

pytestmark = pytest.mark.usefixtures("english")


def cell(html: str, day: str) -> str:
    """The month grid's cell of a day (2026-11-23), opening tag included."""
    match = re.search(rf'<td class="[^"]*"[^>]*>\s*<div class="date">\s*<time datetime="{day}">.*?</td>', html, re.S)
    assert match, f"no cell for {day}"
    return match.group(0)


def classes(html: str, day: str) -> set[str]:
    return set(re.match(r'<td class="([^"]*)"', cell(html, day)).group(1).split())


@pytest.fixture()
def today(monkeypatch):
    """Fix the calendar's today (Japan time) at 10 November 2026."""
    monkeypatch.setattr(calendar_views, "today_tokyo", lambda: date(2026, 11, 10))
    return date(2026, 11, 10)


# ---------------------------------------------------------------------------------------------
# Holidays and months


def test_holidays_are_named_as_the_law_names_them():
    assert holiday_name(date(2026, 11, 23)) == "勤労感謝の日"
    assert "振替休日" in holiday_name(date(2026, 5, 6))  # 憲法記念日 fell on a Sunday
    assert holiday_name(date(2026, 9, 22)) == "国民の休日"  # between 敬老の日 and 秋分の日
    assert holiday_name(date(2026, 11, 24)) is None
    assert holidays_between(date(2026, 9, 1), date(2026, 9, 30)) == {
        date(2026, 9, 21): "敬老の日",
        date(2026, 9, 22): "国民の休日",
        date(2026, 9, 23): "秋分の日",
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11", date(2026, 11, 1)),
        ("1873-01", date(1873, 1, 1)),
        ("2100-12", date(2100, 12, 1)),
        ("2026-13", None),
        ("2026-00", None),
        ("2026-1", None),
        ("２０２６-11", None),
        ("1872-12", None),
        ("2101-01", None),
        ("2026-11-01", None),
        ("", None),
    ],
)
def test_months_are_read_only_as_yyyy_mm_within_the_years_the_site_prints(raw, expected):
    assert parse_month(raw) == expected


# ---------------------------------------------------------------------------------------------
# The month view


def test_month_view_marks_holidays_weekends_and_today(client, make_consortium, today):
    consortium = make_consortium()
    html = text(client.get(f"/consortia/{consortium.id}/calendar?month=2026-11"))
    assert "holiday" in classes(html, "2026-11-23") and "勤労感謝の日" in cell(html, "2026-11-23")
    assert "holiday" in classes(html, "2026-11-03") and "文化の日" in cell(html, "2026-11-03")
    assert "sunday" in classes(html, "2026-11-01") and "saturday" in classes(html, "2026-11-07")
    assert not classes(html, "2026-11-24") & {"holiday", "sunday", "saturday"}
    assert 'aria-current="date"' in cell(html, "2026-11-10")
    assert html.count('aria-current="date"') == 1
    assert re.search(r"<caption>Meetings in November 2026 \(Reiwa 8\)</caption>", html)
    assert html.count('<th scope="col"') == 7 and '<th scope="col" class="sunday">Sunday</th>' in html


@pytest.mark.parametrize(
    ("month", "day", "name"),
    [("2026-05", "2026-05-06", "振替休日"), ("2026-09", "2026-09-22", "国民の休日")],
)
def test_substitute_and_citizens_holidays_are_marked(client, make_consortium, month, day, name):
    consortium = make_consortium()
    html = text(client.get(f"/consortia/{consortium.id}/calendar?month={month}"))
    assert "holiday" in classes(html, day) and name in cell(html, day)
    listed = text(client.get(f"/consortia/{consortium.id}/calendar?month={month}&view=list"))
    assert name in listed


def test_meetings_show_their_tokyo_time_status_and_precision(client, make_consortium, make_meeting):
    consortium = make_consortium()
    held = make_meeting(
        consortium, title="第1回 推進会議", starts_at=tokyo_datetime(2026, 11, 5, 10), ends_at=tokyo_datetime(2026, 11, 5, 12)
    )
    cancelled = make_meeting(
        consortium, title="中止の会", status=MeetingStatus.CANCELLED, starts_at=tokyo_datetime(2026, 11, 12, 14)
    )
    tentative = make_meeting(
        consortium, title="仮の会", status=MeetingStatus.TENTATIVE, starts_at=tokyo_datetime(2026, 11, 19, 9)
    )
    make_meeting(
        consortium, title="日付だけの会", precision=DatePrecision.DAY, starts_at=tokyo_datetime(2026, 11, 25), ends_at=None
    )
    make_meeting(
        consortium, title="11月中のいつか", precision=DatePrecision.MONTH, starts_at=tokyo_datetime(2026, 11, 1), ends_at=None
    )
    # 23:30 in Tokyo is still the 30th there, though the 30th's afternoon in UTC; 00:30 on 1 December is December.
    make_meeting(consortium, title="夜の会", starts_at=tokyo_datetime(2026, 11, 30, 23, 30), ends_at=None)
    make_meeting(consortium, title="師走の会", starts_at=tokyo_datetime(2026, 12, 1, 0, 30), ends_at=None)

    html = text(client.get(f"/consortia/{consortium.id}/calendar?month=2026-11"))
    first = cell(html, "2026-11-05")
    assert "10:00" in first and "12:00" in first and f'href="/meetings/{held.id}"' in first
    assert "第1回 推進会議" in first
    assert 'class="meeting cancelled"' in cell(html, "2026-11-12") and "Cancelled" in cell(html, "2026-11-12")
    assert f'href="/meetings/{cancelled.id}"' in cell(html, "2026-11-12")
    assert 'class="meeting tentative"' in cell(html, "2026-11-19") and "Tentative" in cell(html, "2026-11-19")
    assert f'href="/meetings/{tentative.id}"' in cell(html, "2026-11-19")
    assert "日付だけの会" in cell(html, "2026-11-25") and "time not fixed" in cell(html, "2026-11-25")
    assert "11月中のいつか" not in cell(html, "2026-11-01")
    unfixed = re.search(r'<tr class="unfixed">.*?</tr>', html, re.S).group(0)
    assert "Date not fixed" in unfixed and "11月中のいつか" in unfixed
    assert "夜の会" in cell(html, "2026-11-30") and "23:30" in cell(html, "2026-11-30")
    assert "師走の会" not in html
    assert "師走の会" in text(client.get(f"/consortia/{consortium.id}/calendar?month=2026-12"))


def test_a_meeting_time_is_given_to_machines_to_the_second(client, make_consortium, make_meeting):
    # HTML's <time datetime> takes at most milliseconds; a time typed nowhere (a script, the demo) may hold more.
    consortium = make_consortium()
    make_meeting(consortium, starts_at=tokyo_datetime(2026, 11, 5, 10).replace(microsecond=123456), ends_at=None)
    html = text(client.get(f"/consortia/{consortium.id}/calendar?month=2026-11"))
    assert '<time datetime="2026-11-05T01:00:00+00:00">10:00</time>' in html


def test_month_links_lead_to_the_months_around_and_keep_the_view(client, make_consortium):
    consortium = make_consortium()
    base = f"/consortia/{consortium.id}/calendar"
    html = text(client.get(f"{base}?month=2026-01"))
    assert f'href="{base}?month=2025-12" rel="prev"' in html and f'href="{base}?month=2026-02" rel="next"' in html
    listed = text(client.get(f"{base}?month=2026-01&view=list"))
    assert f'href="{base}?month=2025-12&amp;view=list" rel="prev"' in listed
    assert 'rel="prev"' not in text(client.get(f"{base}?month=1873-01"))
    assert 'rel="next"' not in text(client.get(f"{base}?month=2100-12"))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("month=2026-13", "The calendar shows months written like 2026-11"),
        ("month=<script>", "The calendar shows months written like 2026-11"),
        ("view=grid", "The calendar has a month view and a list view"),
    ],
)
def test_a_bad_month_or_view_answers_400_with_this_months_grid_and_says_why(client, make_consortium, today, query, message):
    consortium = make_consortium()
    response = client.get(f"/consortia/{consortium.id}/calendar?{query}")
    assert response.status_code == 400
    html = text(response)
    assert message in html and 'role="alert"' in html
    assert "<caption>Meetings in November 2026 (Reiwa 8)</caption>" in html
    assert "<script>" not in html


def test_the_page_says_who_may_see_it(client, make_consortium):
    public, private = make_consortium(), make_consortium(visibility=Visibility.MEMBERS)
    assert "Who may see this page: everyone (public)." in text(client.get(f"/consortia/{public.id}/calendar"))
    assert client.get(f"/consortia/{private.id}/calendar").status_code == 404


# ---------------------------------------------------------------------------------------------
# Who sees what


def test_closed_meetings_are_for_members_only(client, login, make_consortium, make_meeting, make_user):
    consortium = make_consortium()
    make_meeting(consortium, title="公開の会", starts_at=tokyo_datetime(2026, 11, 5, 10))
    make_meeting(consortium, title="非公開の会", is_public=False, starts_at=tokyo_datetime(2026, 11, 6, 10))
    outsider = make_user({make_consortium(): GrantRole.SECRETARIAT})
    member = make_user({consortium: GrantRole.MEMBER})
    url = f"/consortia/{consortium.id}/calendar?month=2026-11"
    for view in ("", "&view=list"):
        html = text(client.get(url + view))
        assert "公開の会" in html and "非公開の会" not in html
    login(outsider)
    assert "非公開の会" not in text(client.get(url)) and "非公開の会" not in text(client.get(url + "&view=list"))
    login(member)
    html = text(client.get(url))
    assert "非公開の会" in cell(html, "2026-11-06") and "Closed" in cell(html, "2026-11-06")
    assert "Closed meetings, marked as such, are shown to members only." in html


def test_my_calendar_holds_every_consortium_i_belong_to_and_no_other(
    client, login, make_consortium, make_meeting, make_user
):
    first = make_consortium(name="第一協議会", short_name="第一")
    second = make_consortium(name="第二推進会議", visibility=Visibility.MEMBERS)
    other = make_consortium(name="よその協議会")
    make_meeting(first, title="第一の会", starts_at=tokyo_datetime(2026, 11, 5, 10))
    make_meeting(second, title="第二の非公開会", is_public=False, starts_at=tokyo_datetime(2026, 11, 5, 14))
    make_meeting(other, title="よその会", starts_at=tokyo_datetime(2026, 11, 5, 16))
    user = make_user({first: GrantRole.MEMBER, second: GrantRole.SECRETARIAT})

    response = client.get("/calendar?month=2026-11")
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]
    login(user)
    html = text(client.get("/calendar?month=2026-11"))
    day = cell(html, "2026-11-05")
    assert "第一の会" in day and "第二の非公開会" in day and "よその会" not in html
    assert '<span class="consortium">第一</span>' in day and '<span class="consortium">第二推進会議</span>' in day
    assert "Who may see this page: you, once signed in." in html
    listed = text(client.get("/calendar?month=2026-11&view=list"))
    assert "第一の会" in listed and "第二の非公開会" in listed and "よその会" not in listed


def test_my_calendar_says_so_when_i_belong_nowhere(client, login, make_user):
    login(make_user())
    assert "You do not belong to any consortium yet" in text(client.get("/calendar"))


def test_the_calendar_is_linked_from_the_consortium_page_and_the_menu(client, login, make_consortium, make_user):
    consortium = make_consortium()
    page = text(client.get(f"/consortia/{consortium.id}"))
    assert f'href="/consortia/{consortium.id}/calendar"' in page
    assert 'href="/calendar"' not in page  # the menu's link is for signed-in users
    login(make_user())
    assert 'href="/calendar"' in text(client.get("/"))
    assert 'href="/calendar" aria-current="page"' in text(client.get("/calendar"))


# ---------------------------------------------------------------------------------------------
# The list view


def test_list_view_groups_a_months_meetings_by_day_and_lists_its_holidays(client, make_consortium, make_meeting, today):
    consortium = make_consortium()
    make_meeting(consortium, title="祝日の会", starts_at=tokyo_datetime(2026, 11, 23, 13))
    make_meeting(consortium, title="今日の会", starts_at=tokyo_datetime(2026, 11, 10, 13))
    make_meeting(
        consortium, title="いつかの会", precision=DatePrecision.MONTH, starts_at=tokyo_datetime(2026, 11, 1), ends_at=None
    )
    html = text(client.get(f"/consortia/{consortium.id}/calendar?month=2026-11&view=list"))
    holidays = re.search(r'<ul class="holidays">.*?</ul>', html, re.S).group(0)
    assert "文化の日" in holidays and "勤労感謝の日" in holidays
    days = re.findall(r'<li class="day[^"]*"[^>]*>\s*<h3>(.*?)</h3>', html, re.S)
    assert len(days) == 3
    assert "10 November 2026" in days[0] and "Today" in days[0]
    assert "23 November 2026" in days[1] and "勤労感謝の日" in days[1]
    assert "Date not fixed" in days[2]
    assert html.index("今日の会") < html.index("祝日の会") < html.index("いつかの会")
    assert re.search(r'<li class="day holiday"[^>]*>\s*<h3><time datetime="2026-11-23">', html)


def test_list_view_paginates(client, app, make_consortium, make_meeting):
    consortium = make_consortium()
    per_page = app.config["PER_PAGE"]
    for n in range(per_page + 5):
        make_meeting(consortium, title=f"会議{n:02d}番", starts_at=tokyo_datetime(2026, 11, 1 + n % 28, 9 + n // 28))
    url = f"/consortia/{consortium.id}/calendar?month=2026-11&view=list"
    first, second = text(client.get(url)), text(client.get(url + "&page=2"))
    assert first.count('<li class="meeting') == per_page and second.count('<li class="meeting') == 5
    assert 'aria-label="Calendar pages"' in first and "Page 1 of 2" in first
    assert 'rel="next"' in first and "page=2" in first
    assert client.get(url + "&page=0").status_code == 400


# ---------------------------------------------------------------------------------------------
# Queries


@pytest.mark.parametrize("view", ["month", "list"])
def test_calendar_query_count_does_not_grow_with_the_meetings(
    client, login, make_consortium, make_meeting, make_user, count_queries, view
):
    def queries_for(n: int) -> tuple[int, int]:
        consortium = make_consortium()
        for i in range(n):
            make_meeting(consortium, starts_at=tokyo_datetime(2026, 11, 1 + i % 28, 10))
        user = make_user({consortium: GrantRole.MEMBER})
        login(user)
        counts = []
        for url in (f"/consortia/{consortium.id}/calendar", "/calendar"):
            with count_queries() as statements:
                assert client.get(f"{url}?month=2026-11&view={view}").status_code == 200
            counts.append(len(statements))
        return tuple(counts)

    small, large = queries_for(2), queries_for(40)
    # 40 meetings fill more than a page of the list, whose paginator then counts them: once.
    extra = 1 if view == "list" else 0
    assert large == tuple(n + extra for n in small)
    assert max(large) <= 5  # the user, their grants, the consortium, the meetings (and their count)
