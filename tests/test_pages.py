"""Browsing: every page renders its facts, bad input gets a clean answer, private stays private."""
import pytest
import sqlalchemy as sa

from consortium.models import Consortium, GrantRole, Meeting, Organization, Visibility
from conftest import text


def _id(db, model, **where):
    return db.session.execute(sa.select(model.id).filter_by(**where)).scalar_one()


def test_home_lists_upcoming_meetings(client, make_consortium, make_meeting):
    make_meeting(make_consortium(name="未来会議"), title="第1回 未来会議")
    assert "第1回 未来会議" in text(client.get("/"))


def test_consortia_list_filters_and_searches(client, demo):
    page = text(client.get("/consortia/?kind=council"))
    assert "世田谷区地域経済の持続可能な発展を目指す会議" in page
    assert "地域協創アクションプログラム" not in page
    # Full-width input matches half-width names.
    assert "CREATIVE-KANTO" in text(client.get("/consortia/?q=ｃｒｅａｔｉｖｅ"))
    assert "NAGANO×KANTO" in text(client.get("/consortia/?theme=regional-revitalisation&status=planned"))


def test_consortia_list_paginates(client, make_consortium, app):
    for n in range(app.config["PER_PAGE"] + 3):
        make_consortium(name=f"会議体{n:03d}")
    first, second = text(client.get("/consortia/")), text(client.get("/consortia/?page=2"))
    assert "会議体000" in first and "会議体000" not in second
    assert "会議体022" in second and 'rel="next"' in first


@pytest.mark.parametrize("query", ["page=abc", "page=0", "page=-1", "status=bogus", "kind=<script>", "theme=nope"])
def test_bad_query_parameters_get_a_clean_400(client, demo, query):
    response = client.get(f"/consortia/?{query}")
    assert response.status_code == 400
    assert "<script>" not in text(response)


def test_bad_meeting_listing_parameter_is_400(client):
    assert client.get("/meetings/?when=tomorrow").status_code == 400


@pytest.mark.parametrize("url", ["/consortia/999999", "/meetings/999999", "/organisations/999999", "/people/999999", "/nowhere"])
def test_unknown_ids_give_the_404_page(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "ページが見つかりません" in text(response)


def test_setagaya_page_shows_the_roster_in_seat_order(client, db, demo):
    page = text(client.get(f"/consortia/{_id(db, Consortium, short_name='地域経済の持続可能な発展を目指す会議')}"))
    assert "順不同、敬称略" in page
    positions = [page.index(mark) for mark in "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰"]
    assert positions == sorted(positions)
    assert "長山 宗広" in page and "（駒澤大学経済学部教授）" in page
    assert 'rowspan="5"' in page  # ⑪–⑮ 民間団体・NPO等, printed once as in the source
    assert "令和5年（2023年）11月" in page  # a milestone known only to the month
    assert "第4回 地域経済の持続可能な発展を目指す会議" in page


def test_meeting_page_shows_date_in_wareki_with_weekday_time_and_venue(client, db, demo):
    meeting_id = _id(db, Meeting, title="長野県・関東経済産業局の連携による地域SDGsコンソーシアムキックオフ会議")
    page = text(client.get(f"/meetings/{meeting_id}"))
    assert "平成30年（2018年）5月25日（金） 14:15–15:15" in page
    assert "長野県庁 3階 特別会議室" in page
    assert "公開" in page
    for title in ["主催者挨拶", "プロジェクトコンセプト・概要説明", "基調講演", "意見交換", "フォトセッション"]:
        assert title in page
    assert "長野県知事" in page and "阿部 守一" in page


def test_meeting_page_in_english(client, db, demo):
    meeting_id = _id(db, Meeting, title="長野県・関東経済産業局の連携による地域SDGsコンソーシアムキックオフ会議")
    client.get("/language/en?next=/")
    page = text(client.get(f"/meetings/{meeting_id}"))
    assert "Friday, 25 May 2018 (Heisei 30) 14:15–15:15" in page
    assert "Agenda" in page and '<html lang="en">' in page


def test_published_minutes_show_on_the_meeting_page(client, db, demo):
    page = text(client.get(f"/meetings/{_id(db, Meeting, title='第4回 地域経済の持続可能な発展を目指す会議')}"))
    assert "主な議論の概要（第1回～第4回）" in page
    assert "商店街の役割は大きい" in page


def test_programme_page_groups_partners_under_items(client, db, demo):
    page = text(client.get(f"/consortia/{_id(db, Consortium, name='地域協創アクションプログラム')}"))
    assert "項目6: 観光や農林水産など地域資源を活かした基幹産業を協創する" in page
    assert page.index("項目6") < page.index("観光庁") < page.index("農研機構") < page.index("項目7")
    assert "つくばスーパーサイエンスシティ構想" in page


def test_targets_show_fiscal_years(client, db, demo):
    page = text(client.get(f"/consortia/{_id(db, Consortium, name='航空機産業クラスター間ネットワーク')}"))
    assert "2018年度（平成30年度）" in page and "50社" in page


def test_organisation_page_lists_every_consortium_with_role(client, db, demo):
    page = text(client.get(f"/organisations/{_id(db, Organization, name='長野県')}"))
    assert "NAGANO×KANTO 地域SDGsコンソーシアム" in page and "主催" in page
    assert "戦略的医療機器産業集積" in page and "提案者" in page


def test_person_page_shows_public_fields_only(client, db, make_consortium, make_member, make_person):
    person = make_person(family_name="佐藤", given_name="花子", title="理事", email="hanako@example.jp", phone="03-0000-0000")
    make_member(make_consortium(), person=person)
    page = text(client.get(f"/people/{person.id}"))
    assert "佐藤 花子" in page and "理事" in page
    assert "hanako@example.jp" not in page and "03-0000-0000" not in page


@pytest.fixture()
def private_world(db, make_consortium, make_meeting, make_member, make_person, make_organization):
    """A members-only consortium with a meeting, a member person and a member body."""
    hidden = make_consortium(name="非公開の準備会", visibility=Visibility.MEMBERS)
    meeting = make_meeting(hidden, title="非公開の準備会 第1回")
    person = make_person(family_name="秘密", given_name="一郎")
    make_member(hidden, person=person)
    org = make_organization(name="公開団体")
    make_member(hidden, organization=org)
    return {"consortium": hidden, "meeting": meeting, "person": person, "org": org}


def test_members_only_consortium_is_invisible_to_the_public_everywhere(client, private_world):
    w = private_world
    for url in ["/", "/consortia/", "/consortia/?q=非公開", "/meetings/", f"/organisations/{w['org'].id}"]:
        response = client.get(url)
        assert response.status_code == 200
        assert "非公開の準備会" not in text(response), url
    for url in [f"/consortia/{w['consortium'].id}", f"/consortia/{w['consortium'].id}/meetings",
                f"/meetings/{w['meeting'].id}", f"/people/{w['person'].id}"]:
        assert client.get(url).status_code == 404, url


def test_members_only_consortium_is_invisible_to_members_of_another(client, login, make_user, make_consortium, private_world):
    login(make_user({make_consortium(): GrantRole.SECRETARIAT}))
    assert client.get(f"/consortia/{private_world['consortium'].id}").status_code == 404
    assert "非公開の準備会" not in text(client.get("/consortia/"))


def test_members_see_their_members_only_consortium(client, login, make_user, private_world):
    login(make_user({private_world["consortium"]: GrantRole.MEMBER}))
    assert "非公開の準備会" in text(client.get("/consortia/"))
    page = text(client.get(f"/consortia/{private_world['consortium'].id}"))
    assert "この会議体の会員のみ" in page and "秘密 一郎" in page
    assert client.get(f"/meetings/{private_world['meeting'].id}").status_code == 200


def test_closed_meeting_of_a_public_consortium_is_hidden_from_the_public(client, make_consortium, make_meeting):
    consortium = make_consortium()
    closed = make_meeting(consortium, title="非公開の打合せ", is_public=False)
    assert client.get(f"/meetings/{closed.id}").status_code == 404
    assert "非公開の打合せ" not in text(client.get(f"/consortia/{consortium.id}"))


def test_language_switch_refuses_to_redirect_off_site(client):
    response = client.get("/language/en?next=//evil.example/")
    assert response.headers["Location"] == "/"


def test_consortium_page_query_count_does_not_grow_with_the_data(client, make_consortium, make_meeting, make_member, count_queries):
    def queries_for(n: int) -> int:
        consortium = make_consortium()
        for seat in range(1, n + 1):
            make_member(consortium, seat=seat, category="委員")
            make_meeting(consortium)
        with count_queries() as statements:
            assert client.get(f"/consortia/{consortium.id}").status_code == 200
        return len(statements)

    small, large = queries_for(2), queries_for(40)
    assert small == large
    assert large <= 12  # consortium, themes, leading, roster, meetings ×2, children, milestones, targets, actions…


def test_meeting_page_query_count_does_not_grow_with_the_agenda(client, db, make_consortium, make_meeting, count_queries):
    from consortium.models import AgendaItem

    def queries_for(n: int) -> int:
        meeting = make_meeting(make_consortium())
        for i in range(n):
            db.session.add(AgendaItem(meeting=meeting, title=f"議題{i}", position=i))
        db.session.commit()
        with count_queries() as statements:
            assert client.get(f"/meetings/{meeting.id}").status_code == 200
        return len(statements)

    assert queries_for(1) == queries_for(30) <= 10
