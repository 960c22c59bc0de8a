"""Small write helpers shared by the areas' services: assigning typed values, reordering."""
from __future__ import annotations

import sqlalchemy as sa

from .extensions import db


def assign(row, values: dict) -> None:
    """Set each value that differs, so an unchanged field leaves no trace in the audit log."""
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


def next_position(column, *where) -> int:
    """One past the highest position among the rows the conditions select: the end of a list."""
    return (db.session.execute(sa.select(sa.func.max(column)).where(*where)).scalar() or 0) + 1


def subtree(pairs, root) -> list:
    """The root and every node below it, each parent before its children, from (node, parent)
    pairs of ids; a node reached twice (bad data with a cycle) is walked once."""
    children: dict = {}
    for node, parent in pairs:
        children.setdefault(parent, []).append(node)
    found, seen, todo = [], set(), [root]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            found.append(node)
            todo.extend(children.get(node, []))
    return found


def move(rows: list, row, direction: str) -> bool:
    """Swap a row with its neighbour in an ordered list ("up" or "down"); False at that end.

    All rows are renumbered 1, 2, 3…, which also gives rows that shared a position (imports,
    older data) an order of their own; when they are numbered already, only the two rows change.
    """
    i = rows.index(row)
    j = i - 1 if direction == "up" else i + 1
    if not 0 <= j < len(rows):
        return False
    rows[i], rows[j] = rows[j], rows[i]
    for number, each in enumerate(rows, start=1):
        if each.position != number:
            each.position = number
    db.session.flush()
    return True
