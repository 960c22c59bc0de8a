"""Search: Japanese matching without word spaces, exactly the pages' visibility, filters, the index
kept in step with edits, and a query count that does not grow with the hits."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from consortium.japanese import tokyo_datetime
from consortium.models import AgendaItem, SearchEntry
from conftest import text
from planted import planted  # noqa: F401  (a fixture)


def hits(client, query: str, **args) -> list[str]:
    """The titles of the hits of the search, of every kind, as the page lists them."""
    response = client.get("/search", query_string={"q": query, **args})
    assert response.status_code == 200, response.status_code
    return re.findall(r'<li class="hit">\s*<a href="[^"]*">([^<]*)</a>', text(response))


def total(client, query: str) -> str:
    page = text(client.get("/search", query_string={"q": query}))
    return re.search(r"<p>([^<]*(?:件|hits?)[^<]*)</p>", page).group(1)


# ---------------------------------------------------------------------------------------------
# Japanese matching


@pytest.fixture()
def tourism(db, make_consortium, make_meeting, make_organization):
    consortium = make_consortium(name="地域観光振興協議会", purpose="ＳＤＧｓの達成に向けた官民連携")
    make_meeting(consortium, title="第1回 インバウンド観光戦略会議")
    make_organization(name="一般社団法人 観光協会", name_kana="カンコウキョウカイ")
    make_organization(name="株式会社 事業承継支援センター", name_kana="ジギョウショウケイシエンセンター")
    return consortium


@pytest.mark.parametrize(
    "query, found",
    [
        ("観光", {"地域観光振興協議会", "第1回 インバウンド観光戦略会議", "一般社団法人 観光協会"}),  # two characters
        ("インバウンド観光戦略", {"第1回 インバウンド観光戦略会議"}),  # a long one, inside a word
        ("sdgs", {"地域観光振興協議会"}),  # width and case
        ("ｲﾝﾊﾞｳﾝﾄﾞ", {"第1回 インバウンド観光戦略会議"}),  # half-width kana
        ("かんこうきょうかい", {"一般社団法人 観光協会"}),  # the reading, in hiragana
        ("ジギョウショウケイ", {"株式会社 事業承継支援センター"}),  # the reading, in katakana
        ("観光 協会", {"一般社団法人 観光協会"}),  # every word must be found
        ("観", {"地域観光振興協議会", "第1回 インバウンド観光戦略会議", "一般社団法人 観光協会"}),  # one character
        ("観光庁", set()),
    ],
)
def test_japanese_is_found_without_word_spaces_and_across_variants(client, tourism, query, found):
    assert set(hits(client, query)) == found


def test_a_person_is_found_by_a_name_typed_without_its_space(client, make_member, make_consortium, make_person):
    make_member(make_consortium(), person=make_person(family_name="長山", given_name="宗広"))
    assert hits(client, "長山宗広") == hits(client, "長山 宗広") == ["長山 宗広"]


def test_a_snippet_shows_the_text_as_typed_with_what_was_found_marked(client, tourism):
    page = text(client.get("/search", query_string={"q": "かんこう"}))
    assert "<mark>カンコウ</mark>キョウカイ" in page


def test_punctuation_and_percent_signs_are_matched_as_typed(client, make_consortium, make_meeting):
    meeting = make_meeting(make_consortium(), title="達成率100%の報告（速報）")
    assert hits(client, "100%") == [meeting.title]
    assert hits(client, "（速報）") == [meeting.title]
    assert hits(client, "_") == []


# ---------------------------------------------------------------------------------------------
# Exactly the visibility of the pages


def test_search_finds_exactly_what_each_viewer_may_see_on_the_pages(app, client, planted, login, post):
    places, viewers = planted
    seen = {}
    for name, user in viewers.items():
        if user is not None:
            login(user)
        for word in places:
            page = text(client.get("/search", query_string={"q": word}))
            found = 'class="hit"' in page
            seen[(word, name)] = found
            if not found:  # nothing of it in counts or snippets either
                assert word.casefold() not in page.rsplit("</form>", 1)[1].casefold()
        if user is not None:
            post("/accounts/logout")
    wrong = {key: found for key, found in seen.items() if found != (key[1] in places[key[0]])}
    assert wrong == {}, f"(word, viewer): found? — against the pages' rules: {wrong}"


# ---------------------------------------------------------------------------------------------
# The index follows the rows


def test_an_edit_is_found_at_once_and_what_it_replaced_is_not(client, db, make_consortium, make_meeting):
    meeting = make_meeting(make_consortium(), title="まちづくり懇談会")
    assert hits(client, "懇談会") == ["まちづくり懇談会"]
    meeting.title = "まちづくり意見交換会"
    db.session.commit()
    assert hits(client, "懇談会") == [] and hits(client, "意見交換") == ["まちづくり意見交換会"]
    db.session.delete(meeting)
    db.session.commit()
    assert hits(client, "意見交換") == []
    assert db.session.execute(sa.select(sa.func.count()).select_from(SearchEntry)).scalar() == 1  # the consortium


def test_rebuild_writes_the_same_index_again(app, db, tourism):
    entries = sa.select(SearchEntry.kind, SearchEntry.row_id, SearchEntry.grams, SearchEntry.day).order_by(SearchEntry.kind, SearchEntry.row_id)
    before = db.session.execute(entries).all()
    db.session.execute(sa.delete(SearchEntry))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Search index rebuilt: 4 entries." in result.output
    db.session.expire_all()
    after = db.session.execute(entries).all()
    assert after == before and any(day is not None for *_rest, day in after)


# ---------------------------------------------------------------------------------------------
# Filters, order, pages


@pytest.fixture()
def years(db, make_consortium, make_meeting):
    first, second = make_consortium(name="第一協議会"), make_consortium(name="第二協議会")
    march = make_meeting(first, title="令和5年度 第3回 観光部会", starts_at=tokyo_datetime(2024, 3, 28, 10))
    april = make_meeting(first, title="令和6年度 第1回 観光部会", starts_at=tokyo_datetime(2024, 4, 10, 10))
    other = make_meeting(second, title="令和6年度 観光セミナー", starts_at=tokyo_datetime(2024, 9, 1, 10))
    return first, march, april, other


def test_fiscal_year_date_range_and_consortium_narrow_the_hits(client, years):
    first, march, april, other = years
    assert set(hits(client, "観光", kind="meeting", year="2024")) == {april.title, other.title}
    assert set(hits(client, "観光", kind="meeting", year="2023")) == {march.title}
    assert set(hits(client, "観光", since="2024-04-10", until="2024-04-10")) == {april.title}
    assert set(hits(client, "観光", consortium=str(first.id))) == {march.title, april.title}


def test_newest_first_or_most_relevant_first(client, years):
    _first, march, april, other = years
    assert hits(client, "観光", kind="meeting", sort="date") == [other.title, april.title, march.title]
    # Relevance: where the words come first, the title's start first.
    assert hits(client, "令和5年度", kind="meeting") == [march.title]
    assert hits(client, "観光", kind="meeting", sort="relevance")[0] == other.title  # 観光 at its 7th character


def test_a_meeting_moved_to_another_day_takes_its_agenda_along_in_dates(client, db, years):
    _first, march, _april, other = years
    db.session.add(AgendaItem(meeting=march, title="観光振興の報告", position=1))
    db.session.commit()
    assert hits(client, "観光振興", year="2023") == ["観光振興の報告"] and hits(client, "観光振興", year="2024") == []
    march.starts_at, march.ends_at = tokyo_datetime(2024, 10, 1, 10), tokyo_datetime(2024, 10, 1, 12)
    db.session.commit()
    assert hits(client, "観光振興", year="2023") == [] and hits(client, "観光振興", year="2024") == ["観光振興の報告"]
    assert hits(client, "観光", kind="meeting", sort="date")[:2] == [march.title, other.title]


def test_each_kind_has_its_own_pages(app, client, db, make_consortium, make_meeting, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 3)
    consortium = make_consortium()
    for n in range(7):
        make_meeting(consortium, title=f"観光ワーキング 第{n + 1}回")
    page = text(client.get("/search", query_string={"q": "観光ワーキング"}))
    assert page.count('class="hit"') == 5 and "/search?q=" in page and "kind=meeting" in page
    assert len(hits(client, "観光ワーキング", kind="meeting")) == 3
    assert len(hits(client, "観光ワーキング", kind="meeting", page="3")) == 1


def test_query_count_does_not_grow_with_the_hits(client, db, make_consortium, make_meeting, count_queries):
    def queries_for(n: int) -> int:
        consortium = make_consortium(name=f"協議会{n}")
        for i in range(n):
            meeting = make_meeting(consortium, title=f"計測用の会議{n}-{i}")
            db.session.add(AgendaItem(meeting=meeting, title=f"計測用の議題{n}-{i}", position=1))
        db.session.commit()
        with count_queries() as statements:
            assert client.get("/search", query_string={"q": "計測用の", "consortium": consortium.id}).status_code == 200
        return len(statements)

    assert queries_for(2) == queries_for(12)


@pytest.mark.parametrize(
    "args, message",
    [
        ({"year": "令和6"}, "整数"),
        ({"year": "1800"}, "1900"),
        ({"since": "2024-13-01"}, "日付"),
        ({"since": "2024-05-01", "until": "2024-04-01"}, "終了"),
        ({"kind": "passwords"}, "選択"),
        ({"consortium": "99999999999999"}, ""),
    ],
)
def test_bad_conditions_are_refused_with_a_message_and_the_words_kept(client, args, message):
    response = client.get("/search", query_string={"q": "観光", **args})
    assert response.status_code == 400
    page = text(response)
    assert 'value="観光"' in page and message in page


def test_the_header_has_a_search_box_on_every_page(client):
    page = text(client.get("/"))
    assert 'role="search"' in page and 'action="/search"' in page


def test_past_the_cap_the_page_says_there_are_more_and_how_to_narrow(client, make_consortium, make_meeting, monkeypatch):
    from consortium.search import queries

    monkeypatch.setattr(queries, "CAP", 3)
    consortium = make_consortium()
    for n in range(5):
        make_meeting(consortium, title=f"産業振興会議 第{n + 1}回")
    page = text(client.get("/search", query_string={"q": "産業振興"}))
    assert "会議（3+）" in page and "more than 3" in page.lower() or "3 件を超えて" in page
    assert page.count('class="hit"') == 3
    assert "語や条件を加えて" in page
