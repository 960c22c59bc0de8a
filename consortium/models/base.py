"""Column types and mixins shared by the models."""
import enum
from datetime import datetime, timezone
from typing import ClassVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from ..japanese import search_key


class UTCDateTime(sa.TypeDecorator):
    """An aware datetime stored as UTC; SQLite keeps no zone, so it is put back on read."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass an aware datetime")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def str_enum(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """Store an enum as its value in a VARCHAR guarded by a CHECK constraint."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Indexed: a partner syncing through the API asks for what changed since (updated_since), and
    # the open data's fingerprint reads each table's latest change.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)


class Versioned:
    """A row edited in forms: every UPDATE and DELETE names the version it was read at
    (version_id_col), so a write based on an older version fails instead of replacing a newer one.

    The version moves when what a form shows changes, not when the row is only touched (a
    meeting's updated_at when its agenda changes, a user's sign-in time) or moved up or down the
    list (no form shows the position): a form left open stays good across those. Columns named in
    `unversioned` do not move it.
    """

    version: Mapped[int] = mapped_column(default=1, server_default="1")
    unversioned: ClassVar[frozenset[str]] = frozenset({"updated_at", "position"})

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}


def _counts(row: Versioned, attr) -> bool:
    """Whether a change of the attribute moves the version: a column that counts, or what the row
    points at (before a flush, a changed many-to-one shows on the relationship, not yet on its
    column) or lists in a table of pairs. Not its one-to-many lists: those rows have their own."""
    if isinstance(attr, sa.orm.ColumnProperty):
        return attr.key not in row.unversioned
    if isinstance(attr, sa.orm.RelationshipProperty):
        return attr.secondary is not None or attr.direction is sa.orm.MANYTOONE
    return False


def _edited(row: Versioned) -> bool:
    """Whether the coming flush changes something of the row that counts."""
    state = sa.inspect(row)
    for attr in state.mapper.attrs:
        if _counts(row, attr):
            history = state.attrs[attr.key].history
            if history.has_changes() and list(history.added) != list(history.deleted):
                return True
    return False


@sa.event.listens_for(Session, "before_flush")
def _move_versions(session: Session, _context, _instances) -> None:
    for row in session.dirty:
        if isinstance(row, Versioned) and not sa.inspect(row).attrs.version.history.has_changes() and _edited(row):
            row.version += 1


class LabelledEnum(str, enum.Enum):
    """A str enum whose members carry a translatable label: Role.CHAIR.label → 座長."""

    def __new__(cls, value: str, label):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        return obj

    def __str__(self) -> str:
        return self.value


class NumberedTitle:
    """Rows printed with their number or label before the title: 議題2 報告, 4 地域の担い手."""

    @property
    def numbered_title(self) -> str:
        return f"{self.label} {self.title}" if self.label else self.title


class DatePrecision(LabelledEnum):
    """How much of a date is known: 令和5年11月 is a month, not the first of it."""

    MINUTE = ("minute", _l("Date and time"))
    DAY = ("day", _l("Date"))
    MONTH = ("month", _l("Month"))
    # 2018年度; a meeting known only to its fiscal year(s) starts on the first 1 April and ends on
    # the 1 April after the last: it has no day, so no calendar, feed or invitation carries it.
    FISCAL_YEAR = ("fiscal_year", _l("Fiscal year"))


def maintain_search_text(model, *fields: str) -> None:
    """Keep model.search_text as the width- and case-folded text of fields, on every write."""
    def update(_mapper, _connection, target) -> None:
        target.search_text = search_key(*(getattr(target, f) for f in fields))

    sa.event.listen(model, "before_insert", update)
    sa.event.listen(model, "before_update", update)
