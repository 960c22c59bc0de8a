"""Which files may be uploaded as materials, decided by their content and not only their name.

A file is accepted when its extension is on the allow-list AND its bytes are what that
extension claims (filetype's magic-number matchers): an .exe renamed .pdf is refused.
Text files (CSV, TXT) have no magic number; they must decode as UTF-8 or CP932 (Shift_JIS as
Excel writes it) and contain no NUL byte, which every executable and office format has.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import filetype
from flask_babel import lazy_gettext as _l

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PNG = "image/png"
JPEG = "image/jpeg"
CSV = "text/csv"
TEXT = "text/plain"

# Extension → the type its content must have.
ALLOWED = {
    "pdf": PDF,
    "docx": DOCX,
    "xlsx": XLSX,
    "pptx": PPTX,
    "png": PNG,
    "jpg": JPEG,
    "jpeg": JPEG,
    "csv": CSV,
    "txt": TEXT,
}
TEXT_TYPES = {CSV, TEXT}

# Short names shown beside a download link.
KIND_NAMES = {
    PDF: "PDF",
    DOCX: "Word",
    XLSX: "Excel",
    PPTX: "PowerPoint",
    PNG: "PNG",
    JPEG: "JPEG",
    CSV: "CSV",
    TEXT: _l("Text"),
}
ALLOWED_TEXT = "PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), PNG, JPEG, CSV, TXT"


class Refused(ValueError):
    """The file is not one that may be uploaded; the message says why, for the uploader."""


@dataclass(frozen=True)
class Inspected:
    content_type: str
    extension: str


def extension_of(filename: str) -> str:
    return filename.rsplit(".", 1)[1].lower() if "." in filename else ""


def inspect(data: bytes, filename: str) -> Inspected:
    """The content type of an upload, checked against its name; raise Refused when it may not be stored."""
    extension = extension_of(filename)
    expected = ALLOWED.get(extension)
    if expected is None:
        raise Refused(_l("Files of this type cannot be uploaded. Allowed types: %(types)s.", types=ALLOWED_TEXT))
    if not data:
        raise Refused(_l("The file is empty."))
    if expected in TEXT_TYPES:
        if not _is_text(data):
            raise Refused(
                _l("The file's name ends in .%(ext)s, but it is not a text file. It was not uploaded.", ext=extension)
            )
        return Inspected(expected, extension)
    detected = filetype.guess(data)
    if detected is None or detected.mime != expected:
        raise Refused(
            _l(
                "The file's name ends in .%(ext)s, but its content is not a %(kind)s file. It was not uploaded.",
                ext=extension,
                kind=KIND_NAMES[expected],
            )
        )
    return Inspected(expected, extension)


def _is_text(data: bytes) -> bool:
    return b"\x00" not in data and decoded(data) is not None


def decoded(data: bytes) -> str | None:
    """The text of a text file, read as UTF-8 (with or without a BOM) or as CP932; None when neither fits."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def display_filename(filename: str, fallback: str = "file") -> str:
    """The uploaded name, made safe to show and to offer as a download name (never a disk path).

    Folders a browser may send (C:\\Users\\…\\資料.pdf) are dropped, control characters removed,
    and a long name is shortened keeping its extension, to fit the 255-character column.
    """
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if not name:
        return fallback
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: 254 - len(ext)]}.{ext}" if dot and len(ext) <= 10 else name[:255]
    return name


def human_size(size: int) -> str:
    """120 KB, 3.4 MB, 25 MB: a size as people say it."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f} MB" if megabytes == int(megabytes) or megabytes >= 100 else f"{megabytes:.1f} MB"
