"""Rows as the API's schemas read them: a row's columns, other rows by id and name, addresses on the site."""
from __future__ import annotations

import sqlalchemy as sa
from flask import url_for


def columns(row, **more) -> dict:
    """The row's loaded columns by name (a deferred one stays unread), with more keys; the schema
    picks what it shows of them."""
    state = sa.inspect(row)
    return {c.key: getattr(row, c.key) for c in state.mapper.column_attrs if c.key not in state.unloaded} | more


def site_url(endpoint: str, **values) -> str:
    return url_for(endpoint, **values, _external=True)


def ref(row) -> dict | None:
    return None if row is None else {"id": row.id, "name": row.name}
