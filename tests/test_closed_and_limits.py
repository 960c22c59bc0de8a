"""What stays closed stays closed after edits, and odd input gets a clear answer, never a 500."""
from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import text

from consortium.documents.services import add_document
from consortium.models import (
    AgendaItem,
    AgendaPresenter,
    Consortium,
    Decision,
    DiscussionPoint,
    Document,
    DocumentAccess,
    GrantRole,
    Minutes,
    MinutesStatus,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture()
def closed_meeting(db, upload_folder, make_consortium, make_meeting, make_user):
    """A public meeting with an open and a closed agenda item, a material under the closed one."""
    consortium = make_consortium()
    meeting = make_meeting(consortium)
    open_item = AgendaItem(meeting=meeting, title="報告", position=1)
    closed_item = AgendaItem(meeting=meeting, title="人事案件", position=2, is_public=False)
    db.session.add_all([open_item, closed_item])
    db.session.flush()
    document = add_document(meeting, b"%PDF-1.4 x", "候補者.pdf", title="候補者一覧", agenda_item_id=closed_item.id)
    db.session.commit()
    secretariat = make_user({consortium: GrantRole.SECRETARIAT})
    return {"consortium": consortium, "meeting": meeting, "open": open_item, "closed": closed_item,
            "document": document, "secretariat": secretariat}


def test_deleting_a_closed_item_keeps_its_material_for_members_only(db, client, login, post, closed_meeting):
    w = closed_meeting
    login(w["secretariat"])
    assert post(f"/agenda-items/{w['closed'].id}/delete", {"confirm": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Document, w["document"].id).access is DocumentAccess.MEMBERS
    post("/accounts/logout")
    response = client.get(f"/documents/{w['document'].id}")
    response.close()
    assert response.status_code == 404
    assert "候補者一覧" not in text(client.get(f"/meetings/{w['meeting'].id}"))


def test_an_item_the_minutes_speak_of_is_not_deleted(db, login, post, closed_meeting):
    w = closed_meeting
    minutes = Minutes(meeting=w["meeting"])
    db.session.add(DiscussionPoint(minutes=minutes, text="人事の議論", agenda_item=w["closed"]))
    db.session.commit()
    login(w["secretariat"])
    response = post(f"/agenda-items/{w['closed'].id}/delete", {"confirm": "y"}, follow_redirects=True)
    assert "so it is kept" in text(response)
    assert db.session.get(AgendaItem, w["closed"].id) is not None


def test_public_summary_leaves_out_what_names_no_item_when_an_item_is_closed(db, client, closed_meeting):
    w = closed_meeting
    minutes = Minutes(meeting=w["meeting"], status=MinutesStatus.PUBLISHED)
    db.session.add_all([
        minutes,
        DiscussionPoint(minutes=minutes, text="報告についての意見", agenda_item=w["open"], position=1),
        DiscussionPoint(minutes=minutes, text="どこにも属さない発言", position=2),
        Decision(minutes=minutes, text="どこにも属さない決定", position=1),
    ])
    db.session.commit()
    page = text(client.get(f"/meetings/{w['meeting'].id}/minutes"))
    assert "報告についての意見" in page
    assert "どこにも属さない発言" not in page and "どこにも属さない決定" not in page


def test_a_presenter_of_a_closed_item_only_is_not_listed_publicly(db, client, closed_meeting, make_person):
    person = make_person(family_name="非公開", given_name="説明者")
    db.session.add(AgendaPresenter(agenda_item=closed_meeting["closed"], person=person))
    db.session.commit()
    assert "非公開 説明者" not in text(client.get("/people/"))
    assert client.get(f"/people/{person.id}").status_code == 404


@pytest.mark.parametrize("day", ["1800-01-01", "0001-01-01", "2101-01-01"])
def test_dates_outside_what_the_site_can_print_are_refused(db, login, post, closed_meeting, day):
    w = closed_meeting
    login(w["secretariat"])
    response = post(f"/consortia/{w['consortium'].id}/meetings/new",
                    {"title": "古い会議", "kind": "regular", "precision": "day", "day": day, "status": "scheduled"})
    assert response.status_code == 422
    assert "Enter a date between 1873 and 2100." in text(response)


@pytest.mark.parametrize("page", ["²", "𐩀", "9" * 20, "0"])
def test_odd_page_numbers_get_a_400(client, page):
    assert client.get("/consortia/", query_string={"page": page}).status_code == 400


def test_a_null_byte_in_a_search_is_harmless(client):
    assert client.get("/people/", query_string={"q": "山田\x00"}).status_code == 200
    assert client.get("/consortia/", query_string={"q": "\x00"}).status_code == 200


def test_a_secretariat_cannot_file_its_consortium_under_someone_elses(db, login, post, make_consortium, make_user):
    own, foreign = make_consortium(name="自分の会議"), make_consortium(name="他の会議")
    login(make_user({own: GrantRole.SECRETARIAT}))
    form = text(post(f"/consortia/{own.id}/edit", {"name": "自分の会議", "kind": "council", "status": "active",
                                                    "visibility": "public", "parent_id": str(foreign.id)}))
    db.session.expire_all()
    assert db.session.get(Consortium, own.id).parent_id is None
    assert "Choose a consortium from the list" in form


def test_a_members_only_parent_is_not_named_on_a_public_childs_page(db, client, make_consortium):
    parent = make_consortium(name="秘密の親会議", visibility="members")
    child = make_consortium(name="公開の部会", parent=parent)
    page = text(client.get(f"/consortia/{child.id}"))
    assert "公開の部会" in page and "秘密の親会議" not in page


def test_full_width_variants_of_an_email_count_towards_the_same_limit(post, make_user):
    make_user(email="seca@example.jp")
    for _ in range(5):
        post("/accounts/login", {"email": "seca@example.jp", "password": "nope"})
    response = post("/accounts/login", {"email": "ｓｅｃａ@example.jp", "password": "nope"})
    assert response.status_code == 429


