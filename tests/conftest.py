"""Fixtures: one application and schema per run, an empty database per test, factories."""
from __future__ import annotations

import os
import re
import socket

# The tests never read a server's env file (its DATABASE_URL would be emptied): set before config is imported.
os.environ["CONSORTIUM_ENV"] = os.devnull
from datetime import timedelta
from itertools import count

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

import config
from config import TestConfig
from consortium import create_app
from consortium.accounts import throttle
from consortium.extensions import db as _db
from consortium.japanese import tokyo_datetime
from consortium.models import (
    Consortium,
    ConsortiumKind,
    Grant,
    GrantRole,
    Meeting,
    Membership,
    Organization,
    Person,
    User,
    Visibility,
)

# The browser tests' live server, Chromium and checks (tests/browsing.py).
pytest_plugins = ["browsing"]


def database_url(tmp_path_factory) -> str:
    """DATABASE_URL when given (PostgreSQL in CI), else a SQLite file of this run."""
    return config.database_url(str(tmp_path_factory.mktemp("db")))


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """Build the application once and create the schema in an empty database."""
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": database_url(tmp_path_factory)})
    with app.app_context():
        _db.drop_all()
        _db.session.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        _db.session.commit()
        _db.create_all()
    yield app
    with app.app_context():
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture()
def db(app):
    """Give each test an empty database inside an application context."""
    with app.app_context():
        yield _db
        empty_database()


def empty_database():
    """Delete every row (and reset the sign-in counts), keeping the schema for the next test."""
    throttle.storage().reset()
    _db.session.rollback()
    _db.session.remove()
    tables = list(reversed(_db.metadata.sorted_tables))
    with _db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            # Rows that refer to rows of their own table (a consortium's parent) need the checks off.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for table in tables:
                conn.execute(table.delete())
            conn.commit()
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        conn.commit()


class Client(FlaskClient):
    """A test client whose every request runs in its own application context, as in production.

    Without this, requests would share the test's context: its `g` (a cached CSRF token, the
    visitor's grants) and its database session would leak from one request to the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture()
def client(app, db):
    app.test_client_class = Client
    return app.test_client()


@pytest.fixture()
def demo(db, upload_folder):
    """Load the demo data from the seed documents."""
    from consortium.demo.loader import load_demo

    return load_demo()


_seq = count(1)


def _save(db, model, defaults: dict, overrides: dict):
    """Create a row from defaults and overrides, commit it so the test client sees it."""
    row = model(**{**defaults, **overrides})
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture()
def make_consortium(db):
    def make(**overrides) -> Consortium:
        defaults = {"name": f"テスト会議体{next(_seq)}", "kind": ConsortiumKind.COUNCIL, "visibility": Visibility.PUBLIC}
        return _save(db, Consortium, defaults, overrides)

    return make


@pytest.fixture()
def make_meeting(db):
    def make(consortium: Consortium, **overrides) -> Meeting:
        n = next(_seq)
        starts = overrides.pop("starts_at", tokyo_datetime(2030, 4, 1, 10) + timedelta(days=n))
        defaults = {"title": f"第{n}回 会議", "consortium": consortium, "starts_at": starts, "ends_at": starts + timedelta(hours=2)}
        return _save(db, Meeting, defaults, overrides)

    return make


@pytest.fixture()
def make_person(db):
    def make(**overrides) -> Person:
        return _save(db, Person, {"family_name": f"山田{next(_seq)}", "given_name": "太郎"}, overrides)

    return make


@pytest.fixture()
def make_organization(db):
    def make(**overrides) -> Organization:
        return _save(db, Organization, {"name": f"テスト団体{next(_seq)}"}, overrides)

    return make


@pytest.fixture()
def make_member(db, make_person):
    def make(consortium: Consortium, **overrides) -> Membership:
        defaults = {"consortium": consortium}
        if "organization" not in overrides and "person" not in overrides:
            defaults["person"] = make_person()
        return _save(db, Membership, defaults, overrides)

    return make


PASSWORD = "正しい馬の電池 staple"
PASSWORD_HASH = generate_password_hash(PASSWORD)  # hashed once: scrypt is slow on purpose


@pytest.fixture()
def make_user(db):
    def make(grants: dict[Consortium, GrantRole] | None = None, **overrides) -> User:
        n = next(_seq)
        defaults = {
            "email": f"user{n}@example.jp",
            "display_name": f"利用者{n}",
            "password_hash": PASSWORD_HASH,
            "grants": [Grant(consortium=c, role=role) for c, role in (grants or {}).items()],
        }
        return _save(db, User, defaults, overrides)

    return make


def text(response) -> str:
    return response.get_data(as_text=True)


def text_parts(message) -> dict[str, str]:
    """Each text part of a parsed mail (policy=email.policy.default) by content type, decoded as a
    mail reader decodes it: by its charset parameter, which every part must name (ASCII otherwise)."""
    parts = {}
    for part in message.walk():
        if part.get_content_maintype() == "text":
            assert part.get_param("charset"), f"{part.get_content_type()} names no charset"
            parts[part.get_content_type()] = part.get_content()
    return parts


def fresh(db, model, row_id):
    """A row as the database now holds it (requests run in their own session)."""
    db.session.expire_all()
    return db.session.get(model, row_id)


@pytest.fixture(autouse=True)
def caches(app, tmp_path, monkeypatch):
    """Each test starts with empty caches of its own: rendered PDFs, serialized calendar events,
    the open data's files and whole pages."""
    from consortium import page_cache
    from consortium.feeds import publish
    from consortium.pdf import cache

    monkeypatch.setitem(app.config, "PDF_CACHE_FOLDER", str(tmp_path / "pdf-cache"))
    monkeypatch.setitem(app.config, "ICAL_CACHE_FOLDER", str(tmp_path / "ical-cache"))
    monkeypatch.setitem(app.config, "OPEN_DATA_FOLDER", str(tmp_path / "open-data"))
    publish.events.clear()
    cache.versions.clear()
    page_cache.memory.clear()


@pytest.fixture()
def office(make_consortium, make_user):
    """A consortium and its secretariat."""
    consortium = make_consortium(name="地域SDGsコンソーシアム")
    return consortium, make_user({consortium: GrantRole.SECRETARIAT})


@pytest.fixture()
def signed_in(office, login):
    """The consortium, with its secretariat signed in."""
    consortium, user = office
    login(user)
    return consortium


@pytest.fixture()
def admin(make_user):
    """An administrator (not signed in)."""
    return make_user(is_admin=True, display_name="管理者")


@pytest.fixture()
def upload_folder(app, tmp_path, monkeypatch):
    """Store uploaded materials in this test's own folder; the setting is restored afterwards."""
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    return folder


@pytest.fixture()
def english(client):
    """Read the interface in English, so messages are asserted in their source language."""
    client.set_cookie("lang", "en")


def csrf_token_of(html: str) -> str:
    match = re.search(r'name="csrf[-_]token" (?:type="hidden" )?(?:content|value)="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client, user: User, password: str = PASSWORD):
    """Sign a user in on a test client through the real sign-in form."""
    token = csrf_token_of(client.get("/accounts/login").get_data(as_text=True))
    response = client.post("/accounts/login", data={"email": user.email, "password": password, "csrf_token": token})
    assert response.status_code == 302, "sign-in failed"
    return response


def version_of(html: str) -> str | None:
    """The version of the row an edit form was read at (its hidden field), if the page has one."""
    match = re.search(r'name="version" type="hidden" value="(\d+)"', html)
    return match.group(1) if match else None


def post_form(client, url: str, data: dict | None = None, csrf: bool = True, **kwargs):
    """POST a form as a browser would: with the session's CSRF token, unless told otherwise, and
    with the version the form's page shows now (an edit form of a row), unless given."""
    data = dict(data or {})
    if "version" not in data:
        form_page = client.get(url)
        if form_page.status_code == 200 and (version := version_of(form_page.get_data(as_text=True))):
            data["version"] = version
    if csrf and "csrf_token" not in data:
        page = client.get("/").get_data(as_text=True)
        if 'name="csrf-token"' not in page:  # signed out: the sign-in form carries one
            page = client.get("/accounts/login").get_data(as_text=True)
        data["csrf_token"] = csrf_token_of(page)
    return client.post(url, data=data, **kwargs)


@pytest.fixture()
def login(client):
    """Sign a user in on the test client (their password is PASSWORD)."""
    return lambda user, password=PASSWORD: sign_in(client, user, password)


@pytest.fixture()
def post(client):
    """POST a form on the test client with its CSRF token (csrf=False to leave it out)."""
    return lambda url, data=None, **kwargs: post_form(client, url, data, **kwargs)


@pytest.fixture()
def count_queries(db):
    """Count the SQL statements run inside a `with` block."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(conn, cursor, statement, *args):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before)

    return counting


class Inbox:
    """An aiosmtpd handler keeping every envelope it is given."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def smtp_server(app, monkeypatch):
    """Run a real SMTP server on loopback and point the application at it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    monkeypatch.setitem(app.config, "MAIL_FROM", "世田谷区 事務局 <office@example.jp>")
    yield inbox
    controller.stop()
