"""Read a roster file (CSV or XLSX) into checked rows: plain functions of bytes, no database.

One column layout serves import and export, so an exported roster re-imports unchanged:
席次, 氏名, 団体名, 役職, 役割, 区分, 連携概要, and メール where the viewer may see addresses
(English headers are accepted too). A person's
row names the organisation they sit for in 団体名; an organisation's row leaves 氏名 empty.
Checks that need the database (matching, seats held by others) are in services.py.

Rows above the header (a title, the note （順不同、敬称略）) are passed over. Below the members, a
row holding only the name of a role the roster prints apart (事務局, 主催) heads that role's block,
as the export writes it: its rows are in that role unless their 役割 cell says otherwise.

Text is kept as the file has it (NFC: 区民（公募） keeps its full-width brackets); NFKC is only
for matching (japanese.search_key) and for reading numbers (③ is seat 3).
"""
from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from ..consortia.roster import LEADING_ROLES
from ..contact import HIDDEN
from ..forms import normalise_folded_line, normalise_line, normalise_text, positive_int
from ..japanese import search_key
from ..models import Membership, Organization, Person, Role

MAX_ROWS = 20_000
MAX_UNPACKED = 200 * 1024 * 1024  # an XLSX is a ZIP: a small upload may unpack to gigabytes
MAX_COLUMNS = 50  # cells read per row; the layout has seven
HEADER_SEARCH_ROWS = 10  # a title line such as ○○会議 委員名簿 may sit above the header
MAX_SEAT = 99_999
MAX_DESCRIPTION = 5_000  # 連携概要 is unbounded text in the database; a cell this long is a mistake

COLUMNS = ("seat", "name", "organisation", "title", "role", "category", "description", "email")
# The header written on export, first; then what else a secretariat's spreadsheet may call it.
HEADERS = {
    "seat": ("席次", "席", "席番号", "番号", "No.", "No", "seat"),
    "name": ("氏名", "名前", "委員名", "name", "person"),
    "organisation": ("団体名", "団体", "所属", "所属団体", "組織名", "organisation", "organization"),
    "title": ("役職", "肩書", "肩書き", "title"),
    "role": ("役割", "role"),
    "category": ("区分", "category"),
    "description": ("連携概要", "概要", "description"),
    "email": ("メール", "メールアドレス", "電子メール", "Eメール", "email", "e-mail", "mail"),
}
EXPORT_HEADERS = [HEADERS[c][0] for c in COLUMNS]
_HEADER_KEYS = {search_key(h): column for column, names in HEADERS.items() for h in names}

# The Japanese label (as the ja catalogue prints it, first) and other words rosters use.
# The file's language does not follow the visitor's, so these are data, not translations.
ROLE_NAMES = {
    Role.HOST: ("主催", "主催者", "Host"),
    Role.CHAIR: ("座長", "会長", "委員長", "議長", "Chair"),
    Role.VICE_CHAIR: ("副座長", "副会長", "副委員長", "副議長", "Vice-chair"),
    Role.MEMBER: ("委員・会員", "委員", "会員", "構成員", "Member"),
    Role.ADVISER: ("有識者・アドバイザー", "有識者", "アドバイザー", "顧問", "Adviser", "Advisor"),
    Role.OBSERVER: ("オブザーバー", "Observer"),
    Role.SECRETARIAT: ("事務局", "共同事務局", "Secretariat"),
    Role.PARTNER: ("連携先", "Partner"),
    Role.PROPOSER: ("提案者", "Proposer"),
}
_ROLE_KEYS = {search_key(n): role for role, names in ROLE_NAMES.items() for n in (role.value, *names)}
_BLOCK_TITLES = {key: role for key, role in _ROLE_KEYS.items() if role in LEADING_ROLES}

# The mark of a masked address (n•••••@example.jp) in a Shift_JIS file, which has no •.
CP932_HIDDEN = "・"

# Cells that a spreadsheet would run as a formula are written with a leading quote.
FORMULA_START = ("=", "+", "-", "@")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ENCODING_ERROR = _l("Could not read the file's encoding. Save it as UTF-8 CSV or XLSX and upload it again.")


def _size(model, column: str) -> int:
    return model.__table__.c[column].type.length


NAME_MAX = _size(Person, "family_name")  # family and given name each
ORGANISATION_MAX = _size(Organization, "name")
TITLE_MAX = _size(Membership, "title")
CATEGORY_MAX = _size(Membership, "category")
EMAIL_MAX = _size(Person, "email")


class RosterFileError(Exception):
    """The file as a whole cannot be read: no rows come out of it."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message  # translated when shown, in the visitor's language

    def __str__(self) -> str:
        return str(self.message)


@dataclass
class Row:
    """One member as the file gives it, normalised, with what is wrong with it."""

    line: int  # the row number a spreadsheet shows
    cells: dict[str, str]  # the raw text of each column the file has
    seat: int | None = None
    name: str | None = None
    organisation: str | None = None
    title: str | None = None
    role: Role | None = None
    category: str | None = None
    description: str | None = None
    email: str | None = None  # None: leave the address as it is (an empty or masked cell)
    errors: list = field(default_factory=list)

    @property
    def family_name(self) -> str | None:
        return self.name.partition(" ")[0] if self.name else None

    @property
    def given_name(self) -> str | None:
        return self.name.partition(" ")[2] or None if self.name else None


@dataclass
class Table:
    columns: frozenset[str]  # the columns the file has; an absent column leaves values alone
    rows: list[Row]
    ignored: tuple[str, ...] = ()  # headers of columns the import does not read, as the file has them


def role_label(role: Role) -> str:
    """The role as the roster file writes it: 座長, not chair."""
    return ROLE_NAMES[role][0]


def parse_role(text: str | None) -> Role | None:
    return _ROLE_KEYS.get(search_key(text)) if text else None


def read_roster(data: bytes) -> Table:
    """Read and check a roster file; RosterFileError when the file as a whole is unusable."""
    grid = _xlsx_grid(data) if is_xlsx(data) else _csv_grid(data)
    header_at, mapping = _find_header(grid)
    header = _header_keys(grid[header_at][1], mapping)
    rows, block = [], None
    for line, cells in grid[header_at + 1 :]:
        # A header repeated on each printed page, or atop a block, is not a member.
        if _header_keys(cells, mapping) == header:
            continue
        if (title := _block_title(cells)) is not None:
            block = title
            continue
        rows.append(_row(line, cells, mapping, block))
    if not rows:
        raise RosterFileError(_l("The file has a header row but no members below it."))
    if len(rows) > MAX_ROWS:
        raise RosterFileError(_l("The file has more than %(max)d rows. Split it into smaller files.", max=MAX_ROWS))
    _check_seats(rows)
    ignored = tuple(
        c.strip() for i, c in enumerate(grid[header_at][1]) if i not in mapping and c.strip()
    )
    return Table(frozenset(mapping.values()), rows, ignored)


def is_xlsx(data: bytes) -> bool:
    """An XLSX file is a ZIP archive holding xl/workbook.xml, whatever its name says."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise RosterFileError(_l("The file looks like an XLSX workbook but is damaged. Save it again from Excel.")) from None
    # zipfile never unpacks more than a member declares, so the declared sizes bound the memory used.
    if sum(m.file_size for m in members) > MAX_UNPACKED:
        raise RosterFileError(_l("The workbook is too large once unpacked. Split it into smaller files."))
    return any(m.filename == "xl/workbook.xml" for m in members)


def _plain(value) -> str:
    """A spreadsheet cell as text: 3.0 is the seat 3, a date its ISO form."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _keep(grid: list, line: int, cells: list[str]) -> None:
    """Add a non-blank row; stop early on a file far too long, so a huge one is never read whole."""
    if any(c.strip() for c in cells):
        grid.append((line, cells))
        if len(grid) > MAX_ROWS + HEADER_SEARCH_ROWS + 1:
            raise RosterFileError(_l("The file has more than %(max)d rows. Split it into smaller files.", max=MAX_ROWS))


def _xlsx_grid(data: bytes) -> list[tuple[int, list[str]]]:
    import openpyxl

    grid: list[tuple[int, list[str]]] = []
    # openpyxl warns about styles and extensions it ignores; none of that matters for reading values.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                for line, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
                    _keep(grid, line, [_plain(v) for v in values])
            finally:
                workbook.close()
        except RosterFileError:
            raise
        # A damaged workbook fails anywhere in zipfile, lxml or openpyxl, with any exception type.
        except Exception:
            raise RosterFileError(
                _l("The XLSX workbook could not be read. Save it again from Excel, or as UTF-8 CSV.")
            ) from None
    if not grid:
        raise RosterFileError(_l("The file is empty."))
    return grid


def _decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel adds), else Shift_JIS as Excel writes it (CP932)."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterFileError(_l("This is an old Excel (.xls) file. Save it as XLSX or UTF-8 CSV and upload it again."))
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Control characters mean the bytes only happened to decode (UTF-16, a binary file).
        if _CONTROL.search(text):
            break
        return text
    raise RosterFileError(_ENCODING_ERROR)


def _csv_grid(data: bytes) -> list[tuple[int, list[str]]]:
    if not data.strip():
        raise RosterFileError(_l("The file is empty."))
    text = _decode(data)
    # Told by the first line that has either: a note or title line above the header has neither.
    lines = text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS]
    first_line = next((line for line in lines if "\t" in line or "," in line), "")
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    grid: list[tuple[int, list[str]]] = []
    try:
        for line, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            _keep(grid, line, cells[:MAX_COLUMNS])
    except csv.Error:
        raise RosterFileError(_l("The CSV file could not be read. Save it again as UTF-8 CSV or XLSX.")) from None
    if not grid:
        raise RosterFileError(_l("The file is empty."))
    return grid


def _find_header(grid: list[tuple[int, list[str]]]) -> tuple[int, dict[int, str]]:
    """The first row naming 氏名 or 団体名, and which cell holds which column."""
    for at, (_line, cells) in enumerate(grid[:HEADER_SEARCH_ROWS]):
        mapping = {i: _HEADER_KEYS[search_key(c)] for i, c in enumerate(cells) if search_key(c) in _HEADER_KEYS}
        if not {"name", "organisation"} & set(mapping.values()):
            continue
        columns = list(mapping.values())
        twice = sorted({c for c in columns if columns.count(c) > 1}, key=COLUMNS.index)
        if twice:
            raise RosterFileError(
                _l("These columns appear more than once in the header: %(columns)s.",
                   columns=", ".join(HEADERS[c][0] for c in twice))
            )
        return at, mapping
    found = ", ".join(c.strip() for c in grid[0][1] if c.strip())[:200]
    raise RosterFileError(
        _l(
            "The file has no %(name)s (name) or %(organisation)s (organisation) column. The first row reads: "
            "%(found)s. Use a header row with these columns: %(columns)s.",
            name="氏名",
            organisation="団体名",
            found=found or "—",
            columns=", ".join(EXPORT_HEADERS),
        )
    )


def _block_title(cells: list[str]) -> Role | None:
    """The role a row heads a block of: one holding nothing but 事務局 or 主催 (or their kin)."""
    filled = [c for c in cells if c.strip()]
    return _BLOCK_TITLES.get(search_key(filled[0])) if len(filled) == 1 else None


def _header_keys(cells: list[str], mapping: dict[int, str]) -> list[str]:
    return [search_key(cells[i]) if i < len(cells) else "" for i in mapping]


def _unquote(text: str) -> str:
    """Undo the quote the export puts before a cell that would run as a formula."""
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_START else text


def _email(row: Row, text: str | None) -> None:
    """An address to set; an empty cell or one masked by the export (n•••••@example.jp, or
    n・・・・・@example.jp in Shift_JIS) changes nothing."""
    if not text or HIDDEN in text or CP932_HIDDEN in text:
        return
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        row.errors.append(_l("The email address is not valid: %(address)s", address=text[:100]))
        return
    if len(text) > EMAIL_MAX:
        row.errors.append(_l("The email address is longer than %(max)d characters.", max=EMAIL_MAX))
        return
    row.email = text


def _row(line: int, cells: list[str], mapping: dict[int, str], block: Role | None = None) -> Row:
    raw = {column: _unquote(cells[i]) if i < len(cells) else "" for i, column in mapping.items()}
    row = Row(line=line, cells=raw)
    row.name = normalise_line(raw.get("name"))
    if row.name:
        # Spaces of any width between the names are one half-width space: 山田　太郎 is 山田 太郎.
        row.name = " ".join(row.name.split())
    row.organisation = normalise_line(raw.get("organisation"))
    row.title = normalise_line(raw.get("title"))
    row.category = normalise_line(raw.get("category"))
    _email(row, normalise_folded_line(raw.get("email")))
    row.description = normalise_text(raw.get("description"))
    if not row.name and not row.organisation:
        row.errors.append(_l("Give a name (%(name)s) or an organisation (%(organisation)s).", name="氏名", organisation="団体名"))
    if row.name and any(len(part or "") > NAME_MAX for part in (row.family_name, row.given_name)):
        row.errors.append(_l("The family or given name is longer than %(max)d characters.", max=NAME_MAX))
    for value, limit, message in (
        (row.organisation, ORGANISATION_MAX, _l("The organisation is longer than %(max)d characters.", max=ORGANISATION_MAX)),
        (row.title, TITLE_MAX, _l("The title is longer than %(max)d characters.", max=TITLE_MAX)),
        (row.category, CATEGORY_MAX, _l("The category is longer than %(max)d characters.", max=CATEGORY_MAX)),
        (row.description, MAX_DESCRIPTION, _l("The description is longer than %(max)d characters.", max=MAX_DESCRIPTION)),
    ):
        if value and len(value) > limit:
            row.errors.append(message)
    seat = normalise_folded_line(raw.get("seat"))  # NFKC: ３ and ③ are 3
    if seat:
        if (number := positive_int(seat)) is not None and number <= MAX_SEAT:
            row.seat = number
        else:
            row.errors.append(_l("The seat must be a whole number from 1 to %(max)d.", max=MAX_SEAT))
    role = normalise_folded_line(raw.get("role"))
    if role:
        row.role = parse_role(role)
        if row.role is None:
            known = "、".join(names[0] for names in ROLE_NAMES.values())
            row.errors.append(_l("Unknown role. Use one of: %(roles)s.", roles=known))
    else:
        row.role = block
    return row


def _check_seats(rows: list[Row]) -> None:
    """A seat given twice is an error on both rows, each naming the other."""
    first: dict[int, Row] = {}
    for row in rows:
        if row.seat is None:
            continue
        if row.seat not in first:
            first[row.seat] = row
            continue
        other = first[row.seat]
        row.errors.append(_l("Seat %(seat)d is also given on row %(line)d.", seat=row.seat, line=other.line))
        other.errors.append(_l("Seat %(seat)d is also given on row %(line)d.", seat=row.seat, line=row.line))
