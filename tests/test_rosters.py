"""Roster import (upload, preview, confirm) and export (CSV, XLSX)."""
from __future__ import annotations

import csv
import io
import os
import time

import openpyxl
import pytest
import sqlalchemy as sa

from consortium.models import AuditEvent, GrantRole, Membership, Organization, Person, Role, Visibility
from consortium.rosters import importer

pytestmark = pytest.mark.usefixtures("english")

HEADER = ["席次", "氏名", "団体名", "役職", "役割", "区分", "連携概要"]


@pytest.fixture(autouse=True)
def import_folder(app, tmp_path, monkeypatch):
    """Keep uploads of each test in its own folder, not in the instance folder."""
    folder = tmp_path / "imports"
    monkeypatch.setitem(app.config, "ROSTER_IMPORT_FOLDER", str(folder))
    return folder


@pytest.fixture()
def consortium(make_consortium):
    """Make a public consortium with an empty roster."""
    return make_consortium()


@pytest.fixture()
def secretariat(consortium, make_user, login):
    """Sign in as the consortium's secretariat."""
    user = make_user({consortium: GrantRole.SECRETARIAT})
    login(user)
    return user


def csv_bytes(rows, header=HEADER, encoding="utf-8") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def url(consortium, step="") -> str:
    return f"/consortia/{consortium.id}/roster/import{step}"


@pytest.fixture()
def upload(post):
    """Upload a file to a consortium's import page."""

    def send(consortium, data: bytes, filename: str = "roster.csv", **kwargs):
        return post(url(consortium), {"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data", **kwargs)

    return send


@pytest.fixture()
def imported(upload, client, post):
    """Upload, preview and confirm a file; return the confirm response."""

    def run(consortium, data: bytes, filename: str = "roster.csv"):
        response = upload(consortium, data, filename)
        assert response.status_code == 302, response.get_data(as_text=True)
        assert client.get(url(consortium, "/preview")).status_code == 200
        return post(url(consortium, "/confirm"))

    return run


def roster(db, consortium) -> list[Membership]:
    db.session.expire_all()
    return list(
        db.session.execute(
            sa.select(Membership)
            .where(Membership.consortium_id == consortium.id, Membership.term_end.is_(None))
            .order_by(Membership.position)
        ).scalars()
    )


def counts(db) -> tuple[int, int, int]:
    db.session.expire_all()
    return tuple(
        db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()
        for model in (Person, Organization, Membership)
    )


ROWS = [
    ["1", "山田 太郎", "長野県", "知事", "座長", "行政", "県の取組"],
    ["2", "佐藤 花子", "株式会社八十二銀行", "", "vice_chair", "金融機関", ""],
    ["", "", "ジェトロ長野", "", "", "", "海外展開の支援"],
]


def assert_imported(db, consortium):
    members = roster(db, consortium)
    assert [(m.seat, m.name, m.role, m.position) for m in members] == [
        (1, "山田 太郎", Role.CHAIR, 1),
        (2, "佐藤 花子", Role.VICE_CHAIR, 2),
        (None, "ジェトロ長野", Role.MEMBER, 3),
    ]
    yamada = members[0]
    assert yamada.on_behalf_of.name == "長野県" and yamada.title == "知事" and yamada.category == "行政"
    assert yamada.person.organization.name == "長野県"
    assert members[2].organization is not None and members[2].description == "海外展開の支援"


@pytest.mark.parametrize(
    "data, filename",
    [
        (csv_bytes(ROWS), "roster.csv"),
        (csv_bytes(ROWS, encoding="utf-8-sig"), "roster.csv"),
        (csv_bytes(ROWS, encoding="cp932"), "roster.csv"),
        (xlsx_bytes([[int(r[0]) if r[0] else None, *r[1:]] for r in ROWS]), "roster.xlsx"),
        (xlsx_bytes(ROWS), "名簿"),  # recognised by content, not by name
    ],
    ids=["utf8", "utf8_bom", "cp932", "xlsx", "xlsx_without_extension"],
)
def test_import_reads_each_format(db, consortium, secretariat, imported, client, data, filename):
    response = imported(consortium, data, filename)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/consortia/{consortium.id}")
    assert_imported(db, consortium)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 members imported (3 new, 0 updated)." in page


def test_import_accepts_english_headers_and_spacing(db, consortium, secretariat, imported):
    header = ["Seat", "Ｎａｍｅ", " Organisation ", "title", "ROLE", "category", "description"]
    assert imported(consortium, csv_bytes(ROWS, header=header)).status_code == 302
    assert_imported(db, consortium)


def test_import_finds_header_below_a_title_line(db, consortium, secretariat, imported):
    data = csv_bytes([["委員名簿（敬称略）"], HEADER, *ROWS], header=None)
    assert imported(consortium, data).status_code == 302
    assert_imported(db, consortium)


def test_preview_lists_rows_and_writes_nothing(db, consortium, secretariat, upload, client):
    before = counts(db)
    upload(consortium, csv_bytes(ROWS))
    page = client.get(url(consortium, "/preview")).get_data(as_text=True)
    assert "山田 太郎" in page and "ジェトロ長野" in page
    assert "new person — will be created" in page
    assert "Import 3 members" in page
    assert counts(db) == before


def test_preview_without_upload_goes_to_upload_page(consortium, secretariat, client):
    response = client.get(url(consortium, "/preview"))
    assert response.status_code == 302 and response.headers["Location"].endswith(url(consortium))


def test_pending_upload_is_not_in_the_url_and_belongs_to_its_consortium(
    consortium, make_consortium, make_user, login, upload, client
):
    other = make_consortium()
    login(make_user({consortium: GrantRole.SECRETARIAT, other: GrantRole.SECRETARIAT}))
    response = upload(consortium, csv_bytes(ROWS))
    assert response.headers["Location"].endswith(url(consortium, "/preview"))
    assert client.get(url(other, "/preview")).status_code == 302  # nothing pending there


@pytest.mark.parametrize(
    "variant",
    ["ｼﾞｪﾄﾛ長野", "ジェトロ　長野", "ＪＥＴＲＯ長野"],
)
def test_matching_ignores_width_and_spacing_for_organisations(
    db, consortium, secretariat, imported, make_organization, variant
):
    existing = make_organization(name="JETRO長野" if "ＪＥＴＲＯ" in variant else "ジェトロ長野")
    before = counts(db)
    imported(consortium, csv_bytes([["", "", variant, "", "", "", ""]]))
    assert counts(db) == (before[0], before[1], before[2] + 1)
    assert roster(db, consortium)[0].organization_id == existing.id


def test_matching_ignores_width_and_spacing_for_people(
    db, consortium, secretariat, upload, client, post, make_person, make_organization
):
    nagano = make_organization(name="長野県")
    person = make_person(family_name="山田", given_name="太郎", organization=nagano)
    upload(consortium, csv_bytes([["", "山田　　太郎", "長野県", "", "", "", ""], ["", "ＡＢＣ", "", "", "", "", ""]]))
    page = client.get(url(consortium, "/preview")).get_data(as_text=True)
    assert "matches 山田 太郎 (長野県)" in page
    before = counts(db)
    post(url(consortium, "/confirm"))
    assert counts(db) == (before[0] + 1, before[1], before[2] + 2)  # only ＡＢＣ is new
    assert roster(db, consortium)[0].person_id == person.id


def test_namesakes_are_an_error_unless_the_organisation_tells_them_apart(
    db, consortium, secretariat, upload, client, make_person, make_organization
):
    a, b = make_organization(name="長野県"), make_organization(name="松本市")
    make_person(family_name="山田", given_name="太郎", organization=a)
    make_person(family_name="山田", given_name="太郎", organization=b)
    upload(consortium, csv_bytes([["", "山田 太郎", "", "", "", "", ""], ["", "山田太郎", "松本市", "", "", "", ""]]))
    page = client.get(url(consortium, "/preview")).get_data(as_text=True)
    assert "Several people are named 山田 太郎" in page
    assert "matches 山田 太郎 (松本市)" in page
    assert "Import 2 members" not in page


@pytest.mark.parametrize(
    "data, filename, message",
    [
        ("席次,氏名\n1,山田 太郎\n".encode("utf-16"), "roster.csv", "Could not read the file&#39;s encoding"),
        (bytes(range(256)) * 4, "roster.csv", "Could not read the file&#39;s encoding"),
        (b"", "roster.csv", "The file is empty"),
        (b"\xef\xbb\xbf\r\n\r\n", "roster.csv", "The file is empty"),
        (csv_bytes([]), "roster.csv", "header row but no members"),
        (csv_bytes(ROWS, header=["番号", "住所", "電話"]), "roster.csv", "has no 氏名 (name) or 団体名 (organisation) column"),
        (csv_bytes(ROWS, header=["氏名", "名前"]), "roster.csv", "more than once"),
        (xlsx_bytes(ROWS)[:300], "roster.xlsx", "damaged"),
        (b"PK\x03\x04" + b"\x00" * 200, "roster.xlsx", "damaged"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 200, "roster.xls", "old Excel"),
    ],
    ids=["utf16", "random_bytes", "empty", "blank_lines", "header_only", "missing_columns", "column_twice",
         "truncated_xlsx", "corrupt_zip", "old_xls"],
)
def test_unreadable_file_gives_a_clear_message_and_writes_nothing(
    db, consortium, secretariat, upload, import_folder, data, filename, message
):
    before = counts(db)
    response = upload(consortium, data, filename)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert "Nothing was written" in page
    assert counts(db) == before
    assert not import_folder.exists() or not os.listdir(import_folder)


def test_workbook_whose_xml_is_broken_is_refused(consortium, secretariat, upload):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("xl/workbook.xml", "<not xml")
    response = upload(consortium, out.getvalue(), "roster.xlsx")
    assert response.status_code == 422
    assert "could not be read" in response.get_data(as_text=True)


def test_no_file_is_refused(consortium, secretariat, post):
    response = post(url(consortium), {})
    assert response.status_code == 422
    assert "Choose a CSV or XLSX file" in response.get_data(as_text=True)


def test_file_over_the_size_limit_is_refused(app, consortium, secretariat, upload, monkeypatch):
    # Small sizes: the test client spools a body over 500 KB to a file it never closes.
    monkeypatch.setitem(app.config, "ROSTER_IMPORT_MAX_BYTES", 50 * 1024)
    big = csv_bytes([["", f"人{i}", "", "x" * 200, "", "", ""] for i in range(300)])
    response = upload(consortium, big)
    assert response.status_code == 422
    assert "larger than 50 KB" in response.get_data(as_text=True)


def test_body_over_the_site_limit_answers_on_the_upload_page(app, consortium, secretariat, upload, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    response = upload(consortium, csv_bytes(ROWS * 100))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "too large" in page and "Import a roster" in page


def test_body_over_the_site_limit_shows_no_upload_page_to_others(
    app, consortium, make_consortium, make_user, login, upload, monkeypatch
):
    login(make_user({make_consortium(): GrantRole.SECRETARIAT}))
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    response = upload(consortium, csv_bytes(ROWS * 100))
    assert response.status_code == 413
    assert "Import a roster" not in response.get_data(as_text=True)


def test_too_many_rows_is_refused(consortium, secretariat, upload):
    data = csv_bytes([["", f"人{i}", "", "", "", "", ""] for i in range(importer.MAX_ROWS + 1)])
    response = upload(consortium, data)
    assert response.status_code == 422
    assert "more than 20000 rows" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "bad, message",
    [
        (["abc", "鈴木 一郎", "", "", "", "", ""], "The seat must be a whole number"),
        (["0", "鈴木 一郎", "", "", "", "", ""], "The seat must be a whole number"),
        (["1", "鈴木 一郎", "", "", "", "", ""], "Seat 1 is also given on row 2"),
        (["", "鈴木 一郎", "", "", "会長代理の代理", "", ""], "Unknown role"),
        (["", "鈴" * 101, "", "", "", "", ""], "longer than 100 characters"),
        (["", "", "団" * 201, "", "", "", ""], "longer than 200 characters"),
        (["", "鈴木 一郎", "", "役" * 301, "", "", ""], "longer than 300 characters"),
        (["", "", "", "委員", "", "", ""], "Give a name"),
    ],
    ids=["seat_text", "seat_zero", "seat_twice", "unknown_role", "name_long", "organisation_long", "title_long",
         "no_name"],
)
def test_one_bad_row_blocks_the_whole_file(db, consortium, secretariat, upload, client, post, bad, message):
    before = counts(db)
    upload(consortium, csv_bytes([ROWS[0], bad, ROWS[2]]))
    page = client.get(url(consortium, "/preview")).get_data(as_text=True)
    assert message in page
    assert "Row 3" in page or "Row 2" in page
    assert "Import 3 members" not in page  # no confirm button
    response = post(url(consortium, "/confirm"))
    assert response.status_code == 302 and response.headers["Location"].endswith(url(consortium, "/preview"))
    assert counts(db) == before


def test_same_member_twice_in_the_same_role_is_an_error(db, consortium, secretariat, upload, client):
    upload(consortium, csv_bytes([["", "鈴木 一郎", "長野県", "", "", "", ""], ["", "鈴木　一郎", "長野県", "", "委員", "", ""]]))
    page = client.get(url(consortium, "/preview")).get_data(as_text=True)
    assert "This member is also on row 2, in the same role." in page


def test_same_organisation_may_hold_two_roles(db, consortium, secretariat, imported):
    imported(consortium, csv_bytes([["", "", "長野県", "", "主催", "", ""], ["", "", "長野県", "", "委員", "", ""]]))
    members = roster(db, consortium)
    assert [m.role for m in members] == [Role.HOST, Role.MEMBER]
    assert members[0].organization_id == members[1].organization_id


def test_columns_the_file_leaves_out_are_left_alone(db, consortium, secretariat, imported, make_member, make_person):
    membership = make_member(
        consortium, person=make_person(family_name="山田", given_name="太郎"), seat=4, role=Role.CHAIR, category="学識経験者"
    )
    imported(consortium, csv_bytes([["山田 太郎", "名誉教授"]], header=["氏名", "役職"]))
    db.session.expire_all()
    row = db.session.get(Membership, membership.id)
    assert (row.seat, row.role, row.category, row.title) == (4, Role.CHAIR, "学識経験者", "名誉教授")


def test_own_seat_is_not_reported_as_held_when_the_row_has_another_error(consortium, secretariat, upload, client, make_member, make_person):
    make_member(consortium, person=make_person(family_name="山田", given_name="太郎"), seat=1)
    upload(consortium, csv_bytes([["1", "山田 太郎", "", "", "会長代理の代理", "", ""]]))
    page = client.get(url(consortium, "/preview")).get_data(as_text=True)
    assert "Unknown role" in page and "is held by" not in page


def test_header_repeated_on_each_printed_page_is_skipped(db, consortium, secretariat, imported):
    imported(consortium, csv_bytes([ROWS[0], ROWS[1], HEADER, ROWS[2]]))
    assert_imported(db, consortium)


def test_seat_held_by_a_member_not_in_the_file_is_an_error(db, consortium, secretariat, upload, client, make_member):
    holder = make_member(consortium, seat=1)
    upload(consortium, csv_bytes([["1", "鈴木 一郎", "", "", "", "", ""]]))
    page = client.get(url(consortium, "/preview")).get_data(as_text=True)
    assert f"Seat 1 is held by {holder.name}" in page


def test_seats_may_change_hands_within_the_file(db, consortium, secretariat, imported, make_member, make_person):
    a = make_member(consortium, person=make_person(family_name="甲", given_name=None), seat=1, position=1)
    b = make_member(consortium, person=make_person(family_name="乙", given_name=None), seat=2, position=2)
    imported(consortium, csv_bytes([["2", "甲", "", "", "", "", ""], ["1", "乙", "", "", "", "", ""]]))
    db.session.expire_all()
    assert (db.session.get(Membership, a.id).seat, db.session.get(Membership, b.id).seat) == (2, 1)


def test_member_on_the_roster_is_updated_not_duplicated(db, consortium, secretariat, upload, client, post, make_member, make_person):
    person = make_person(family_name="山田", given_name="太郎")
    membership = make_member(consortium, person=person, seat=1, title="教授")
    upload(consortium, csv_bytes([["1", "山田 太郎", "", "名誉教授", "座長", "", ""]]))
    page = client.get(url(consortium, "/preview")).get_data(as_text=True)
    assert "changed: role, title" in page
    response = post(url(consortium, "/confirm"))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 member imported (0 new, 1 updated)." in page
    members = roster(db, consortium)
    assert [m.id for m in members] == [membership.id]
    assert (members[0].title, members[0].role) == ("名誉教授", Role.CHAIR)


def test_confirm_writes_nothing_when_the_roster_changed_since_the_preview(
    db, consortium, secretariat, upload, client, post, make_member
):
    upload(consortium, csv_bytes([["1", "鈴木 一郎", "", "", "", "", ""]]))
    assert "Import 1 member" in client.get(url(consortium, "/preview")).get_data(as_text=True)
    make_member(consortium, seat=1)  # someone takes seat 1 meanwhile
    before = counts(db)
    response = post(url(consortium, "/confirm"))
    assert response.headers["Location"].endswith(url(consortium, "/preview"))
    assert counts(db) == before


def test_confirm_clears_the_pending_upload(consortium, secretariat, imported, client, import_folder):
    imported(consortium, csv_bytes(ROWS))
    assert os.listdir(import_folder) == []
    assert client.get(url(consortium, "/preview")).status_code == 302


def test_cancel_drops_the_upload(db, consortium, secretariat, upload, client, post, import_folder):
    upload(consortium, csv_bytes(ROWS))
    before = counts(db)
    response = post(url(consortium, "/cancel"))
    assert response.status_code == 302
    assert os.listdir(import_folder) == []
    assert client.get(url(consortium, "/preview")).status_code == 302
    assert counts(db) == before


def test_import_is_in_the_audit_log(db, consortium, secretariat, imported):
    imported(consortium, csv_bytes(ROWS), "名簿.csv")
    db.session.expire_all()
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "import")).scalar_one()
    assert event.consortium_id == consortium.id and event.after["rows"] == 3 and event.after["filename"] == "名簿.csv"


def test_script_in_a_cell_is_inert_in_the_preview(consortium, secretariat, upload, client):
    upload(consortium, csv_bytes([["", "<script>alert(1)</script>", "<b>団体</b>", "", "", "", ""]]))
    page = client.get(url(consortium, "/preview")).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>団体</b>" not in page


def test_preview_paginates_and_filters_errors(consortium, secretariat, upload, client):
    rows = [["", f"人{i}", "", "", "", "", ""] for i in range(250)]
    rows[200][0] = "x"
    upload(consortium, csv_bytes(rows))
    first = client.get(url(consortium, "/preview")).get_data(as_text=True)
    assert "人99<" in first and "人100<" not in first
    assert "Page 1 of 3" in first
    third = client.get(url(consortium, "/preview?page=3")).get_data(as_text=True)
    assert "人249<" in third
    errors = client.get(url(consortium, "/preview?show=errors")).get_data(as_text=True)
    assert "人200<" in errors and "人1<" not in errors


def test_import_refused_to_a_member_and_another_secretariat(consortium, make_consortium, make_user, login, upload, client):
    other = make_consortium()
    for user in (make_user({consortium: GrantRole.MEMBER}), make_user({other: GrantRole.SECRETARIAT})):
        client.delete_cookie("session")
        login(user)
        assert client.get(url(consortium)).status_code == 403
        assert upload(consortium, csv_bytes(ROWS)).status_code == 403


def test_upload_without_csrf_token_is_refused(db, consortium, secretariat, upload):
    before = counts(db)
    assert upload(consortium, csv_bytes(ROWS), csrf=False).status_code == 400
    assert counts(db) == before


def test_confirm_without_csrf_token_is_refused(db, consortium, secretariat, upload, post):
    upload(consortium, csv_bytes(ROWS))
    before = counts(db)
    assert post(url(consortium, "/confirm"), csrf=False).status_code == 400
    assert counts(db) == before


def test_large_file_previews_with_a_fixed_number_of_queries(
    db, consortium, secretariat, upload, client, count_queries, make_organization, make_person, make_member
):
    org = make_organization(name="長野県")
    make_member(consortium, person=make_person(family_name="既存", given_name="委員"), seat=1)

    def rows(n):
        return [[str(i + 2), f"委員{i}", "長野県" if i % 2 else "新しい団体", "", "", "", ""] for i in range(n)]

    measured = {}
    for n in (100, 10_000):
        upload(consortium, csv_bytes(rows(n)))
        with count_queries() as statements:
            started = time.perf_counter()
            response = client.get(url(consortium, "/preview"))
            measured[n] = (len(statements), time.perf_counter() - started)
        assert response.status_code == 200
    assert measured[10_000][0] == measured[100][0]
    assert measured[10_000][1] < 20, measured
    assert org.id


def test_large_file_imports_in_one_go(db, consortium, secretariat, imported):
    rows = [[str(i + 1), f"委員{i}", f"団体{i % 50}", "", "", "", ""] for i in range(10_000)]
    started = time.perf_counter()
    response = imported(consortium, csv_bytes(rows))
    assert response.status_code == 302
    assert time.perf_counter() - started < 120
    assert counts(db) == (10_000, 50, 10_000)


# --- export -------------------------------------------------------------------------------


@pytest.fixture()
def filled(consortium, make_member, make_person, make_organization):
    """A roster with seats out of position order, an organisation member, and a former member."""
    bank = make_organization(name="株式会社八十二銀行")
    person = make_person(family_name="山田", given_name="太郎", email="private@example.jp", phone="090-0000-0000")
    make_member(consortium, person=person, seat=2, position=1, on_behalf_of=bank, title="=HYPERLINK(\"x\")", role=Role.CHAIR)
    make_member(consortium, person=make_person(family_name="佐藤", given_name="花子"), seat=1, position=2, category="区民（公募）")
    make_member(consortium, organization=make_organization(name="ジェトロ長野"), position=3, description="海外展開\n支援")
    from datetime import date

    make_member(consortium, person=make_person(family_name="前任", given_name="者"), seat=3, term_end=date(2020, 3, 31))
    return consortium


def test_csv_export_has_bom_crlf_and_seat_order(filled, client):
    response = client.get(f"/consortia/{filled.id}/roster.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    data = response.data
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.startswith(",".join(HEADER) + "\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert [r[:3] for r in rows[1:]] == [["①", "佐藤 花子", ""], ["②", "山田 太郎", "株式会社八十二銀行"], ["", "", "ジェトロ長野"]]
    assert rows[2][3] == "'=HYPERLINK(\"x\")"  # never a formula in the spreadsheet
    assert rows[2][4] == "座長"
    assert "前任" not in text
    assert "private@example.jp" not in text and "090-0000-0000" not in text


def test_xlsx_export_has_bold_header_and_seat_order(filled, client):
    response = client.get(f"/consortia/{filled.id}/roster.xlsx")
    assert response.status_code == 200
    assert response.mimetype == importer_xlsx_mimetype()
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = workbook.active
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["C"].width >= 20
    assert [(r[0], r[1]) for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        ("①", "佐藤 花子"), ("②", "山田 太郎"), (None, None)
    ]
    assert sheet["D3"].data_type == "s" and sheet["D3"].value == "=HYPERLINK(\"x\")"


def importer_xlsx_mimetype() -> str:
    from consortium.rosters.exporter import XLSX_MIMETYPE

    return XLSX_MIMETYPE


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_export_reimports_unchanged(db, filled, secretariat, client, upload, post, extension):
    data = client.get(f"/consortia/{filled.id}/roster.{extension}").data
    before = [(m.id, m.seat, m.role, m.title, m.category, m.description, m.on_behalf_of_id, m.position)
              for m in roster(db, filled)]
    upload(filled, data, f"roster.{extension}")
    page = client.get(url(filled, "/preview")).get_data(as_text=True)
    assert "3 members unchanged" in page and "0 new members" in page and "0 rows with errors" in page
    post(url(filled, "/confirm"))
    after = [(m.id, m.seat, m.role, m.title, m.category, m.description, m.on_behalf_of_id, m.position)
             for m in roster(db, filled)]
    assert after == before


def test_export_of_members_only_consortium_is_hidden_from_the_public(make_consortium, make_member, client):
    hidden = make_consortium(visibility=Visibility.MEMBERS)
    make_member(hidden, seat=1)
    assert client.get(f"/consortia/{hidden.id}/roster.csv").status_code == 404
    assert client.get(f"/consortia/{hidden.id}/roster.xlsx").status_code == 404


def test_export_of_members_only_consortium_for_its_member(make_consortium, make_member, make_user, login, client):
    hidden = make_consortium(visibility=Visibility.MEMBERS)
    make_member(hidden, seat=1)
    login(make_user({hidden: GrantRole.MEMBER}))
    response = client.get(f"/consortia/{hidden.id}/roster.csv")
    assert response.status_code == 200 and response.headers["Cache-Control"].startswith("private")


def test_demo_rosters_export_and_reimport_unchanged(db, demo, make_user, login, client, upload, post):
    from consortium.models import Consortium

    db.session.expire_all()
    admin = make_user(is_admin=True)
    login(admin)
    for consortium in db.session.execute(sa.select(Consortium)).scalars().all():
        if not roster(db, consortium):
            continue
        data = client.get(f"/consortia/{consortium.id}/roster.csv").data
        upload(consortium, data)
        page = client.get(url(consortium, "/preview")).get_data(as_text=True)
        assert "0 rows with errors" in page and "0 new members" in page and "0 members to update" in page, consortium.name
        post(url(consortium, "/cancel"))


# --- the reader on its own ----------------------------------------------------------------


def test_workbook_that_unpacks_too_large_is_refused(app, monkeypatch):
    monkeypatch.setattr(importer, "MAX_UNPACKED", 1000)
    with app.test_request_context(headers={"Cookie": "lang=en"}), pytest.raises(importer.RosterFileError, match="too large once unpacked"):
        importer.read_roster(xlsx_bytes(ROWS))


@pytest.mark.parametrize(
    "text, role",
    [("座長", Role.CHAIR), ("chair", Role.CHAIR), ("Vice-chair", Role.VICE_CHAIR), ("vice_chair", Role.VICE_CHAIR),
     ("委員・会員", Role.MEMBER), ("委員", Role.MEMBER), ("ｵﾌﾞｻﾞｰﾊﾞｰ", Role.OBSERVER), ("事 務 局", Role.SECRETARIAT)],
)
def test_role_is_read_from_label_or_value(text, role):
    assert importer.parse_role(text) is role


def test_cells_are_kept_as_typed_and_numbers_read_alike():
    table = importer.read_roster(csv_bytes([["③", " 山田　 太郎 ", "ＡＢＣ株式会社", "'=1+1", "", "区民（公募）", "一行目\r\n二行目"]]))
    row = table.rows[0]
    assert (row.seat, row.name, row.family_name, row.given_name) == (3, "山田 太郎", "山田", "太郎")
    # Stored as the file has it (NFC): full-width letters and brackets stay; NFKC is for matching.
    assert (row.organisation, row.title, row.category, row.description) == ("ＡＢＣ株式会社", "=1+1", "区民（公募）", "一行目\n二行目")
    assert row.errors == []


@pytest.mark.parametrize("seat, number", [("①", 1), ("⑰", 17), ("⑳", 20), ("㉑", 21), ("㊿", 50), ("51", 51), ("１７", 17), ("17", 17)])
def test_seat_marks_and_digits_read_as_the_seat(seat, number):
    assert importer.read_roster(csv_bytes([[seat, "山田 太郎", "", "", "", "", ""]])).rows[0].seat == number


def test_note_above_the_header_and_blocks_below_the_members_are_read_as_printed():
    """The export's layout: the note, the members, then the secretariat's and hosts' blocks, each a
    title row and its own header; a row of a block is in the block's role unless its 役割 says otherwise."""
    data = csv_bytes(
        [["（順不同、敬称略）"], HEADER, ["①", "山田 太郎", "長野県", "", "委員・会員", "", ""],
         [], ["事務局"], HEADER, ["", "", "長野県", "産業政策課", "", "", ""],
         [], ["主催"], HEADER, ["", "", "関東経済産業局", "", "", "", ""], ["", "佐藤 花子", "", "", "座長", "", ""]],
        header=None,
    )
    table = importer.read_roster(data)
    assert [(r.line, r.name or r.organisation, r.role, r.errors) for r in table.rows] == [
        (3, "山田 太郎", Role.MEMBER, []),
        (7, "長野県", Role.SECRETARIAT, []),
        (11, "関東経済産業局", Role.HOST, []),
        (12, "佐藤 花子", Role.CHAIR, []),
    ]


def test_tab_separated_file_with_a_note_line_is_read_by_its_header():
    data = "（順不同、敬称略）\r\n席次\t氏名\t団体名\r\n②\t山田 太郎\t長野県\r\n".encode("utf-8")
    row = importer.read_roster(data).rows[0]
    assert (row.seat, row.name, row.organisation) == (2, "山田 太郎", "長野県")


@pytest.mark.parametrize("can_import", [False, True])
def test_links_offer_the_import_only_to_the_secretariat(app, consortium, can_import):
    from flask import render_template

    with app.test_request_context():
        html = render_template("rosters/_links.html", consortium=consortium, can_import=can_import)
    assert f"/consortia/{consortium.id}/roster.csv" in html and f"/consortia/{consortium.id}/roster.xlsx" in html
    assert (f"/consortia/{consortium.id}/roster/import" in html) is can_import
