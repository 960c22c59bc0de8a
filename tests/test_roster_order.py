"""Roster order by seat and group (issue 18.2), imports that change only what they say (18.1),
exports for every Excel (18.6), and the roster file's email column (17.1)."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest
import sqlalchemy as sa

from consortium.models import Consortium, GrantRole, Membership, Person, Role, RosterGroup
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
    header = exported[1]  # below the line （順不同、敬称略）
    seventeen = next(r for r in exported[2:] if r[1] == "吉田 凌太")
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


# --- the export in the printed conventions (issue 16.4) ---------------------------------------

SEATS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰"


def printed_names(setagaya) -> list[str]:
    """The members as the roster PDF prints them, in order."""
    from consortium.pdf import contents

    return [r.membership.name for r in contents.roster(setagaya).context["rows"]]


def sheet_rows(data: bytes) -> list[list[str]]:
    """A workbook's first sheet as the CSV's rows: text cells, no empty cells at the end of a row."""
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    for row in rows:
        while row and not row[-1]:
            row.pop()
    return rows


def exported_rows(client, consortium, name: str) -> list[list[str]]:
    data = client.get(f"/consortia/{consortium.id}/{name}").data
    if name.endswith(".xlsx"):
        return sheet_rows(data)
    return list(csv.reader(io.StringIO(data.decode("cp932" if "sjis" in name else "utf-8-sig"), newline="")))


@pytest.mark.parametrize("name", ["roster.csv", "roster-sjis.csv?stand_in=1", "roster.xlsx"])
def test_setagaya_export_is_laid_out_as_the_printed_roster(db, setagaya, client, name):
    rows = exported_rows(client, setagaya, name)
    assert rows[0] == ["（順不同、敬称略）"]
    header = rows[1]
    assert header[:7] == ["席次", "氏名", "団体名", "役職", "役割", "区分", "連携概要"]
    blank = rows.index([])
    members = rows[2:blank]
    assert "".join(r[0] for r in members) == SEATS
    assert [r[1] for r in members] == printed_names(setagaya)
    assert members[0][1] == "長山 宗広" and members[-1][1] == "吉田 凌太"
    assert all(r[4] == "委員・会員" for r in members) and "世田谷区" not in [r[2] for r in members]
    # The secretariat apart, below the members: a blank row, its title, its own table.
    assert rows[blank + 1][:1] == ["事務局"] and not any(rows[blank + 1][1:])
    assert rows[blank + 2] == header
    assert [r[1:5] for r in rows[blank + 3 :]] == [["", "世田谷区", "経済産業部 産業連携交流推進課", "事務局"]]


def test_setagaya_workbook_keeps_the_header_in_view_and_bold(setagaya, client):
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/consortia/{setagaya.id}/roster.xlsx").data)).active
    assert sheet.freeze_panes == "A3"
    assert sheet["A2"].font.bold and not sheet["A1"].font.bold and not sheet["A3"].font.bold
    title = next(row[0] for row in sheet.iter_rows() if row[0].value == "事務局")
    assert title.font.bold


def _current(db, consortium):
    db.session.expire_all()
    return db.session.execute(
        sa.select(Membership).where(Membership.consortium_id == consortium.id, Membership.term_end.is_(None)).order_by(Membership.id)
    ).scalars().all()


def _state(db, consortium) -> list[tuple]:
    """Every current membership as the roster prints and the import writes it, with its holder's email."""
    return [
        (m.id, m.position, m.seat, m.role, m.title, m.category, m.description, m.on_behalf_of_id, m.term_end, m.group_id,
         m.person.email if m.person else None)
        for m in _current(db, consortium)
    ]


@pytest.mark.parametrize(
    "name, whole", [("roster.csv", False), ("roster.csv", True), ("roster.xlsx", True)], ids=["csv", "csv_whole", "xlsx_whole"]
)
def test_round_trip_changes_nothing(db, setagaya, client, post, name, whole):
    """Export, import as it is (even as the whole roster): no change is previewed and none is made."""
    before, exported = _state(db, setagaya), client.get(f"/consortia/{setagaya.id}/{name}").data
    extra = {"whole": "y"} if whole else {}
    assert upload(post, setagaya, exported, **extra).status_code == 302
    preview = client.get(f"/consortia/{setagaya.id}/roster/import/preview").get_data(as_text=True)
    assert "18 rows in the file" in preview and "18 members unchanged" in preview
    assert "0 new members" in preview and "0 members to update" in preview and "0 rows with errors" in preview
    assert "leave the roster" not in preview
    assert preview.count('<tr class="unchanged">') == 18 and preview.count("no change") == 18
    response = post(f"/consortia/{setagaya.id}/roster/import/confirm")
    assert "18 members imported (0 new, 0 updated)." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _state(db, setagaya) == before
    assert db.session.get(Consortium, setagaya.id).roster_note == "順不同、敬称略"
    again = client.get(f"/consortia/{setagaya.id}/{name}").data
    # A workbook carries the time it was written; its cells are what must not change.
    assert (sheet_rows(again) == sheet_rows(exported)) if name.endswith(".xlsx") else (again == exported)


def test_an_older_export_still_reimports_to_no_change(db, setagaya, client, post):
    """Before issue 16 the file began with its header, numbered seats 1, 2, … and listed the
    secretariat as one more row: such files, and hand-made ones like them, still read the same."""
    rows = rows_of(client.get(f"/consortia/{setagaya.id}/roster.csv").data)
    blank = rows.index([])
    older = [rows[1]] + [[str(SEATS.index(r[0]) + 1), *r[1:]] for r in rows[2:blank]] + rows[blank + 3 :]
    assert [r[0] for r in older[1:4]] == ["1", "2", "3"] and older[-1][4] == "事務局"
    upload(post, setagaya, csv_of(older), whole="y")
    preview = client.get(f"/consortia/{setagaya.id}/roster/import/preview").get_data(as_text=True)
    assert "18 members unchanged" in preview and "0 members to update" in preview and "leave the roster" not in preview


def test_setagaya_in_shift_jis_loses_only_the_e_acute_and_says_so_first(db, setagaya, client, post):
    """⑬'s title prints 株式会社 cocoroé: CP932 has no é. The list comes first; the file asked for
    after it holds 〓, which a re-import shows as that title's one change before anything is written."""
    page = client.get(f"/consortia/{setagaya.id}/roster-sjis.csv").get_data(as_text=True)
    assert "U+00E9" in page and "<td>15</td><td>役職</td>" in page  # row 15: the note, the header, ①…⑬
    assert page.count("U+") == 1
    before = _state(db, setagaya)
    upload(post, setagaya, client.get(f"/consortia/{setagaya.id}/roster-sjis.csv?stand_in=1").data)
    preview = client.get(f"/consortia/{setagaya.id}/roster/import/preview").get_data(as_text=True)
    assert "17 members unchanged" in preview and "1 member to update" in preview and "0 new members" in preview
    assert "株式会社 cocoro〓 代表" in preview and "changed: title" in preview
    post(f"/consortia/{setagaya.id}/roster/import/cancel")
    assert _state(db, setagaya) == before


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


def test_exported_cp932_file_reimports_unchanged(db, consortium, secretariat, make_member, make_person, make_organization, post, client):
    """Note, seat marks (㉑ is not in CP932: the number), the secretariat's block: all read back as they were."""
    consortium.roster_note = "順不同・敬称略"
    db.session.commit()
    make_member(consortium, person=make_person(family_name="甲", given_name="一"), seat=1, category="区民（公募）", position=1)
    make_member(consortium, person=make_person(family_name="乙", given_name="二"), seat=21, position=2)
    make_member(consortium, organization=make_organization(name="某県"), role=Role.SECRETARIAT, title="企画課", position=3)
    data = client.get(f"/consortia/{consortium.id}/roster-sjis.csv").data
    rows = list(csv.reader(io.StringIO(data.decode("cp932"), newline="")))
    assert rows[0] == ["（順不同・敬称略）"] and [r[0] for r in rows[2:4]] == ["①", "21"]
    assert rows[4:6] == [[], ["事務局"]] and rows[7][2:5] == ["某県", "企画課", "事務局"]
    upload(post, consortium, data, whole="y")
    preview = client.get(f"/consortia/{consortium.id}/roster/import/preview").get_data(as_text=True)
    assert "3 members unchanged" in preview and "leave the roster" not in preview
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


def test_masked_emails_in_shift_jis_are_marked_so_and_change_nothing(db, consortium, with_email, secretariat, post, client):
    """CP932 has no •: the masked address is written n・・・・・@…, never 〓 in an address that reads as one."""
    data = client.get(f"/consortia/{consortium.id}/roster-sjis.csv").data
    rows = list(csv.reader(io.StringIO(data.decode("cp932"), newline="")))
    assert rows[0][-1] == "メール" and rows[1][-1] == "t・・・・・@example.jp"
    upload(post, consortium, data)
    preview = client.get(f"/consortia/{consortium.id}/roster/import/preview").get_data(as_text=True)
    assert "0 members to update" in preview and "0 rows with errors" in preview
    post(f"/consortia/{consortium.id}/roster/import/confirm")
    db.session.expire_all()
    assert db.session.get(Person, with_email.id).email == "taro@example.jp"


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
