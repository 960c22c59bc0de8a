"""Administration: accounts and roles, merging duplicates, the audit log."""
from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa

from consortium.models import (
    ActionItem,
    AgendaItem,
    AgendaPresenter,
    AuditEvent,
    DiscussionPoint,
    Grant,
    GrantRole,
    Meeting,
    Membership,
    Minutes,
    Organization,
    Person,
    User,
    Visibility,
)
from conftest import fresh, text

pytestmark = pytest.mark.usefixtures("english")


def _user_by_email(db, email) -> User | None:
    db.session.expire_all()
    return db.session.execute(sa.select(User).where(User.email == email)).scalar_one_or_none()


NEW_USER = {"email": "Hanako@Example.JP", "display_name": "山田 花子"}


# ---------------------------------------------------------------------------------------------
# Who may use the administration


@pytest.mark.parametrize("url", ["/admin/", "/admin/users", "/admin/users/new", "/admin/audit"])
def test_a_secretariat_may_not_use_the_administration(client, login, make_user, make_consortium, url):
    login(make_user({make_consortium(): GrantRole.SECRETARIAT}))
    assert client.get(url).status_code == 403


def test_a_secretariat_may_not_merge_or_create_users(db, login, post, make_user, make_consortium, make_organization):
    kept, duplicate = make_organization(), make_organization()
    login(make_user({make_consortium(): GrantRole.SECRETARIAT}))
    assert post(f"/admin/organisations/{kept.id}/merge", {"duplicate_id": duplicate.id, "confirm": "y"}).status_code == 403
    assert post("/admin/users/new", NEW_USER).status_code == 403
    assert fresh(db, Organization, duplicate.id) is not None
    assert _user_by_email(db, "hanako@example.jp") is None


# ---------------------------------------------------------------------------------------------
# Accounts


def test_a_new_user_sets_a_password_by_link_and_signs_in_with_it(db, client, login, post, admin):
    login(admin)
    response = post("/admin/users/new", NEW_USER)
    assert response.status_code == 200
    link = unescape(re.search(r'id="password-link" type="text" readonly value="([^"]+)"', text(response))[1])
    user = _user_by_email(db, "hanako@example.jp")  # stored in lower case
    assert user is not None and user.password_hash is None and not user.is_admin
    client.delete_cookie("session")
    path = link.split("localhost", 1)[1]
    assert client.get(path).status_code == 200
    assert post(path, {"password": "花子の新しいパスワード", "confirm": "花子の新しいパスワード"}).status_code == 302
    login(user, password="花子の新しいパスワード")
    assert "山田 花子" in text(client.get("/"))


def test_a_new_user_can_be_granted_a_role_and_linked_to_a_person(db, login, post, admin, make_consortium, make_person):
    consortium = make_consortium()
    person = make_person(family_name="山田", given_name="花子")
    login(admin)
    post("/admin/users/new", {**NEW_USER, "person": "山田　花子", "consortium_id": consortium.id, "role": "secretariat"})
    user = _user_by_email(db, "hanako@example.jp")
    assert user.person_id == person.id
    assert [(g.consortium_id, g.role) for g in user.grants] == [(consortium.id, GrantRole.SECRETARIAT)]


def test_an_email_already_used_is_refused_whatever_its_case(db, login, post, admin, make_user):
    make_user(email="hanako@example.jp")
    login(admin)
    response = post("/admin/users/new", NEW_USER)
    assert response.status_code == 422 and "already exists" in text(response)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("email", "", "Enter an email address."),
        ("email", "not-an-address", "Enter a valid email address."),
        ("display_name", "", "Enter the name to show."),
        ("display_name", "名" * 101, "100 characters"),
        ("consortium_id", "abc", "could not coerce"),
        ("role", "owner", "Not a valid choice"),
    ],
)
def test_bad_new_user_fields_are_refused_and_the_rest_kept(db, login, post, admin, make_consortium, field, value, message):
    make_consortium()
    login(admin)
    response = post("/admin/users/new", {**NEW_USER, field: value})
    assert response.status_code == 422
    page = text(response)
    assert message in page
    if field != "display_name":
        assert 'value="山田 花子"' in page
    assert _user_by_email(db, "hanako@example.jp") is None


def test_namesakes_are_listed_with_their_organisation_and_number(db, login, post, admin, make_person, make_organization):
    first = make_person(family_name="佐藤", given_name="一郎", organization=make_organization(name="長野県"))
    second = make_person(family_name="佐藤", given_name="一郎")
    login(admin)
    response = post("/admin/users/new", {**NEW_USER, "person": "佐藤一郎"})
    assert response.status_code == 422
    page = text(response)
    assert f"佐藤 一郎 (#{first.id}, 長野県)" in page and f"佐藤 一郎 (#{second.id}, no organisation)" in page
    assert post("/admin/users/new", {**NEW_USER, "person": f"#{second.id}"}).status_code == 200
    assert _user_by_email(db, "hanako@example.jp").person_id == second.id


def test_a_person_already_linked_to_an_account_is_refused(db, login, post, admin, make_person, make_user):
    person = make_person()
    make_user(person=person, display_name="既存の利用者")
    login(admin)
    response = post("/admin/users/new", {**NEW_USER, "person": f"#{person.id}"})
    assert response.status_code == 422 and "already linked to the account of 既存の利用者" in text(response)


def test_a_script_in_a_display_name_is_shown_as_text(db, client, login, post, admin):
    login(admin)
    post("/admin/users/new", {**NEW_USER, "display_name": "<script>alert(1)</script>"})
    page = text(client.get("/admin/users"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


def test_the_user_list_is_searched_by_name_or_email(client, login, admin, make_user):
    make_user(display_name="鈴木 次郎", email="jiro@example.jp")
    make_user(display_name="田中 三郎", email="saburo@example.jp")
    login(admin)
    page = text(client.get("/admin/users?q=JIRO"))
    assert "鈴木 次郎" in page and "田中 三郎" not in page
    page = text(client.get("/admin/users?q=田中"))
    assert "田中 三郎" in page and "鈴木 次郎" not in page


def test_the_user_list_costs_the_same_queries_for_more_users(client, login, admin, make_user, make_consortium, count_queries):
    consortium = make_consortium()
    login(admin)
    make_user({consortium: GrantRole.MEMBER})
    with count_queries() as few:
        client.get("/admin/users")
    for _ in range(5):
        make_user({make_consortium(): GrantRole.MEMBER})
    with count_queries() as many:
        client.get("/admin/users")
    assert len(many) == len(few)


def test_an_administrator_edits_an_account(db, login, post, admin, make_user, make_person):
    user = make_user()
    person = make_person(family_name="高橋", given_name="四郎")
    login(admin)
    response = post(f"/admin/users/{user.id}/edit", {"display_name": "高橋 四郎", "person": "高橋 四郎", "is_admin": "y"})
    assert response.status_code == 302
    saved = fresh(db, User, user.id)
    assert (saved.display_name, saved.person_id, saved.is_admin, saved.active) == ("高橋 四郎", person.id, True, False)


def test_an_administrator_cannot_demote_or_deactivate_themselves(db, login, post, admin):
    login(admin)
    response = post(f"/admin/users/{admin.id}/edit", {"display_name": "管理者"})
    assert response.status_code == 422
    page = text(response)
    assert "You cannot deactivate your own account." in page
    assert "You cannot remove your own administrator rights" in page
    saved = fresh(db, User, admin.id)
    assert saved.is_admin and saved.active


def test_an_account_form_without_csrf_token_is_refused(db, login, post, admin, make_user):
    user = make_user()
    login(admin)
    assert post(f"/admin/users/{user.id}/edit", {"display_name": "別名", "active": "y"}, csrf=False).status_code == 400
    assert fresh(db, User, user.id).display_name != "別名"


def test_a_new_password_link_is_shown_on_request(client, login, post, admin, make_user):
    user = make_user(password_hash=None)
    login(admin)
    response = post(f"/admin/users/{user.id}/password-link")
    assert response.status_code == 200
    path = unescape(re.search(r'value="http://localhost(/accounts/set-password/[^"]+)"', text(response))[1])
    client.delete_cookie("session")
    assert client.get(path).status_code == 200


# ---------------------------------------------------------------------------------------------
# Grants


def test_granting_and_revoking_changes_what_the_user_may_see(db, client, login, post, admin, make_user, make_consortium):
    closed = make_consortium(visibility=Visibility.MEMBERS)
    user = make_user()
    login(user)
    assert client.get(f"/consortia/{closed.id}").status_code == 404
    client.delete_cookie("session")
    login(admin)
    assert post(f"/admin/users/{user.id}/grants", {"consortium_id": closed.id, "role": "member"}).status_code == 302
    grant = db.session.execute(sa.select(Grant).where(Grant.user_id == user.id)).scalar_one()
    client.delete_cookie("session")
    login(user)
    assert client.get(f"/consortia/{closed.id}").status_code == 200
    client.delete_cookie("session")
    login(admin)
    assert post(f"/admin/users/{user.id}/grants/revoke", {"grant_id": grant.id}).status_code == 302
    client.delete_cookie("session")
    login(user)
    assert client.get(f"/consortia/{closed.id}").status_code == 404


def test_granting_again_changes_the_role(db, login, post, admin, make_user, make_consortium):
    consortium = make_consortium()
    user = make_user({consortium: GrantRole.MEMBER})
    login(admin)
    post(f"/admin/users/{user.id}/grants", {"consortium_id": consortium.id, "role": "secretariat"})
    assert [g.role for g in fresh(db, User, user.id).grants] == [GrantRole.SECRETARIAT]


def test_a_grant_without_a_consortium_is_refused(db, login, post, admin, make_user, make_consortium):
    make_consortium()
    user = make_user()
    login(admin)
    response = post(f"/admin/users/{user.id}/grants", {"consortium_id": "", "role": "member"})
    assert response.status_code == 422 and "Choose a consortium." in text(response)
    assert f'value="{user.display_name}"' in text(response)  # the account form is still filled in
    assert fresh(db, User, user.id).grants == []


def test_another_users_grant_cannot_be_revoked_through_this_one(db, login, post, admin, make_user, make_consortium):
    consortium = make_consortium()
    other = make_user({consortium: GrantRole.SECRETARIAT})
    user = make_user()
    grant_id = other.grants[0].id
    login(admin)
    response = post(f"/admin/users/{user.id}/grants/revoke", {"grant_id": grant_id}, follow_redirects=True)
    assert "nothing was changed" in text(response)
    assert fresh(db, Grant, grant_id) is not None


def test_a_grant_without_csrf_token_is_refused(db, login, post, admin, make_user, make_consortium):
    consortium = make_consortium()
    user = make_user()
    login(admin)
    assert post(f"/admin/users/{user.id}/grants", {"consortium_id": consortium.id, "role": "member"}, csrf=False).status_code == 400
    assert fresh(db, User, user.id).grants == []


# ---------------------------------------------------------------------------------------------
# Merging duplicates


@pytest.fixture()
def duplicate_bank(db, make_organization, make_consortium, make_member, make_person, make_meeting):
    """A bank entered twice: the duplicate is on a roster, sat for, employs someone and presents."""
    kept = make_organization(name="八十二銀行")
    duplicate = make_organization(name="㈱八十二銀行", name_en="The Hachijuni Bank", website="https://www.82bank.co.jp/")
    consortium = make_consortium()
    on_roster = make_member(consortium, organization=duplicate, seat=3)
    staff = make_person(organization=duplicate)
    sitting = make_member(make_consortium(), person=staff, on_behalf_of=duplicate)
    item = AgendaItem(meeting=make_meeting(consortium), title="報告", position=1)
    presenter = AgendaPresenter(agenda_item=item, organization=duplicate)
    db.session.add_all([item, presenter])
    db.session.commit()
    return {"kept": kept, "duplicate": duplicate, "on_roster": on_roster, "staff": staff, "sitting": sitting,
            "presenter": presenter}


def test_the_merge_preview_tells_what_moves_and_writes_nothing(db, client, login, admin, duplicate_bank):
    kept, duplicate = duplicate_bank["kept"], duplicate_bank["duplicate"]
    login(admin)
    response = client.get(f"/admin/organisations/{kept.id}/merge", query_string={"duplicate": "㈱八十二銀行"})
    assert response.status_code == 200
    page = text(response)
    assert "Roster entries of the organisation</th><td>1" in page and "People belonging to it</th><td>1" in page
    assert "has none: English name、Website." in page
    assert fresh(db, Organization, duplicate.id) is not None


def test_merging_organisations_moves_everything_and_is_in_the_audit_log(db, client, login, post, admin, duplicate_bank):
    kept, duplicate = duplicate_bank["kept"], duplicate_bank["duplicate"]
    login(admin)
    response = post(f"/admin/organisations/{kept.id}/merge", {"duplicate_id": duplicate.id, "confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/organisations/{kept.id}")
    assert fresh(db, Organization, duplicate.id) is None
    assert fresh(db, Membership, duplicate_bank["on_roster"].id).organization_id == kept.id
    assert fresh(db, Membership, duplicate_bank["on_roster"].id).seat == 3
    assert fresh(db, Membership, duplicate_bank["sitting"].id).on_behalf_of_id == kept.id
    assert fresh(db, Person, duplicate_bank["staff"].id).organization_id == kept.id
    assert fresh(db, AgendaPresenter, duplicate_bank["presenter"].id).organization_id == kept.id
    merged = fresh(db, Organization, kept.id)
    assert (merged.name, merged.name_en, merged.website) == ("八十二銀行", "The Hachijuni Bank", "https://www.82bank.co.jp/")
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "merge")).scalar_one()
    assert (event.entity_type, event.entity_id, event.user_id) == ("Organization", kept.id, admin.id)
    assert event.before["name"] == "㈱八十二銀行" and event.after["memberships"] == 1 and event.after["people"] == 1
    page = text(client.get("/admin/audit", query_string={"action": "merge"}))
    assert "Duplicate merged" in page and f'<a href="/organisations/{kept.id}">八十二銀行</a>' in page
    assert re.search(r'<th scope="row">Name</th><td class="pre">㈱八十二銀行</td>', page)
    assert re.search(r'<th scope="row">Roster entries</th><td class="pre"></td><td class="pre">1</td>', page)


def test_a_merge_needs_the_box_ticked(db, login, post, admin, duplicate_bank):
    kept, duplicate = duplicate_bank["kept"], duplicate_bank["duplicate"]
    login(admin)
    response = post(f"/admin/organisations/{kept.id}/merge", {"duplicate_id": duplicate.id})
    assert response.status_code == 422 and "Tick the box to confirm." in text(response)
    assert fresh(db, Organization, duplicate.id) is not None


def test_a_merge_without_csrf_token_is_refused(db, login, post, admin, duplicate_bank):
    kept, duplicate = duplicate_bank["kept"], duplicate_bank["duplicate"]
    login(admin)
    response = post(f"/admin/organisations/{kept.id}/merge", {"duplicate_id": duplicate.id, "confirm": "y"}, csrf=False)
    assert response.status_code == 400
    assert fresh(db, Organization, duplicate.id) is not None


@pytest.mark.parametrize("typed, message", [("存在しない団体", "is not in the directory"), ("kept", "This is the one to keep")])
def test_a_wrong_duplicate_is_explained(client, login, admin, duplicate_bank, typed, message):
    kept = duplicate_bank["kept"]
    login(admin)
    typed = f"#{kept.id}" if typed == "kept" else typed
    response = client.get(f"/admin/organisations/{kept.id}/merge", query_string={"duplicate": typed})
    assert response.status_code == 422 and message in text(response)


def test_an_organisation_cannot_be_merged_into_itself(db, login, post, admin, make_organization):
    org = make_organization()
    login(admin)
    response = post(f"/admin/organisations/{org.id}/merge", {"duplicate_id": org.id, "confirm": "y"})
    assert response.status_code == 422
    assert fresh(db, Organization, org.id) is not None


@pytest.fixture()
def duplicate_person(db, make_person, make_consortium, make_member, make_meeting, make_user):
    """One person entered twice, the duplicate with a roster entry, a spoken point, an action and an account."""
    kept = make_person(family_name="田中", given_name="一郎")
    duplicate = make_person(family_name="田中", given_name="一郎", email="tanaka@example.jp", private_note="旧メモ")
    membership = make_member(make_consortium(), person=duplicate)
    minutes = Minutes(meeting=make_meeting(make_consortium()))
    point = DiscussionPoint(minutes=minutes, text="意見", speaker=duplicate)
    action = ActionItem(minutes=minutes, text="宿題", owner=duplicate)
    db.session.add_all([minutes, point, action])
    db.session.commit()
    user = make_user(person=duplicate)
    return {"kept": kept, "duplicate": duplicate, "membership": membership, "point": point, "action": action, "user": user}


def test_a_same_named_duplicate_person_is_found_by_name(client, login, admin, duplicate_person):
    kept, duplicate = duplicate_person["kept"], duplicate_person["duplicate"]
    login(admin)
    response = client.get(f"/admin/people/{kept.id}/merge", query_string={"duplicate": "田中一郎"})
    assert response.status_code == 200
    assert f'name="duplicate_id" type="hidden" value="{duplicate.id}"' in text(response)


def test_merging_people_moves_roster_minutes_and_account(db, login, post, admin, duplicate_person):
    kept, duplicate = duplicate_person["kept"], duplicate_person["duplicate"]
    login(admin)
    response = post(f"/admin/people/{kept.id}/merge", {"duplicate_id": duplicate.id, "confirm": "y"})
    assert response.status_code == 302
    assert fresh(db, Person, duplicate.id) is None
    assert fresh(db, Membership, duplicate_person["membership"].id).person_id == kept.id
    assert fresh(db, DiscussionPoint, duplicate_person["point"].id).speaker_id == kept.id
    assert fresh(db, ActionItem, duplicate_person["action"].id).owner_id == kept.id
    assert fresh(db, User, duplicate_person["user"].id).person_id == kept.id
    merged = fresh(db, Person, kept.id)
    assert (merged.email, merged.private_note) == ("tanaka@example.jp", "旧メモ")
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "merge")).scalar_one()
    assert event.entity_type == "Person" and event.after["speaker_of"] == 1 and event.before["email"] == "tanaka@example.jp"


def test_people_who_both_have_accounts_are_not_merged(db, client, login, post, admin, duplicate_person, make_user):
    kept, duplicate = duplicate_person["kept"], duplicate_person["duplicate"]
    make_user(person=kept)
    login(admin)
    preview = client.get(f"/admin/people/{kept.id}/merge", query_string={"duplicate": f"#{duplicate.id}"})
    assert "Both people have a user account" in text(preview)
    response = post(f"/admin/people/{kept.id}/merge", {"duplicate_id": duplicate.id, "confirm": "y"}, follow_redirects=True)
    assert "Both people have an account" in text(response)
    assert fresh(db, Person, duplicate.id) is not None
    assert fresh(db, Membership, duplicate_person["membership"].id).person_id == duplicate.id


# ---------------------------------------------------------------------------------------------
# The audit log


def test_the_audit_log_shows_who_when_and_what_changed(db, client, login, post, admin, make_consortium):
    consortium = make_consortium()
    login(admin)
    grant_post = post(f"/admin/users/{admin.id}/grants", {"consortium_id": consortium.id, "role": "member"})
    assert grant_post.status_code == 302
    page = text(client.get("/admin/audit", query_string={"entity_type": "Grant"}))
    assert f'<a href="/admin/users/{admin.id}/edit">管理者</a>' in page and "Created</span>" in page
    assert re.search(r'<th scope="row">Role</th><td class="pre"></td><td class="pre">Member</td>', page)
    assert "Japan time" in page


def test_audit_values_are_shown_as_text(db, client, login, post, admin, make_organization):
    org = make_organization(name="旧名")
    login(admin)
    post(f"/organisations/{org.id}/edit", {"name": "<script>alert(1)</script>", "kind": "other"})
    page = text(client.get("/admin/audit", query_string={"entity_type": "Organization", "action": "update"}))
    assert "旧名" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


def test_bad_audit_filters_are_refused(client, login, admin):
    login(admin)
    assert client.get("/admin/audit", query_string={"entity_type": "Nothing"}).status_code == 400
    assert client.get("/admin/audit", query_string={"consortium_id": "x"}).status_code == 400
    assert client.get("/admin/audit", query_string={"show": "everything"}).status_code == 400


def test_a_secretariat_sees_their_own_consortiums_log_only(db, client, login, make_user, make_consortium, make_meeting):
    own, other = make_consortium(), make_consortium()
    make_meeting(own, title="自分の会議")
    make_meeting(other, title="よその会議")
    login(make_user({own: GrantRole.SECRETARIAT}))
    response = client.get(f"/admin/consortia/{own.id}/audit")
    assert response.status_code == 200
    page = text(response)
    assert "自分の会議" in page and "よその会議" not in page
    assert client.get(f"/admin/consortia/{other.id}/audit").status_code == 403
    assert client.get("/admin/audit").status_code == 403


def test_a_member_may_not_read_the_consortiums_log(client, login, make_user, make_consortium):
    consortium = make_consortium()
    login(make_user({consortium: GrantRole.MEMBER}))
    assert client.get(f"/admin/consortia/{consortium.id}/audit").status_code == 403


def test_the_audit_log_is_filtered_by_consortium(db, client, login, admin, make_consortium, make_meeting):
    first, second = make_consortium(), make_consortium()
    make_meeting(first, title="一つ目の会議")
    make_meeting(second, title="二つ目の会議")
    login(admin)
    page = text(client.get("/admin/audit", query_string={"consortium_id": first.id, "entity_type": "Meeting"}))
    assert "一つ目の会議" in page and "二つ目の会議" not in page
    assert db.session.execute(sa.select(sa.func.count()).select_from(Meeting)).scalar_one() == 2
