"""Roster imports on the queue: confirming queues the import and shows its progress; a worker
writes it in one transaction, as the secretariat who confirmed it; a plan that no longer holds
when the worker starts writes nothing and says so."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from conftest import text
from test_jobs import queue  # noqa: F401 (fixture)
from test_rosters import ROWS, assert_imported, consortium, csv_bytes, import_folder, secretariat, upload, url  # noqa: F401

from consortium.models import AuditEvent, Membership, Person

pytestmark = pytest.mark.usefixtures("english")


def confirm(client, post, upload, consortium, data: bytes) -> str:
    """Upload and confirm a file; return the progress page it leads to."""
    assert upload(consortium, data).status_code == 302
    assert client.get(url(consortium, "/preview")).status_code == 200
    response = post(url(consortium, "/confirm"))
    assert response.status_code == 302
    return response.headers["Location"]


def test_a_confirmed_import_is_written_by_a_worker_while_its_progress_shows(db, client, post, upload, consortium, secretariat, queue):
    progress = confirm(client, post, upload, consortium, csv_bytes(ROWS))
    assert progress.startswith(url(consortium, "/"))
    waiting = text(client.get(progress))
    assert "Importing the roster" in waiting and "Waiting for a worker to start the import" in waiting and "reload.js" in waiting
    assert db.session.execute(sa.select(sa.func.count()).select_from(Membership)).scalar() == 0  # not yet

    queue()
    done = text(client.get(progress))
    assert "3 members imported (3 new, 0 updated)." in done and "reload.js" not in done
    assert_imported(db, consortium)
    actors = db.session.execute(sa.select(AuditEvent.user_id).where(AuditEvent.action == "import")).scalars().all()
    assert actors == [secretariat.id]
    assert "Upload a roster file first" in text(client.get(url(consortium, "/preview"), follow_redirects=True))


def test_an_import_that_no_longer_holds_when_the_worker_starts_writes_nothing(db, client, post, upload, consortium, secretariat, queue):
    progress = confirm(client, post, upload, consortium, csv_bytes(ROWS))
    # Meanwhile someone puts a namesake of 山田 太郎 in the directory: the file no longer says which.
    db.session.add(Person(family_name="山田", given_name="太郎"))
    db.session.add(Person(family_name="山田", given_name="太郎"))
    db.session.commit()
    queue()
    page = text(client.get(progress))
    assert "Nothing was imported: some rows have errors" in page
    assert db.session.execute(sa.select(sa.func.count()).select_from(Membership)).scalar() == 0


def test_the_progress_of_an_import_is_for_its_own_consortium_only(client, post, upload, consortium, secretariat, queue, make_consortium):
    progress = confirm(client, post, upload, consortium, csv_bytes(ROWS))
    import_id = progress.rsplit("/", 1)[1]
    other = make_consortium()
    assert client.get(f"/consortia/{other.id}/roster/import/{import_id}").status_code in (403, 404)
    assert client.get(url(consortium, "/0123456789abcdef0123456789abcdef")).status_code == 404
