"""Personal feeds at a private address, and the calendar links on meeting, consortium and list pages."""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from icalendar import Calendar

from consortium.japanese import tokyo_datetime
from consortium.models import AgendaItem, DatePrecision, GrantRole, MeetingStatus, User, Visibility
from conftest import fresh, text


def summaries(response) -> set[str]:
    assert response.status_code == 200, response.status_code
    return {str(e["SUMMARY"]) for e in Calendar.from_ical(response.data).walk("VEVENT")}


def feed_path(db, user: User) -> str:
    return f"/feeds/personal/{fresh(db, User, user.id).calendar_token}.ics"


@pytest.fixture()
def member(db, make_consortium, make_meeting, make_user):
    """A member of two consortia (one members-only, with a closed meeting) and a foreign consortium."""
    first = make_consortium(name="第一の会議体")
    second = make_consortium(name="第二の会議体", visibility=Visibility.MEMBERS)
    foreign = make_consortium(name="よその会議体")
    make_meeting(first, title="第一の会議")
    make_meeting(first, title="第一の非公開会議", is_public=False, online_url="https://meet.example.jp/first")
    closed = make_meeting(second, title="第二の会議")
    db.session.add(AgendaItem(meeting_id=closed.id, title="非公開の議題", position=1, is_public=False))
    db.session.commit()
    make_meeting(foreign, title="よその会議")
    make_meeting(foreign, title="よその非公開会議", is_public=False)
    return make_user({first: GrantRole.MEMBER, second: GrantRole.SECRETARIAT})


def test_a_user_creates_their_feed_address_and_subscribes(client, db, member, login, post, english):
    login(member)
    page = client.get("/feeds/mine")
    assert page.status_code == 200
    assert "Create my feed address" in text(page)
    response = post("/feeds/mine/address")
    assert response.status_code == 302 and response.headers["Location"].endswith("/feeds/mine")
    token = fresh(db, User, member.id).calendar_token
    assert token and len(token) >= 43
    page = text(client.get("/feeds/mine"))
    assert f'value="http://localhost/feeds/personal/{token}.ics"' in page
    assert f'href="webcal://localhost/feeds/personal/{token}.ics"' in page
    assert "It holds the meetings of the 2 consortia you belong to." in page


def test_the_personal_feed_holds_every_meeting_of_the_users_consortia_as_a_member_sees_it(client, db, member, login, post):
    login(member)
    post("/feeds/mine/address")
    anonymous = client.application.test_client()  # calendar apps send no cookie
    response = anonymous.get(feed_path(db, member))
    assert summaries(response) == {"第一の会議", "第一の非公開会議", "第二の会議"}
    calendar = Calendar.from_ical(response.data)
    descriptions = " ".join(str(e["DESCRIPTION"]) for e in calendar.walk("VEVENT"))
    assert "非公開の議題" in descriptions and "https://meet.example.jp/first" in descriptions
    assert "private" in response.headers["Cache-Control"]
    assert str(calendar["X-WR-CALNAME"])


def test_a_new_address_replaces_the_old_one(client, db, member, login, post):
    login(member)
    post("/feeds/mine/address")
    old = feed_path(db, member)
    post("/feeds/mine/address")
    new = feed_path(db, member)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_a_revoked_address_answers_404(client, db, member, login, post):
    login(member)
    post("/feeds/mine/address")
    path = feed_path(db, member)
    assert post("/feeds/mine/revoke").status_code == 302
    assert fresh(db, User, member.id).calendar_token is None
    assert client.get(path).status_code == 404
    assert client.get(path, headers={"If-None-Match": "*"}).status_code == 404


def test_an_inactive_users_address_answers_404(client, db, member):
    fresh(db, User, member.id).calendar_token = "inactive-address"
    fresh(db, User, member.id).active = False
    db.session.commit()
    assert client.get("/feeds/personal/inactive-address.ics").status_code == 404


def test_an_unknown_address_answers_404(client):
    assert client.get("/feeds/personal/nobody.ics").status_code == 404


def test_an_address_is_changed_only_with_the_forms_csrf_token(client, db, member, login, post):
    login(member)
    post("/feeds/mine/address")
    token = fresh(db, User, member.id).calendar_token
    post("/feeds/mine/address", csrf=False)
    post("/feeds/mine/revoke", csrf=False)
    assert fresh(db, User, member.id).calendar_token == token


def test_the_feed_page_is_kept_out_of_caches(client, member, login):
    login(member)
    assert client.get("/feeds/mine").headers["Cache-Control"] == "no-store"


def test_the_feed_page_is_for_signed_in_users(client):
    response = client.get("/feeds/mine")
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]


def test_a_lost_grant_takes_the_consortium_out_of_the_feed(client, db, member):
    from consortium.models import Grant

    fresh(db, User, member.id).calendar_token = "grant-address"
    db.session.commit()
    path = "/feeds/personal/grant-address.ics"
    etag = client.get(path).headers["ETag"]
    grant = db.session.query(Grant).filter_by(user_id=member.id, role=GrantRole.SECRETARIAT).one()
    db.session.delete(grant)
    db.session.commit()
    response = client.get(path, headers={"If-None-Match": etag})
    assert summaries(response) == {"第一の会議", "第一の非公開会議"}


def test_personal_feed_answers_conditional_gets(client, db, member):
    fresh(db, User, member.id).calendar_token = "conditional-address"
    db.session.commit()
    path = "/feeds/personal/conditional-address.ics"
    first = client.get(path)
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304


# ---------------------------------------------------------------------------------------------
# Links on pages


def google_link(html: str) -> dict[str, list[str]]:
    match = re.search(r'href="(https://calendar\.google\.com/calendar/render\?[^"]+)"', html)
    assert match, "no Google Calendar link"
    return parse_qs(urlsplit(unescape(match.group(1))).query)


def test_a_meeting_page_links_its_ics_google_calendar_and_a_subscription(client, db, make_consortium, make_meeting, english):
    consortium = make_consortium(name="地域SDGsコンソーシアム")
    meeting = make_meeting(
        consortium, number=3, title="推進会議", venue="長野県庁", room="講堂",
        starts_at=tokyo_datetime(2030, 5, 10, 10), ends_at=tokyo_datetime(2030, 5, 10, 12),
    )
    db.session.add_all([
        AgendaItem(meeting_id=meeting.id, label="(1)", title="開会", position=1),
        AgendaItem(meeting_id=meeting.id, label="(2)", title="人事案件", position=2, is_public=False),
    ])
    db.session.commit()
    html = text(client.get(f"/meetings/{meeting.id}"))
    assert f'href="/meetings/{meeting.id}.ics"' in html
    assert f'href="webcal://localhost/consortia/{consortium.id}/calendar.ics"' in html
    query = google_link(html)
    assert query["action"] == ["TEMPLATE"]
    assert query["text"] == ["第3回 推進会議"]
    assert query["dates"] == ["20300510T100000/20300510T120000"]
    assert query["ctz"] == ["Asia/Tokyo"]
    assert query["location"] == ["長野県庁 講堂"]
    details = query["details"][0]
    assert "(1) 開会" in details and "人事案件" not in details
    assert details.endswith(f"http://localhost/meetings/{meeting.id}")


def test_google_gets_whole_days_for_a_meeting_known_by_its_date(client, make_consortium, make_meeting):
    meeting = make_meeting(make_consortium(), precision=DatePrecision.DAY, starts_at=tokyo_datetime(2030, 5, 29), ends_at=None)
    assert google_link(text(client.get(f"/meetings/{meeting.id}")))["dates"] == ["20300529/20300530"]


def test_a_cancelled_meeting_offers_no_google_calendar_link(client, make_consortium, make_meeting):
    meeting = make_meeting(make_consortium(), status=MeetingStatus.CANCELLED)
    html = text(client.get(f"/meetings/{meeting.id}"))
    assert "calendar.google.com" not in html
    assert f'href="/meetings/{meeting.id}.ics"' in html


def test_members_only_consortia_offer_no_subscription_but_the_personal_feed(client, make_consortium, make_meeting, make_user, login, english):
    consortium = make_consortium(visibility=Visibility.MEMBERS)
    meeting = make_meeting(consortium)
    login(make_user({consortium: GrantRole.MEMBER}))
    meeting_page = text(client.get(f"/meetings/{meeting.id}"))
    consortium_page = text(client.get(f"/consortia/{consortium.id}"))
    for html in (meeting_page, consortium_page):
        assert "webcal://" not in html
        assert 'href="/feeds/mine"' in html
    assert f'href="/consortia/{consortium.id}/calendar.ics"' in consortium_page
    assert "Calendar apps cannot sign in" in consortium_page


def test_a_public_consortium_page_offers_subscription_and_download(client, make_consortium, english):
    consortium = make_consortium()
    html = text(client.get(f"/consortia/{consortium.id}"))
    assert f'href="webcal://localhost/consortia/{consortium.id}/calendar.ics"' in html
    assert f'href="/consortia/{consortium.id}/calendar.ics"' in html
    assert "/feeds/mine" not in html  # anonymous visitors have no feed of their own


def test_the_meetings_list_links_the_public_feed(client):
    html = text(client.get("/meetings/"))
    assert 'href="webcal://localhost/meetings/calendar.ics"' in html
    assert 'href="/meetings/calendar.ics"' in html


def test_meeting_page_queries_stay_as_they_were(client, db, make_consortium, make_meeting, count_queries):
    """The calendar links use what the page already loaded."""
    def queries_for(n: int) -> int:
        meeting = make_meeting(make_consortium())
        for i in range(n):
            db.session.add(AgendaItem(meeting_id=meeting.id, title=f"議題{i}", position=i))
        db.session.commit()
        with count_queries() as statements:
            assert client.get(f"/meetings/{meeting.id}").status_code == 200
        return len(statements)

    assert queries_for(1) == queries_for(30)
