"""Roster order by seat and group (issue 18.2), imports that change only what they say (18.1),
exports for every Excel (18.6), and the roster file's email column (17.1)."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest
import sqlalchemy as sa

from consortium.models import Consortium, GrantRole, Membership, Person, RosterGroup
from consortium.rosters import exporter

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def import_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ROSTER_IMPORT_FOLDER", str(tmp_path / "imports"))


@pytest.fixture()
def consortium(make_consortium):
    return make_consortium()


@pytest.fixture()
def secretariat(consortium, make_user, login):
    user = make_user({consortium: GrantRole.SECRETARIAT})
    login(user)
    return user


def order(db, consortium) -> list[str]:
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(Membership)
        .where(Membership.consortium_id == consortium.id, Membership.term_end.is_(None))
        .order_by(Membership.position, Membership.seat, Membership.id)
    ).scalars()
    return [m.name for m in rows]


def group(db, consortium, label: str, position: int) -> RosterGroup:
    g = RosterGroup(consortium=consortium, label=label, title=f"項目{label}", position=position)
    db.session.add(g)
    db.session.commit()
    return g


@pytest.fixture()
def grouped(db, consortium, make_member, make_person):
    """項目3 (甲, 乙), 項目4 (丙, 丁), 項目5 (戊), numbered in that order."""
    groups = [group(db, consortium, label, n) for n, label in enumerate("345", start=1)]
    for n, (name, g) in enumerate(
        [("甲", 0), ("乙", 0), ("丙", 1), ("丁", 1), ("戊", 2)], start=1
    ):
        make_member(consortium, person=make_person(family_name=name, given_name=None), group=groups[g], position=n)
    return groups


# --- order by seat and group ----------------------------------------------------------------


def test_member_added_to_a_group_joins_its_end_not_the_roster_end(db, consortium, secretariat, grouped, post):
    response = post(
        f"/consortia/{consortium.id}/members/new",
        {"kind": "person", "name": "新井 花子", "create": "y", "role": "member", "group_id": str(grouped[1].id)},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert order(db, consortium) == ["甲", "乙", "丙", "丁", "新井 花子", "戊"]


def test_new_member_joins_the_run_of_their_category(db, consortium, secretariat, make_member, make_person, post):
    for n, (name, category) in enumerate([("甲", "学識経験者"), ("乙", "区民(公募)"), ("丙", "事業者")], start=1):
        make_member(consortium, person=make_person(family_name=name, given_name=None), category=category, position=n)
    post(f"/consortia/{consortium.id}/members/new", {"kind": "person", "name": "新井 花子", "create": "y", "role": "member", "category": "区民（公募）"})
    # Full- and half-width brackets are one category (matched by NFKC).
    assert order(db, consortium) == ["甲", "乙", "新井 花子", "丙"]


def test_new_member_without_a_category_takes_their_place_by_seat(db, consortium, secretariat, make_member, make_person, post):
    for n, seat in enumerate((1, 3), start=1):
        make_member(consortium, person=make_person(family_name=f"席{seat}", given_name=None), seat=seat, position=n)
    post(f"/consortia/{consortium.id}/members/new", {"kind": "person", "name": "席2", "create": "y", "role": "member", "seat": "2"})
    assert order(db, consortium) == ["席1", "席2", "席3"]


def test_place_moves_a_row_anywhere_in_one_step(db, consortium, secretariat, make_member, make_person, post):
    members = [make_member(consortium, person=make_person(family_name=n, given_name=None), position=i) for i, n in enumerate("甲乙丙丁戊", start=1)]
    post(f"/memberships/{members[4].id}/place", {"place": "1", "group_id": ""})
    assert order(db, consortium) == ["戊", "甲", "乙", "丙", "丁"]
    post(f"/memberships/{members[4].id}/place", {"place": "4", "group_id": ""})
    assert order(db, consortium) == ["甲", "乙", "丙", "戊", "丁"]


def test_place_into_another_group_keeps_groups_together(db, consortium, secretariat, grouped, post):
    first = db.session.execute(sa.select(Membership).where(Membership.position == 1)).scalar()
    # Place 5 lies in 項目5's run (項目4 is places 2–3 once 甲 leaves 項目3): it stays in 項目4, last.
    post(f"/memberships/{first.id}/place", {"place": "5", "group_id": str(grouped[1].id)})
    assert order(db, consortium) == ["乙", "丙", "丁", "甲", "戊"]
    db.session.expire_all()
    assert db.session.get(Membership, first.id).group_id == grouped[1].id


def test_step_past_a_groups_edge_joins_the_neighbouring_group(db, consortium, secretariat, grouped, post):
    third = db.session.execute(sa.select(Membership).where(Membership.position == 3)).scalar()  # 丙, first of 項目4
    post(f"/memberships/{third.id}/move", {"direction": "up"})
    db.session.expire_all()
    moved = db.session.get(Membership, third.id)
    assert moved.group_id == grouped[0].id and order(db, consortium) == ["甲", "乙", "丙", "丁", "戊"]
    post(f"/memberships/{third.id}/move", {"direction": "up"})
    assert order(db, consortium) == ["甲", "丙", "乙", "丁", "戊"]


def test_editing_the_group_moves_the_row_to_that_group(db, consortium, secretariat, grouped, post):
    first = db.session.execute(sa.select(Membership).where(Membership.position == 1)).scalar()
    post(f"/memberships/{first.id}/edit", {"kind": "person", "name": "甲", "role": "member", "group_id": str(grouped[1].id)})
    assert order(db, consortium) == ["乙", "丙", "丁", "甲", "戊"]


def test_public_page_prints_one_heading_per_group_after_an_add(db, consortium, secretariat, grouped, post, client):
    post(f"/consortia/{consortium.id}/members/new", {"kind": "person", "name": "新井 花子", "create": "y", "role": "member", "group_id": str(grouped[1].id)})
    page = client.get(f"/consortia/{consortium.id}").get_data(as_text=True)
    assert page.count("項目4") == 1


def test_place_form_is_keyboard_operable_on_the_roster_page(consortium, secretariat, make_member, client):
    m = make_member(consortium)
    page = client.get(f"/consortia/{consortium.id}/roster").get_data(as_text=True)
    assert f'<label for="place-{m.id}">Move to place</label>' in page and f'id="place-{m.id}" name="place" value="1"' in page


def test_place_out_of_range_is_refused_with_a_message(db, consortium, secretariat, make_member, post, client):
    m = make_member(consortium)
    response = post(f"/memberships/{m.id}/place", {"place": "0"})
    assert "Enter a whole number from 1 to 99999." in client.get(response.headers["Location"]).get_data(as_text=True)
    response = post(f"/memberships/{m.id}/place", {"place": ""})
    assert "Enter the place in the roster, 1 for the first." in client.get(response.headers["Location"]).get_data(as_text=True)


# --- imports that change only what they say -------------------------------------------------


def upload(post, consortium, data: bytes, **extra):
    return post(
        f"/consortia/{consortium.id}/roster/import",
        {"file": (io.BytesIO(data), "roster.csv"), **extra},
        content_type="multipart/form-data",
    )


def csv_of(rows) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.fixture()
def setagaya(db, demo, make_user, login):
    db.session.expire_all()
    consortium = db.session.execute(
        sa.select(Consortium).where(Consortium.name.contains("世田谷区地域経済"))
    ).scalar_one()
    login(make_user({consortium: GrantRole.SECRETARIAT}))
    return consortium


def test_two_row_import_changes_only_what_it_says(db, setagaya, client, post):
    """Issue 18's case: ⑰'s title changed and one new 区民（公募）; ①–⑯ stay on the page and in the PDF."""
    before = order(db, setagaya)
    exported = rows_of(client.get(f"/consortia/{setagaya.id}/roster.csv").data)
    header = exported[0]
    seventeen = next(r for r in exported if r[1] == "吉田 凌太")
    seventeen[header.index("役職")] = "区民委員"
    newcomer = ["", "新井 花子", "", "", "", "区民（公募）", ""] + [""] * (len(header) - 7)
    assert upload(post, setagaya, csv_of([header, seventeen, newcomer])).status_code == 302

    preview = client.get(f"/consortia/{setagaya.id}/roster/import/preview").get_data(as_text=True)
    assert "changed: title" in preview and "moved" not in preview
    assert preview.index("吉田 凌太") < preview.index("新井 花子")
    assert "17 current members are not in the file and stay as they are, in the same places" in preview

    post(f"/consortia/{setagaya.id}/roster/import/confirm")
    after = order(db, setagaya)
    assert after == before + ["新井 花子"]
    new = db.session.execute(
        sa.select(Membership).join(Membership.person).where(Person.family_name == "新井")
    ).scalar_one()
    assert new.category == "区民（公募）"
    page = client.get(f"/consortia/{setagaya.id}").get_data(as_text=True)
    assert page.index("長山 宗広") < page.index("大藤 清佳") < page.index("吉田 凌太") < page.index("新井 花子")
    assert "区民委員" in page

    from consortium.pdf import contents

    printed = [r.membership.name for r in contents.roster(setagaya).context["rows"]]
    assert printed.index("長山 宗広") == 0 and printed[-2:] == ["吉田 凌太", "新井 花子"]
    # One 区民（公募） run: the category cell spans both rows of it and the newcomer.
    spans = {r.membership.name: r.affiliation_span for r in contents.roster(setagaya).context["rows"]}
    assert spans["大藤 清佳"] == 3 and spans["新井 花子"] == 0


def test_round_trip_changes_nothing(db, setagaya, client, post):
    before = [(m.id, m.position, m.seat, m.title, m.category) for m in _current(db, setagaya)]
    upload(post, setagaya, client.get(f"/consortia/{setagaya.id}/roster.csv").data)
    preview = client.get(f"/consortia/{setagaya.id}/roster/import/preview").get_data(as_text=True)
    assert "0 new members" in preview and "0 members to update" in preview
    post(f"/consortia/{setagaya.id}/roster/import/confirm")
    assert [(m.id, m.position, m.seat, m.title, m.category) for m in _current(db, setagaya)] == before


def _current(db, consortium):
    db.session.expire_all()
    return db.session.execute(
        sa.select(Membership).where(Membership.consortium_id == consortium.id, Membership.term_end.is_(None)).order_by(Membership.id)
    ).scalars().all()


def test_unused_columns_are_warned_about(consortium, secretariat, post, client):
    upload(post, consortium, csv_of([["氏名", "備考"], ["山田 太郎", "メモ"]]))
    preview = client.get(f"/consortia/{consortium.id}/roster/import/preview").get_data(as_text=True)
    assert "These columns of the file are not used" in preview and "備考" in preview


def test_whole_roster_lists_who_leaves_and_ends_their_terms(db, consortium, secretariat, make_member, make_person, post, client):
    stays = make_member(consortium, person=make_person(family_name="甲", given_name="一"), seat=1, position=1)
    leaves = make_member(consortium, person=make_person(family_name="乙", given_name="二"), seat=2, position=2)
    upload(post, consortium, csv_of([["席次", "氏名"], ["1", "甲 一"], ["2", "丙 三"]]), whole="y")
    preview = client.get(f"/consortia/{consortium.id}/roster/import/preview").get_data(as_text=True)
    assert "These members are not in it and leave the roster" in preview and "<del>乙 二</del>" in preview
    post(f"/consortia/{consortium.id}/roster/import/confirm")
    assert order(db, consortium) == ["甲 一", "丙 三"]
    assert db.session.get(Membership, leaves.id).term_end is not None
    assert db.session.get(Membership, stays.id).term_end is None


def test_partial_import_leaves_the_unnamed_where_they_are(db, consortium, secretariat, make_member, make_person, post):
    make_member(consortium, person=make_person(family_name="甲", given_name="一"), seat=1, position=1)
    make_member(consortium, person=make_person(family_name="乙", given_name="二"), seat=2, position=2)
    upload(post, consortium, csv_of([["席次", "氏名"], ["2", "乙 二"], ["3", "丙 三"]]))
    post(f"/consortia/{consortium.id}/roster/import/confirm")
    assert order(db, consortium) == ["甲 一", "乙 二", "丙 三"]


def test_a_new_category_moves_the_row_to_that_run_and_says_so(db, consortium, secretariat, make_member, make_person, post, client):
    for n, (name, category) in enumerate([("甲", "学識"), ("乙", "事業者"), ("丙", "学識"), ("丁", "区民")], start=1):
        make_member(consortium, person=make_person(family_name=name, given_name=None), category=category, position=n)
    upload(post, consortium, csv_of([["氏名", "区分"], ["丁", "事業者"]]))
    preview = client.get(f"/consortia/{consortium.id}/roster/import/preview").get_data(as_text=True)
    assert "moved" in preview
    post(f"/consortia/{consortium.id}/roster/import/confirm")
    assert order(db, consortium) == ["甲", "乙", "丁", "丙"]


def test_width_only_difference_is_no_change(db, consortium, secretariat, make_member, make_person, post, client):
    m = make_member(consortium, person=make_person(family_name="甲", given_name=None), category="区民(公募)")
    upload(post, consortium, csv_of([["氏名", "区分"], ["甲", "区民（公募）"]]))
    preview = client.get(f"/consortia/{consortium.id}/roster/import/preview").get_data(as_text=True)
    assert "0 members to update" in preview


# --- exports for every Excel ------------------------------------------------------------------


def test_cp932_export_reads_in_shift_jis(consortium, make_member, make_person, client):
    make_member(consortium, person=make_person(family_name="髙橋", given_name="一郎"), seat=1, category="区民（公募）")
    response = client.get(f"/consortia/{consortium.id}/roster-sjis.csv")
    assert response.status_code == 200 and "shift_jis" in response.headers["Content-Type"]
    text = response.data.decode("cp932")
    assert "髙橋 一郎" in text and "区民（公募）" in text and text.startswith("席次,")


def test_cp932_export_reports_what_it_cannot_hold(consortium, make_member, make_person, client):
    make_member(consortium, person=make_person(family_name="𠮷田", given_name="凌太"), seat=1, title="〜担当")
    response = client.get(f"/consortia/{consortium.id}/roster-sjis.csv")
    page = response.get_data(as_text=True)
    assert response.content_type.startswith("text/html")
    assert "U+20BB7" in page and "U+301C" in page and "氏名" in page and "役職" in page
    # Asked for after the list: the nearest CP932 character (〜 as ～), else 〓.
    stood_in = client.get(f"/consortia/{consortium.id}/roster-sjis.csv?stand_in=1").data.decode("cp932")
    assert "〓田 凌太" in stood_in and "～担当" in stood_in


def test_exported_cp932_file_reimports_unchanged(db, consortium, secretariat, make_member, make_person, post, client):
    make_member(consortium, person=make_person(family_name="甲", given_name="一"), seat=1, category="区民（公募）", position=1)
    upload(post, consortium, client.get(f"/consortia/{consortium.id}/roster-sjis.csv").data)
    preview = client.get(f"/consortia/{consortium.id}/roster/import/preview").get_data(as_text=True)
    assert "0 new members" in preview and "0 members to update" in preview and "0 rows with errors" in preview


# --- the email column -------------------------------------------------------------------------


@pytest.fixture()
def with_email(consortium, make_member, make_person):
    person = make_person(family_name="山田", given_name="太郎", email="taro@example.jp")
    make_member(consortium, person=person, seat=1)
    return person


def test_export_email_column_full_for_admins(consortium, with_email, make_user, login, client):
    login(make_user(is_admin=True))
    rows = rows_of(client.get(f"/consortia/{consortium.id}/roster.csv").data)
    assert rows[0][-1] == "メール" and rows[1][-1] == "taro@example.jp"
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/consortia/{consortium.id}/roster.xlsx").data)).active
    assert [c.value for c in sheet[2]][-1] == "taro@example.jp"


def test_export_email_column_masked_for_a_secretariat(consortium, with_email, secretariat, client):
    rows = rows_of(client.get(f"/consortia/{consortium.id}/roster.csv").data)
    assert rows[0][-1] == "メール" and rows[1][-1] == "t•••••@example.jp"


def test_public_export_has_no_email_column(consortium, with_email, client):
    data = client.get(f"/consortia/{consortium.id}/roster.csv").data
    rows = rows_of(data)
    assert "メール" not in rows[0] and b"taro" not in data and len(rows[0]) == len(exporter.EXPORT_HEADERS) - 1


def test_import_sets_an_email_and_a_masked_cell_changes_nothing(db, consortium, with_email, secretariat, post, client):
    upload(post, consortium, client.get(f"/consortia/{consortium.id}/roster.csv").data)  # masked: no change
    preview = client.get(f"/consortia/{consortium.id}/roster/import/preview").get_data(as_text=True)
    assert "0 members to update" in preview
    upload(post, consortium, csv_of([["氏名", "メール"], ["山田 太郎", "new@example.jp"], ["新井 花子", "hanako@example.jp"]]))
    preview = client.get(f"/consortia/{consortium.id}/roster/import/preview").get_data(as_text=True)
    assert "changed: email" in preview
    post(f"/consortia/{consortium.id}/roster/import/confirm")
    db.session.expire_all()
    assert db.session.get(Person, with_email.id).email == "new@example.jp"
    hanako = db.session.execute(sa.select(Person).where(Person.family_name == "新井")).scalar_one()
    assert hanako.email == "hanako@example.jp"


def test_invalid_email_is_reported_on_its_row(db, consortium, with_email, secretariat, post, client):
    upload(post, consortium, csv_of([["氏名", "メール"], ["山田 太郎", "not an address"]]))
    preview = client.get(f"/consortia/{consortium.id}/roster/import/preview").get_data(as_text=True)
    assert "Row 2: The email address is not valid: not an address" in preview
    db.session.expire_all()
    assert db.session.get(Person, with_email.id).email == "taro@example.jp"


def test_preview_of_a_partial_file_reads_a_fixed_number_of_queries(
    db, make_consortium, make_user, login, make_member, make_person, make_organization, post, client, count_queries
):
    def queries_for(size: int) -> int:
        consortium = make_consortium()
        login(make_user({consortium: GrantRole.SECRETARIAT}))
        g = group(db, consortium, "1", 1)
        for i in range(size):
            member = {"person": make_person()} if i % 2 else {"organization": make_organization()}
            make_member(consortium, seat=i + 1, position=i + 1, category="区民（公募）", group=g if i % 3 else None, **member)
        upload(post, consortium, csv_of([["氏名", "区分"], ["新井 花子", "区民（公募）"]]), whole="y")
        db.session.expire_all()
        with count_queries() as statements:
            assert client.get(f"/consortia/{consortium.id}/roster/import/preview").status_code == 200
        return len(statements)

    assert queries_for(3) == queries_for(30)


def test_landing_many_at_once_matches_landing_one_by_one():
    """The import's one-pass landing puts rows where the page's own add would, one after another."""
    import random
    from types import SimpleNamespace

    from consortium.consortia.services import land_all, landing_index

    rng = random.Random(18)
    for _case in range(300):
        def row(seat):
            return SimpleNamespace(
                group_id=rng.choice([None, 1, 2]), category=rng.choice([None, "学識", "区民（公募）", "区民(公募)", "事業者"]), seat=seat
            )

        seats = iter(range(1, 100))
        rows = [row(next(seats) if rng.random() < 0.5 else None) for _ in range(rng.randrange(0, 8))]
        rows.sort(key=lambda r: (r.group_id or 0))  # a roster's groups are runs
        # Seats rising in file order: the one case where a batch and a sequence may differ is
        # two newcomers before one row, which the batch puts in seat order.
        # Arrivals join groups the roster has (an import's new rows are ungrouped; a row whose
        # 区分 changes keeps its group), or any group when the roster is empty.
        groups = sorted({r.group_id for r in rows}, key=lambda g: g or 0) or [None]
        arrivals = [row(rng.choice([None, rng.randrange(1, 100)])) for _ in range(rng.randrange(1, 6))]
        for a in arrivals:
            a.group_id = rng.choice(groups)
        arrivals_by_seat = sorted(arrivals, key=lambda a: (a.seat is None, a.seat or 0))
        one_by_one = list(rows)
        for a in arrivals_by_seat:
            one_by_one.insert(landing_index(one_by_one, a), a)
        assert land_all(rows, arrivals_by_seat) == one_by_one
