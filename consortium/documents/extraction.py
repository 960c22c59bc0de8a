"""The text inside a material's file, for search: PDF, Word, Excel, PowerPoint, CSV and text.

It is read by a job after the upload's commit (on the queue when there is one: a long PDF takes
seconds), and kept in the material's extracted_text, cut at what the search index holds. A file
that cannot be read (broken, or locked with a password) gets no text and a line in the log: the
upload itself stands. Writing the text is no change anyone sees (models/touch.py).
"""
from __future__ import annotations

import io
from collections.abc import Iterator

from flask import current_app

from ..extensions import db
from ..models import Document
from ..search.folding import INDEXED_CHARACTERS
from . import filetypes, storage


def _pdf(data: bytes) -> Iterator[str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        # Most are locked only against printing or copying, with an empty password to open them;
        # one that needs a real password raises when its pages are read.
        reader.decrypt("")
    for page in reader.pages:
        yield page.extract_text()


def _docx(data: bytes) -> Iterator[str]:
    import docx
    from docx.table import Table

    for block in docx.Document(io.BytesIO(data)).iter_inner_content():
        if isinstance(block, Table):
            yield from (cell.text for row in block.rows for cell in row.cells)
        else:
            yield block.text


def _xlsx(data: bytes) -> Iterator[str]:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            yield sheet.title
            for row in sheet.iter_rows(values_only=True):
                yield " ".join(str(value) for value in row if value is not None)
    finally:
        workbook.close()


def _pptx(data: bytes) -> Iterator[str]:
    from pptx import Presentation

    for slide in Presentation(io.BytesIO(data)).slides:
        yield from _shape_texts(slide.shapes)
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            yield slide.notes_slide.notes_text_frame.text


def _shape_texts(shapes) -> Iterator[str]:
    from pptx.shapes.group import GroupShape

    for shape in shapes:
        if isinstance(shape, GroupShape):
            yield from _shape_texts(shape.shapes)
        elif shape.has_text_frame:
            yield shape.text_frame.text
        elif shape.has_table:
            yield from (cell.text for row in shape.table.rows for cell in row.cells)


def _text(data: bytes) -> Iterator[str]:
    yield filetypes.decoded(data) or ""


READERS = {
    filetypes.PDF: _pdf,
    filetypes.DOCX: _docx,
    filetypes.XLSX: _xlsx,
    filetypes.PPTX: _pptx,
    filetypes.CSV: _text,
    filetypes.TEXT: _text,
}


def text_of(data: bytes, content_type: str) -> str:
    """The text inside a file, at most INDEXED_CHARACTERS of it; "" for a type with no text (an
    image). Raises whatever its library raises for a file it cannot read."""
    reader = READERS.get(content_type)
    if reader is None:
        return ""
    pieces, length = [], 0
    for piece in reader(data):  # read no further than the index holds: a long PDF stops early
        # A PDF's font without a map to Unicode reads as NUL characters, which PostgreSQL's text refuses.
        if piece := piece.replace("\x00", "").strip():
            pieces.append(piece)
            length += len(piece) + 1
            if length > INDEXED_CHARACTERS:
                break
    return "\n".join(pieces)[:INDEXED_CHARACTERS]


def fill(document: Document) -> None:
    """Set the material's extracted_text from its stored file: "" when the file cannot be read,
    left as it was when the file is missing (both logged)."""
    try:
        with storage.open(document.storage_key) as file:
            data = file.read()
    except FileNotFoundError:
        current_app.logger.error("The file of document %s (%s) is missing: no text read", document.id, document.storage_key)
        return
    try:
        document.extracted_text = text_of(data, document.content_type)
    except Exception as error:  # a file from outside can make a parser raise anything
        current_app.logger.warning("No text read from document %s (%s): %r", document.id, document.filename, error)
        document.extracted_text = ""


def extract(document_id: int) -> None:
    """The job queued after an upload: read the material's text, unless it was deleted meanwhile."""
    document = db.session.get(Document, document_id)
    if document is None:
        return
    fill(document)
    db.session.commit()
