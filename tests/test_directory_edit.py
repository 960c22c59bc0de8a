"""Editing the shared directory: organisations and people, by secretariats and administrators."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from consortium.models import (
    DiscussionPoint,
    GrantRole,
    Minutes,
    Organization,
    OrganizationKind,
    Person,
    Visibility,
)
from conftest import text

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture()
def secretariat(make_consortium, make_user):
    """A user who is the secretariat of some consortium, and so keeps the directory."""
    return make_user({make_consortium(): GrantRole.SECRETARIAT})


def _organizations(db, **where) -> list[Organization]:
    db.session.expire_all()
    stmt = sa.select(Organization).filter_by(**where)
    return db.session.execute(stmt).scalars().all()


ORG = {"name": "信州大学", "name_kana": "しんしゅうだいがく", "name_en": "Shinshu University", "kind": "university",
       "prefecture": "長野県", "website": "https://www.shinshu-u.ac.jp/"}


# ---------------------------------------------------------------------------------------------
# Organisations


def test_a_secretariat_adds_an_organisation(db, login, post, secretariat):
    login(secretariat)
    response = post("/organisations/new", ORG)
    [org] = _organizations(db, name="信州大学")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/organisations/{org.id}")
    assert org.kind is OrganizationKind.UNIVERSITY and org.website == "https://www.shinshu-u.ac.jp/"


def test_a_duplicate_name_is_refused_whatever_its_width_or_case(db, login, post, secretariat, make_organization):
    existing = make_organization(name="ABC株式会社")
    login(secretariat)
    response = post("/organisations/new", {**ORG, "name": "ａｂｃ　株式会社"})
    assert response.status_code == 422
    page = text(response)
    assert f'<a href="/organisations/{existing.id}">ABC株式会社</a> is already in the directory' in page
    assert len(_organizations(db)) == 1


def test_saving_an_organisation_under_its_own_name_is_not_a_duplicate(db, login, post, secretariat, make_organization):
    org = make_organization(name="長野県")
    login(secretariat)
    response = post(f"/organisations/{org.id}/edit", {"name": "長野県", "kind": "prefecture", "name_en": "Nagano Prefecture"})
    assert response.status_code == 302
    assert _organizations(db)[0].name_en == "Nagano Prefecture"


def test_renaming_an_organisation_to_another_ones_name_is_refused(db, login, post, secretariat, make_organization):
    make_organization(name="長野市")
    org = make_organization(name="長野県")
    login(secretariat)
    response = post(f"/organisations/{org.id}/edit", {"name": "長野 市", "kind": "prefecture"})
    assert response.status_code == 422 and "is already in the directory" in text(response)
    assert db.session.get(Organization, org.id).name == "長野県"


def test_a_missing_name_keeps_what_was_typed(db, login, post, secretariat):
    login(secretariat)
    response = post("/organisations/new", {**ORG, "name": ""})
    assert response.status_code == 422
    page = text(response)
    assert "Enter the name." in page and 'value="Shinshu University"' in page
    assert _organizations(db) == []


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("name", "あ" * 201, "200 characters"),
        ("prefecture", "長野県長野県長野県長野", "10 characters"),
        ("kind", "spaceship", "Not a valid choice"),
        ("website", "not a web address", "Enter a web address"),
        ("website", "javascript://example.jp/%0Aalert(1)", "http:// or https://"),
    ],
)
def test_bad_organisation_fields_are_refused(db, login, post, secretariat, field, value, message):
    login(secretariat)
    response = post("/organisations/new", {**ORG, field: value})
    assert response.status_code == 422 and message in text(response)
    assert _organizations(db) == []


def test_script_in_a_name_is_shown_as_text(db, client, login, post, secretariat):
    login(secretariat)
    post("/organisations/new", {**ORG, "name": "<script>alert(1)</script>"})
    [org] = _organizations(db)
    page = text(client.get(f"/organisations/{org.id}"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    # Also inside the duplicate message, which carries a link.
    again = text(post("/organisations/new", {**ORG, "name": "<SCRIPT>alert(1)</SCRIPT>"}))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</a> is already in the directory" in again


def test_an_organisation_form_without_csrf_token_is_refused(db, login, post, secretariat):
    login(secretariat)
    assert post("/organisations/new", ORG, csrf=False).status_code == 400
    assert _organizations(db) == []


def test_members_may_not_edit_the_directory(db, client, login, post, make_consortium, make_user, make_organization):
    org = make_organization()
    login(make_user({make_consortium(): GrantRole.MEMBER}))
    assert client.get("/organisations/new").status_code == 403
    assert post(f"/organisations/{org.id}/edit", {**ORG}).status_code == 403
    assert _organizations(db, name="信州大学") == []


def test_anonymous_visitors_are_sent_to_sign_in(client, make_organization):
    org = make_organization()
    response = client.get(f"/organisations/{org.id}/edit")
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]


def test_edit_links_show_only_to_those_who_may_edit(client, login, secretariat, make_organization, make_consortium, make_user):
    org = make_organization()
    edit = f'href="/organisations/{org.id}/edit"'
    assert edit not in text(client.get(f"/organisations/{org.id}"))
    login(make_user({make_consortium(): GrantRole.MEMBER}))
    assert edit not in text(client.get(f"/organisations/{org.id}"))
    client.delete_cookie("session")
    login(secretariat)
    page = text(client.get(f"/organisations/{org.id}"))
    assert edit in page and 'href="/organisations/new"' in text(client.get("/organisations/"))
    assert f"/organisations/{org.id}/delete" not in page  # deleting is for administrators


def test_a_secretariat_may_not_delete_an_organisation(db, client, login, post, secretariat, make_organization):
    org = make_organization()
    login(secretariat)
    assert client.get(f"/organisations/{org.id}/delete").status_code == 403
    assert post(f"/organisations/{org.id}/delete", {"confirm": "y"}).status_code == 403
    assert _organizations(db, id=org.id)


def test_deleting_an_organisation_asks_for_confirmation(db, client, login, post, admin, make_organization):
    org = make_organization()
    login(admin)
    assert client.get(f"/organisations/{org.id}/delete").status_code == 200
    assert post(f"/organisations/{org.id}/delete", {}).status_code == 422
    assert _organizations(db, id=org.id)
    assert post(f"/organisations/{org.id}/delete", {"confirm": "y"}).status_code == 302
    assert _organizations(db, id=org.id) == []


def test_an_organisation_in_use_is_not_deleted_and_the_reason_given(
    db, client, login, post, admin, make_organization, make_consortium, make_member, make_person
):
    org = make_organization()
    make_member(make_consortium(), organization=org)
    make_member(make_consortium(), person=make_person(organization=org), on_behalf_of=org)
    login(admin)
    response = post(f"/organisations/{org.id}/delete", {"confirm": "y"}, follow_redirects=True)
    page = text(response)
    assert "cannot be deleted" in page
    assert "It is on 1 roster entry." in page and "Someone sits for it on 1 roster entry." in page
    assert "1 person belongs to it." in page and "merge it into that one instead" in page
    assert _organizations(db, id=org.id)


# ---------------------------------------------------------------------------------------------
# People


PERSON = {"family_name": "山田", "given_name": "花子", "family_name_kana": "やまだ", "given_name_kana": "はなこ",
          "name_en": "Hanako Yamada", "title": "教授"}


def _people(db, **where) -> list[Person]:
    db.session.expire_all()
    return db.session.execute(sa.select(Person).filter_by(**where)).scalars().all()


def test_new_person_is_a_form_not_a_person_number(client, login, secretariat):
    login(secretariat)
    response = client.get("/people/new")
    assert response.status_code == 200 and 'name="family_name"' in text(response)


def test_a_person_is_linked_to_the_organisation_typed_in_any_width(db, login, post, secretariat, make_organization):
    org = make_organization(name="ABC銀行")
    login(secretariat)
    response = post("/people/new", {**PERSON, "organisation": "ＡＢＣ 銀行"})
    assert response.status_code == 302
    [person] = _people(db, family_name="山田")
    assert person.organization_id == org.id and person.given_name_kana == "はなこ"


def test_an_unknown_organisation_is_an_error_that_says_so(db, login, post, secretariat):
    login(secretariat)
    response = post("/people/new", {**PERSON, "organisation": "存在しない協会"})
    assert response.status_code == 422
    page = text(response)
    assert "存在しない協会 is not in the directory of organisations" in page and 'value="花子"' in page
    assert _people(db) == []


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("family_name", "", "Enter the family name."),
        ("family_name", "山" * 101, "100 characters"),
        ("title", "長" * 201, "200 characters"),
    ],
)
def test_bad_person_fields_are_refused(db, login, post, secretariat, field, value, message):
    login(secretariat)
    response = post("/people/new", {**PERSON, field: value})
    assert response.status_code == 422 and message in text(response)
    assert _people(db) == []


def test_an_administrator_keeps_private_contact_details(db, client, login, post, admin):
    login(admin)
    assert 'name="email"' in text(client.get("/people/new"))
    post("/people/new", {**PERSON, "email": "hanako@example.jp", "phone": "026-000-0000", "private_note": "<script>x</script>"})
    [person] = _people(db)
    assert (person.email, person.phone) == ("hanako@example.jp", "026-000-0000")
    page = text(client.get(f"/people/{person.id}"))
    assert "hanako@example.jp" in page and "&lt;script&gt;x&lt;/script&gt;" in page


def test_a_wrong_email_is_refused(db, login, post, admin):
    login(admin)
    response = post("/people/new", {**PERSON, "email": "not an address"})
    assert response.status_code == 422 and "Enter a valid email address." in text(response)


def test_a_secretariat_sees_contact_details_masked_and_an_empty_field_keeps_them(
    db, client, login, post, secretariat, make_person, make_member, make_consortium
):
    person = make_person(email="old@example.jp", phone="090-0000-0042", private_note="内部メモ")
    make_member(secretariat.grants[0].consortium, person=person)  # theirs to set (can_edit_contact)
    login(secretariat)
    form = text(client.get(f"/people/{person.id}/edit"))
    assert "old@example.jp" not in form and "090-0000-0042" not in form and "内部メモ" not in form
    assert "o•••••@example.jp" in form and "•••-••••-••42" in form
    response = post(f"/people/{person.id}/edit", {**PERSON, "email": "", "phone": "", "private_note": "消す"})
    assert response.status_code == 302
    [saved] = _people(db, id=person.id)
    assert saved.family_name == "山田" and saved.title == "教授"
    assert (saved.email, saved.phone, saved.private_note) == ("old@example.jp", "090-0000-0042", "内部メモ")


def test_a_secretariat_replaces_or_removes_a_contact_detail_without_seeing_it(
    db, login, post, secretariat, make_person, make_member
):
    person = make_person(email="old@example.jp", phone="090-0000-0042")
    make_member(secretariat.grants[0].consortium, person=person)
    login(secretariat)
    response = post(f"/people/{person.id}/edit", {**PERSON, "email": "new@example.jp", "clear_phone": "y"})
    assert response.status_code == 302, text(response)
    [saved] = _people(db, id=person.id)
    assert (saved.email, saved.phone) == ("new@example.jp", None)


def test_typing_a_new_address_and_removing_the_stored_one_is_refused(db, login, post, secretariat, make_person, make_member):
    person = make_person(email="old@example.jp")
    make_member(secretariat.grants[0].consortium, person=person)
    login(secretariat)
    response = post(f"/people/{person.id}/edit", {**PERSON, "email": "new@example.jp", "clear_email": "y"})
    assert response.status_code == 422
    assert "Either type a new email address or remove the stored one, not both." in text(response)
    assert _people(db, id=person.id)[0].email == "old@example.jp"


def test_a_secretariat_cannot_set_the_contact_details_of_someone_outside_its_consortia(
    db, client, login, post, secretariat, make_person, make_member, make_consortium
):
    person = make_person(email="old@example.jp", phone="090-0000-0042")
    make_member(make_consortium(), person=person)
    login(secretariat)
    form = text(client.get(f"/people/{person.id}/edit"))
    assert 'name="email"' not in form and "o•••••@example.jp" not in form
    response = post(f"/people/{person.id}/edit", {**PERSON, "email": "new@example.jp", "clear_phone": "y"})
    assert response.status_code == 302
    [saved] = _people(db, id=person.id)
    assert saved.title == "教授" and (saved.email, saved.phone) == ("old@example.jp", "090-0000-0042")


def test_a_person_form_without_csrf_token_is_refused(db, login, post, secretariat):
    login(secretariat)
    assert post("/people/new", PERSON, csrf=False).status_code == 400


def test_other_secretariats_see_the_person_but_not_the_members_only_roster(
    db, client, login, secretariat, make_person, make_member, make_consortium
):
    person = make_person()
    hidden = make_consortium(name="非公開の準備会", visibility=Visibility.MEMBERS)
    make_member(hidden, person=person)
    login(secretariat)
    # Secretariats keep the shared directory, so they find everyone in it…
    assert client.get(f"/people/{person.id}/edit").status_code == 200
    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    # …but a members-only consortium they are not in stays out of sight.
    assert "非公開の準備会" not in page


def test_a_person_of_a_members_only_consortium_is_hidden_from_the_public(client, make_person, make_member, make_consortium):
    person = make_person()
    make_member(make_consortium(visibility=Visibility.MEMBERS), person=person)
    assert client.get(f"/people/{person.id}").status_code == 404


def test_a_person_in_minutes_is_not_deleted(db, login, post, admin, make_person, make_consortium, make_meeting):
    person = make_person()
    minutes = Minutes(meeting=make_meeting(make_consortium()))
    db.session.add(DiscussionPoint(minutes=minutes, text="発言", speaker=person))
    db.session.commit()
    login(admin)
    response = post(f"/people/{person.id}/delete", {"confirm": "y"}, follow_redirects=True)
    assert "Minutes name them as the speaker of 1 point." in text(response)
    assert _people(db, id=person.id)


def test_a_person_on_a_roster_or_with_an_account_is_not_deleted(
    db, login, post, admin, make_person, make_member, make_consortium, make_user
):
    on_roster, with_account = make_person(), make_person()
    make_member(make_consortium(), person=on_roster)
    make_user(person=with_account)
    login(admin)
    page = text(post(f"/people/{on_roster.id}/delete", {"confirm": "y"}, follow_redirects=True))
    assert "They are on 1 roster entry." in page
    page = text(post(f"/people/{with_account.id}/delete", {"confirm": "y"}, follow_redirects=True))
    assert "A user account is linked to them." in page
    assert len(_people(db)) == 2


def test_an_administrator_deletes_an_unused_person(db, login, post, admin, make_person):
    person = make_person()
    login(admin)
    assert post(f"/people/{person.id}/delete", {"confirm": "y"}).status_code == 302
    assert _people(db, id=person.id) == []


def test_the_people_list_shows_only_people_the_visitor_may_see(client, make_person, make_member, make_consortium):
    public, hidden = make_person(family_name="公開"), make_person(family_name="非公開")
    make_member(make_consortium(), person=public)
    make_member(make_consortium(visibility=Visibility.MEMBERS), person=hidden)
    page = text(client.get("/people/"))
    assert "公開 太郎" in page and "非公開" not in page
    assert "公開 太郎" in text(client.get("/people/?q=公開太郎"))


def test_typed_text_is_kept_and_control_characters_dropped(db, login, post, secretariat):
    """Full-width letters stay as typed; a NUL byte (which PostgreSQL refuses) never reaches the database."""
    login(secretariat)
    response = post("/organisations/new", {**ORG, "name": "ＮＰＯ法人\x00 さくら\x07", "name_en": "Sakura"})
    assert response.status_code == 302
    names = db.session.execute(sa.select(Organization.name)).scalars().all()
    assert "ＮＰＯ法人 さくら" in names
