"""Backup and restore: `flask backup create` writes the demo's rows and materials to one archive,
`flask backup restore` puts them into a new empty database (on the same engine as the tests run
on) and a new folder, where the demo walk finds every route answering as before."""
from __future__ import annotations

import json
import tarfile

import flask_migrate
import pytest
import sqlalchemy as sa
from conftest import Client, sign_in
from sqlalchemy.engine import make_url
from walking import DEMO_ACCOUNTS, Crawler, seed_urls

from config import TestConfig
from consortium import create_app
from consortium.demo.loader import DEMO_PASSWORD
from consortium.extensions import db
from consortium.models import Document, User


def counts() -> dict[str, int]:
    return {t.name: db.session.execute(sa.select(sa.func.count()).select_from(t)).scalar() for t in db.metadata.sorted_tables}


def walk(site, users: dict[str, User], urls: list[str]) -> list[tuple[str, str, int]]:
    """(role, url, status) of every URL, for every demo account and the anonymous visitor."""
    site.test_client_class = Client
    visits = []
    for role in [*DEMO_ACCOUNTS, "anonymous"]:
        client = site.test_client()
        if role != "anonymous":
            sign_in(client, users[role], DEMO_PASSWORD)
        crawler = Crawler(site, client, role, "ja")
        visits += [(role, url, crawler.get(url).status) for url in urls]
    return visits


def downloaded(site, document_id: int) -> bytes:
    response = site.test_client().get(f"/documents/{document_id}")
    assert response.status_code == 200
    data = response.get_data()
    response.close()  # a download streams its file until closed
    return data


@pytest.fixture()
def stamped(app, db):
    """The tests' schema is made by create_all: mark it as the migrations' head, as `db upgrade` would."""
    flask_migrate.stamp()
    yield
    db.session.execute(sa.text("DROP TABLE alembic_version"))
    db.session.commit()


@pytest.fixture()
def new_site(app, tmp_path):
    """A second application on a new, empty database at the migrations' head, with its own folders."""
    source = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if source.get_backend_name() == "postgresql":
        url = source.set(database=f"{source.database}_restore")
        admin = sa.create_engine(source, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    else:
        url, admin = make_url(f"sqlite:///{tmp_path / 'restored.sqlite'}"), None
    folders = {setting: str(tmp_path / "restored" / setting.lower()) for setting in ("UPLOAD_FOLDER", "PDF_CACHE_FOLDER", "ICAL_CACHE_FOLDER")}
    site = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False), **folders})
    site.test_client_class = Client
    with site.app_context():
        flask_migrate.upgrade()
    yield site
    with site.app_context():
        db.engine.dispose()
    if admin is not None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()


def test_a_backup_restores_into_an_empty_database_and_passes_the_demo_walk(app, db, demo, stamped, new_site, tmp_path):
    archive = tmp_path / "consortium-backup.tar.gz"
    created = app.test_cli_runner().invoke(args=["backup", "create", str(archive)])
    assert created.exit_code == 0, created.output
    before = counts()
    material = db.session.execute(sa.select(Document).order_by(Document.id)).scalars().first()
    original = downloaded(app, material.id)
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["tables"] == before and manifest["files"]["uploads"] > 0
    assert f"{sum(before.values())} rows" in created.output

    with new_site.app_context():  # the CLI runs in the context it finds: the new site's
        restored = new_site.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
        assert restored.exit_code == 0, restored.output
        assert counts() == before
        seeds = seed_urls(new_site)
        users = {role: db.session.execute(sa.select(User).filter_by(email=email)).scalar_one() for role, email in DEMO_ACCOUNTS.items()}
    assert downloaded(new_site, material.id) == original

    # Every route, filled with demo rows, answers each visitor as it did before the backup.
    with app.app_context():
        accounts = {role: db.session.execute(sa.select(User).filter_by(email=email)).scalar_one() for role, email in DEMO_ACCOUNTS.items()}
    before_walk, after_walk = walk(app, accounts, seeds.urls), walk(new_site, users, seeds.urls)
    assert len(after_walk) > 500 and [v for v in after_walk if v[2] >= 500] == []
    assert after_walk == before_walk

    # A row added after the restore gets a number of its own: the sequences moved past the restored ids.
    with new_site.app_context():
        user = User(email="after-restore@example.jp", display_name="復元後", password_hash="x")
        db.session.add(user)
        db.session.commit()
        assert user.id > max(u.id for u in users.values())


def test_a_restore_never_goes_into_a_database_with_rows(app, db, demo, stamped, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    assert app.test_cli_runner().invoke(args=["backup", "create", str(archive)]).exit_code == 0
    before = counts()
    refused = app.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
    assert refused.exit_code == 1
    assert "The database is not empty" in refused.output and "restore only into a new database" in refused.output
    assert counts() == before
