"""The permission walk: every route, with every kind of visitor, against the rule it declares.

A route without a declared rule fails here, and so does a route that lets in someone its
rule keeps out. Members and secretariats of *another* consortium are among the visitors.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import Client, post_form, sign_in
from redis import Redis

from consortium.accounts.services import password_token
from consortium.documents.services import add_document
from consortium.models import (
    AgendaItem,
    Attendance,
    ConsortiumKind,
    GrantRole,
    MailState,
    Milestone,
    Minutes,
    Poll,
    PollSlot,
    RosterGroup,
    SentNotice,
    Target,
    TargetReport,
    TokenScope,
    Visibility,
)
from consortium.permissions import Access
from consortium.personal_links import make_token
from consortium.rosters import importing
from consortium.tokens import services as tokens

ACCESS_QUEUE = "redis://127.0.0.1:6379/10"  # a Redis database of its own, emptied after each world

ROLES = ("anonymous", "outside_member", "outside_secretariat", "member", "secretariat", "admin")
LEVEL_OF_ROLE = {
    "anonymous": Access.PUBLIC,
    "outside_member": Access.SIGNED_IN,
    "outside_secretariat": Access.SIGNED_IN,
    "member": Access.MEMBER,
    "secretariat": Access.SECRETARIAT,
    "admin": Access.ADMIN,
}
# The world's minutes are a draft, which the API leaves out for everyone (the site shows it to members).
DRAFT_NOT_IN_THE_API = {"api_meetings.event_minutes"}
# Rows outside any consortium: there, a secretariat of any consortium keeps the directory.
SHARED_ROWS = {"organization_id", "person_id", "user_id"}


def _endpoints(app):
    seen = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            seen.setdefault(rule.endpoint, rule)
    return sorted(seen.items())


def test_every_route_declares_its_rule(app):
    missing = [endpoint for endpoint, _ in _endpoints(app) if not hasattr(app.view_functions[endpoint], "access")]
    assert missing == [], f"routes without @guard(Access…): {missing}"


@pytest.fixture()
def world(app, upload_folder, db, make_consortium, make_meeting, make_member, make_organization, make_person, make_user, request, monkeypatch):
    """One consortium with one of everything, its members and secretariat, and outsiders.

    Under a programme (param (visibility, "programme")), the walked consortium is a project of a
    platform of a programme: its secretariat is the programme's, and the outside member is a member
    of the programme and of the platform, which makes them no member of the project."""
    visibility, programme = request.param if isinstance(request.param, tuple) else (request.param, None)
    consortium = make_consortium(visibility=visibility)
    other = make_consortium()
    organization = make_organization()
    person = make_person(organization=organization)
    meeting = make_meeting(consortium)
    group = RosterGroup(consortium=consortium, title="部会")
    target = Target(consortium=consortium, title="参加団体数", target_value=Decimal(100))
    rows = [
        AgendaItem(meeting=meeting, title="議題1", position=1),
        group,
        Milestone(consortium=consortium, title="成果報告", on=date(2030, 3, 1)),
        target,
        TargetReport(target=target, fiscal_year=2029, value=Decimal(40)),
        Minutes(meeting=meeting, body="議事録の本文"),
    ]
    db.session.add_all(rows)
    db.session.commit()
    item, milestone, report = rows[0], rows[2], rows[4]
    poll = Poll(meeting=meeting, title="日程調整", slots=[PollSlot(starts_at=meeting.starts_at)])
    db.session.add(poll)
    membership = make_member(consortium, person=person, seat=1, group=group)
    document = add_document(meeting, b"%PDF-1.4\n%walk\n", "資料1.pdf", title="資料1")
    db.session.add(Attendance(meeting=meeting, membership=membership, invited_at=meeting.created_at))
    notice = SentNotice(kind="poll_invitation", poll=poll, membership=membership, email="walk@example.jp", state=MailState.FAILED)
    db.session.add(notice)
    db.session.commit()
    runs, outside = {consortium: GrantRole.SECRETARIAT}, {other: GrantRole.MEMBER}
    if programme:
        top = make_consortium(kind=ConsortiumKind.PROGRAMME, visibility=visibility)
        platform = make_consortium(kind=ConsortiumKind.PLATFORM, parent=top, visibility=visibility)
        consortium.parent = platform
        db.session.commit()
        runs, outside = {top: GrantRole.SECRETARIAT}, {top: GrantRole.MEMBER, platform: GrantRole.MEMBER}
    users = {
        "outside_member": make_user(outside),
        "outside_secretariat": make_user({other: GrantRole.SECRETARIAT}),
        "member": make_user({consortium: GrantRole.MEMBER}, person=person),
        "secretariat": make_user(runs),
        "admin": make_user(is_admin=True),
    }
    # A queue, for the page of a queued roster import (its jobs are never run here).
    Redis.from_url(ACCESS_QUEUE).flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", ACCESS_QUEUE)
    app.extensions.pop("jobs_redis", None)
    request.addfinalizer(lambda: (app.extensions.pop("jobs_redis", None), Redis.from_url(ACCESS_QUEUE).flushdb()))
    import_id = importing.start(consortium.id, "0" * 32, "walk.csv", False, users["secretariat"].id)
    # A member whose feed address no walked visitor replaces: the address is the key, so all may read it.
    subscriber = make_user({consortium: GrantRole.MEMBER}, calendar_token="walk-feed-address")
    args = {
        "consortium_id": consortium.id,
        "meeting_id": meeting.id,
        "item_id": item.id,
        "document_id": document.id,
        "membership_id": membership.id,
        "group_id": group.id,
        "milestone_id": milestone.id,
        "target_id": target.id,
        "report_id": report.id,
        "organization_id": organization.id,
        "person_id": person.id,
        "user_id": users["member"].id,
        "token": password_token(users["member"]),
        "calendar_token": subscriber.calendar_token,
        "poll_id": poll.id,
        "notice_id": notice.id,
        # The member's personal poll link: anyone holding it may answer for them.
        "poll_token": make_token("poll", poll.id, membership.id),
        # The member's invitation reply link: likewise.
        "invitation_token": make_token("invitation", meeting.id, membership.id),
        "code": "en",
        "name": "opendata.json",
        "import_id": import_id,
        # The member's API token, for its owner's revoke button.
        "token_id": tokens.issue(users["member"], "walk", TokenScope.READ, None)[0].id,
    }
    # The API reads no session: each signed-in visitor calls it with a write token of their own.
    api_tokens = {role: tokens.issue(user, "walk", TokenScope.WRITE, None)[1] for role, user in users.items()}
    db.session.commit()
    return {"consortium": consortium, "users": users, "args": args, "api_tokens": api_tokens}


def _hidden(world, role: str, row_arg: str | None) -> bool:
    """Whether the walked row is one the visitor may not even know of (404)."""
    if row_arg is None or row_arg == "organization_id":
        return False
    if row_arg in ("user_id", "token_id"):
        return role not in ("member", "admin")  # the member's own account and token
    if row_arg == "person_id" and role == "outside_secretariat":
        return False  # secretariats keep the shared directory: they see everyone in it
    members_only = world["consortium"].visibility is Visibility.MEMBERS
    return members_only and LEVEL_OF_ROLE[role] < Access.MEMBER


def _reaches(role: str, level: Access, row_arg: str | None) -> bool:
    if level is Access.PUBLIC:
        return True
    if role == "anonymous":
        return False
    if row_arg in SHARED_ROWS or row_arg is None:
        if level is Access.SECRETARIAT and role == "outside_secretariat":
            return True
        if level is Access.MEMBER and role.startswith("outside_"):
            return True
    return LEVEL_OF_ROLE[role] >= level


def _walk(app, clients, world, endpoint, rule):
    view = app.view_functions[endpoint]
    row_args = [a for a in rule.arguments if a in world["args"] and a.endswith("_id")]
    row_arg = row_args[0] if row_args else None
    missing = [a for a in rule.arguments if a not in world["args"]]
    assert not missing, f"{endpoint}: give the walk a value for {missing}"
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, **{a: world["args"][a] for a in rule.arguments})
    failures = []
    for role in ROLES:
        client = clients[role]
        api = url.startswith("/api/")
        token = world["api_tokens"].get(role) if api else None
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if "GET" in rule.methods:
            response = client.get(url, headers=headers)
        elif api:  # an empty body: the rule is checked before the body is read
            response = client.open(url, method=sorted(rule.methods & {"POST", "PATCH"})[0], json={}, headers=headers)
        else:
            response = post_form(client, url)
        response.close()  # a download streams its file until closed
        status = response.status_code
        # The API asks for a token (401) where the pages send to the sign-in page.
        to_login = status == 401 if api else status == 302 and "/accounts/login" in response.headers.get("Location", "")
        if _hidden(world, role, row_arg) or endpoint in DRAFT_NOT_IN_THE_API:
            expected = "404"
            ok = status == 404
        elif _reaches(role, view.access, row_arg):
            expected = "allowed"
            ok = status not in (401, 403, 404) and not to_login
        elif role == "anonymous":
            expected = "sign-in"
            ok = to_login
        else:
            expected = "403"
            ok = status == 403
        if not ok:
            failures.append(f"{role}: expected {expected}, got {status}")
    return failures


@pytest.mark.parametrize(
    "world",
    [Visibility.PUBLIC, Visibility.MEMBERS, (Visibility.MEMBERS, "programme")],
    indirect=True,
    ids=["public", "members_only", "members_only_under_a_programme"],
)
def test_every_route_answers_each_visitor_by_its_rule(app, world):
    app.test_client_class = Client
    clients = {role: app.test_client() for role in ROLES}
    for role, client in clients.items():
        if role != "anonymous":
            sign_in(client, world["users"][role])
    failures = {}
    # Signing out comes last: it ends each visitor's session.
    for endpoint, rule in sorted(_endpoints(app), key=lambda e: e[0] == "accounts.logout"):
        problems = _walk(app, clients, world, endpoint, rule)
        if problems:
            failures[endpoint] = problems
    assert failures == {}
