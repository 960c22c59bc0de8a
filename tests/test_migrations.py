"""`flask db upgrade` on an empty database gives exactly the models' schema."""
import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from config import TestConfig
from consortium import create_app
from consortium.extensions import db
from consortium.models.autogenerate import EXPRESSION_INDEXES, compared


@pytest.fixture()
def empty_database(tmp_path):
    """An empty database: a fresh SQLite file, or a fresh schema on PostgreSQL."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'migrate.sqlite'}", {}
        return
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS migration_check CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA migration_check"))
    yield engine.url.render_as_string(hide_password=False), {"connect_args": {"options": "-csearch_path=migration_check"}}
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA migration_check CASCADE"))
    engine.dispose()


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_upgrade_gives_the_models_schema(empty_database):
    url, engine_options = empty_database
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": engine_options})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            tables = sa.inspect(conn).get_table_names()
            indexes = {name for name, in conn.execute(sa.text(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()" if conn.dialect.name == "postgresql"
                else "SELECT name FROM sqlite_master WHERE type = 'index'"
            ))}
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": compared})
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert "meeting" in tables and "alembic_version" in tables
    assert diff == [], f"schema drift between migrations and models: {diff}"
    assert EXPRESSION_INDEXES <= indexes  # not compared above


def test_upgrade_sets_sign_ins_apart_from_changes_in_the_audit_log(empty_database):
    url, engine_options = empty_database
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": engine_options})
    event = sa.table("audit_event", sa.column("id"), sa.column("action"), sa.column("entity_type"), sa.column("after", sa.JSON),
                     sa.column("occurred_at"))
    with app.app_context():
        upgrade(revision="b7c1d2e3f4a5")
        with db.engine.begin() as conn:
            conn.execute(event.insert(), [
                {"id": 1, "action": "update", "entity_type": "User", "after": {"last_login_at": "2026-12-01T00:00:00+00:00"},
                 "occurred_at": "2026-12-01 00:00:00"},
                {"id": 2, "action": "update", "entity_type": "User", "after": {"display_name": "山田"},
                 "occurred_at": "2026-12-01 00:00:00"},
            ])
        upgrade(revision="c8d2e3f4a5b6")
        with db.engine.connect() as conn:
            actions = conn.execute(sa.select(event.c.id, event.c.action).order_by(event.c.id)).all()
        db.engine.dispose()
    assert [tuple(a) for a in actions] == [(1, "sign_in"), (2, "update")]


def test_upgrade_keeps_milestones_and_targets_and_admits_what_documents_say(empty_database):
    """A milestone dated to the day survives the change; a 2018年度内 deadline and a target to be set
    are admitted after it, and a value on a to-be-set target is still refused."""
    url, engine_options = empty_database
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": engine_options})
    with app.app_context():
        upgrade(revision="d9e4f5a6b7c8")
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO consortium (id, name, kind, status, visibility, search_text, version, created_at, updated_at) "
                "VALUES (1, 'c', 'council', 'active', 'public', 'c', 1, '2026-12-01', '2026-12-01')"
            ))
            conn.execute(sa.text(
                "INSERT INTO milestone (id, consortium_id, title, \"on\", precision, version, created_at, updated_at) "
                "VALUES (1, 1, '報告', '2023-11-01', 'month', 1, '2026-12-01', '2026-12-01')"
            ))
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO milestone (id, consortium_id, title, \"on\", precision, within, version, created_at, updated_at) "
                "VALUES (2, 1, '判断', '2018-04-01', 'fiscal_year', true, 1, '2026-12-01', '2026-12-01')"
            ))
            conn.execute(sa.text(
                "INSERT INTO target (id, consortium_id, title, kind, position, version, created_at, updated_at) "
                "VALUES (1, 1, 'KPI', 'to_be_set', 0, 1, '2026-12-01', '2026-12-01')"
            ))
            kept = conn.execute(sa.text("SELECT precision, within FROM milestone ORDER BY id")).all()
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE target SET target_value = 10 WHERE id = 1"))
        db.engine.dispose()
    assert [tuple(row) for row in kept] == [("month", False), ("fiscal_year", True)]
