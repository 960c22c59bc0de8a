"""The command line as cron runs it: settings from the env file, and a clear refusal (no traceback,
no database file made) when the database has no schema."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
import sqlalchemy as sa

from config import TestConfig
from consortium import create_app
from consortium.extensions import db

from conftest import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMANDS = [
    ["reminders", "send", "--base-url", "https://consortium.example.jp"],
    ["demo", "load"],
    ["documents", "extract"],
    ["users", "create-admin", "admin@example.jp", "--password", "long enough password"],
]


def run(url: str, args: list[str]):
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url})
    result = app.test_cli_runner().invoke(args=args)
    with app.app_context():
        db.engine.dispose()
    return result


def assert_refused(result, *phrases: str) -> None:
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output  # click's message, no crash
    for phrase in phrases:
        assert phrase in result.output, result.output


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_command_without_a_database_refuses_and_creates_none(tmp_path, args):
    path = tmp_path / "consortium.sqlite"
    result = run(f"sqlite:///{path}", args)
    assert_refused(result, f"There is no database at {path}", "db upgrade")
    assert not path.exists()


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_command_on_an_empty_database_refuses(tmp_path, args):
    path = tmp_path / "empty.sqlite"
    sqlite3.connect(path).close()
    assert_refused(run(f"sqlite:///{path}", args), "has no schema yet", "db upgrade")


def test_a_command_on_a_database_behind_the_migrations_refuses(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        with db.engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
            connection.execute(sa.text("INSERT INTO alembic_version VALUES ('0001_an_old_revision')"))
        db.engine.dispose()
    assert_refused(run(url, COMMANDS[0]), "is not up to date", "db upgrade")


def test_a_command_on_an_unreachable_database_refuses(tmp_path):
    url = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/consortium"
    assert_refused(run(url, COMMANDS[0]), "cannot be reached")


def cron(env_file) -> subprocess.CompletedProcess:
    """Run `flask reminders send` as the README's cron line does: from the project's folder, with no
    exported settings but the env file's path."""
    return subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "flask"), "--app", "consortium", "reminders", "send"],
        env={"PATH": os.environ["PATH"], "CONSORTIUM_ENV": str(env_file)},
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )


def test_cron_reads_the_settings_from_the_env_file(tmp_path):
    database = tmp_path / "site.sqlite"
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    env_file = tmp_path / "consortium.env"
    env_file.write_text(
        "FLASK_ENV=production\n"
        f"SECRET_KEY={'s' * 40}\n"
        f"DATABASE_URL=sqlite:///{database}\n"
        "RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379\n"
        "SITE_URL=https://consortium.example.jp\n"
        "MAIL_BACKEND=outbox\n",
        encoding="utf-8",
    )
    done = cron(env_file)
    assert done.returncode == 0, done.stderr
    assert "Reminders sent: 0." in done.stdout

    database.unlink()  # the settings name a database that is gone: a clear refusal, none created
    done = cron(env_file)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert f"There is no database at {database}" in done.stderr
    assert not database.exists()
