"""Pagination: by page number (one query on a single page), or by key for lists too long to count
or to skip through (the directory of a million people)."""
from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import abort, request, url_for
from flask_babel import gettext as _

from .extensions import db
from .forms import positive_int


def page_number(name: str = "page") -> int:
    """The page asked for in the query string; 400 for anything but a positive integer."""
    number = positive_int(request.args.get(name, "1"))
    if number is None:
        abort(400, description=_("The page number must be a positive whole number."))
    return number


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int
    param: str = "page"

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1

    def url(self, number: int) -> str:
        """The current address at another page number, its query string kept. The route's own
        arguments win over the query string's, and url_for's keywords (_scheme, endpoint) are
        not taken from it: either, typed in a query string, made a 500."""
        return url_for(request.endpoint, **{**kept_query(), **request.view_args, self.param: number})


def kept_query(*dropped: str) -> dict[str, str]:
    """The query string a page link keeps: not the names given, nor url_for's own keywords."""
    return {k: v for k, v in request.args.items() if k not in dropped and not k.startswith("_") and k != "endpoint"}


def paginate(stmt: sa.Select, per_page: int, param: str = "page", scalars: bool = True) -> Page:
    """Run stmt for the requested page; count only when the rows don't fit on one page."""
    page = page_number(param)
    result = db.session.execute(stmt.limit(per_page + 1).offset((page - 1) * per_page))
    rows = list(result.unique().scalars() if scalars else result)
    if page == 1 and len(rows) <= per_page:
        total = len(rows)
    else:
        count = sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
        total = db.session.execute(count).scalar_one()
    return Page(rows[:per_page], page, per_page, total, param)


def page_of(items: list, per_page: int, param: str = "page") -> Page:
    """The requested page of a list already in memory."""
    number = page_number(param)
    return Page(items[(number - 1) * per_page:number * per_page], number, per_page, len(items), param)


# A list paginated by key is counted only this far: "more than 1,000" is all a reader needs.
COUNTED = 1000


@dataclass
class KeyPage:
    """A page of a long list reached from the key of the row before (or after) it, so the
    thousandth page costs what the first does."""

    items: list[Any]
    total: int  # at most COUNTED + 1
    has_prev: bool
    has_next: bool
    first_key: str | None  # the cursors of its first and last rows
    last_key: str | None

    @property
    def counted(self) -> int:
        return COUNTED

    @property
    def more_than_counted(self) -> bool:
        return self.total > COUNTED

    def url(self, **cursor: str) -> str:
        """The current address with another cursor (none: the first page), its query string kept."""
        return url_for(request.endpoint, **{**kept_query("after", "before"), **request.view_args, **cursor})


def cursor_in_query(key: tuple[sa.ColumnElement, ...], name: str) -> tuple | None:
    """The key values in the query string's cursor; 400 for one this list did not write."""
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4)))
    except (ValueError, binascii.Error, UnicodeError):
        values = None
    if not (
        isinstance(values, list)
        and len(values) == len(key)
        and all(type(v) is column.type.python_type for v, column in zip(values, key))
    ):
        abort(400, description=_("This link to a page of the list is damaged. Start again from the first page."))
    return tuple(values)


def cursor_for(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values), ensure_ascii=False).encode()).decode().rstrip("=")


def count_up_to_limit(stmt: sa.Select) -> int:
    """The number of rows of stmt, counted up to COUNTED + 1."""
    counted = sa.select(sa.func.count()).select_from(stmt.order_by(None).limit(COUNTED + 1).subquery())
    return db.session.execute(counted).scalar_one()


def rows_by_key(
    stmt: sa.Select, key: tuple[sa.ColumnElement, ...], per_page: int, after: tuple | None = None, before: tuple | None = None
) -> tuple[list[Any], list[tuple], bool]:
    """Up to per_page rows of stmt in key order, after (or before) the given key values: each row's
    first entity, each row's key values, and whether more rows lie beyond the page."""
    stmt = stmt.add_columns(*(column.label(f"key_{i}") for i, column in enumerate(key)))
    if before is not None:
        page = stmt.where(sa.tuple_(*key) < sa.tuple_(*before)).order_by(*(column.desc() for column in key))
    else:
        page = stmt.where(sa.tuple_(*key) > sa.tuple_(*after)) if after is not None else stmt
        page = page.order_by(*key)
    rows = list(db.session.execute(page.limit(per_page + 1)).unique())
    more = len(rows) > per_page
    rows = rows[:per_page]
    if before is not None:
        rows.reverse()
    return [row[0] for row in rows], [row[len(row) - len(key):] for row in rows], more


def paginate_by_key(stmt: sa.Select, key: tuple[sa.ColumnElement, ...], per_page: int, total: int | None = None) -> KeyPage:
    """The page of stmt, ordered by key (never NULL, unique as a whole), after or before the
    cursor in the query string; with total (the number of rows, counted up to COUNTED + 1) when
    not given."""
    after, before = cursor_in_query(key, "after"), cursor_in_query(key, "before")
    items, keys, more = rows_by_key(stmt, key, per_page, after, before)
    return KeyPage(
        items=items,
        total=count_up_to_limit(stmt) if total is None else total,
        has_prev=more if before is not None else after is not None,
        has_next=more if before is None else True,
        first_key=cursor_for(keys[0]) if keys else None,
        last_key=cursor_for(keys[-1]) if keys else None,
    )
