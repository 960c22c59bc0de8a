"""What autogenerate leaves to the migrations: objects the models do not declare (made by raw DDL)
and indexes on expressions, which it can neither reflect on SQLite nor compare."""
from __future__ import annotations

from .search import FTS_TABLE, GRAMS_INDEX

EXPRESSION_INDEXES = {"ix_organization_directory_order", "ix_person_directory_order"}


def compared(_object, name: str, type_: str, reflected: bool, _compare_to) -> bool:
    """An include_object hook: False for the objects above, so autogenerate neither drops,
    adds nor reports them."""
    if type_ == "index" and name in EXPRESSION_INDEXES:
        return False
    return not (reflected and (name == GRAMS_INDEX or (type_ == "table" and name.startswith(FTS_TABLE))))
