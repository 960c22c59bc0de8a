"""Materials: the write operations. Services add and flush, never commit.

The bytes are stored before the row is flushed; a view that fails to commit removes them
again (discard). A deleted row's bytes are removed only after the commit, so a rolled-back
deletion never leaves a row without its file.
"""
from __future__ import annotations

import hashlib


from ..extensions import db
from ..rows import assign, next_position
from ..models import Document, DocumentAccess, DocumentType, Meeting
from . import filetypes, storage


def add_document(
    meeting: Meeting,
    data: bytes,
    filename: str,
    content_type: str | None = None,
    uploaded_by_id: int | None = None,
    **values,
) -> Document:
    """Store the bytes under a random key and add the material at the end of the meeting's list.

    content_type is the one detected from the content; given none, it is detected here (and
    a file that may not be stored raises filetypes.Refused). values: title (required), label,
    doc_type, agenda_item_id, access.
    """
    if content_type is None:
        content_type = filetypes.inspect(data, filename).content_type
    position = next_position(Document.position, Document.meeting_id == meeting.id)
    values.setdefault("doc_type", DocumentType.MATERIAL)
    values.setdefault("access", DocumentAccess.INHERIT)
    document = Document(
        meeting=meeting,
        filename=filetypes.display_filename(filename),
        content_type=content_type,
        size=len(data),
        checksum=hashlib.sha256(data).hexdigest(),
        storage_key=storage.save(data),
        position=position,
        uploaded_by_id=uploaded_by_id,
        **values,
    )
    db.session.add(document)
    try:
        db.session.flush()
    except Exception:
        storage.delete(document.storage_key)
        raise
    return document


def update_document(document: Document, values: dict) -> None:
    """Change what is shown about a material and who may download it."""
    assign(document, values)
    db.session.flush()


def delete_document(document: Document) -> str:
    """Delete the row; return the storage key, whose bytes the caller removes after the commit."""
    key = document.storage_key
    db.session.delete(document)
    db.session.flush()
    return key


def discard(keys: list[str]) -> None:
    """Remove stored bytes: after a committed deletion, or after an upload that was not committed."""
    for key in keys:
        storage.delete(key)
