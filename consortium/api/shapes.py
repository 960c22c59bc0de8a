"""Rows as the API's schemas read them: a row's columns, other rows by id and name, addresses on the site."""
from __future__ import annotations

import functools

import sqlalchemy as sa
from flask import url_for


@functools.cache
def _column_keys(model: type) -> tuple[str, ...]:
    return tuple(c.key for c in sa.inspect(model).column_attrs)


def columns(row, **more) -> dict:
    """The row's loaded columns by name (a deferred one stays unread), with more keys; the schema
    picks what it shows of them. Read from the row's own dict (a page of events has thousands of
    rows), after a commit from the database again."""
    loaded, expired = row.__dict__, sa.inspect(row).expired_attributes
    return {
        key: getattr(row, key) if key in expired else loaded[key]
        for key in _column_keys(type(row))
        if key in loaded or key in expired
    } | more


def site_url(endpoint: str, **values) -> str:
    return url_for(endpoint, **values, _external=True)


def ref(row) -> dict | None:
    return None if row is None else {"id": row.id, "name": row.name}
