"""Japanese as typed: stored and printed text keeps its full-width characters (NFC only); width and
case are folded where text is matched (search, duplicates, names typed for a link), and where an
address, number or link is read."""
from __future__ import annotations

import io

import pypdf
import sqlalchemy as sa
from conftest import text

from consortium.directory.matching import find_people, typed_id
from consortium.models import Consortium, Meeting, Person


def rows_of(db, model):
    db.session.expire_all()
    return db.session.execute(sa.select(model)).scalars().all()


def test_a_meeting_title_keeps_its_full_width_brackets_on_the_page_and_in_the_agenda_pdf(client, db, post, signed_in):
    form = {
        "number": "1", "title": "（仮称）区民会議検討会", "kind": "regular", "status": "scheduled",
        "precision": "minute", "day": "2030-09-10", "start_time": "10:00", "end_time": "12:00",
        "venue": "区役所　第１会議室", "is_public": "y",
    }
    response = post(f"/consortia/{signed_in.id}/meetings/new", form)
    assert response.status_code == 302, text(response)
    [meeting] = rows_of(db, Meeting)
    assert meeting.title == "（仮称）区民会議検討会" and meeting.venue == "区役所　第１会議室"
    assert "（仮称）区民会議検討会" in text(client.get(f"/meetings/{meeting.id}"))
    pdf = pypdf.PdfReader(io.BytesIO(client.get(f"/meetings/{meeting.id}/agenda.pdf").get_data()))
    printed = "".join(page.extract_text() for page in pdf.pages)
    assert "（仮称）区民会議検討会" in printed and "(仮称)" not in printed


def test_a_name_typed_with_full_width_brackets_is_found_by_a_search_typed_in_ascii(client, db, post, admin, login):
    login(admin)
    form = {"name": "（仮称）世田谷ＳＤＧｓ協議会", "kind": "council", "status": "active", "visibility": "public", "parent_id": ""}
    assert post("/consortia/new", form).status_code == 302
    [consortium] = rows_of(db, Consortium)
    assert consortium.name == "（仮称）世田谷ＳＤＧｓ協議会"
    found = text(client.get("/consortia/?q=(仮称)世田谷sdgs"))
    assert "（仮称）世田谷ＳＤＧｓ協議会" in found


def test_the_same_name_in_another_width_is_still_a_duplicate(db, post, admin, login, make_consortium):
    make_consortium(name="(仮称)世田谷協議会")
    login(admin)
    form = {"name": "（仮称）世田谷協議会", "kind": "council", "status": "active", "visibility": "public", "parent_id": ""}
    response = post("/consortia/new", form)
    assert response.status_code == 422
    assert db.session.execute(sa.select(sa.func.count()).select_from(Consortium)).scalar() == 1


def test_an_address_and_a_number_typed_in_full_width_are_read_as_ascii(db, post, admin, login):
    login(admin)
    person = {"family_name": "山田", "given_name": "花子", "email": "ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ", "phone": "０３－１２３４－５６７８"}
    response = post("/people/new", person)
    assert response.status_code == 302, text(response)
    [stored] = rows_of(db, Person)
    assert stored.email == "hanako@example.jp" and stored.phone == "03-1234-5678"


def test_a_person_is_found_by_a_name_typed_in_another_width(make_person):
    typed = make_person(family_name="ＡＢＣ", given_name="花子")
    assert find_people("ABC 花子") == [typed]
    assert typed_id("＃１２") == 12


def test_japanese_headings_put_a_full_width_colon_after_a_label_and_english_ones_an_ascii_one(client, make_consortium, make_meeting):
    meeting = make_meeting(make_consortium(name="地域経済会議"), title="第1回 地域経済会議")
    client.set_cookie("lang", "ja")
    assert "<h1>議事録：第1回 地域経済会議</h1>" in text(client.get(f"/meetings/{meeting.id}/minutes"))
    client.set_cookie("lang", "en")
    assert "<h1>Minutes: 第1回 地域経済会議</h1>" in text(client.get(f"/meetings/{meeting.id}/minutes"))
