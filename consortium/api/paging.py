"""Lists by cursor: each page starts after the key of the last row of the one before, so the
thousandth page costs what the first does, and rows added meanwhile are not skipped or repeated."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app, request, url_for

from ..pagination import cursor_for, cursor_in_query, kept_query, rows_by_key


def key_page(stmt: sa.Select, key: tuple[sa.ColumnElement, ...], args: dict) -> tuple[list[Any], str | None]:
    """The rows of stmt after the query string's cursor (`after`), in key order, as many as the
    arguments' limit, and the cursor of the next page (None on the last)."""
    per_page = args.get("limit") or current_app.config["API_PER_PAGE"]
    items, keys, more = rows_by_key(stmt, key, per_page, after=cursor_in_query(key, "after"))
    return items, cursor_for(keys[-1]) if more else None


def listing(items: list, next_cursor: str | None) -> dict:
    """A page of a list as the API answers it."""
    next_url = None
    if next_cursor is not None:
        next_url = url_for(request.endpoint, **{**kept_query("after"), **request.view_args}, after=next_cursor, _external=True)
    return {"items": items, "next": next_cursor, "next_url": next_url}
