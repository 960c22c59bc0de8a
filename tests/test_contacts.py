"""The secretariat's contact sheet (/consortia/<id>/contacts): who may use it, what it shows of
stored details, how it saves many members at once, and that invitations then reach them."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from conftest import csrf_token_of, fresh, text

from consortium.consortia.invitees import invitees
from consortium.japanese import today_tokyo, tokyo_datetime
from consortium.models import AuditEvent, GrantRole, Person


@pytest.fixture()
def sheet(db, office, make_consortium, make_member, make_person, make_organization, make_user):
    """The office's consortium with three people without an address, one with one, an organisation
    without a contact (one of its people has none either) and an organisation with one; and an
    outsider seated in another consortium."""
    consortium, secretariat = office
    people = [make_person(family_name=name, given_name="太郎") for name in ("青木", "井上", "上田")]
    for n, person in enumerate(people, start=1):
        make_member(consortium, person=person, seat=n)
    known = make_person(family_name="江藤", email="eto@example.jp", phone="090-1234-5678")
    make_member(consortium, person=known, seat=4)
    bank = make_organization(name="信州銀行")
    clerk = make_person(family_name="小川", given_name="花子", organization=bank)
    bank_seat = make_member(consortium, organization=bank, seat=5)
    mill = make_organization(name="製糸工業")
    mill_contact = make_person(family_name="加藤", email="kato@example.jp", organization=mill)
    make_member(consortium, organization=mill, seat=6)
    elsewhere = make_consortium(name="別の会議体")
    outsider = make_person(family_name="外山", given_name="一郎")
    make_member(elsewhere, person=outsider)
    return {
        "consortium": consortium, "secretariat": secretariat, "people": people, "known": known, "bank": bank,
        "clerk": clerk, "bank_seat": bank_seat, "mill_contact": mill_contact, "elsewhere": elsewhere, "outsider": outsider,
        "other_secretariat": make_user({elsewhere: GrantRole.SECRETARIAT}),
        "member": make_user({consortium: GrantRole.MEMBER}),
    }


def url(sheet, **query) -> str:
    tail = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/consortia/{sheet['consortium'].id}/contacts" + (f"?{tail}" if tail else "")


def fields_of(html: str) -> dict[str, str]:
    """Every named input of the page's form, with its value."""
    return {m.group(1): m.group(2) for m in re.finditer(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html)}


def submit(client, sheet, typed: dict[str, str], **query):
    """Post the sheet as shown, with `typed` (by person or organisation seat) filled in."""
    page = text(client.get(url(sheet, **query)))
    data = {name: value for name, value in fields_of(page).items() if name.endswith("version") or name == "csrf_token"}
    data.update(typed)
    return client.post(url(sheet, **query), data=data)


def key(sheet, person: Person) -> str:
    membership = next(m for m in person.memberships if m.consortium_id == sheet["consortium"].id)
    return f"m{membership.id}"


@pytest.mark.parametrize("role, status", [
    ("anonymous", 302), ("member", 403), ("other_secretariat", 403), ("secretariat", 200), ("admin", 200),
])
def test_only_the_consortiums_secretariat_and_administrators_use_the_sheet(db, client, login, sheet, admin, role, status):
    users = {**sheet, "admin": admin}
    if role != "anonymous":
        login(users[role])
    assert client.get(url(sheet)).status_code == status
    if role in ("member", "other_secretariat", "anonymous"):
        answer = client.post(url(sheet), data={"csrf_token": csrf_token_of(text(client.get("/accounts/login"))),
                                               key(sheet, sheet["people"][0]) + "-email": "x@example.jp"})
        assert answer.status_code in (302, 403)
        assert fresh(db, Person, sheet["people"][0].id).email is None


def test_the_roster_page_links_to_the_sheet_for_its_secretariat(client, login, sheet):
    login(sheet["secretariat"])
    assert url(sheet) in text(client.get(f"/consortia/{sheet['consortium'].id}/roster"))
    assert url(sheet) in text(client.get(f"/consortia/{sheet['consortium'].id}"))


def test_the_sheet_lists_who_has_no_address_first_and_everyone_on_request(client, login, sheet):
    login(sheet["secretariat"])
    missing = text(client.get(url(sheet)))
    assert "3 current members have no email address" in missing or "3人" in missing or "青木" in missing
    for name in ("青木", "井上", "上田", "信州銀行"):
        assert name in missing
    assert "江藤" not in missing and "製糸工業" not in missing
    everyone = text(client.get(url(sheet, show="all")))
    assert "江藤" in everyone and "製糸工業" in everyone
    assert client.get(url(sheet, show="nonsense")).status_code == 400


def test_a_secretariat_sees_stored_details_masked_and_an_administrator_in_full(client, login, sheet, admin):
    login(sheet["secretariat"])
    page = text(client.get(url(sheet, show="all")))
    assert "e•••••@example.jp" in page and "•••-••••-••78" in page
    assert "eto@example.jp" not in page and "090-1234-5678" not in page
    assert "kato@example.jp" not in page
    client.post("/accounts/logout", data={"csrf_token": csrf_token_of(page)})
    login(admin)
    assert "eto@example.jp" in text(client.get(url(sheet, show="all")))


def test_three_members_filled_in_one_submit_are_saved_and_audited(db, client, login, sheet):
    login(sheet["secretariat"])
    aoki, inoue, ueda = sheet["people"]
    answer = submit(client, sheet, {
        key(sheet, aoki) + "-email": "aoki@example.jp",
        key(sheet, inoue) + "-email": "ｉｎｏｕｅ@example.jp",  # full-width, as typed on a Japanese keyboard
        key(sheet, ueda) + "-phone": "０３－１２３４－５６７８",
        key(sheet, ueda) + "-email": "ueda@example.jp",
    })
    assert answer.status_code == 302
    assert fresh(db, Person, aoki.id).email == "aoki@example.jp"
    assert fresh(db, Person, inoue.id).email == "inoue@example.jp"
    assert fresh(db, Person, ueda.id).phone == "03-1234-5678"
    events = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.entity_type == "Person", AuditEvent.action == "update")
    ).scalars().all()
    changed = {e.entity_id: set(e.after) for e in events}
    assert changed == {aoki.id: {"email"}, inoue.id: {"email"}, ueda.id: {"email", "phone"}}
    assert all(e.user_id == sheet["secretariat"].id for e in events)
    # They now have an address, so the default list no longer shows them.
    assert "青木" not in text(client.get(url(sheet)))


def test_an_empty_box_changes_nothing(db, client, login, sheet):
    login(sheet["secretariat"])
    known = sheet["known"]
    answer = submit(client, sheet, {key(sheet, known) + "-phone": "03-0000-1111"}, show="all")
    assert answer.status_code == 302
    assert fresh(db, Person, known.id).email == "eto@example.jp"
    assert fresh(db, Person, known.id).phone == "03-0000-1111"


def test_a_bad_address_is_named_on_its_row_and_nothing_typed_is_lost_or_saved(db, client, login, sheet):
    login(sheet["secretariat"])
    client.set_cookie("lang", "ja")
    aoki, inoue, _ueda = sheet["people"]
    answer = submit(client, sheet, {
        key(sheet, aoki) + "-email": "aoki@example.jp",
        key(sheet, inoue) + "-email": "inoue at example",
        key(sheet, inoue) + "-phone": "内線12",
    })
    assert answer.status_code == 422
    page = text(answer)
    assert 'value="aoki@example.jp"' in page and 'value="inoue at example"' in page
    assert "メールアドレス" in page and "03-1234-5678" in page  # the messages say what to type
    assert fresh(db, Person, aoki.id).email is None


def test_a_row_changed_since_the_page_was_read_is_refused_with_the_others_kept(db, client, login, sheet):
    login(sheet["secretariat"])
    aoki, inoue, _ueda = sheet["people"]
    page = text(client.get(url(sheet)))
    data = {name: value for name, value in fields_of(page).items()}
    aoki_row = fresh(db, Person, aoki.id)
    aoki_row.phone = "03-9999-0000"  # someone else saved meanwhile
    db.session.commit()
    data.update({key(sheet, aoki) + "-email": "aoki@example.jp", key(sheet, inoue) + "-email": "inoue@example.jp"})
    answer = client.post(url(sheet), data=data)
    assert answer.status_code == 409
    assert 'value="aoki@example.jp"' in text(answer) and 'value="inoue@example.jp"' in text(answer)
    assert fresh(db, Person, inoue.id).email is None
    # The page now carries the current version: saving again replaces knowingly.
    again = client.post(url(sheet), data={**data, **fields_of(text(answer)), key(sheet, aoki) + "-email": "aoki@example.jp",
                                          key(sheet, inoue) + "-email": "inoue@example.jp"})
    assert again.status_code == 302
    assert fresh(db, Person, aoki.id).email == "aoki@example.jp"


def test_an_organisations_contact_is_named_from_its_people_and_invitations_reach_it(db, client, login, sheet):
    login(sheet["secretariat"])
    row = f"m{sheet['bank_seat'].id}"
    assert next(i for i in invitees(sheet["consortium"].id) if i.membership.id == sheet["bank_seat"].id).email is None
    answer = submit(client, sheet, {f"{row}-contact": str(sheet["clerk"].id), f"{row}-email": "ogawa@example.jp"})
    assert answer.status_code == 302
    assert fresh(db, Person, sheet["clerk"].id).email == "ogawa@example.jp"
    reached = next(i for i in invitees(sheet["consortium"].id) if i.membership.id == sheet["bank_seat"].id)
    assert reached.contact.id == sheet["clerk"].id and reached.email == "ogawa@example.jp"


def test_a_new_contact_is_added_as_one_of_the_organisations_people(db, client, login, sheet):
    login(sheet["secretariat"])
    row = f"m{sheet['bank_seat'].id}"
    answer = submit(client, sheet, {f"{row}-new_name": "大野　次郎", f"{row}-email": "ono@example.jp"})
    assert answer.status_code == 302
    person = db.session.execute(sa.select(Person).where(Person.email == "ono@example.jp")).scalar_one()
    assert (person.family_name, person.given_name, person.organization_id) == ("大野", "次郎", sheet["bank"].id)
    assert db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.entity_type == "Person", AuditEvent.entity_id == person.id, AuditEvent.action == "create")
    ).scalar_one().user_id == sheet["secretariat"].id


@pytest.mark.parametrize("typed, message", [
    ({"contact": "", "email": "someone@example.jp"}, "First choose who the contact is"),
    ({"new_name": "大野 次郎"}, "Enter the contact's email address"),
    ({"new_name": "大野 次郎", "contact": "CLERK", "email": "ono@example.jp"}, "not both"),
    ({"contact": "OUTSIDER", "email": "evil@example.jp"}, "Choose one of the organisation's people"),
])
def test_naming_a_contact_needs_one_person_of_the_organisation_and_an_address(db, client, login, english, sheet, typed, message):
    login(sheet["secretariat"])
    row = f"m{sheet['bank_seat'].id}"
    ids = {"CLERK": str(sheet["clerk"].id), "OUTSIDER": str(sheet["outsider"].id)}
    answer = submit(client, sheet, {f"{row}-{k}": ids.get(v, v) for k, v in typed.items()})
    assert answer.status_code == 422
    assert message in text(answer)
    assert fresh(db, Person, sheet["outsider"].id).email is None


def test_a_crafted_row_for_someone_outside_the_consortium_changes_nothing(db, client, login, sheet):
    login(sheet["secretariat"])
    outsider_row = f"m{sheet['outsider'].memberships[0].id}"
    answer = submit(client, sheet, {f"{outsider_row}-email": "evil@example.jp"})
    assert answer.status_code == 302
    assert fresh(db, Person, sheet["outsider"].id).email is None


def test_the_sheet_costs_the_same_queries_however_many_members(client, login, sheet, make_member, make_organization, count_queries):
    login(sheet["secretariat"])
    client.get(url(sheet, show="all"))
    with count_queries() as few:
        client.get(url(sheet, show="all"))
    for n in range(5):
        make_member(sheet["consortium"], seat=10 + n)
        make_member(sheet["consortium"], organization=make_organization(), seat=20 + n)
    client.get(url(sheet, show="all"))  # as before: the rows the tests' commits expired are loaded again
    with count_queries() as many:
        client.get(url(sheet, show="all"))
    assert len(many) == len(few)


# The person form (directory): contacts are set only where can_edit_contact holds.

def test_the_person_form_lets_the_consortiums_secretariat_set_an_address(db, client, login, post, sheet):
    login(sheet["secretariat"])
    aoki = sheet["people"][0]
    assert 'name="email"' in text(client.get(f"/people/{aoki.id}/edit"))
    answer = post(f"/people/{aoki.id}/edit", {"family_name": "青木", "given_name": "太郎", "email": "aoki@example.jp"})
    assert answer.status_code == 302
    assert fresh(db, Person, aoki.id).email == "aoki@example.jp"


def test_the_person_form_of_someone_outside_its_consortia_offers_no_contact_fields(db, client, login, post, sheet):
    login(sheet["secretariat"])
    outsider = sheet["outsider"]
    assert 'name="email"' not in text(client.get(f"/people/{outsider.id}/edit"))
    answer = post(f"/people/{outsider.id}/edit", {"family_name": "外山", "given_name": "一郎", "email": "evil@example.jp"})
    assert answer.status_code == 302
    assert fresh(db, Person, outsider.id).email is None


def test_an_invitation_page_counts_a_member_reachable_once_the_sheet_gave_an_address(db, client, login, sheet, make_meeting):
    login(sheet["secretariat"])
    ahead = tokyo_datetime(*(today_tokyo() + timedelta(days=30)).timetuple()[:3], 14)
    meeting = make_meeting(sheet["consortium"], starts_at=ahead, ends_at=ahead + timedelta(hours=2))
    client.set_cookie("lang", "en")

    def unreachable() -> str:
        page = text(client.get(f"/meetings/{meeting.id}/invitations"))
        return page.split("ask them by telephone:")[1].split("</p>")[0]

    assert "青木" in unreachable()
    submit(client, sheet, {key(sheet, sheet["people"][0]) + "-email": "aoki@example.jp"})
    assert "青木" not in unreachable() and "井上" in unreachable()


def test_the_secretariats_change_history_does_not_show_the_addresses_it_typed(db, client, login, sheet):
    """The log keeps the values for administrators; a person's change belongs to no consortium, so
    the secretariat's own change history (admin.consortium_audit) never lists it."""
    login(sheet["secretariat"])
    row = f"m{sheet['bank_seat'].id}"
    submit(client, sheet, {key(sheet, sheet["people"][0]) + "-email": "aoki@example.jp",
                           f"{row}-new_name": "大野 次郎", f"{row}-email": "ono@example.jp"})
    answer = client.get(f"/admin/consortia/{sheet['consortium'].id}/audit")
    assert answer.status_code == 200
    history = text(answer)
    assert "aoki@example.jp" not in history and "ono@example.jp" not in history
