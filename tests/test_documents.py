"""Materials: upload checked by content, storage outside the web root, download only by those allowed."""
from __future__ import annotations

import hashlib
import io
import os
from urllib.parse import quote

import openpyxl
import pytest
import sqlalchemy as sa

from consortium.documents import storage
from consortium.documents.services import add_document
from consortium.models import AgendaItem, Document, DocumentAccess, GrantRole, Visibility
from conftest import text

pytestmark = pytest.mark.usefixtures("english")

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode."


def download(client, document):
    """Fetch a material and close the response, which holds the stored file open."""
    response = client.get(f"/documents/{document.id}")
    response.get_data()
    response.close()
    return response


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "委員名簿"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture()
def make_document(db, upload_folder):
    """Create a material with a stored file, committed."""

    def make(meeting, data: bytes = PDF, filename: str = "資料1.pdf", **values):
        values.setdefault("title", "資料")
        document = add_document(meeting, data, filename, **values)
        db.session.commit()
        return document

    return make


@pytest.fixture()
def office(make_consortium, make_meeting, make_user, login, upload_folder):
    """A public consortium's meeting, with its secretariat signed in."""
    consortium = make_consortium(visibility=Visibility.PUBLIC)
    meeting = make_meeting(consortium)
    user = make_user({consortium: GrantRole.SECRETARIAT})
    login(user)
    return meeting


def upload(post, meeting, data: bytes = PDF, filename: str = "資料1 推進体制.pdf", **fields):
    form = {"title": "推進体制について", "label": "資料1", "doc_type": "material", "access": "inherit", **fields}
    if data is not None:
        form["file"] = (io.BytesIO(data), filename)
    return post(f"/meetings/{meeting.id}/documents/new", form, content_type="multipart/form-data")


def documents(db) -> list[Document]:
    db.session.expire_all()
    return db.session.execute(sa.select(Document).order_by(Document.id)).scalars().all()


def stored_files(folder) -> list[str]:
    return sorted(name for _, _, names in os.walk(folder) for name in names) if folder.exists() else []


# ---------------------------------------------------------------------------------------------
# Upload


def test_a_pdf_is_stored_under_a_random_name_outside_the_web_root(app, db, post, office, upload_folder):
    response = upload(post, office)
    assert response.status_code == 302
    [document] = documents(db)
    assert (document.filename, document.content_type, document.size) == ("資料1 推進体制.pdf", "application/pdf", len(PDF))
    assert document.checksum == hashlib.sha256(PDF).hexdigest()
    assert document.label == "資料1" and document.title == "推進体制について"
    path = os.path.join(upload_folder, document.storage_key[:2], document.storage_key)
    assert os.path.commonpath([path, str(upload_folder)]) == str(upload_folder)
    with open(path, "rb") as stored:
        assert stored.read() == PDF
    assert stored_files(upload_folder) == [document.storage_key]
    assert len(document.storage_key) == 32 and "資料" not in path
    assert not os.path.abspath(path).startswith(os.path.abspath(app.static_folder))


def test_two_uploads_of_the_same_name_do_not_overwrite_each_other(db, post, office, upload_folder):
    upload(post, office, PDF, "資料.pdf")
    upload(post, office, PDF + b"%second", "資料.pdf")
    first, second = documents(db)
    assert first.storage_key != second.storage_key
    assert len(stored_files(upload_folder)) == 2


def test_an_executable_renamed_pdf_is_refused(db, post, office, upload_folder):
    response = upload(post, office, EXE, "議事次第.pdf")
    assert response.status_code == 422
    assert "its content is not a PDF file" in text(response)
    assert documents(db) == [] and stored_files(upload_folder) == []


@pytest.mark.parametrize("filename", ["setup.exe", "page.html", "macro.docm", "no extension"])
def test_types_off_the_list_are_refused(db, post, office, filename):
    response = upload(post, office, PDF, filename)
    assert response.status_code == 422
    assert "cannot be uploaded" in text(response)
    assert documents(db) == []


def test_a_spreadsheet_must_be_named_as_one(db, post, office):
    assert upload(post, office, xlsx_bytes(), "名簿.docx").status_code == 422
    assert upload(post, office, xlsx_bytes(), "名簿.xlsx").status_code == 302
    [document] = documents(db)
    assert document.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_shift_jis_csv_is_accepted_and_binary_named_csv_is_not(db, post, office):
    assert upload(post, office, "氏名,所属\n山田 太郎,長野県\n".encode("cp932"), "名簿.csv").status_code == 302
    assert upload(post, office, b"a,b\n\x00\x01\x02", "名簿.csv").status_code == 422
    assert [d.content_type for d in documents(db)] == ["text/csv"]


def test_an_empty_file_is_refused(db, post, office):
    response = upload(post, office, b"", "空.pdf")
    assert response.status_code == 422
    assert documents(db) == []


def test_a_file_over_the_limit_is_refused_with_a_message(app, db, post, office, monkeypatch, upload_folder):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1024)
    response = upload(post, office, PDF + b"0" * 2000, "大きな資料.pdf", title="大きな資料")
    assert response.status_code == 422
    page = text(response)
    assert "larger than 1 KB" in page and 'value="大きな資料"' in page
    assert documents(db) == [] and stored_files(upload_folder) == []


def test_a_request_over_the_servers_limit_gets_a_clear_413_page(app, db, post, office, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    response = upload(post, office, PDF + b"0" * 8192, "巨大.pdf")
    assert response.status_code == 413
    page = text(response)
    assert "The file is too large" in page and "at most" in page
    assert documents(db) == []


def test_missing_file_and_title_are_refused_keeping_what_was_typed(db, post, office):
    response = upload(post, office, None, title="", label="資料2-1")
    assert response.status_code == 422
    page = text(response)
    assert "Choose the file to upload." in page and "Enter the title." in page
    assert 'value="資料2-1"' in page


def test_a_too_long_title_is_refused(db, post, office):
    assert upload(post, office, title="資" * 301).status_code == 422
    assert documents(db) == []


def test_an_agenda_item_of_another_meeting_is_refused(db, post, office, make_meeting):
    elsewhere = AgendaItem(meeting=make_meeting(office.consortium), title="他の議題", position=1)
    db.session.add(elsewhere)
    db.session.commit()
    assert upload(post, office, agenda_item_id=elsewhere.id).status_code == 422
    assert documents(db) == []


def test_an_upload_without_csrf_token_is_refused(db, post, office):
    response = post(
        f"/meetings/{office.id}/documents/new",
        {"title": "資料", "file": (io.BytesIO(PDF), "a.pdf")},
        csrf=False,
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert documents(db) == []


@pytest.mark.parametrize("role", ["member", "other_secretariat"])
def test_members_and_other_secretariats_may_not_upload(client, db, post, login, make_consortium, make_user, office, role):
    grant = {office.consortium: GrantRole.MEMBER} if role == "member" else {make_consortium(): GrantRole.SECRETARIAT}
    client.delete_cookie("session")
    login(make_user(grant))
    assert client.get(f"/meetings/{office.id}/documents/new").status_code == 403
    assert upload(post, office).status_code == 403
    assert documents(db) == []


# ---------------------------------------------------------------------------------------------
# Download


def test_a_member_downloads_a_material_under_its_japanese_name(client, login, make_consortium, make_meeting, make_user, make_document):
    consortium = make_consortium(visibility=Visibility.MEMBERS)
    document = make_document(make_meeting(consortium), PDF, "議事次第（案）.pdf")
    login(make_user({consortium: GrantRole.MEMBER}))
    response = download(client, document)
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"filename*=UTF-8''{quote('議事次第（案）.pdf')}" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in response.headers["Cache-Control"] and "public" not in response.headers["Cache-Control"]


def test_anonymous_visitors_get_nothing_of_a_members_only_consortium(client, make_consortium, make_meeting, make_document):
    document = make_document(make_meeting(make_consortium(visibility=Visibility.MEMBERS)))
    assert download(client, document).status_code == 404


def test_a_members_only_material_of_a_public_meeting_is_hidden_from_the_public(client, make_consortium, make_meeting, make_document):
    meeting = make_meeting(make_consortium(visibility=Visibility.PUBLIC))
    public = make_document(meeting, title="公開資料")
    private = make_document(meeting, title="委員限り資料", access=DocumentAccess.MEMBERS)
    assert download(client, public).status_code == 200
    assert download(client, private).status_code == 404
    page = text(client.get(f"/meetings/{meeting.id}"))
    assert "公開資料" in page and "委員限り資料" not in page


def test_a_material_under_a_closed_item_is_hidden_from_the_public(client, db, make_consortium, make_meeting, make_document):
    meeting = make_meeting(make_consortium(visibility=Visibility.PUBLIC))
    closed = AgendaItem(meeting=meeting, title="人事案件", position=1, is_public=False)
    db.session.add(closed)
    db.session.commit()
    document = make_document(meeting, title="候補者一覧", agenda_item_id=closed.id)
    assert download(client, document).status_code == 404
    assert "候補者一覧" not in text(client.get(f"/meetings/{meeting.id}"))


def test_the_meeting_page_lists_materials_with_type_and_size(client, make_consortium, make_meeting, make_document):
    meeting = make_meeting(make_consortium())
    document = make_document(meeting, label="資料1", title="推進体制")
    page = text(client.get(f"/meetings/{meeting.id}"))
    assert f'href="/documents/{document.id}"' in page
    assert "資料1 推進体制" in page and "PDF" in page and "1 KB" in page


def test_a_title_with_a_script_is_shown_as_text(client, make_consortium, make_meeting, make_document):
    meeting = make_meeting(make_consortium())
    make_document(meeting, title="<script>alert(1)</script>")
    page = text(client.get(f"/meetings/{meeting.id}"))
    assert "&lt;script&gt;alert(1)" in page and "<script>alert(1)" not in page


# ---------------------------------------------------------------------------------------------
# Edit and delete


def test_the_secretariat_edits_what_is_shown_about_a_material(db, post, office, make_document):
    document = make_document(office)
    response = post(f"/documents/{document.id}/edit", {"title": "修正後の題", "label": "資料2", "doc_type": "reference", "access": "members"})
    assert response.status_code == 302
    [changed] = documents(db)
    assert (changed.title, changed.label, changed.access) == ("修正後の題", "資料2", DocumentAccess.MEMBERS)
    assert changed.storage_key == document.storage_key


def test_editing_without_a_title_is_refused(db, post, office, make_document):
    document = make_document(office, title="元の題")
    response = post(f"/documents/{document.id}/edit", {"title": "", "label": "資料9", "doc_type": "material", "access": "inherit"})
    assert response.status_code == 422
    assert 'value="資料9"' in text(response)
    assert documents(db)[0].title == "元の題"


def test_deleting_a_material_removes_its_file_after_confirmation(db, client, post, office, make_document, upload_folder):
    document = make_document(office)
    assert "資料1.pdf" in text(client.get(f"/documents/{document.id}/delete"))
    assert post(f"/documents/{document.id}/delete", {}).status_code == 422
    assert stored_files(upload_folder) == [document.storage_key]
    assert post(f"/documents/{document.id}/delete", {"confirm": "y"}).status_code == 302
    assert documents(db) == []
    assert stored_files(upload_folder) == []


def test_deleting_a_meeting_removes_its_files(db, post, office, make_document, upload_folder):
    parent = AgendaItem(meeting=office, title="議事", position=1)
    child = AgendaItem(meeting=office, title="報告", position=1, parent=parent)
    db.session.add_all([parent, child])
    db.session.commit()
    make_document(office)
    make_document(office, filename="資料2.pdf", agenda_item_id=child.id)
    assert len(stored_files(upload_folder)) == 2
    assert post(f"/meetings/{office.id}/delete", {"confirm": "y"}).status_code == 302
    assert documents(db) == [] and stored_files(upload_folder) == []
    assert db.session.execute(sa.select(AgendaItem)).first() is None


def test_deleting_an_agenda_item_keeps_its_materials(db, post, office, make_document, upload_folder):
    item = AgendaItem(meeting=office, title="議事", position=1)
    db.session.add(item)
    db.session.commit()
    make_document(office, agenda_item_id=item.id)
    assert post(f"/agenda-items/{item.id}/delete", {"confirm": "y"}).status_code == 302
    [document] = documents(db)
    assert document.agenda_item_id is None and document.meeting_id == office.id
    assert stored_files(upload_folder) == [document.storage_key]


def test_a_member_may_not_edit_or_delete_a_material(client, db, post, login, make_user, office, make_document):
    document = make_document(office)
    client.delete_cookie("session")
    login(make_user({office.consortium: GrantRole.MEMBER}))
    assert post(f"/documents/{document.id}/edit", {"title": "改ざん"}).status_code == 403
    assert post(f"/documents/{document.id}/delete", {"confirm": "y"}).status_code == 403
    assert documents(db)[0].title == "資料"


@pytest.mark.parametrize(
    "uploaded, shown",
    [("C:\\Users\\事務局\\資料1.pdf", "資料1.pdf"), ("../../etc/資料.pdf", "資料.pdf"), ("資料\n2.pdf", "資料2.pdf"), ("", "file")],
)
def test_uploaded_names_lose_folders_and_control_characters(uploaded, shown):
    from consortium.documents.filetypes import display_filename

    assert display_filename(uploaded) == shown


def test_the_store_refuses_keys_that_are_not_its_own(app):
    with app.app_context():
        for key in ("../../etc/passwd", "", "ABCDEF" * 6):
            with pytest.raises(ValueError):
                storage.exists(key)
