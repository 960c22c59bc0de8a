"""Roster export: memberships to CSV or XLSX bytes, in the layout the import reads back.

Plain functions of data, no request state. Only what the roster page prints goes out:
never a person's private contact details.
"""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..models import Membership
from .importer import COLUMNS, EXPORT_HEADERS, FORMULA_START, role_label

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Column widths in characters; a full-width character counts about two.
XLSX_WIDTHS = {"seat": 6, "name": 18, "organisation": 32, "title": 32, "role": 14, "category": 18, "description": 50}


def roster_values(membership: Membership) -> list:
    """One membership as the file's columns: seat, name, organisation, title, role, category, description."""
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
    ]


def _csv_cell(value) -> str:
    """Text for a CSV cell; one that a spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_START) else text


def to_csv(memberships: list[Membership]) -> bytes:
    """UTF-8 with a BOM (so Excel reads it as UTF-8) and CRLF line ends."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_HEADERS)
    for m in memberships:
        writer.writerow([_csv_cell(v) for v in roster_values(m)])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(memberships: list[Membership], sheet_title: str) -> bytes:
    """One sheet, a bold header row, columns wide enough to read, seats as numbers."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(sheet_title))
    for i, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = XLSX_WIDTHS[column]
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in EXPORT_HEADERS:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for m in memberships:
        cells = []
        for value in roster_values(m):
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
