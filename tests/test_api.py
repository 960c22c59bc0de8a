"""The JSON API: a partner mirrors the demo through it, tokens act as their users, lists page by
cursor in a fixed number of queries, answers carry ETags, and nothing private leaks."""
from __future__ import annotations

import io
import json
import re

import pytest
import sqlalchemy as sa

from consortium.models import (
    AgendaItem,
    ApiToken,
    Consortium,
    Document,
    DocumentAccess,
    GrantRole,
    Meeting,
    Membership,
    Minutes,
    MinutesStatus,
    Person,
    TokenScope,
    Visibility,
)
from consortium.models.base import utcnow
from consortium.tokens import services as tokens
from conftest import fresh, text
from planted import material, planted  # noqa: F401  (a fixture)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def token_for(db, user, scope=TokenScope.READ, consortium_id=None) -> str:
    _row, token = tokens.issue(user, "テスト用", scope, consortium_id)
    db.session.commit()
    return token


def every_row(client, url: str, headers=None, **args) -> list[dict]:
    """Every row of a list, page after page by its cursor."""
    rows, query = [], {"limit": 7, **args}
    while True:
        response = client.get(url, query_string=query, headers=headers or {})
        assert response.status_code == 200, (url, response.status_code, text(response))
        page = response.get_json()
        rows += page["items"]
        if page["next"] is None:
            return rows
        query = {**query, "after": page["next"]}


# ---------------------------------------------------------------------------------------------
# A partner mirrors the demo


def test_a_partner_mirrors_every_public_consortium_roster_meeting_and_minutes_of_the_demo(client, db, demo):
    consortia = every_row(client, "/api/v1/consortia")
    public = db.session.execute(sa.select(Consortium.id).where(Consortium.visibility == Visibility.PUBLIC)).scalars().all()
    assert sorted(c["id"] for c in consortia) == sorted(public) and len(public) >= 5

    events = every_row(client, "/api/v1/events")
    shown = sa.select(Meeting.id).join(Meeting.consortium).where(Meeting.is_public, Consortium.visibility == Visibility.PUBLIC)
    assert sorted(e["id"] for e in events) == sorted(db.session.execute(shown).scalars())
    with_agenda = [e for e in events if e["agenda"]]
    assert with_agenda and all(item["title"] for e in with_agenda for item in e["agenda"])
    materials = [m for e in events for m in e["materials"]]
    assert materials, "the demo's materials are listed"
    with client.get(materials[0]["download_url"]) as download:
        assert download.status_code == 200 and download.data

    roster = every_row(client, "/api/v1/memberships")
    seats = {m["consortium_id"] for m in roster}
    assert seats <= set(public) and len(roster) > 50
    assert any(m["description"] for m in roster), "連携概要 of the Keidanren partners"

    minutes = every_row(client, "/api/v1/minutes")
    published = sa.select(Minutes.id).join(Minutes.meeting).join(Meeting.consortium).where(
        Minutes.status == MinutesStatus.PUBLISHED, Meeting.is_public, Consortium.visibility == Visibility.PUBLIC
    )
    assert len(minutes) == len(db.session.execute(published).all()) > 0
    assert all(not m["full"] for m in minutes), "the public gets the summary"
    one = minutes[0]
    assert client.get(f"/api/v1/events/{one['event_id']}/minutes").get_json()["points"] == one["points"]


def test_the_consortium_shows_its_hosts_secretariat_children_and_targets(client, db, demo):
    consortia = every_row(client, "/api/v1/consortia")
    detailed = [client.get(f"/api/v1/consortia/{c['id']}").get_json() for c in consortia]
    assert any(d["hosts"] for d in detailed) and any(d["secretariat"] for d in detailed)
    assert any(d["children"] for d in detailed), "a programme lists its platforms"
    with_reports = [t for d in detailed for t in d["targets"] if t["reports"]]
    assert with_reports and all(re.fullmatch(r"-?\d+(\.\d+)?", r["value"]) for t in with_reports for r in t["reports"])


def test_a_partner_resyncs_what_changed_since_and_gets_304_for_what_it_has(client, db, make_consortium, make_meeting):
    council = make_consortium(name="同期テスト協議会")
    old = make_meeting(council, title="前からの会議")
    since = utcnow()
    response = client.get("/api/v1/events", query_string={"consortium": council.id})
    etag = response.headers["ETag"]
    again = client.get("/api/v1/events", query_string={"consortium": council.id}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""

    old.venue = "区役所 第1会議室"
    db.session.commit()
    changed = client.get("/api/v1/events", query_string={"updated_since": since.isoformat(), "consortium": council.id})
    assert [e["location"]["name"] for e in changed.get_json()["items"]] == ["区役所 第1会議室"]
    after_edit = client.get("/api/v1/events", query_string={"consortium": council.id}, headers={"If-None-Match": etag})
    assert after_edit.status_code == 200 and after_edit.headers["ETag"] != etag


# ---------------------------------------------------------------------------------------------
# Tokens


def test_a_user_makes_a_token_that_is_shown_once_and_kept_only_as_a_hash(client, db, login, post, make_user):
    user = make_user()
    login(user)
    created = post("/account/tokens", {"name": "区のウェブサイト", "scope": "read"})
    assert created.status_code == 302
    page = text(client.get("/account/tokens"))
    token = re.search(r'id="new-token" type="text" readonly value="([^"]+)"', page).group(1)
    row = db.session.execute(sa.select(ApiToken)).scalar_one()
    assert row.name == "区のウェブサイト" and row.user_id == user.id
    assert token not in json.dumps([row.digest, row.prefix]) and row.digest == tokens.digest(token)
    listed = text(client.get("/account/tokens"))
    assert "区のウェブサイト" in listed and token not in listed and row.prefix in listed


def test_only_a_secretariat_may_make_a_token_that_writes(client, db, login, post, make_user, english):
    login(make_user())
    page = post("/account/tokens", {"name": "書き込み", "scope": "write"})
    assert page.status_code == 422 and "Only a consortium's secretariat can write" in text(page)
    assert db.session.execute(sa.select(ApiToken)).first() is None


def test_a_revoked_token_gets_401_at_once(client, db, login, post, office):
    _consortium, user = office
    token = token_for(db, user)
    assert client.get("/api/v1/consortia", headers=bearer(token)).status_code == 200
    login(user)
    row = db.session.execute(sa.select(ApiToken)).scalar_one()
    post(f"/account/tokens/{row.id}/revoke")
    answer = client.get("/api/v1/consortia", headers=bearer(token))
    assert answer.status_code == 401 and answer.get_json()["code"] == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_administrator_revokes_anyones_token_and_no_one_else_can(client, db, login, post, make_user, admin):
    owner, stranger = make_user(), make_user()
    token = token_for(db, owner)
    row = db.session.execute(sa.select(ApiToken)).scalar_one()
    login(stranger)
    assert post(f"/account/tokens/{row.id}/revoke").status_code == 404
    post("/accounts/logout")
    login(admin)
    assert row.name in text(client.get("/admin/tokens"))
    post(f"/account/tokens/{row.id}/revoke")
    assert client.get("/api/v1/consortia", headers=bearer(token)).status_code == 401


def test_a_wrong_or_malformed_token_gets_401_in_the_callers_language(client):
    wrong = client.get("/api/v1/consortia", headers={**bearer("csm_nothing"), "Accept-Language": "ja"})
    assert wrong.status_code == 401 and "トークン" in wrong.get_json()["message"]
    malformed = client.get("/api/v1/consortia", headers={"Authorization": "Basic abc", "Accept-Language": "en"})
    assert malformed.status_code == 401 and "Bearer" in malformed.get_json()["message"]


def test_a_token_is_limited_in_requests(client, db, app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "API_TOKEN_LIMITS", "3 per minute")
    token = token_for(db, make_user())
    answers = [client.get("/api/v1/consortia", headers=bearer(token)).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert client.get("/api/v1/consortia").status_code == 200, "anonymous callers are not this token"


def test_a_session_cookie_does_not_reach_the_api(client, db, login, make_consortium, make_user):
    body = make_consortium(name="部会（会員限定）", visibility=Visibility.MEMBERS)
    user = make_user({body: GrantRole.MEMBER})
    login(user)
    names = [c["name"] for c in every_row(client, "/api/v1/consortia")]
    assert "部会（会員限定）" not in names
    names = [c["name"] for c in every_row(client, "/api/v1/consortia", headers=bearer(token_for(db, user)))]
    assert "部会（会員限定）" in names


# ---------------------------------------------------------------------------------------------
# Lists


def _meetings_with_agenda_and_materials(db, make_meeting, consortium, n: int) -> None:
    for i in range(n):
        meeting = make_meeting(consortium, title=f"計測会議{i}")
        db.session.add_all([
            AgendaItem(meeting=meeting, title="開会", position=1),
            AgendaItem(meeting=meeting, title="議事", position=2),
            material(meeting, f"資料{i}"),
            material(meeting, f"会員資料{i}", access=DocumentAccess.MEMBERS),
        ])
    db.session.commit()


@pytest.mark.parametrize("url", ["/api/v1/events", "/api/v1/memberships", "/api/v1/people", "/api/v1/organizations", "/api/v1/consortia"])
def test_a_list_costs_the_same_queries_for_5_rows_as_for_40(client, db, make_consortium, make_meeting, make_member, make_organization, count_queries, url):
    council = make_consortium()
    _meetings_with_agenda_and_materials(db, make_meeting, council, 40)
    for i in range(40):
        make_member(council, organization=make_organization(), description=f"概要{i}")
        make_member(council, description=f"個人{i}")
        make_consortium(parent=council)
    with count_queries() as few:
        assert len(client.get(url, query_string={"limit": 5}).get_json()["items"]) == 5
    with count_queries() as many:
        assert len(client.get(url, query_string={"limit": 40}).get_json()["items"]) == 40
    assert len(many) == len(few) <= 8


def test_pages_by_cursor_neither_skip_nor_repeat_rows_added_meanwhile(client, db, make_consortium, make_organization):
    for i in range(5):
        make_organization(name=f"団体{i}")
    first = client.get("/api/v1/organizations", query_string={"limit": 3}).get_json()
    make_organization(name="途中で加わった団体")
    rest = every_row(client, "/api/v1/organizations", after=first["next"])
    names = [o["name"] for o in first["items"] + rest]
    assert names == [f"団体{i}" for i in range(5)] + ["途中で加わった団体"]


@pytest.mark.parametrize(
    "query, field",
    [({"limit": 0}, "limit"), ({"limit": 201}, "limit"), ({"updated_since": "yesterday"}, "updated_since"),
     ({"fiscal_year": "R8"}, "fiscal_year"), ({"start": "2026-13-01"}, "start")],
)
def test_bad_list_arguments_get_422_naming_the_field(client, query, field):
    answer = client.get("/api/v1/events", query_string=query)
    assert answer.status_code == 422 and field in answer.get_json()["errors"]["query"]


def test_a_damaged_cursor_gets_400_as_json(client):
    answer = client.get("/api/v1/events", query_string={"after": "not-a-cursor"})
    assert answer.status_code == 400 and answer.is_json and answer.get_json()["message"]


def test_events_filter_by_fiscal_year_and_days_in_japan(client, db, make_consortium, make_meeting):
    from consortium.japanese import tokyo_datetime

    council = make_consortium()
    make_meeting(council, title="3月31日の会議", starts_at=tokyo_datetime(2027, 3, 31, 23, 30))
    make_meeting(council, title="4月1日の会議", starts_at=tokyo_datetime(2027, 4, 1, 0, 30))
    fy2026 = client.get("/api/v1/events", query_string={"fiscal_year": 2026, "consortium": council.id}).get_json()
    assert [e["name"] for e in fy2026["items"]] == ["3月31日の会議"]
    day = client.get("/api/v1/events", query_string={"start": "2027-04-01", "end": "2027-04-01"}).get_json()
    assert [e["name"] for e in day["items"]] == ["4月1日の会議"]


def test_an_unknown_address_under_the_api_answers_json(client):
    answer = client.get("/api/v1/nothing-here")
    assert answer.status_code == 404 and answer.is_json


# ---------------------------------------------------------------------------------------------
# Nothing private leaks


def _everything(client, headers) -> str:
    """All the API answers a caller gets: every list whole, every meeting and its minutes."""
    seen = []
    for url in ("/api/v1/consortia", "/api/v1/memberships", "/api/v1/organizations", "/api/v1/people",
                "/api/v1/events", "/api/v1/minutes"):
        rows = every_row(client, url, headers)
        seen.append(json.dumps(rows, ensure_ascii=False))
        if url == "/api/v1/consortia":
            seen += [text(client.get(f"/api/v1/consortia/{c['id']}", headers=headers)) for c in rows]
        if url == "/api/v1/people":
            seen += [text(client.get(f"/api/v1/people/{p['id']}", headers=headers)) for p in rows]
    return "\n".join(seen)


# What the API leaves out for everyone: drafts (only published minutes), a material's inner text.
NEVER_IN_THE_API = {"ＰＷ１４", "ＰＷ１５", "ＰＷ１９"}


def test_the_api_shows_each_viewer_exactly_what_the_pages_do(client, db, planted):
    places, viewers = planted
    wrong = {}
    for name, user in viewers.items():
        headers = bearer(token_for(db, user)) if user is not None else {}
        seen = _everything(client, headers).casefold()
        for word, entitled in places.items():
            expected = name in entitled and word not in NEVER_IN_THE_API
            if (word.casefold() in seen) != expected:
                wrong[(word, name)] = not expected
    assert wrong == {}, f"(word, viewer): found? — against the pages' rules: {wrong}"


def test_private_materials_and_meetings_answer_404_not_403(client, db, planted):
    members_only = db.session.execute(sa.select(Document).where(Document.access == DocumentAccess.MEMBERS)).scalars().first()
    closed = db.session.execute(sa.select(Meeting).where(Meeting.is_public.is_(False))).scalars().first()
    assert client.get(f"/api/v1/materials/{members_only.id}/file").status_code == 404
    assert client.get(f"/api/v1/events/{closed.id}").status_code == 404
    assert client.get(f"/api/v1/events/{closed.id}/minutes").status_code == 404


def test_a_former_seats_partnership_is_for_its_secretariat(client, db, planted):
    former = db.session.execute(sa.select(Membership).where(Membership.term_end.is_not(None))).scalar_one()
    rows = every_row(client, "/api/v1/memberships", consortium=former.consortium_id)
    shown = next(m for m in rows if m["id"] == former.id)
    assert shown["end_date"] == former.term_end.isoformat() and shown["description"] is None


# ---------------------------------------------------------------------------------------------
# The document and the reference


def test_the_openapi_document_is_3_1_and_names_the_popolo_shapes(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    assert {"Organization", "Person", "Membership", "Event", "Minutes"} <= set(spec["components"]["schemas"])
    assert spec["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_the_reference_page_lists_every_operation_from_the_app_itself(client):
    page = text(client.get("/api/v1/"))
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in spec["paths"]:
        assert path in page
    assert not re.search(r'<script[^>]+src="https?://', page)


# ---------------------------------------------------------------------------------------------
# Secretariats write through the API


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _new_meeting(consortium, **more) -> dict:
    return {"consortium_id": consortium.id, "title": "第7回 推進会議", "day": "2027-05-20",
            "start_time": "14:00", "end_time": "16:00", "venue": "区役所", **more}


def test_a_secretariats_token_creates_a_meeting_with_agenda_and_materials(client, db, office, upload_folder):
    from consortium.models import AuditEvent

    consortium, user = office
    headers = bearer(token_for(db, user, TokenScope.WRITE))
    created = client.post("/api/v1/events", json=_new_meeting(consortium, agenda="開会\n議事\n　(1) 報告\n閉会"), headers=headers)
    assert created.status_code == 201, text(created)
    event = created.get_json()
    assert [i["title"] for i in event["agenda"]] == ["開会", "議事", "閉会"]
    assert [c["title"] for c in event["agenda"][1]["children"]] == ["報告"]
    assert event["start_date"].startswith("2027-05-20T05:00:00")  # 14:00 in Japan

    item = client.post(f"/api/v1/events/{event['id']}/agenda-items", json={"title": "その他", "duration_minutes": 10}, headers=headers)
    assert item.status_code == 201 and item.get_json()["duration_minutes"] == 10
    upload = client.post(
        f"/api/v1/events/{event['id']}/materials",
        data={"title": "産業ビジョン骨子案", "label": "資料1", "file": (io.BytesIO(PDF), "資料1.pdf")},
        headers=headers, content_type="multipart/form-data",
    )
    assert upload.status_code == 201, text(upload)
    assert upload.get_json()["media_type"] == "application/pdf"

    public = client.get(f"/api/v1/events/{event['id']}").get_json()
    assert [m["title"] for m in public["materials"]] == ["産業ビジョン骨子案"]
    assert [i["title"] for i in public["agenda"]][-1] == "その他"
    logged = db.session.execute(sa.select(AuditEvent.entity_type, AuditEvent.user_id).where(AuditEvent.action == "create")).all()
    assert {("Meeting", user.id), ("AgendaItem", user.id), ("Document", user.id)} <= set(logged)


def test_a_members_token_cannot_write_and_a_revoked_one_gets_401(client, db, make_consortium, make_user, office):
    consortium, secretariat = office
    member = make_user({consortium: GrantRole.MEMBER})
    read_only = client.post("/api/v1/events", json=_new_meeting(consortium), headers=bearer(token_for(db, member)))
    assert read_only.status_code == 403
    forged = client.post("/api/v1/events", json=_new_meeting(consortium), headers=bearer(token_for(db, member, TokenScope.WRITE)))
    assert forged.status_code == 403, "a write token is no more than its user"
    elsewhere = token_for(db, secretariat, TokenScope.WRITE, consortium_id=make_consortium().id)
    assert client.post("/api/v1/events", json=_new_meeting(consortium), headers=bearer(elsewhere)).status_code == 403
    token = token_for(db, secretariat, TokenScope.WRITE)
    tokens.revoke(db.session.execute(sa.select(ApiToken).order_by(ApiToken.id.desc())).scalars().first())
    db.session.commit()
    assert client.post("/api/v1/events", json=_new_meeting(consortium), headers=bearer(token)).status_code == 401
    assert db.session.execute(sa.select(Meeting)).first() is None


def test_a_stale_update_is_refused_with_409_and_what_is_stored_now(client, db, office, make_meeting):
    consortium, user = office
    meeting = make_meeting(consortium, title="第1回 会議")
    headers = bearer(token_for(db, user, TokenScope.WRITE))
    read = client.get(f"/api/v1/events/{meeting.id}", headers=headers).get_json()
    first = client.patch(f"/api/v1/events/{meeting.id}", json={"version": read["version"], "venue": "第1会議室"}, headers=headers)
    assert first.status_code == 200 and first.get_json()["location"]["name"] == "第1会議室"
    stale = client.patch(f"/api/v1/events/{meeting.id}", json={"version": read["version"], "venue": "大会議室"}, headers=headers)
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["current"]["version"] == read["version"] + 1 and body["current"]["location"]["name"] == "第1会議室"
    assert fresh(db, Meeting, meeting.id).venue == "第1会議室"
    assert first.get_json()["name"] == "第1回 会議", "what the body leaves out is kept"


def test_bad_input_gets_422_field_by_field_in_the_callers_language(client, db, office):
    consortium, user = office
    headers = {**bearer(token_for(db, user, TokenScope.WRITE)), "Accept-Language": "ja"}
    missing = client.post("/api/v1/events", json={"consortium_id": consortium.id, "title": "会議"}, headers=headers)
    assert missing.status_code == 422
    assert missing.get_json()["errors"]["json"]["day"] == ["必須の項目です。"]
    unsafe = client.post("/api/v1/events", json=_new_meeting(consortium, online_url="javascript:alert(1)", end_time="13:00"), headers=headers)
    errors = unsafe.get_json()["errors"]["json"]
    assert unsafe.status_code == 422 and "https://" in errors["online_url"][0] and errors["end_time"]
    english = client.post("/api/v1/events", json=_new_meeting(consortium, title=""), headers={**headers, "Accept-Language": "en"})
    assert english.get_json()["errors"]["json"]["title"] == ["Enter the title."]


def test_a_secretariat_seats_a_new_body_and_a_person_who_sits_for_it(client, db, office):
    consortium, user = office
    headers = bearer(token_for(db, user, TokenScope.WRITE))
    body = client.post("/api/v1/organizations", json={"name": "株式会社テスト商事", "kind": "company"}, headers=headers)
    assert body.status_code == 201 and body.get_json()["classification"] == "company"
    again = client.post("/api/v1/organizations", json={"name": "株式会社　テスト商事"}, headers=headers)
    assert again.status_code == 422 and "<a" not in again.get_json()["errors"]["json"]["name"][0]
    person = client.post("/api/v1/people", json={"family_name": "試験", "given_name": "花子", "organisation": "株式会社テスト商事",
                                                 "email": "hanako@example.jp"}, headers=headers)
    assert person.status_code == 201 and "email" not in person.get_json() and "hanako" not in text(person)
    assert db.session.execute(sa.select(Person.email).where(Person.family_name == "試験")).scalar() == "hanako@example.jp"

    seat = {"consortium_id": consortium.id, "kind": "person", "name": "試験 花子", "on_behalf_of": "株式会社テスト商事",
            "seat": 3, "description": "地域の物流で連携"}
    seated = client.post("/api/v1/memberships", json=seat, headers=headers)
    assert seated.status_code == 201, text(seated)
    shown = seated.get_json()
    assert shown["on_behalf_of"]["name"] == "株式会社テスト商事" and shown["seat"] == 3
    taken = client.post("/api/v1/memberships", json={**seat, "name": "株式会社テスト商事", "kind": "organization", "on_behalf_of": None},
                        headers=headers)
    assert taken.status_code == 422 and taken.get_json()["errors"]["json"]["seat"]
    changed = client.patch(f"/api/v1/memberships/{shown['id']}", json={"version": shown["version"], "category": "民間事業者"}, headers=headers)
    assert changed.status_code == 200 and changed.get_json()["category"] == "民間事業者"
    assert changed.get_json()["description"] == "地域の物流で連携"
    stale = client.patch(f"/api/v1/memberships/{shown['id']}", json={"version": shown["version"], "seat": 4}, headers=headers)
    assert stale.status_code == 409 and stale.get_json()["current"]["category"] == "民間事業者"


def test_contact_details_are_refused_where_the_site_does_not_let_the_caller_set_them(client, db, office, make_person):
    _consortium, user = office
    stranger = make_person(family_name="部外者")
    headers = bearer(token_for(db, user, TokenScope.WRITE))
    refused = client.patch(f"/api/v1/people/{stranger.id}", json={"version": stranger.version, "phone": "03-0000-0000"}, headers=headers)
    assert refused.status_code == 422 and list(refused.get_json()["errors"]["json"]) == ["phone"]
    assert fresh(db, Person, stranger.id).phone is None


def test_a_token_held_to_one_consortium_does_not_write_the_shared_directory(client, db, office):
    consortium, user = office
    held = bearer(token_for(db, user, TokenScope.WRITE, consortium_id=consortium.id))
    assert client.post("/api/v1/organizations", json={"name": "団体"}, headers=held).status_code == 403
    assert client.post("/api/v1/events", json=_new_meeting(consortium), headers=held).status_code == 201


def test_another_sites_page_may_call_the_api_with_a_token_but_no_cookie(client, db, make_user):
    token = token_for(db, make_user())
    preflight = client.options("/api/v1/events", headers={"Origin": "https://www.city.example.jp",
                                                          "Access-Control-Request-Headers": "authorization"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "*" and "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    answer = client.get("/api/v1/events", headers={**bearer(token), "Origin": "https://www.city.example.jp"})
    assert answer.headers["Access-Control-Allow-Origin"] == "*" and "ETag" in answer.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in answer.headers


def test_a_save_that_loses_the_race_at_the_database_gets_409_as_json(client, db, office, make_meeting, monkeypatch):
    from sqlalchemy.orm.exc import StaleDataError

    from consortium.meetings import services as meeting_services

    consortium, user = office
    meeting = make_meeting(consortium)

    def raced(*_args):
        raise StaleDataError("the row moved between the check and the write")

    monkeypatch.setattr(meeting_services, "update_meeting", raced)
    answer = client.patch(f"/api/v1/events/{meeting.id}", json={"version": meeting.version, "venue": "会議室"},
                          headers=bearer(token_for(db, user, TokenScope.WRITE)))
    assert answer.status_code == 409 and answer.is_json and answer.get_json()["code"] == 409
