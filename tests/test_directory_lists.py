"""The directory's long lists: organisations and people in reading order (あいうえお順), a page at
a time from where the last one ended, counted only up to a point, found by name through the search
index with spaces ignored."""
from __future__ import annotations

import re

import pytest
from conftest import text

from consortium import pagination

KANA = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわ" + "をん"


def _names(page: str) -> list[str]:
    return re.findall(r'<a href="/people/\d+">([^<]+)</a>', page)


def _link(page: str, rel: str) -> str:
    return re.search(rf'<a href="([^"]+)" rel="{rel}">', page).group(1).replace("&amp;", "&")


@pytest.fixture()
def people(make_person):
    """45 people whose readings run through the kana; their names run the other way, so the order
    seen is the reading's."""
    return [
        make_person(family_name=f"人{44 - n:02d}", given_name="花子", family_name_kana=kana, given_name_kana="はなこ")
        for n, kana in enumerate(KANA[:45])
    ]


def test_the_people_list_goes_page_by_page_in_reading_order_and_back(client, login, admin, people):
    login(admin)
    first = text(client.get("/people/"))
    assert "45人が見つかりました。" in first and "最初のページ" not in first
    seen = [_names(first)]
    url = _link(first, "next")
    while True:
        page = text(client.get(url))
        seen.append(_names(page))
        if 'rel="next"' not in page:
            break
        url = _link(page, "next")
    assert [len(names) for names in seen] == [20, 20, 5]
    assert sum(seen, []) == [p.full_name for p in people]  # no one twice, no one missed
    back = text(client.get(_link(page, "prev")))
    assert _names(back) == seen[1] and "最初のページ" in back
    assert _names(text(client.get(_link(back, "prev")))) == seen[0]


def test_a_damaged_page_link_is_refused_with_a_way_back(client, people):
    for cursor in ["abc", "WyJhIl0", "WzEsMiwzXQ", "%%%"]:  # not JSON, too short, wrong types, not base64
        response = client.get("/people/", query_string={"after": cursor})
        assert response.status_code == 400
        assert "一覧のページへのリンクが壊れています" in text(response)


def test_past_the_count_the_list_says_more_than(client, login, admin, people, monkeypatch):
    monkeypatch.setattr(pagination, "COUNTED", 30)
    login(admin)
    page = text(client.get("/people/"))
    assert "30人以上見つかりました。" in page and len(_names(page)) == 20


def test_a_name_is_found_with_or_without_the_space_and_in_any_width(client, login, admin, make_person):
    make_person(family_name="長山", given_name="宗広", family_name_kana="ながやま")
    make_person(family_name="山田", given_name="長子")
    login(admin)
    for query in ["長山宗広", "長山 宗広", "ながやま"]:
        assert _names(text(client.get("/people/", query_string={"q": query}))) == ["長山 宗広"], query
    assert _names(text(client.get("/people/", query_string={"q": "長"}))) == ["長山 宗広", "山田 長子"]


def test_organisations_page_by_reading_filtered_by_kind_and_name(client, make_organization):
    for n, kana in enumerate(KANA[:25]):
        make_organization(name=f"ＳＤＧｓ推進団体{n}", name_kana=kana, kind="npo")
    make_organization(name="世田谷区", name_kana="せたがやく", kind="municipality")
    first = text(client.get("/organisations/", query_string={"kind": "npo", "q": "sdgs推進"}))
    assert "25件の団体が見つかりました。" in first and "世田谷区" not in first
    assert re.findall(r">ＳＤＧｓ推進団体(\d+)<", first) == [str(n) for n in range(20)]
    rest = text(client.get(_link(first, "next")))
    assert re.findall(r">ＳＤＧｓ推進団体(\d+)<", rest) == [str(n) for n in range(20, 25)]
    assert "世田谷区" in text(client.get("/organisations/", query_string={"q": "せたがや"}))


def test_a_common_name_is_listed_in_reading_order_past_the_count(client, login, admin, make_person, monkeypatch):
    """Past the count, the hits are put in reading order by themselves before a page is taken."""
    for kana in "えいあ":
        make_person(family_name="佐藤", given_name=kana, family_name_kana="さとう", given_name_kana=kana)
    make_person(family_name="加藤", given_name="一", family_name_kana="かとう")
    login(admin)
    assert _names(text(client.get("/people/", query_string={"q": "佐藤"}))) == ["佐藤 あ", "佐藤 い", "佐藤 え"]
    monkeypatch.setattr(pagination, "COUNTED", 2)
    page = text(client.get("/people/", query_string={"q": "佐藤"}))
    assert _names(page) == ["佐藤 あ", "佐藤 い", "佐藤 え"] and "2人以上見つかりました。" in page


def test_past_the_count_a_visitor_pages_through_only_the_people_shown_to_them(client, app, make_consortium, make_member, make_person, monkeypatch):
    council = make_consortium(name="公開の協議会")
    for kana in "おえういあ":
        make_member(council, person=make_person(family_name="佐藤", given_name=kana, family_name_kana="さとう", given_name_kana=kana))
    make_person(family_name="佐藤", given_name="隠", family_name_kana="さとう", given_name_kana="あああ")  # on no roster
    monkeypatch.setattr(pagination, "COUNTED", 2)
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    pages, page = [], text(client.get("/people/", query_string={"q": "佐藤"}))
    while True:
        pages.append(_names(page))
        if 'rel="next"' not in page:
            break
        page = text(client.get(_link(page, "next")))
    assert pages == [["佐藤 あ", "佐藤 い"], ["佐藤 う", "佐藤 え"], ["佐藤 お"]]
