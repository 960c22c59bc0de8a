"""The demo data: every seed fact lands, once, and loading again changes nothing."""
import re
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from conftest import text

from consortium.demo.loader import Loader, DemoDataError, load_demo
from consortium.models import (
    Consortium,
    ConsortiumStatus,
    DatePrecision,
    MeetingStatus,
    Organization,
    Role,
    RosterGroup,
    Target,
)


def _snapshot(db):
    return {
        table.name: sorted(tuple(str(v) for v in row) for row in db.session.execute(table.select()).all())
        for table in db.metadata.sorted_tables
    }


def _consortium(db, name) -> Consortium:
    return db.session.execute(sa.select(Consortium).where(Consortium.name == name)).scalar_one()


def test_loading_twice_changes_nothing(db, demo):
    before = _snapshot(db)
    again = load_demo()
    assert (again.created, again.updated) == (0, 0)
    assert _snapshot(db) == before


def test_an_organisation_in_several_documents_is_one_row(db, demo):
    nagano = db.session.execute(sa.select(Organization).where(Organization.name == "長野県")).scalar_one()
    consortia = {m.consortium.name for m in nagano.memberships}
    assert {"NAGANO×KANTO 地域SDGsコンソーシアム", "関東地域 地域資源広域連携ブランディング事業"} <= consortia
    kanto = db.session.execute(sa.select(Organization).where(Organization.name == "関東経済産業局")).scalar_one()
    assert len({m.consortium_id for m in kanto.memberships}) >= 4


def test_nagano_kanto_kick_off_meeting(db, demo):
    c = _consortium(db, "NAGANO×KANTO 地域SDGsコンソーシアム")
    hosts = [m.organization.name for m in c.memberships if m.role is Role.HOST]
    assert hosts == ["関東経済産業局", "長野県"]
    kick_off = next(m for m in c.meetings if m.kind.value == "kick_off")
    assert kick_off.starts_at == datetime(2018, 5, 25, 5, 15, tzinfo=timezone.utc)  # 14:15 JST
    assert kick_off.ends_at == datetime(2018, 5, 25, 6, 15, tzinfo=timezone.utc)
    assert (kick_off.venue, kick_off.room, kick_off.is_public) == ("長野県庁", "3階 特別会議室", True)
    items = kick_off.agenda_items
    assert [i.label for i in items] == ["(1)", "(2)", "(3)", "(4)", "(5)"]
    assert [p.name for p in items[0].presenters] == ["阿部 守一", "後藤 収"]
    assert items[2].presenters[0].person.full_name == "蟹江 憲史"
    assert "北原 明" in c.contact and "048-600-0232" in c.contact


def test_nagano_kanto_stakeholder_meetings_are_tentative_and_the_report_a_milestone(db, demo):
    c = _consortium(db, "NAGANO×KANTO 地域SDGsコンソーシアム")
    stakeholder = [m for m in c.meetings if m.kind.value == "stakeholder"]
    assert len(stakeholder) == 5
    assert all(m.status is MeetingStatus.TENTATIVE and m.precision is DatePrecision.MONTH for m in stakeholder)
    assert min(m.starts_at for m in stakeholder) == datetime(2018, 5, 31, 15, tzinfo=timezone.utc)  # 2018-06, JST
    report = c.milestones[0]
    assert (report.on, report.precision) == (date(2019, 3, 1), DatePrecision.MONTH)
    planned = {m.organization.name for m in c.memberships if m.organization and m.role is Role.MEMBER}
    assert {"株式会社八十二銀行", "ジェトロ長野", "公立大学法人長野県立大学", "長野県商工会連合会"} <= planned


def test_setagaya_roster_is_the_seventeen_seats_as_printed(db, demo):
    c = _consortium(db, "世田谷区地域経済の持続可能な発展を目指す会議")
    seated = sorted((m for m in c.memberships if m.seat), key=lambda m: m.seat)
    assert [m.seat for m in seated] == list(range(1, 18))
    assert seated[0].person.full_name == "長山 宗広" and seated[0].category == "学識経験者"
    assert seated[0].title == "駒澤大学経済学部教授"
    assert seated[7].on_behalf_of.name == "世田谷区しんきん協議会" and seated[7].title == "昭和信用金庫常勤理事"
    assert [m.category for m in seated[10:15]] == ["民間団体・NPO等"] * 5
    assert [m.person.full_name for m in seated[15:]] == ["大藤 清佳", "吉田 凌太"]
    assert c.roster_note == "順不同、敬称略"


def test_setagaya_meetings_minutes_and_milestones(db, demo):
    c = _consortium(db, "世田谷区地域経済の持続可能な発展を目指す会議")
    meetings = sorted((m for m in c.meetings if m.number <= 6), key=lambda m: m.number)  # 7 on are demo activity
    days = [m.starts_at for m in meetings]
    assert [m.number for m in meetings] == [1, 2, 3, 4, 5, 6]
    assert [m.status for m in meetings] == [MeetingStatus.HELD] * 4 + [MeetingStatus.SCHEDULED] * 2
    assert days[0] == datetime(2023, 3, 19, 15, tzinfo=timezone.utc)  # 2023-03-20 00:00 JST
    assert days[4] == datetime(2023, 9, 6, 15, tzinfo=timezone.utc)
    minutes = meetings[3].minutes
    assert minutes.is_published and len(minutes.points) == 26
    assert "第1回～第4回" in minutes.heading
    months = [(m.on, m.precision) for m in c.milestones if m.precision is DatePrecision.MONTH]
    assert months == [(date(2023, 11, 1), DatePrecision.MONTH), (date(2024, 2, 1), DatePrecision.MONTH), (date(2024, 3, 1), DatePrecision.MONTH)]


def test_keidanren_items_pillars_and_partners(db, demo):
    c = _consortium(db, "地域協創アクションプログラム")
    groups = db.session.execute(sa.select(RosterGroup).where(RosterGroup.consortium_id == c.id)).scalars().all()
    items = {g.label: g for g in groups if g.label}
    pillars = [g for g in groups if g.parent_id is None and not g.label]
    assert sorted(items, key=int) == [str(n) for n in range(1, 11)]
    assert len(pillars) == 3
    assert items["4"].parent.title == "新たな仕事の機会を生み出し続ける"
    assert items["10"].parent is None
    partners = [m for m in c.memberships if m.role is Role.PARTNER]
    by_item = {}
    for m in partners:
        by_item.setdefault(m.group.label, []).append(m.organization.name)
    assert by_item["6"] == ["観光庁", "日本農業法人協会", "農林水産省", "農研機構"]
    assert by_item["10"] == ["全国知事会", "指定都市市長会"]
    assert all(m.description for m in partners)


def test_2014_projects_and_joint_secretariat(db, demo):
    council = _consortium(db, "関東地方産業競争力協議会")
    secretariat = sorted(m.organization.name for m in council.memberships if m.role is Role.SECRETARIAT)
    assert secretariat == ["埼玉県", "関東経済産業局"]
    projects = {c.name: c for c in council.children}
    assert len(projects) == 2
    branding = projects["関東地域 地域資源広域連携ブランディング事業"]
    proposers = [m.organization.name for m in branding.memberships if m.role is Role.PROPOSER]
    assert proposers[0] == "(特非)メイド・イン・ジャパン・プロジェクト" and proposers[-1] == "首都大学東京"
    assert len(proposers) == 29


def test_2017_platform_kpis_are_targets_by_fiscal_year(db, demo):
    network = _consortium(db, "航空機産業クラスター間ネットワーク")
    assert network.parent.name == "関東経済産業局の戦略プログラム2017"
    entrants = next(t for t in network.targets if "新規参入" in t.title)
    assert (entrants.target_value, entrants.fiscal_year_from, entrants.fiscal_year) == (Decimal(50), 2014, 2018)
    assert entrants.baseline_value is None  # 「2015年度までの実績19社」 is a result so far, not a baseline
    assert db.session.execute(sa.select(sa.func.count()).select_from(Target)).scalar() >= 25


def test_an_unknown_organisation_in_the_data_is_reported(db):
    data = {"consortia": [{"name": "x", "kind": "council", "members": [{"organisation": "どこにもない団体"}]}]}
    with pytest.raises(DemoDataError, match="どこにもない団体"):
        Loader(data).load()


def test_demo_accounts_sign_in_with_the_demo_password(client, post, demo):
    from consortium.demo.loader import DEMO_PASSWORD

    response = post("/accounts/login", {"email": "setagaya@example.jp", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "世田谷区 事務局（デモ）" in client.get("/").get_data(as_text=True)



def test_every_demo_membership_opens_in_its_form(client, post, db, demo):
    """Memberships of an organisation, or of a person sitting for one, open in the form too."""
    from consortium.demo.loader import DEMO_PASSWORD
    from consortium.models import Membership

    post("/accounts/login", {"email": "admin@example.jp", "password": DEMO_PASSWORD})
    ids = db.session.execute(sa.select(Membership.id).where(Membership.term_end.is_(None))).scalars().all()
    assert len(ids) > 50
    for membership_id in ids:
        assert client.get(f"/memberships/{membership_id}/edit").status_code == 200, membership_id
    sits_for = db.session.execute(sa.select(Membership).where(Membership.on_behalf_of_id.is_not(None)).limit(1)).scalar_one()
    page = client.get(f"/memberships/{sits_for.id}/edit").get_data(as_text=True)
    assert f'value="{sits_for.on_behalf_of.name}"' in page


def test_what_the_documents_do_not_say_is_not_stated(client, db, demo):
    nagano = _consortium(db, "NAGANO×KANTO 地域SDGsコンソーシアム")
    assert nagano.period_end is None and nagano.status is ConsortiumStatus.PLANNED  # launched, as of the release
    assert all(m.role is not Role.SECRETARIAT for m in nagano.memberships)  # its press contact is no secretariat
    assert not any(m.role is Role.ADVISER for m in nagano.memberships)
    setagaya = _consortium(db, "世田谷区地域経済の持続可能な発展を目指す会議")
    seed_meetings = [m for m in setagaya.meetings if m.number <= 6]
    assert all(m.kind is None and not m.public_stated for m in seed_meetings)
    page = text(client.get(f"/meetings/{seed_meetings[0].id}"))
    assert re.search(r"<dt>種別</dt><dd>記載なし</dd>", page) and re.search(r"<dt>公開・非公開</dt><dd>記載なし</dd>", page)
    minutes = next(m for m in seed_meetings if m.minutes).minutes
    assert sum(p.text.endswith("ではないかな。") for p in minutes.points) == 2 and not minutes.decisions
    assert "区民生活常任委員会報告" not in minutes.source_note
    assert date(2023, 9, 5) not in [m.on for m in setagaya.milestones]
    assert not any(t.code.startswith("sdg-") for c in (nagano, setagaya) for t in c.themes)
