"""The text inside materials' files: read after the upload (by a worker when there is a queue), found
by the search as the material's own words, never a failed upload for a file that cannot be read,
and never a change that users see on the material or its meeting."""
from __future__ import annotations

import io
import logging

import docx
import openpyxl
import pptx
import pytest
import sqlalchemy as sa
from pptx.util import Inches
from pypdf import PdfReader, PdfWriter

import test_jobs
from conftest import sign_in
from consortium.demo.loader import DEMO_PASSWORD
from consortium.documents import extraction, filetypes, storage
from consortium.documents.services import add_document
from consortium.models import Document, DocumentAccess, GrantRole, Meeting, User, Visibility
from consortium.pdf.render import html_to_pdf
from consortium.search.folding import INDEXED_CHARACTERS
from test_documents import PDF, office, upload  # noqa: F401 (office is a fixture)
from test_jobs import queue  # noqa: F401 (fixture)
from test_search_demo import found


@pytest.fixture(autouse=True)
def own_queue_database(monkeypatch):
    """This file's queue is Redis database 9, apart from the other queue tests' database."""
    monkeypatch.setattr(test_jobs, "QUEUE_DB", "redis://127.0.0.1:6379/9")


def pdf_bytes(words: str) -> bytes:
    return html_to_pdf(
        "<!doctype html><html lang='ja'><meta charset='utf-8'><style>@font-face{font-family:g;src:url(font:ipaexg.ttf)}"
        f"body{{font-family:g}}</style><h1>推進体制</h1><p>{words}</p></html>"
    )


def docx_bytes(words: str) -> bytes:
    document = docx.Document()
    document.add_heading("推進体制", level=1)
    document.add_table(rows=1, cols=2).rows[0].cells[1].text = words
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(words: str) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.title = "推進体制"
    workbook.active["B3"] = words
    workbook.active["C3"] = 2024
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def pptx_bytes(words: str) -> bytes:
    presentation = pptx.Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[5])  # title only
    slide.shapes.title.text = "推進体制"
    slide.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(1)).text_frame.text = words
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def encrypted_pdf(words: str, password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(words))))
    writer.encrypt(user_password=password, owner_password="secretariat", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


FILES = {
    "資料.pdf": pdf_bytes,
    "資料.docx": docx_bytes,
    "資料.xlsx": xlsx_bytes,
    "資料.pptx": pptx_bytes,
    "資料.csv": lambda words: f"項目,内容\n推進体制,{words}\n".encode("cp932"),
}


def document(db) -> Document:
    db.session.expire_all()
    return db.session.execute(sa.select(Document)).scalar_one()


# ---------------------------------------------------------------------------------------------
# Each type of file


@pytest.mark.parametrize("filename", FILES)
def test_the_text_inside_each_type_of_file_is_read(db, filename):
    data = FILES[filename]("地域通貨の導入を検討する")
    content_type = filetypes.inspect(data, filename).content_type
    text = extraction.text_of(data, content_type)
    assert "推進体制" in text and "地域通貨の導入を検討する" in text


def test_an_image_has_no_text(db):
    assert extraction.text_of(b"\x89PNG\r\n\x1a\n", filetypes.PNG) == ""


def test_a_long_file_is_read_up_to_what_the_index_holds(db):
    rows = "".join(f"{n},地域通貨の導入について\n" for n in range(20_000)).encode()
    assert len(extraction.text_of(rows, filetypes.CSV)) == INDEXED_CHARACTERS


def test_characters_a_pdf_font_cannot_name_are_left_out(db, monkeypatch):
    monkeypatch.setitem(extraction.READERS, filetypes.PDF, lambda data: iter(["地域\x00\x00通貨"]))
    assert extraction.text_of(b"%PDF", filetypes.PDF) == "地域通貨"


def test_a_pdf_locked_only_against_copying_is_read(db):
    text = extraction.text_of(encrypted_pdf("地域通貨の導入", password=""), filetypes.PDF)
    assert "地域通貨の導入" in text


# ---------------------------------------------------------------------------------------------
# Upload, without a queue and with one


def test_an_uploaded_materials_text_is_found_by_the_search_at_once(client, db, post, office):
    assert upload(post, office, pdf_bytes("区内で使える地域通貨の導入"), "資料1.pdf").status_code == 302
    assert "地域通貨の導入" in document(db).extracted_text
    [(link, title, where, snippet)] = found(client, "地域通貨")
    assert title == "資料1 推進体制について" and where.startswith("資料")
    assert "<mark>地域通貨</mark>の導入" in snippet


def test_with_a_queue_a_worker_reads_the_text_and_nothing_users_see_changes(app, client, db, post, office, queue):
    assert upload(post, office, docx_bytes("区内で使える地域通貨の導入"), "資料1.docx").status_code == 302
    uploaded = document(db)
    assert uploaded.extracted_text is None and found(client, "地域通貨") == []
    meeting = db.session.get(Meeting, office.id)
    seen = (uploaded.version, uploaded.updated_at, meeting.version, meeting.updated_at)

    queue()
    read = document(db)
    meeting = db.session.get(Meeting, office.id)
    assert "地域通貨の導入" in read.extracted_text
    assert (read.version, read.updated_at, meeting.version, meeting.updated_at) == seen
    [(_link, title, _where, snippet)] = found(client, "地域通貨")
    assert title == "資料1 推進体制について" and "<mark>地域通貨</mark>" in snippet


@pytest.mark.parametrize(
    "data", [PDF, encrypted_pdf("地域通貨の導入", password="kagi")], ids=["broken", "encrypted with a password"]
)
def test_a_file_that_cannot_be_read_is_uploaded_without_text(client, db, post, office, caplog, data):
    with caplog.at_level(logging.WARNING):
        response = upload(post, office, data, "資料1.pdf")
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200
    assert document(db).extracted_text == ""
    assert "No text read from document" in caplog.text
    assert found(client, "地域通貨") == []


def test_a_missing_file_leaves_the_material_to_be_read_later(db, office, caplog):
    material = add_document(office, pdf_bytes("地域通貨"), "資料1.pdf", title="推進体制")
    db.session.commit()
    storage.delete(material.storage_key)
    extraction.extract(material.id)
    assert document(db).extracted_text is None
    assert "is missing" in caplog.text


# ---------------------------------------------------------------------------------------------
# Who finds it


def test_a_members_only_materials_text_is_found_by_members_only(app, db, post, office, make_user):
    data = xlsx_bytes("委員限りの創業支援拠点")
    assert upload(post, office, data, "資料2.xlsx", label="資料2", access=DocumentAccess.MEMBERS.value).status_code == 302
    assert found(app.test_client(), "創業支援拠点") == []
    member = app.test_client()
    sign_in(member, make_user({office.consortium: GrantRole.MEMBER}))
    [(_link, title, _where, snippet)] = found(member, "創業支援拠点")
    assert title == "資料2 推進体制について" and "<mark>創業支援拠点</mark>" in snippet


def test_a_members_only_consortiums_material_is_not_found_by_the_public(client, db, make_consortium, make_meeting):
    meeting = make_meeting(make_consortium(visibility=Visibility.MEMBERS))
    add_document(meeting, pdf_bytes("非公開の地域通貨"), "資料1.pdf", title="推進体制")
    db.session.commit()
    extraction.extract(db.session.execute(sa.select(Document.id)).scalar_one())
    assert "地域通貨" in document(db).extracted_text
    assert found(client, "地域通貨") == []


# ---------------------------------------------------------------------------------------------
# Materials uploaded before: `flask documents extract`


def test_the_command_reads_the_materials_not_read_yet_and_again_all(app, db, office):
    first = add_document(office, pdf_bytes("地域通貨"), "資料1.pdf", title="推進体制")
    second = add_document(office, "創業支援拠点".encode(), "資料2.txt", title="拠点", extracted_text="古い")
    db.session.commit()
    runner = app.test_cli_runner()

    result = runner.invoke(args=["documents", "extract"])
    assert result.exit_code == 0 and "Text read from 1 materials." in result.output
    db.session.expire_all()
    assert "地域通貨" in db.session.get(Document, first.id).extracted_text
    assert db.session.get(Document, second.id).extracted_text == "古い"

    result = runner.invoke(args=["documents", "extract", "--again"])
    assert result.exit_code == 0 and "Text read from 2 materials." in result.output
    db.session.expire_all()
    assert db.session.get(Document, second.id).extracted_text == "創業支援拠点"


# ---------------------------------------------------------------------------------------------
# The demo


def test_the_demos_material_is_found_by_a_word_only_its_file_holds(client, demo):
    [(link, title, where, snippet)] = found(client, "地域通貨")
    assert title == "資料1 論点整理案"
    assert where.startswith("資料 ・ 世田谷区地域経済の持続可能な発展を目指す会議")
    assert "<mark>地域通貨</mark>" in snippet
    assert client.get(link).status_code == 200


def test_the_demos_members_only_material_is_found_by_its_words_by_members_only(client, db, demo):
    assert found(client, "創業支援拠点") == []
    sign_in(client, db.session.execute(sa.select(User).filter_by(email="nagayama@example.jp")).scalar_one(), DEMO_PASSWORD)
    [(_link, title, _where, snippet)] = found(client, "創業支援拠点")
    assert title == "資料2 新産業ビジョン骨子（委員限り）" and "<mark>創業支援拠点</mark>" in snippet
