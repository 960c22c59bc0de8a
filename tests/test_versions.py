"""No lost update: two sessions that read the same row and both save never both succeed."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from consortium.japanese import tokyo_datetime
from consortium.models import (
    AgendaItem,
    Document,
    Meeting,
    Membership,
    Milestone,
    Organization,
    Person,
    Poll,
    PollSlot,
    RosterGroup,
    Target,
    TargetReport,
    User,
)
from tests.conftest import csrf_token_of, fresh, sign_in, text


class _FormReader(HTMLParser):
    """What a browser sends for the form of a page that carries a version: every field as shown."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._form: dict[str, str] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self._form[a["name"]] = a.get("value", "y")
            else:
                self._form[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a["name"]
            self._form.setdefault(self._select, "")
        elif tag == "option" and self._select is not None and "selected" in a:
            self._form[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._form[self._textarea] += data.lstrip("\n") if not self._form[self._textarea] else data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


def form_as_shown(html: str) -> dict[str, str]:
    reader = _FormReader()
    reader.feed(html)
    return next(form for form in reader.forms if "version" in form)


# ---------------------------------------------------------------------------------------------
# One row of each kind an edit form changes: (url, field, model) from the consortium and its rows.


def _consortium(db, c):
    return f"/consortia/{c.id}/edit", "purpose", c


def _membership(db, c):
    row = Membership(consortium=c, person=Person(family_name="佐藤", given_name="花子"))
    return f"/memberships/{_add(db, row).id}/edit", "title", row


def _group(db, c):
    row = _add(db, RosterGroup(consortium=c, title="地域の担い手"))
    return f"/roster-groups/{row.id}/edit", "title", row


def _milestone(db, c):
    row = _add(db, Milestone(consortium=c, title="中間報告", on=date(2030, 3, 1)))
    return f"/milestones/{row.id}/edit", "title", row


def _target(db, c):
    row = _add(db, Target(consortium=c, title="参加企業数"))
    return f"/targets/{row.id}/edit", "title", row


def _report(db, c):
    row = _add(db, TargetReport(target=Target(consortium=c, title="参加企業数"), fiscal_year=2025, value=Decimal(12)))
    return f"/target-reports/{row.id}/edit", "note", row


def _organisation(db, c):
    row = _add(db, Organization(name="長野県"))
    return f"/organisations/{row.id}/edit", "name_en", row


def _person(db, c):
    row = _add(db, Person(family_name="鈴木", given_name="一郎"))
    return f"/people/{row.id}/edit", "title", row


def _meeting(db, c):
    row = _add(db, Meeting(consortium=c, title="第1回 会議", starts_at=tokyo_datetime(2030, 5, 1, 10)))
    return f"/meetings/{row.id}/edit", "venue", row


def _agenda_item(db, c):
    row = _add(db, AgendaItem(meeting=Meeting(consortium=c, title="第1回 会議", starts_at=tokyo_datetime(2030, 5, 1, 10)), title="開会"))
    return f"/agenda-items/{row.id}/edit", "note", row


def _poll(db, c):
    meeting = Meeting(consortium=c, title="第1回 会議", starts_at=tokyo_datetime(2030, 5, 1, 10))
    row = _add(db, Poll(meeting=meeting, title="日程調整", respond_by=tokyo_datetime(2030, 4, 1), slots=[PollSlot(starts_at=meeting.starts_at)]))
    return f"/polls/{row.id}/edit", "message", row


def _document(db, c):
    meeting = Meeting(consortium=c, title="第1回 会議", starts_at=tokyo_datetime(2030, 5, 1, 10))
    row = _add(db, Document(
        meeting=meeting, title="資料1", filename="a.pdf", content_type="application/pdf", size=1, checksum="0" * 64,
        storage_key="k" * 32,
    ))
    return f"/documents/{row.id}/edit", "title", row


def _user(db, c):
    row = _add(db, User(email="other@example.jp", display_name="利用者"))
    return f"/admin/users/{row.id}/edit", "display_name", row


def _attendance(db, c):
    row = _add(db, Meeting(consortium=c, title="第1回 会議", starts_at=tokyo_datetime(2020, 5, 1, 10)))
    return f"/meetings/{row.id}/attendance", "observers", row


def _add(db, row):
    db.session.add(row)
    db.session.commit()
    return row


FORM_KINDS = {
    "consortium": _consortium,
    "membership": _membership,
    "roster group": _group,
    "milestone": _milestone,
    "target": _target,
    "target report": _report,
    "organisation": _organisation,
    "person": _person,
    "meeting": _meeting,
    "agenda item": _agenda_item,
    "poll": _poll,
    "document": _document,
    "user (administrator)": _user,
    "attendance": _attendance,
}
# Two values a user may type in the field each form kind changes.
VALUES = {"observers": ("12", "30"), "name_en": ("Nagano A", "Nagano B")}


@pytest.fixture()
def two_sessions(app, client, office):
    """Two browsers of the same secretariat, not yet signed in (the client fixture makes every
    client of the app run each request in its own context)."""
    consortium, user = office
    first, second = app.test_client(), app.test_client()
    return consortium, user, first, second


def _sign_in_both(kind, user, admin, first, second):
    who = admin if kind == "user (administrator)" else user
    sign_in(first, who)
    sign_in(second, who)


def _stored(db, row, field):
    row = fresh(db, type(row), row.id)
    value = getattr(row, field)
    return str(value) if value is not None else None


@pytest.mark.parametrize("kind", FORM_KINDS)
def test_the_second_of_two_saves_from_the_same_version_is_refused(kind, db, two_sessions, admin):
    consortium, user, first, second = two_sessions
    url, field, row = FORM_KINDS[kind](db, consortium)
    _sign_in_both(kind, user, admin, first, second)
    mine, theirs = VALUES.get(field, ("先に保存した内容", "あとから保存した内容"))
    # Both open the form before either saves.
    first_form = form_as_shown(text(first.get(url)))
    second_form = form_as_shown(text(second.get(url)))
    assert first_form["version"] == second_form["version"]

    saved = first.post(url, data={**first_form, field: mine})
    assert saved.status_code == 302, text(saved)
    refused = second.post(url, data={**second_form, field: theirs})

    assert refused.status_code == 409
    page = text(refused)
    assert mine in page and theirs in page  # what is stored beside what was typed
    assert _stored(db, row, field) == mine


@pytest.mark.parametrize("kind", ["meeting", "membership", "attendance"])
def test_the_conflict_page_gives_back_a_form_that_saves(kind, db, two_sessions, admin):
    consortium, user, first, second = two_sessions
    url, field, row = FORM_KINDS[kind](db, consortium)
    _sign_in_both(kind, user, admin, first, second)
    mine, theirs = VALUES.get(field, ("先に保存した内容", "あとから保存した内容"))
    stale = form_as_shown(text(second.get(url)))
    first.post(url, data={**form_as_shown(text(first.get(url))), field: mine})

    conflict = form_as_shown(text(second.post(url, data={**stale, field: theirs})))
    assert conflict[field] == theirs  # what they typed is kept
    assert int(conflict["version"]) > int(stale["version"])
    assert second.post(url, data=conflict).status_code == 302
    assert _stored(db, row, field) == theirs


def test_a_save_at_the_current_version_works_as_before(db, two_sessions):
    consortium, user, first, _second = two_sessions
    url, field, row = _meeting(db, consortium)
    sign_in(first, user)
    for venue in ("長野県庁", "松本市役所"):
        response = first.post(url, data={**form_as_shown(text(first.get(url))), field: venue})
        assert response.status_code == 302
        assert _stored(db, row, field) == venue


def test_a_save_without_a_version_is_refused(db, two_sessions):
    consortium, user, first, _second = two_sessions
    url, field, row = _consortium(db, consortium)
    sign_in(first, user)
    data = form_as_shown(text(first.get(url)))
    del data["version"]
    assert first.post(url, data={**data, field: "版のない保存"}).status_code == 409
    assert _stored(db, row, field) is None


def test_the_conflict_page_shows_choices_by_their_label_and_who_saved_last(db, two_sessions):
    consortium, user, first, second = two_sessions
    first.set_cookie("lang", "en")
    second.set_cookie("lang", "en")
    url, _field, _row = _meeting(db, consortium)
    sign_in(first, user)
    sign_in(second, user)
    stale = form_as_shown(text(second.get(url)))
    first.post(url, data={**form_as_shown(text(first.get(url))), "status": "tentative"})

    page = text(second.post(url, data={**stale, "status": "postponed"}))
    assert "Tentative" in page and "Postponed" in page and ">tentative<" not in page
    assert f"Last saved by {user.display_name}, " in page


def test_who_saved_last_is_who_changed_the_account_not_its_owner_signing_in(db, two_sessions, admin, make_user):
    """A sign-in is logged against the account but changes no version: it is not the last save."""
    _consortium, _user, first, second = two_sessions
    other_admin = make_user(is_admin=True, display_name="別の管理者")
    owner = make_user(display_name="山本 一郎")
    url = f"/admin/users/{owner.id}/edit"
    for client, who in ((first, admin), (second, other_admin)):
        client.set_cookie("lang", "en")
        sign_in(client, who)
    stale = form_as_shown(text(second.get(url)))
    first.post(url, data={**form_as_shown(text(first.get(url))), "display_name": "山本 一郎（総務課）"})
    sign_in(first.application.test_client(), owner)

    page = text(second.post(url, data={**stale, "display_name": "山本 一郎（企画課）"}))
    assert f"Last saved by {admin.display_name}, " in page


def test_a_transfer_from_a_stale_page_is_refused(db, two_sessions, make_person):
    consortium, user, first, second = two_sessions
    url, _field, membership = _membership(db, consortium)
    successor = make_person(family_name="高橋", given_name="次郎")
    sign_in(first, user)
    sign_in(second, user)
    transfer_url = f"/memberships/{membership.id}/transfer"
    stale = form_as_shown(text(second.get(transfer_url)))
    first.post(url, data={**form_as_shown(text(first.get(url))), "title": "会長"})

    refused = second.post(transfer_url, data={**stale, "name": successor.full_name, "on": (date.today() - timedelta(days=1)).isoformat()})
    assert refused.status_code == 409
    assert fresh(db, Membership, membership.id).is_current


def test_a_write_that_loses_the_race_at_the_database_gets_the_conflict_page(db, two_sessions, monkeypatch):
    """The row moves between the version check and the write: the UPDATE finds no row at the
    version it read (StaleDataError), and the user gets the same page, not a 500."""
    from consortium.meetings import services

    consortium, user, first, _second = two_sessions
    url, field, row = _meeting(db, consortium)
    sign_in(first, user)
    data = form_as_shown(text(first.get(url)))
    update_meeting = services.update_meeting

    def someone_saves_first(meeting, values):
        # Another worker commits in between: the stored version moves on.
        from consortium.extensions import db as _db
        with _db.engine.begin() as conn:
            conn.execute(
                Meeting.__table__.update().where(Meeting.id == meeting.id).values(version=Meeting.version + 1, venue="先の保存")
            )
        return update_meeting(meeting, values)

    monkeypatch.setattr(services, "update_meeting", someone_saves_first)
    response = first.post(url, data={**data, field: "あとの保存"})
    assert response.status_code == 409
    assert "先の保存" in text(response) and "あとの保存" in text(response)
    assert _stored(db, row, field) == "先の保存"


def test_moving_an_item_leaves_its_open_form_good(db, two_sessions):
    """A move changes no field a form shows, so it does not make the form stale."""
    consortium, user, first, _second = two_sessions
    url, field, item = _agenda_item(db, consortium)
    _add(db, AgendaItem(meeting_id=item.meeting_id, title="閉会", position=1))
    sign_in(first, user)
    data = form_as_shown(text(first.get(url)))
    token = csrf_token_of(text(first.get(url)))
    assert first.post(f"/agenda-items/{item.id}/move", data={"direction": "down", "csrf_token": token}).status_code == 302
    assert first.post(url, data={**data, field: "移動のあとで"}).status_code == 302


def test_a_deletion_that_meets_a_row_changed_meanwhile_is_refused_without_a_500(db, two_sessions, monkeypatch):
    """One-click steps carry no version; when their write still meets a newer row, the page says so."""
    from consortium.consortia import services

    consortium, user, first, _second = two_sessions
    _url, _field, milestone = _milestone(db, consortium)
    sign_in(first, user)
    delete = services.delete

    def someone_saves_first(row):
        from consortium.extensions import db as _db
        with _db.engine.begin() as conn:
            conn.execute(Milestone.__table__.update().where(Milestone.id == row.id).values(version=Milestone.version + 1))
        return delete(row)

    monkeypatch.setattr(services, "delete", someone_saves_first)
    response = first.post(f"/milestones/{milestone.id}/delete", data={
        "confirm": "y", "csrf_token": csrf_token_of(text(first.get(f"/milestones/{milestone.id}/delete")))
    })
    assert response.status_code == 409
    assert "changed by someone else" in text(response) or "ほかの人が変更" in text(response)
    assert fresh(db, Milestone, milestone.id) is not None


def test_a_change_made_only_through_a_relationship_makes_older_forms_stale(db, two_sessions):
    """The person's organisation is a row it points at: changing only it still moves the version."""
    consortium, user, first, second = two_sessions
    url, _field, person = _person(db, consortium)
    _add(db, Organization(name="松本市"))
    sign_in(first, user)
    sign_in(second, user)
    stale = form_as_shown(text(second.get(url)))
    assert first.post(url, data={**form_as_shown(text(first.get(url))), "organisation": "松本市"}).status_code == 302

    assert second.post(url, data={**stale, "title": "課長"}).status_code == 409
    assert fresh(db, Person, person.id).organization.name == "松本市"
