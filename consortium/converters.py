"""URL converters of the application's routes."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

# The largest value of an INTEGER column (PostgreSQL's; SQLite's driver overflows at 2**63).
LARGEST_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """<int:…>, which in every route names a row: a number larger than any row id matches no
    route (404) instead of reaching the database, which cannot take it."""

    def __init__(self, map, fixed_digits=0, min=None, max=LARGEST_ID, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)
