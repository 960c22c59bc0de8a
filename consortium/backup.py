"""Backup and restore: every row of the database and every stored material in one .tar.gz.

The archive is the application's own, not the database engine's: rows as JSON lines per table,
read and written through the models' column types, one format for SQLite and PostgreSQL. It holds manifest.json (the schema revision and the counts),
tables/<name>.jsonl and files/<area>/<key>. The caches (PDFs, calendar events) are left out:
the site makes them again. So are pending roster imports: they last an hour.

Restoring needs an empty database at the same revision (`flask db upgrade` on a new database):
a backup never overwrites rows that are there.
"""
from __future__ import annotations

import base64
import io
import itertools
import json
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext

from . import storage
from .extensions import db
from .models.base import UTCDateTime

FORMAT = 1
AREAS = ("uploads",)  # what the site cannot make again
BATCH = 1000


class RestoreRefused(Exception):
    """The archive cannot go into this database; the message says why."""


def _revision() -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return getattr(value, "value", value)  # an enum member: its stored value


def _decoder(column: sa.Column) -> Callable[[Any], Any]:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return datetime.fromisoformat
    if isinstance(kind, sa.Date):
        return date.fromisoformat
    if isinstance(kind, sa.Numeric):
        return Decimal
    if isinstance(kind, sa.LargeBinary):
        return base64.b64decode
    if isinstance(kind, sa.Enum) and kind.enum_class is not None:
        return kind.enum_class
    return lambda value: value


def _rows(table: sa.Table) -> Iterator[dict]:
    order = list(table.primary_key.columns)
    result = db.session.execute(sa.select(table).order_by(*order).execution_options(yield_per=BATCH))
    for row in result.mappings():
        yield {key: _encode(value) for key, value in row.items()}


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def create(path: str, progress: Callable[[str], None]) -> dict:
    """Write the archive to path; return its manifest."""
    manifest = {"format": FORMAT, "revision": _revision(), "tables": {}, "files": {}}
    with tarfile.open(path, "w:gz") as tar:
        for table in db.metadata.sorted_tables:
            count = 0
            with tempfile.TemporaryFile() as lines:  # a table of a million people is not held in memory
                for row in _rows(table):
                    lines.write(json.dumps(row, ensure_ascii=False).encode() + b"\n")
                    count += 1
                info = tarfile.TarInfo(f"tables/{table.name}.jsonl")
                info.size = lines.tell()
                lines.seek(0)
                tar.addfile(info, lines)
            manifest["tables"][table.name] = count
            progress(f"{table.name}: {count} rows")
        for area in AREAS:
            kept = storage.store(area)
            count = 0
            for blob in kept.blobs():
                _add(tar, f"files/{area}/{blob.key}", kept.get(blob.key))
                count += 1
            manifest["files"][area] = count
            progress(f"{area}: {count} files")
        _add(tar, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    return manifest


def _parents_first(table: sa.Table, rows: list[dict]) -> list[dict]:
    """Rows of a table that refers to itself (a consortium's parent), each after the row it names."""
    own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    (key,) = [column.name for column in table.primary_key.columns]
    placed, ordered, waiting = set(), [], rows
    while waiting:
        ready = [row for row in waiting if all(row[column] is None or row[column] in placed for column in own)]
        if not ready:
            raise RestoreRefused(f"{table.name}: rows refer to rows that are not in the archive")
        ordered += ready
        placed.update(row[key] for row in ready)
        waiting = [row for row in waiting if row[key] not in placed]
    return ordered


def _forward_references(tables: list[sa.Table]) -> dict[str, list[str]]:
    """Columns that refer to a table restored after their own (a poll's chosen slot: the slots
    refer to their poll), by table: they are set once every row is in."""
    place = {table.name: n for n, table in enumerate(tables)}
    found: dict[str, list[str]] = {}
    for table in tables:
        for fk in table.foreign_keys:
            if place[fk.column.table.name] > place[table.name]:
                found.setdefault(table.name, []).append(fk.parent.name)
    return found


def _batches(table: sa.Table, lines: Iterator[bytes]) -> Iterator[list[dict]]:
    """The table's rows as the models take them, BATCH at a time; all at once for a table that
    refers to itself, whose rows must be put in order first."""
    decoders = {column.name: _decoder(column) for column in table.columns}
    rows = ({key: None if value is None else decoders[key](value) for key, value in json.loads(line).items()} for line in lines)
    if any(fk.column.table is table for fk in table.foreign_keys):
        rows = iter(_parents_first(table, list(rows)))
    while batch := list(itertools.islice(rows, BATCH)):
        yield batch


def _check_empty_at(revision: str) -> None:
    if _revision() != revision:
        raise RestoreRefused(
            f"The archive is of schema revision {revision}; this database is at {_revision()}. "
            "Restore into a new database brought to that revision (`flask db upgrade`), with the version that made the backup."
        )
    for table in db.metadata.sorted_tables:
        if db.session.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
            raise RestoreRefused(f"The database is not empty (table {table.name} has rows): restore only into a new database.")


def restore(path: str, progress: Callable[[str], None]) -> dict:
    """Put the archive's rows and files into this empty database and its stores; return its manifest."""
    with tarfile.open(path, "r:gz") as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        if manifest.get("format") != FORMAT:
            raise RestoreRefused(f"Not a backup of this application (format {manifest.get('format')!r}).")
        _check_empty_at(manifest["revision"])
        tables = db.metadata.sorted_tables
        later = _forward_references(tables)
        deferred = []  # (table, key, column, value) to set once the row referred to is in
        for table in tables:
            count = 0
            (key,) = table.primary_key.columns if table.name in later else (None,)
            for batch in _batches(table, tar.extractfile(f"tables/{table.name}.jsonl")):
                for row in batch:
                    for column in later.get(table.name, ()):
                        if row[column] is not None:
                            deferred.append((table, key, row[key.name], column, row[column]))
                            row[column] = None
                db.session.execute(table.insert(), batch)
                count += len(batch)
            progress(f"{table.name}: {count} rows")
        for table, key, row_id, column, value in deferred:
            db.session.execute(table.update().where(key == row_id).values({column: value}))
        _reset_sequences()
        db.session.commit()
        for area in manifest["files"]:
            kept = storage.store(area)
            prefix = f"files/{area}/"
            members = [m for m in tar.getmembers() if m.name.startswith(prefix)]
            for member in members:
                kept.put(member.name[len(prefix):], tar.extractfile(member).read())
            progress(f"{area}: {len(members)} files")
    return manifest


def _reset_sequences() -> None:
    """PostgreSQL numbers new rows from a sequence, which inserting given ids does not move."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        columns = list(table.primary_key.columns)
        if len(columns) == 1 and isinstance(columns[0].type, sa.Integer) and columns[0].autoincrement in (True, "auto"):
            db.session.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{columns[0].name}'), "
                f"COALESCE((SELECT max(\"{columns[0].name}\") FROM \"{table.name}\"), 0) + 1, false)"
            ))
