"""A programme's secretariat runs its platforms (and theirs, further down) unless one has a
secretariat of its own; a programme's members are no members of its platforms (permissions.grants_of)."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import g
from conftest import post_form, sign_in, text

from consortium import permissions
from consortium.demo.loader import DEMO_PASSWORD
from consortium.models import (
    AuditEvent,
    Consortium,
    ConsortiumKind,
    GrantRole,
    Target,
    User,
    Visibility,
)


def _target(db, consortium: Consortium) -> Target:
    target = Target(consortium=consortium, title="参加企業数", target_value=Decimal(50), unit="社", fiscal_year=2030)
    db.session.add(target)
    db.session.commit()
    return target


@pytest.fixture()
def tree(db, make_consortium, make_meeting, make_user):
    """A programme with a members-only platform and a project under it, a platform with a
    secretariat of its own and a project under that, and an unrelated consortium."""
    programme = make_consortium(name="戦略プログラム", kind=ConsortiumKind.PROGRAMME)
    platform = make_consortium(name="支援プラットフォーム", kind=ConsortiumKind.PLATFORM, parent=programme,
                               visibility=Visibility.MEMBERS)
    project = make_consortium(name="実行プロジェクト", kind=ConsortiumKind.PROJECT, parent=platform)
    self_run = make_consortium(name="自立プラットフォーム", kind=ConsortiumKind.PLATFORM, parent=programme)
    below_self_run = make_consortium(name="自立の下のプロジェクト", kind=ConsortiumKind.PROJECT, parent=self_run)
    other = make_consortium(name="別の協議会")
    users = {
        "secretariat": make_user({programme: GrantRole.SECRETARIAT}),
        "member": make_user({programme: GrantRole.MEMBER}),
        "own_secretariat": make_user({self_run: GrantRole.SECRETARIAT}),
        "outside_secretariat": make_user({other: GrantRole.SECRETARIAT}),
    }
    meetings = {"platform": make_meeting(platform, is_public=False), "self_run": make_meeting(self_run)}
    return {
        "programme": programme, "platform": platform, "project": project, "self_run": self_run,
        "below_self_run": below_self_run, "other": other, "users": users, "meetings": meetings,
    }


def test_the_programme_secretariat_edits_a_platform_target_and_the_log_names_it(client, db, login, post, tree):
    target = _target(db, tree["platform"])
    secretariat = tree["users"]["secretariat"]
    login(secretariat)
    assert client.get(f"/targets/{target.id}/edit").status_code == 200
    response = post(f"/targets/{target.id}/edit", {"title": "参加企業数", "target_value": "80", "unit": "社", "fiscal_year": "2030"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Target, target.id).target_value == Decimal(80)
    (event,) = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.entity_type == "Target", AuditEvent.action == "update")
    ).scalars()
    assert (event.user_id, event.consortium_id) == (secretariat.id, tree["platform"].id)
    assert Decimal(event.after["target_value"]) == 80
    # The platform's own change history shows it to the programme's secretariat.
    assert "参加企業数" in text(client.get(f"/admin/consortia/{tree['platform'].id}/audit"))


@pytest.mark.parametrize("path", [
    "/consortia/{c}/edit", "/consortia/{c}/roster", "/consortia/{c}/members/new", "/consortia/{c}/milestones/new",
    "/consortia/{c}/targets/new", "/consortia/{c}/meetings/new", "/admin/consortia/{c}/audit",
])
def test_the_programme_secretariat_opens_the_secretariat_pages_of_platform_and_project(client, login, tree, path):
    login(tree["users"]["secretariat"])
    for name in ("platform", "project"):
        assert client.get(path.format(c=tree[name].id)).status_code == 200, name


@pytest.mark.parametrize("role", ["member", "own_secretariat", "outside_secretariat"])
def test_others_cannot_edit_a_platform_target(client, db, login, post, tree, role):
    target = _target(db, tree["project"])
    login(tree["users"][role])
    assert client.get(f"/targets/{target.id}/edit").status_code == 403
    assert post(f"/targets/{target.id}/edit", {"title": "書き換え"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Target, target.id).title == "参加企業数"


def test_a_programme_member_is_no_member_of_its_platforms(client, login, tree):
    login(tree["users"]["member"])
    assert client.get(f"/consortia/{tree['programme'].id}").status_code == 200
    assert client.get(f"/consortia/{tree['platform'].id}").status_code == 404  # members only
    assert client.get(f"/meetings/{tree['meetings']['platform'].id}").status_code == 404


@pytest.mark.parametrize("name", ["self_run", "below_self_run"])
def test_a_platform_with_its_own_secretariat_is_not_run_by_the_programme(client, db, login, post, tree, name):
    target = _target(db, tree[name])
    login(tree["users"]["secretariat"])
    assert client.get(f"/targets/{target.id}/edit").status_code == 403
    assert client.get(f"/consortia/{tree[name].id}/edit").status_code == 403
    # …and its own secretariat runs it, with what lies below it.
    post("/accounts/logout")
    login(tree["users"]["own_secretariat"])
    assert client.get(f"/targets/{target.id}/edit").status_code == 200


def test_effective_roles_per_user(app, tree):
    with app.test_request_context():
        ids = {name: tree[name].id for name in ("programme", "platform", "project", "self_run", "below_self_run", "other")}
        secretariat = permissions.grants_of(tree["users"]["secretariat"])
        assert secretariat == {ids[n]: GrantRole.SECRETARIAT for n in ("programme", "platform", "project")}
        assert permissions.grants_of(tree["users"]["member"]) == {ids["programme"]: GrantRole.MEMBER}
        assert permissions.grants_of(tree["users"]["own_secretariat"]) == {
            ids[n]: GrantRole.SECRETARIAT for n in ("self_run", "below_self_run")
        }


def test_a_platform_member_who_runs_the_programme_is_its_secretariat(app, db, tree, make_user):
    user = make_user({tree["programme"]: GrantRole.SECRETARIAT, tree["platform"]: GrantRole.MEMBER})
    with app.test_request_context():
        assert permissions.is_secretariat(tree["platform"].id, user)


def test_a_deactivated_own_secretariat_hands_the_platform_back_to_the_programme(app, db, tree):
    tree["users"]["own_secretariat"].active = False
    db.session.commit()
    with app.test_request_context():
        assert permissions.is_secretariat(tree["self_run"].id, tree["users"]["secretariat"])
        assert permissions.is_secretariat(tree["below_self_run"].id, tree["users"]["secretariat"])


def test_a_cycle_in_the_tree_ends_the_walk(app, db, tree):
    tree["programme"].parent = tree["project"]  # not possible through the form; the query must still end
    db.session.commit()
    with app.test_request_context():
        assert permissions.is_secretariat(tree["project"].id, tree["users"]["secretariat"])
        assert permissions.run_by_ancestor(tree["project"]) == tree["programme"]


def test_roles_are_read_in_one_query_however_deep_the_tree(app, db, tree, make_consortium, count_queries):
    user = tree["users"]["secretariat"]

    def queries(deepest: Consortium) -> int:
        ids = deepest.id, tree["programme"].id, user.id  # loaded before counting
        with app.test_request_context(), count_queries() as statements:
            g.pop("_grants", None)  # the tests' app context outlives a request's
            assert all(permissions.is_secretariat(cid, user) for cid in ids[:2])
            permissions.visible_consortia(user), permissions.managed_consortia(user), permissions.own_meetings(user)
        return len(statements)

    few = queries(tree["project"])
    deepest = tree["project"]
    for n in range(5):
        deepest = make_consortium(name=f"下位{n}", parent=deepest)
    assert queries(deepest) == few == 1


def test_pages_say_who_runs_a_platform(client, login, tree):
    login(tree["users"]["secretariat"])
    programme_name = tree["programme"].name
    for name in ("platform", "project"):
        page = text(client.get(f"/consortia/{tree[name].id}"))
        assert f"the secretariat of {programme_name}" in page or f"{programme_name}の事務局" in page
    for name in ("programme", "self_run", "below_self_run"):
        page = text(client.get(f"/consortia/{tree[name].id}"))
        assert f"{programme_name}の事務局" not in page


def test_the_programme_secretariats_calendar_holds_the_meetings_it_plans(client, login, tree):
    login(tree["users"]["secretariat"])
    month = tree["meetings"]["platform"].starts_at.strftime("%Y-%m")
    assert tree["meetings"]["self_run"].starts_at.strftime("%Y-%m") == month
    page = text(client.get(f"/calendar?view=list&month={month}"))
    assert tree["meetings"]["platform"].title in page
    assert tree["meetings"]["self_run"].title not in page


def test_demo_kanto_secretariat_edits_a_platform_target(client, db, demo):
    def user(email):
        return db.session.execute(sa.select(User).filter_by(email=email)).scalar_one()

    platform = db.session.execute(
        sa.select(Consortium).filter_by(name="関東地域としての支援プラットフォーム")
    ).scalar_one()
    target = db.session.execute(sa.select(Target).filter_by(consortium_id=platform.id).order_by(Target.id)).scalars().first()
    sign_in(client, user("kanto@example.jp"), DEMO_PASSWORD)
    assert client.get(f"/targets/{target.id}/edit").status_code == 200
    data = {"title": target.title, "target_value": "12", "unit": target.unit or "", "fiscal_year": str(target.fiscal_year)}
    assert post_form(client, f"/targets/{target.id}/edit", data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Target, target.id).target_value == Decimal(12)
    post_form(client, "/accounts/logout")
    sign_in(client, user("kanie@example.jp"), DEMO_PASSWORD)  # a member of NAGANO×KANTO only
    assert client.get(f"/targets/{target.id}/edit").status_code == 403
