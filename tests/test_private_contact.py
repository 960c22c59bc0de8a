"""Private contact details, one rule everywhere: in full for administrators and the person's own
account, masked for secretariats, nothing for anyone else.

The planted-secret walk puts a unique address and number on a member of the demo's Setagaya
council and reads every GET route of the URL map, filled with demo ids, as each kind of visitor:
the secret must appear nowhere outside the rule, in pages, calendars, PDFs or roster exports.
"""
from __future__ import annotations

import io
import zipfile

import pytest
import sqlalchemy as sa
from conftest import Client, sign_in
from pypdf import PdfReader

from consortium.accounts.services import password_token
from consortium.contact import mask_email, mask_phone
from consortium.demo.loader import DEMO_PASSWORD
from consortium.models import (
    Consortium,
    Document,
    Meeting,
    Membership,
    Milestone,
    Person,
    Poll,
    RosterGroup,
    Target,
    TargetReport,
    User,
)
from consortium.personal_links import make_token

SETAGAYA = "世田谷区地域経済の持続可能な発展を目指す会議"
SECRET_EMAIL = "planted.q7x3@example.jp"
SECRET_PHONE = "090-0000-7391"
# Demo accounts by their place relative to the Setagaya council.
VISITORS = {
    "outside_member": "kanie@example.jp",
    "outside_secretariat": "kanto@example.jp",
    "member": "nagayama@example.jp",
    "secretariat": "setagaya@example.jp",
    "admin": "admin@example.jp",
}


def test_an_address_is_masked_to_its_first_letter_and_domain():
    assert mask_email("nagayama@example.jp") == "n•••••@example.jp"
    assert mask_email("a@example.jp") == "a•••••@example.jp"  # the mask tells nothing of the length
    assert mask_phone("090-0000-0012") == "•••-••••-••12"


def _one(db, stmt):
    return db.session.execute(stmt.limit(1)).scalars().first()


@pytest.fixture()
def planted(db, demo):
    """A Setagaya member carrying the secret, and the demo ids every route is filled with."""
    council = _one(db, sa.select(Consortium).filter_by(name=SETAGAYA))
    membership = _one(db, sa.select(Membership).filter_by(consortium_id=council.id, seat=2))
    person = membership.person
    person.email, person.phone = SECRET_EMAIL, SECRET_PHONE
    db.session.commit()
    meeting = _one(db, sa.select(Meeting).filter_by(consortium_id=council.id, number=9))
    poll = _one(db, sa.select(Poll).join(Meeting).filter(Meeting.consortium_id == council.id))
    member = _one(db, sa.select(User).filter_by(email=VISITORS["member"]))
    target = _one(db, sa.select(Target).join(TargetReport))
    args = {
        "consortium_id": council.id,
        "meeting_id": meeting.id,
        "item_id": meeting.agenda_items[0].id,
        "document_id": _one(db, sa.select(Document).filter_by(meeting_id=meeting.id)).id,
        "membership_id": membership.id,
        "group_id": _one(db, sa.select(RosterGroup)).id,
        "milestone_id": _one(db, sa.select(Milestone).filter_by(consortium_id=council.id)).id,
        "target_id": target.id,
        "report_id": target.reports[0].id,
        "organization_id": _one(db, sa.select(Membership).filter_by(consortium_id=council.id, seat=2)).on_behalf_of_id,
        "person_id": person.id,
        "user_id": member.id,
        "token": password_token(member),
        "calendar_token": member.calendar_token,
        "poll_id": poll.id,
        # The planted member's own personal links: the pages they open show no address either.
        "poll_token": make_token("poll", poll.id, membership.id),
        "invitation_token": make_token("invitation", meeting.id, membership.id),
        "code": "en",
        "name": "opendata.json",  # the open data as one file
        "import_id": "0" * 32,  # no queue here, so no import: its progress page shows none
    }
    return person, args


def _urls(app, args) -> list[str]:
    from flask import url_for

    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint != "static" and "GET" in rule.methods:
                urls.append(url_for(rule.endpoint, **{a: args[a] for a in rule.arguments}))
    return sorted(set(urls))


def _readable(response) -> str:
    """The text a visitor could read in a response, whatever its format."""
    data = response.get_data()
    kind = response.mimetype
    if kind == "application/pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    if kind.startswith("application/vnd.openxmlformats"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    text = data.decode("utf-8-sig", "replace")
    if kind == "text/calendar":
        text = text.replace("\r\n ", "").replace("\r\n\t", "")  # unfold long lines
    return text


def _walk(app, role: str | None, args) -> dict[str, str]:
    """Every GET route as one visitor: {url: readable text}."""
    app.test_client_class = Client
    client = app.test_client()
    if role is not None:
        with app.app_context():
            from consortium.extensions import db

            user = db.session.execute(sa.select(User).filter_by(email=VISITORS[role])).scalar_one()
        sign_in(client, user, DEMO_PASSWORD)
    seen = {}
    for url in _urls(app, args):
        response = client.get(url)
        assert response.status_code < 500, f"{role} {url}: {response.status_code}"
        seen[url] = _readable(response)
        response.close()
    return seen


@pytest.mark.parametrize("role", [None, "outside_member", "outside_secretariat", "member", "secretariat"])
def test_the_planted_secret_appears_nowhere_outside_the_rule(app, planted, role):
    person, args = planted
    leaks = [url for url, text in _walk(app, role, args).items() if SECRET_EMAIL in text or SECRET_PHONE in text]
    assert leaks == []


def test_the_administrator_sees_the_planted_secret(app, planted):
    seen = _walk(app, "admin", planted[1])
    page = seen[f"/people/{planted[0].id}"]
    assert SECRET_EMAIL in page and SECRET_PHONE in page


def test_the_consortiums_secretariat_sees_the_address_masked_where_it_invites(app, planted):
    person, args = planted
    seen = _walk(app, "secretariat", args)
    masked = mask_email(SECRET_EMAIL)
    assert masked in seen[f"/people/{person.id}"] and mask_phone(SECRET_PHONE) in seen[f"/people/{person.id}"]
    assert masked in seen[f"/meetings/{args['meeting_id']}/invitations"]


def test_a_member_sees_their_own_details_and_no_one_elses(app, db, demo, client):
    nagayama = db.session.execute(sa.select(User).filter_by(email=VISITORS["member"])).scalar_one()
    other = db.session.execute(sa.select(Person).filter_by(family_name="市川")).scalar_one()
    sign_in(client, nagayama, DEMO_PASSWORD)
    own = client.get(f"/people/{nagayama.person_id}").get_data(as_text=True)
    assert "nagayama@example.jp" in own and "090-0000-0001" in own
    theirs = client.get(f"/people/{other.id}").get_data(as_text=True)
    assert other.email not in theirs and mask_email(other.email) not in theirs and other.phone not in theirs
