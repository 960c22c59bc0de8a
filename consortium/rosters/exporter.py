"""Roster export: memberships to CSV or XLSX bytes, in the layout the import reads back.

Plain functions of data, no request state. Only what the roster page prints goes out, and an
email column only when the caller passes the addresses as the viewer may see them
(contact.email_of: full for administrators, masked for secretariats; no column for others).

CSV comes in UTF-8 with a BOM (Excel 2016 and later) and in CP932, the Shift_JIS of Japanese
Windows, for older Excel; a character CP932 cannot hold is reported, never silently replaced.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..models import Membership
from .importer import COLUMNS, EXPORT_HEADERS, FORMULA_START, role_label

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Column widths in characters; a full-width character counts about two.
XLSX_WIDTHS = {"seat": 6, "name": 18, "organisation": 32, "title": 32, "role": 14, "category": 18, "description": 50, "email": 30}
# What the Shift_JIS file holds in place of a character it cannot, when asked to: the geta mark
# (〓), which Japanese print has long used for a missing character.
CP932_STAND_IN = "〓"

EmailOf = Callable[[Membership], "str | None"]


def headers(email: EmailOf | None) -> list[str]:
    return EXPORT_HEADERS if email is not None else EXPORT_HEADERS[:-1]


def roster_values(membership: Membership, email: EmailOf | None = None) -> list:
    """One membership as the file's columns: seat, name, organisation, title, role, category,
    description, and the email as the viewer may see it when email is given."""
    if membership.person is not None:
        name = membership.person.full_name
        organisation = membership.on_behalf_of.name if membership.on_behalf_of else None
    else:
        name = None
        organisation = membership.organization.name
    return [
        membership.seat,
        name,
        organisation,
        membership.title,
        role_label(membership.role),
        membership.category,
        membership.description,
    ] + ([email(membership)] if email is not None else [])


def _csv_cell(value) -> str:
    """Text for a CSV cell; one that a spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_START) else text


def _csv_rows(memberships: list[Membership], email: EmailOf | None) -> list[list[str]]:
    return [headers(email)] + [[_csv_cell(v) for v in roster_values(m, email)] for m in memberships]


def _csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def to_csv(memberships: list[Membership], email: EmailOf | None = None) -> bytes:
    """UTF-8 with a BOM (so Excel reads it as UTF-8) and CRLF line ends."""
    return _csv_text(_csv_rows(memberships, email)).encode("utf-8-sig")


@dataclass
class Unencodable:
    """A character CP932 cannot hold, and where: the spreadsheet's row and the column's header."""

    line: int
    column: str
    character: str

    @property
    def code(self) -> str:
        return f"U+{ord(self.character):04X}"


def cp932_problems(memberships: list[Membership], email: EmailOf | None = None) -> list[Unencodable]:
    """Every character of the export that CP932 cannot hold (𠮷, 〜 WAVE DASH, emoji…)."""
    rows = _csv_rows(memberships, email)
    found = []
    for line, cells in enumerate(rows, start=1):
        for header, text in zip(rows[0], cells):
            for character in dict.fromkeys(text):  # each character once a cell, in order
                if not _in_cp932(character):
                    found.append(Unencodable(line, header, character))
    return found


def to_cp932_csv(memberships: list[Membership], email: EmailOf | None = None, stand_in: bool = False) -> bytes:
    """Shift_JIS as Japanese Windows writes it (CP932), CRLF. Raises UnicodeEncodeError on a
    character CP932 lacks, unless stand_in (asked for after seeing the list) writes the nearest
    CP932 character (〜 as ～) or, for one it has no kin for, 〓."""
    text = _csv_text(_csv_rows(memberships, email))
    if not stand_in:
        for character in dict.fromkeys(text):
            if not _in_cp932(character):
                raise UnicodeEncodeError("cp932", character, 0, 1, "not held by CP932")
        return text.encode("cp932")
    return "".join(c if _encodable(c) else CP932_STAND_IN for c in text).encode("cp932")


def _encodable(character: str) -> bool:
    try:
        character.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


def _in_cp932(character: str) -> bool:
    """Held by CP932 as itself: Python encodes 〜 (WAVE DASH) and − (MINUS) to bytes that read
    back as ～ and －, which would change the text without a word, so those count as missing."""
    return _encodable(character) and character.encode("cp932").decode("cp932") == character


def to_xlsx(memberships: list[Membership], sheet_title: str, email: EmailOf | None = None) -> bytes:
    """One sheet, a bold header row, columns wide enough to read, seats as numbers."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(sheet_title))
    for i, column in enumerate(COLUMNS[: len(headers(email))], start=1):
        sheet.column_dimensions[get_column_letter(i)].width = XLSX_WIDTHS[column]
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in headers(email):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for m in memberships:
        cells = []
        for value in roster_values(m, email):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text typed as =… stays text, never a formula
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_title(name: str) -> str:
    """Excel's sheet names: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in name).strip("'") or "Roster"
    return cleaned[:31]


def download_name(name: str, extension: str) -> str:
    """The consortium's name as a file name: no path separators or control characters."""
    cleaned = "".join("_" if c in '/\\:*?"<>|' or ord(c) < 32 else c for c in name).strip(" .") or "roster"
    return f"{cleaned[:150]}.{extension}"
