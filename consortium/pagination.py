"""Pagination that costs one query on a single page and reads its page number safely."""
from __future__ import annotations

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
        query = {k: v for k, v in request.args.items() if not k.startswith("_") and k != "endpoint"}
        return url_for(request.endpoint, **{**query, **request.view_args, self.param: number})


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
