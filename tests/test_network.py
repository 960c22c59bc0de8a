"""The organisation network: an organisation's seats (current and former) and the organisations it
sits with most; the /network page's picture and tables, its filters, the organisations already on
related councils; each only as far as the visitor may see, in queries that do not grow with the data."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from conftest import text

from consortium import page_cache
from consortium.japanese import today_tokyo
from consortium.models import GrantRole, Role, Theme, Visibility
from consortium.network import queries

pytestmark = pytest.mark.usefixtures("english")


def _section(html: str, start: str, end: str | None = None) -> str:
    """The page's text from the element with id `start` to the one with id `end`."""
    part = html.split(f'id="{start}"', 1)[1]
    return part.split(f'id="{end}"', 1)[0] if end else part


def _organisation_rows(html: str) -> list[str]:
    """The organisations the network page's table lists, in order."""
    table = _section(html, "network-organisations")
    return re.findall(r'<td><a href="/organisations/\d+">([^<]+)</a></td>', table.split("</table>")[0])


def _consortium_rows(html: str) -> list[str]:
    table = _section(html, "network-consortia", "network-organisations")
    return re.findall(r'<td><a href="/consortia/\d+">([^<]+)</a></td>', table)


@pytest.fixture()
def theme(db):
    def make(name: str) -> Theme:
        row = Theme(code=name, name=name)
        db.session.add(row)
        db.session.commit()
        return row

    return make


# ---------------------------------------------------------------------------------------------
# The organisation page


def test_an_organisations_page_groups_its_seats_into_current_and_former(client, make_consortium, make_member, make_organization, make_person):
    bank = make_organization(name="信州銀行")
    make_member(make_consortium(name="観光協議会"), organization=bank, term_start=date(2020, 4, 1))
    make_member(make_consortium(name="旧産業会議"), organization=bank, term_start=date(2018, 4, 1), term_end=date(2020, 3, 31))
    # A person sitting for the bank gives the bank a seat too.
    make_member(make_consortium(name="金融懇談会"), person=make_person(), on_behalf_of=bank, role=Role.CHAIR)
    html = text(client.get(f"/organisations/{bank.id}"))
    current, former = _section(html, "current-seats", "former-seats"), _section(html, "former-seats", "partners")
    assert "観光協議会" in current and "金融懇談会" in current and "旧産業会議" not in current
    assert "旧産業会議" in former and "観光協議会" not in former
    assert "Chair" in current
    assert "1 April 2018 (Heisei 30) to 31 March 2020 (Reiwa 2)" in former
    assert "since 1 April 2020 (Reiwa 2)" in current


def test_a_seat_entered_ahead_is_shown_only_to_its_secretariat(client, login, make_consortium, make_member, make_organization, make_user):
    council = make_consortium(name="新設協議会")
    bank = make_organization(name="信州銀行")
    make_member(council, organization=bank, term_start=today_tokyo() + timedelta(days=30))
    assert "新設協議会" not in text(client.get(f"/organisations/{bank.id}"))
    login(make_user({council: GrantRole.MEMBER}))
    assert "新設協議会" not in text(client.get(f"/organisations/{bank.id}"))
    login(make_user({council: GrantRole.SECRETARIAT}))
    page = text(client.get(f"/organisations/{bank.id}"))
    assert "新設協議会" in page and "(entered ahead)" in page


def test_a_persons_page_hides_a_seat_entered_ahead_too(client, make_consortium, make_member, make_person):
    person = make_person(family_name="北原")
    make_member(make_consortium(name="今の会議"), person=person)
    make_member(make_consortium(name="来月の会議"), person=person, term_start=today_tokyo() + timedelta(days=30))
    page = text(client.get(f"/people/{person.id}"))
    assert "今の会議" in page and "来月の会議" not in page


def test_the_organisations_it_sits_with_most_come_first(client, make_consortium, make_member, make_organization):
    bank, city, university, hidden = (make_organization(name=n) for n in ("信州銀行", "長野市", "信州大学", "秘密財団"))
    a, b = make_consortium(name="会議A"), make_consortium(name="会議B")
    closed = make_consortium(name="非公開部会", visibility=Visibility.MEMBERS)
    for consortium in (a, b):
        make_member(consortium, organization=bank)
        make_member(consortium, organization=city)
    make_member(a, organization=university)
    make_member(closed, organization=bank)
    make_member(closed, organization=hidden)
    partners = _section(text(client.get(f"/organisations/{bank.id}")), "partners")
    assert partners.index("長野市") < partners.index("信州大学")
    assert "2 consortia together" in partners and "1 consortium together" in partners
    assert "秘密財団" not in partners


def test_a_members_only_consortium_is_on_the_organisation_page_only_for_its_members(client, login, make_consortium, make_member, make_organization, make_user):
    closed = make_consortium(name="非公開部会", visibility=Visibility.MEMBERS)
    bank, partner = make_organization(name="信州銀行"), make_organization(name="秘密財団")
    make_member(closed, organization=bank)
    make_member(closed, organization=partner)
    assert "非公開部会" not in text(client.get(f"/organisations/{bank.id}"))
    login(make_user({make_consortium(): GrantRole.SECRETARIAT}))  # another consortium's secretariat
    page = text(client.get(f"/organisations/{bank.id}"))
    assert "非公開部会" not in page and "秘密財団" not in page
    login(make_user({closed: GrantRole.MEMBER}))
    page = text(client.get(f"/organisations/{bank.id}"))
    assert "非公開部会" in page and "秘密財団" in _section(page, "partners")


# ---------------------------------------------------------------------------------------------
# The network page


def test_the_network_lists_the_consortia_and_organisations_of_the_picture_with_links(client, make_consortium, make_member, make_organization):
    council = make_consortium(name="観光協議会")
    bank, city = make_organization(name="信州銀行", prefecture="長野県"), make_organization(name="長野市")
    make_member(council, organization=bank)
    make_member(council, organization=city)
    html = text(client.get("/network"))
    assert _consortium_rows(html) == ["観光協議会"]
    assert sorted(_organisation_rows(html)) == ["信州銀行", "長野市"]
    # Each node of the picture is a link with a name that says what it is.
    assert f'href="/organisations/{bank.id}" id="node-o{bank.id}"' in html
    assert 'aria-label="信州銀行, organisation on 1 consortium here"' in html
    assert f'data-ends="node-c{council.id} node-o{bank.id}"' in html


@pytest.mark.parametrize("role", ["anonymous", "outside_member", "outside_secretariat"])
def test_a_members_only_consortium_never_shows_to_others_on_the_network(client, login, make_consortium, make_member, make_organization, make_user, role):
    closed = make_consortium(name="非公開部会", visibility=Visibility.MEMBERS)
    make_member(closed, organization=make_organization(name="秘密財団"))
    make_member(make_consortium(name="公開協議会"), organization=make_organization(name="信州銀行"))
    if role != "anonymous":
        grant = GrantRole.MEMBER if role == "outside_member" else GrantRole.SECRETARIAT
        login(make_user({make_consortium(): grant}))
    for url in ("/network", f"/network?consortium={closed.id}"):
        html = text(client.get(url))
        assert "非公開部会" not in html and "秘密財団" not in html


@pytest.mark.parametrize("grant", [GrantRole.MEMBER, GrantRole.SECRETARIAT])
def test_a_members_only_consortium_shows_to_its_own(client, login, make_consortium, make_member, make_organization, make_user, grant):
    closed = make_consortium(name="非公開部会", visibility=Visibility.MEMBERS)
    make_member(closed, organization=make_organization(name="秘密財団"))
    login(make_user({closed: grant}))
    html = text(client.get("/network"))
    assert "非公開部会" in _consortium_rows(html) and "秘密財団" in _organisation_rows(html)


def test_the_public_ranking_is_kept_and_the_members_own_consortia_counted_afresh(client, login, make_consortium, make_member, make_organization, make_user):
    def seat(consortium, count):
        for _ in range(count):
            make_member(consortium, organization=make_organization())

    large, small = make_consortium(name="大協議会"), make_consortium(name="小協議会")
    closed = make_consortium(name="非公開部会", visibility=Visibility.MEMBERS)
    seat(large, 3), seat(small, 1), seat(closed, 2)
    assert _consortium_rows(text(client.get("/network"))) == ["大協議会", "小協議会"]
    seat(small, 3)  # the public ranking was kept a minute ago: it shows within the minute
    login(make_user({closed: GrantRole.MEMBER, small: GrantRole.MEMBER}))
    assert _consortium_rows(text(client.get("/network"))) == ["小協議会", "大協議会", "非公開部会"]
    seat(closed, 5)  # the member's own consortia are counted afresh
    assert _consortium_rows(text(client.get("/network"))) == ["非公開部会", "小協議会", "大協議会"]


def test_filters_by_theme_region_and_fiscal_year(client, theme, make_consortium, make_member, make_organization):
    tourism, industry = theme("観光"), theme("産業")
    tourism_council = make_consortium(name="観光協議会", themes=[tourism])
    industry_council = make_consortium(name="産業会議", themes=[industry])
    nagano, tokyo = make_organization(name="長野の団体", prefecture="長野県"), make_organization(name="東京の団体", prefecture="東京都")
    old = make_organization(name="かつての団体", prefecture="長野県")
    make_member(tourism_council, organization=nagano, term_start=date(2020, 4, 1))
    make_member(industry_council, organization=tokyo, term_start=date(2020, 4, 1))
    make_member(tourism_council, organization=old, term_start=date(2018, 4, 1), term_end=date(2019, 3, 31))

    assert _consortium_rows(text(client.get(f"/network?theme={tourism.id}"))) == ["観光協議会"]
    assert _organisation_rows(text(client.get("/network?region=東京都"))) == ["東京の団体"]
    today = text(client.get("/network"))
    assert "かつての団体" not in _organisation_rows(today) and "Seats held today." in today
    fy2018 = text(client.get("/network?year=2018"))
    assert _organisation_rows(fy2018) == ["かつての団体"]
    assert "Seats held during FY2018." in fy2018


def test_conditions_it_cannot_read_are_refused_with_the_form(client):
    for query in ("year=abc", "year=1066", "theme=999999", "region=どこか", "consortium=0"):
        response = client.get(f"/network?{query}")
        assert response.status_code == 400, query
        assert "Please correct the conditions above." in text(response)


def test_centred_on_a_consortium_it_shows_its_organisations_and_their_other_consortia(client, make_consortium, make_member, make_organization):
    council, other, unrelated = (make_consortium(name=n) for n in ("観光協議会", "産業会議", "別の会議"))
    bank, stranger = make_organization(name="信州銀行"), make_organization(name="無関係の団体")
    make_member(council, organization=bank)
    make_member(other, organization=bank)
    make_member(unrelated, organization=stranger)
    html = text(client.get(f"/network?consortium={council.id}"))
    assert _consortium_rows(html) == ["観光協議会", "産業会議"]
    assert _organisation_rows(html) == ["信州銀行"]
    assert "Show the whole network" in html


def test_who_is_already_on_related_councils(client, theme, make_consortium, make_member, make_organization):
    """A secretariat setting up a tourism council asks who already sits on councils of its themes."""
    tourism, sport = theme("観光"), theme("スポーツ")
    new = make_consortium(name="新観光協議会", themes=[tourism])
    related_a = make_consortium(name="観光協議会A", themes=[tourism])
    related_b = make_consortium(name="観光協議会B", themes=[tourism, sport])
    unrelated = make_consortium(name="スポーツ会議", themes=[sport])
    closed = make_consortium(name="非公開観光部会", themes=[tourism], visibility=Visibility.MEMBERS)
    both, one, elsewhere, secret = (make_organization(name=n) for n in ("両方の団体", "片方の団体", "スポーツの団体", "秘密財団"))
    former = make_organization(name="退任した団体")
    for consortium in (related_a, related_b):
        make_member(consortium, organization=both)
    make_member(related_b, organization=one)
    make_member(new, organization=one)
    make_member(unrelated, organization=elsewhere)
    make_member(closed, organization=secret)
    make_member(related_a, organization=former, term_start=date(2018, 4, 1), term_end=date(2019, 3, 31))

    html = text(client.get(f"/network?consortium={new.id}"))
    related = _section(html, "related")
    names = re.findall(r'<td><a href="/organisations/\d+">([^<]+)</a></td>', related)
    assert names == ["両方の団体", "片方の団体"]
    rows = related.split("<tr>")[2:]
    assert "観光協議会A" in rows[0] and "観光協議会B" in rows[0] and rows[0].rstrip().endswith("<td>no</td>\n      </tr>")
    assert "<td>yes</td>" in rows[1]


def test_the_picture_says_when_it_shows_fewer_than_matched(client, monkeypatch, make_consortium, make_member, make_organization):
    monkeypatch.setattr(queries, "ORGANISATIONS_CAP", 3)
    council = make_consortium()
    for n in range(5):
        make_member(council, organization=make_organization())
    html = text(client.get("/network"))
    assert len(_organisation_rows(html)) == 3
    assert "More matched than it shows" in html


def test_links_to_the_network(client, make_consortium):
    council = make_consortium()
    assert f'href="/network?consortium={council.id}"' in text(client.get(f"/consortia/{council.id}"))
    assert 'href="/network"' in text(client.get("/"))


# ---------------------------------------------------------------------------------------------
# Queries that do not grow with the data


def _grow(make_consortium, make_member, make_organization, theme_row, consortia: int, organisations: int):
    made = [make_consortium(themes=[theme_row]) for _ in range(consortia)]
    bodies = [make_organization(prefecture="長野県") for _ in range(organisations)]
    for i, body in enumerate(bodies):
        for consortium in made[: 1 + i % consortia]:
            make_member(consortium, organization=body)
    return made, bodies


@pytest.mark.parametrize("signed_in_as", [None, GrantRole.MEMBER])
def test_queries_do_not_grow_with_the_network(client, login, theme, make_consortium, make_member, make_organization, make_user, count_queries, signed_in_as):
    tourism = theme("観光")
    first, bodies = _grow(make_consortium, make_member, make_organization, tourism, 2, 3)
    if signed_in_as:
        login(make_user({first[0]: signed_in_as}))
    urls = ["/network", f"/network?consortium={first[0].id}&theme={tourism.id}&region=長野県", f"/organisations/{bodies[0].id}"]

    def counts():
        found = []
        for url in urls:
            page_cache.memory.clear()  # the pages built, not kept ones (test_the_network_page_is_kept_for_visitors)
            with count_queries() as statements:
                assert client.get(url).status_code == 200, url
            found.append(len(statements))
        return found

    few = counts()
    _grow(make_consortium, make_member, make_organization, tourism, 6, 30)
    for body in bodies:  # the first bodies take seats in the new consortia too
        make_member(make_consortium(themes=[tourism]), organization=body)
    assert counts() == few


def test_the_network_page_is_kept_a_minute_for_visitors_not_signed_in(client, login, theme, make_consortium, make_member, make_organization, make_user, count_queries):
    first, _bodies = _grow(make_consortium, make_member, make_organization, theme("観光"), 2, 3)
    with count_queries() as built:
        page = client.get("/network").get_data()
    with count_queries() as kept:
        assert client.get("/network").get_data() == page
    seats = lambda statements: [s for s in statements if "membership" in s]  # noqa: E731
    assert seats(built) and not seats(kept)  # only the form's choices are read again
    login(make_user({first[0]: GrantRole.MEMBER}))
    with count_queries() as signed_in:
        client.get("/network")
    assert seats(signed_in)  # a member's picture is built for them
