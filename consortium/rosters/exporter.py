"""Roster export: memberships to CSV or XLSX bytes, in the layout the import reads back.

Plain functions of data, no request state. Only what the roster page prints goes out, and an
email column only when the caller passes the addresses as the viewer may see them
(contact.email_of: full for administrators, masked for secretariats; no column for others).

The file keeps the roster's printed conventions (_layout): its note (（順不同、敬称略）) on a line
above the table, seats as the page marks them (①…), and the roles the page prints apart from the
members (hosts, the secretariat) each in a block of its own below them, after a blank row and a
row holding the role's name. One sheet in XLSX too: the import reads the first sheet only, and a
second sheet is easily missed by a reader, as it would be by a whole-roster import.

CSV comes in UTF-8 with a BOM (Excel 2016 and later) and in CP932, the Shift_JIS of Japanese
Windows, for older Excel; a character CP932 cannot hold is reported, never silently replaced.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..consortia.roster import LEADING_ROLES
from ..contact import HIDDEN
from ..japanese import seat_mark
from ..models import Membership
from .importer import COLUMNS, CP932_HIDDEN, EXPORT_HEADERS, FORMULA_START, role_label

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Column widths in characters; a full-width character counts about two.
XLSX_WIDTHS = {"seat": 6, "name": 18, "organisation": 32, "title": 32, "role": 14, "category": 18, "description": 50, "email": 30}
# What the Shift_JIS file holds in place of a character it cannot, when asked to: the geta mark
# (〓), which Japanese print has long used for a missing character.
CP932_STAND_IN = "〓"

EmailOf = Callable[[Membership], "str | None"]
SeatOf = Callable[[int], "str | int"]

# The kinds of rows in the file's layout.
NOTE, HEADER, MEMBER, TITLE, BLANK = "note", "header", "member", "title", "blank"


def headers(email: EmailOf | None) -> list[str]:
    return EXPORT_HEADERS if email is not None else EXPORT_HEADERS[:-1]


def roster_values(membership: Membership, email: EmailOf | None = None, seat: SeatOf = seat_mark) -> list:
    """One membership as the file's columns: seat (as the page marks it, unless told otherwise),
    name, organisation, title, role, category, description, and the email as the viewer may see it
    when email is given."""
    if membership.person is not None:
        name = membership.person.full_name
        organisation = membership.on_behalf_of.name if membership.on_behalf_of else None
    else:
        name = None
        organisation = membership.organization.name
    return [
        seat(membership.seat) if membership.seat is not None else None,
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


def _layout(
    memberships: list[Membership], email: EmailOf | None = None, note: str | None = None, seat: SeatOf = seat_mark
) -> list[tuple[str, list]]:
    """The file's rows in order, each with its kind: the roster's note as the page prints it, the
    members' table, then a block for each role the page prints apart, in the page's order."""
    apart = {role: [m for m in memberships if m.role is role] for role in LEADING_ROLES}
    rows: list[tuple[str, list]] = [(NOTE, [f"（{note}）"])] if note else []
    rows.append((HEADER, headers(email)))
    rows += [(MEMBER, roster_values(m, email, seat)) for m in memberships if m.role not in LEADING_ROLES]
    for role, members in apart.items():
        if members:
            rows += [(BLANK, []), (TITLE, [role_label(role)]), (HEADER, headers(email))]
            rows += [(MEMBER, roster_values(m, email, seat)) for m in members]
    return rows


def _cp932_email(email: EmailOf | None) -> EmailOf | None:
    """Masked addresses marked with ・, which CP932 holds and the import knows as a mask: a • would
    come back as 〓 in an address that reads as one, and overwrite the real one."""
    if email is None:
        return None
    return lambda m: address.replace(HIDDEN, CP932_HIDDEN) if (address := email(m)) else address


def _cp932_seat(seat: int) -> str:
    """The page's mark where CP932 holds it (①–⑳), else the number: ㉑ and beyond are not in it."""
    mark = seat_mark(seat)
    return mark if _in_cp932(mark) else str(seat)


def _csv_rows(memberships: list[Membership], email: EmailOf | None, note: str | None, seat: SeatOf = seat_mark):
    return [(kind, [_csv_cell(v) for v in cells]) for kind, cells in _layout(memberships, email, note, seat)]


def _csv_text(rows: list[tuple[str, list[str]]]) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(cells for _kind, cells in rows)
    return out.getvalue()


def to_csv(memberships: list[Membership], email: EmailOf | None = None, note: str | None = None) -> bytes:
    """UTF-8 with a BOM (so Excel reads it as UTF-8) and CRLF line ends."""
    return _csv_text(_csv_rows(memberships, email, note)).encode("utf-8-sig")


@dataclass
class Unencodable:
    """A character CP932 cannot hold, and where: the spreadsheet's row and the column's header."""

    line: int
    column: str
    character: str

    @property
    def code(self) -> str:
        return f"U+{ord(self.character):04X}"


def cp932_problems(
    memberships: list[Membership], email: EmailOf | None = None, note: str | None = None
) -> list[Unencodable]:
    """Every character of the export that CP932 cannot hold (𠮷, 〜 WAVE DASH, emoji…)."""
    columns = headers(email)
    found = []
    for line, (kind, cells) in enumerate(_csv_rows(memberships, _cp932_email(email), note, _cp932_seat), start=1):
        # A block's title is a role's name, which CP932 holds: only the note and the table can fail.
        names = [_l("Note printed with the roster")] if kind == NOTE else columns
        for name, text in zip(names, cells):
            for character in dict.fromkeys(text):  # each character once a cell, in order
                if not _in_cp932(character):
                    found.append(Unencodable(line, name, character))
    return found


def to_cp932_csv(
    memberships: list[Membership], email: EmailOf | None = None, note: str | None = None, stand_in: bool = False
) -> bytes:
    """Shift_JIS as Japanese Windows writes it (CP932), CRLF. Raises UnicodeEncodeError on a
    character CP932 lacks, unless stand_in (asked for after seeing the list) writes the nearest
    CP932 character (〜 as ～) or, for one it has no kin for, 〓. Seats beyond ⑳ are numbers, and
    masked addresses are marked with ・."""
    text = _csv_text(_csv_rows(memberships, _cp932_email(email), note, _cp932_seat))
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


def _xlsx_seat(seat: int) -> str | int:
    """The page's mark (①…㊿); beyond, where the page prints digits, a number Excel sorts as one."""
    mark = seat_mark(seat)
    return seat if mark.isdecimal() else mark


def to_xlsx(
    memberships: list[Membership], sheet_title: str, email: EmailOf | None = None, note: str | None = None
) -> bytes:
    """One sheet laid out as the CSV, bold headers and block titles, columns wide enough to read,
    the rows above the members' first one kept in view."""
    rows = _layout(memberships, email, note, _xlsx_seat)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(sheet_title))
    for i, column in enumerate(COLUMNS[: len(headers(email))], start=1):
        sheet.column_dimensions[get_column_letter(i)].width = XLSX_WIDTHS[column]
    sheet.freeze_panes = f"A{[kind for kind, _cells in rows].index(HEADER) + 2}"
    bold = Font(bold=True)
    for kind, values in rows:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if kind in (HEADER, TITLE):
                cell.font = bold
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
