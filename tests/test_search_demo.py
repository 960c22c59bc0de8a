"""Searching the demo as its visitors do: the seed documents' words are found where they are, with
snippets, and the members-only working group only by its members."""
from __future__ import annotations

import re

import sqlalchemy as sa

from consortium.demo.loader import DEMO_PASSWORD
from consortium.models import Consortium, User
from conftest import sign_in, text

HIT = re.compile(r'<li class="hit">\s*<a href="([^"]*)">([^<]*)</a>\s*<span class="muted">([^<]*)</span>\s*<div class="snippet">(.*?)</div>', re.S)


def found(client, query: str) -> list[tuple[str, str, str, str]]:
    """(link, title, kind and place, snippet) of each hit."""
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    return HIT.findall(text(response))


def test_a_word_of_the_setagaya_minutes_leads_to_its_discussion_point(client, demo):
    [(link, title, where, snippet)] = found(client, "サードプレイス")
    assert title == "第4回 地域経済の持続可能な発展を目指す会議"
    assert where.startswith("主な議論 ・ 世田谷区地域経済の持続可能な発展を目指す会議 ・ 令和5年（2023年）8月10日")
    assert "<mark>サードプレイス</mark>" in snippet
    path, anchor = link.split("#")
    page = text(client.get(path))
    assert f'id="{anchor}"' in page and "サードプレイス" in page.split(f'id="{anchor}"')[1].split("</li>")[0]


def test_business_succession_is_found_in_minutes_a_body_and_a_roster(client, demo):
    hits = found(client, "事業承継")
    kinds = {where.split(" ・ ")[0] for _link, _title, where, _snippet in hits}
    assert {"主な議論", "会議体", "名簿"} <= kinds
    assert all("<mark>事業承継</mark>" in snippet for *_rest, snippet in hits)


def test_a_keidanren_partners_cooperation_summary_is_found_by_its_words(client, demo):
    hits = {(title, where.split(" ・ ")[0]): snippet for _link, title, where, snippet in found(client, "観光")}
    assert "<mark>観光</mark>体験" in hits[("観光庁", "名簿")]  # its 連携概要 in 地域協創アクションプログラム
    assert ("観光庁", "団体") in hits
    partners = {title for _link, title, where, _snippet in found(client, "ＤＸ") if where.startswith("名簿 ・ 地域協創アクションプログラム")}
    assert {"観光庁", "つくば市"} <= partners
    assert found(client, "dx") == found(client, "ＤＸ")  # width and case


def test_the_members_only_working_group_is_found_by_its_members_only(app, client, db, demo):
    assert found(client, "産業ビジョン検討部会") == []
    assert "資料2 新産業ビジョン骨子（委員限り）" not in {title for _l, title, _w, _s in found(client, "骨子")}
    member = db.session.execute(sa.select(User).filter_by(email="nagayama@example.jp")).scalar_one()
    sign_in(client, member, DEMO_PASSWORD)
    titles = {title for _link, title, _where, _snippet in found(client, "産業ビジョン検討部会")}
    assert "産業ビジョン検討部会（デモ）" in titles and "第1回 産業ビジョン検討部会" in titles
    assert "資料2 新産業ビジョン骨子（委員限り）" in {title for _l, title, _w, _s in found(client, "骨子")}


def test_the_consortium_page_searches_within_that_consortium(client, db, demo):
    setagaya = db.session.execute(sa.select(Consortium).filter_by(name="世田谷区地域経済の持続可能な発展を目指す会議")).scalar_one()
    path = f"/consortia/{setagaya.id}"
    page = text(client.get(path))
    form = re.search(r'<form class="filters" method="get" action="/search" role="search" aria-label="この会議体の中を検索">(.*?)</form>', page, re.S).group(1)
    consortium = re.search(r'name="consortium" value="(\d+)"', form).group(1)
    assert path.endswith(f"/{consortium}") and 'name="q"' in form
    everywhere = {where for _l, _t, where, _s in found(client, "事業承継")}
    response = client.get("/search", query_string={"q": "事業承継", "consortium": consortium})
    within = {where for _l, _t, where, _s in HIT.findall(text(response))}
    assert within and within < everywhere
    assert all("世田谷区地域経済の持続可能な発展を目指す会議" in where for where in within)
