"""`flask db upgrade` runs while the old version still serves (rolling deploys): so a migration's
upgrade only adds what the old code can live with. It may add tables, nullable columns, columns
with a server default, indexes and constraints the old code already keeps; it may not drop or
rename a table or column, nor make a column required, nor add a required column without a
default the database fills in (the old code's INSERTs do not name it). Removing something
takes two releases: stop using it, then drop it once no old version serves.

Read from each migration's source (its upgrade function), as a reviewer would.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

VERSIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"
# Written before this rule, each deployed with the site stopped: their drops moved data in the
# same step. Add nothing here; split the change over two releases instead.
BEFORE_THE_RULE = {"6112e48242c4", "e2e76a89085a"}
DROPS = {"drop_table", "drop_column", "rename_table"}


def _keyword(call: ast.Call, name: str):
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_false(node) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def problems(source: str) -> list[str]:
    """What in the upgrade function the old version could not live with."""
    tree = ast.parse(source)
    upgrade = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "upgrade")
    found = []
    for call in (node for node in ast.walk(upgrade) if isinstance(node, ast.Call)):
        name = getattr(call.func, "attr", getattr(call.func, "id", ""))
        if name in DROPS:
            found.append(f"{name} (line {call.lineno})")
        elif name == "alter_column" and (_keyword(call, "new_column_name") is not None or _is_false(_keyword(call, "nullable"))):
            found.append(f"alter_column renaming or making required (line {call.lineno})")
        elif name == "add_column":
            column = call.args[-1] if call.args else None
            if (
                isinstance(column, ast.Call)
                and _is_false(_keyword(column, "nullable"))
                and _keyword(column, "server_default") is None
            ):
                found.append(f"a required column without a server default (line {call.lineno})")
    return found


def migrations() -> list[tuple[str, str]]:
    found = []
    for path in sorted(VERSIONS.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        revision = ast.literal_eval(next(
            node.value for node in ast.parse(source).body
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "revision"
        ))
        found.append((revision, source))
    return found


@pytest.mark.parametrize("revision, source", [m for m in migrations() if m[0] not in BEFORE_THE_RULE], ids=lambda v: v[:12])
def test_a_migration_only_adds_what_the_old_version_can_live_with(revision, source):
    assert problems(source) == []


@pytest.mark.parametrize("step, expected", [
    ("op.drop_column('meeting', 'room')", ["drop_column (line 2)"]),
    ("op.add_column('meeting', sa.Column('x', sa.Integer(), nullable=False))", ["a required column without a server default (line 2)"]),
    ("op.add_column('meeting', sa.Column('x', sa.Integer(), nullable=False, server_default='0'))", []),
    ("op.alter_column('meeting', 'room', new_column_name='hall')", ["alter_column renaming or making required (line 2)"]),
    ("op.alter_column('meeting', 'room', nullable=False)", ["alter_column renaming or making required (line 2)"]),
    ("op.create_index('ix', 'meeting', ['room'])", []),
])
def test_the_rule_tells_adding_from_taking_away(step, expected):
    assert problems(f"def upgrade():\n    {step}\n") == expected


def test_every_migration_before_the_rule_exists():
    assert BEFORE_THE_RULE <= {revision for revision, _ in migrations()}
