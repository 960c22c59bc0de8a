"""Files in S3-compatible object storage: materials, pending roster imports and cached PDFs and
events go to the bucket STORAGE_URL names, and come back from it, with nothing on local disk.

The server is moto's (PyPI: moto[server]), started on loopback for the run. It speaks the S3 REST
protocol over HTTP, so boto3 signs, sends and parses real requests; it needs no download, no
container and no Java, and it starts in well under a second.
"""
from __future__ import annotations

import io
import os
import secrets

import pytest
from moto.server import ThreadedMotoServer

from consortium import storage
from consortium.models import GrantRole, Visibility
from conftest import free_port

pytestmark = pytest.mark.usefixtures("english")

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
BUCKET = "consortium-test"


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 on a free loopback port, with one bucket, for the whole run."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    import boto3

    endpoint = f"http://127.0.0.1:{port}"
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "ap-northeast-1"}
    client = boto3.client("s3", endpoint_url=endpoint, **credentials)
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})
    yield endpoint, client
    server.stop()


@pytest.fixture()
def bucket(app, s3_server, monkeypatch, tmp_path):
    """Point the application at the bucket, under a prefix of this test's own; local folders stay empty."""
    endpoint, client = s3_server
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "ap-northeast-1"}.items():
        monkeypatch.setenv(name, value)
    prefix = f"run-{secrets.token_hex(4)}"
    monkeypatch.setitem(app.config, "STORAGE_URL", f"s3://{BUCKET}/{prefix}")
    monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", endpoint)
    monkeypatch.delitem(app.extensions, "s3_client", raising=False)
    for setting in storage.AREAS.values():
        monkeypatch.setitem(app.config, setting, str(tmp_path / "local" / setting))

    def keys(area: str) -> list[str]:
        listed = client.list_objects_v2(Bucket=BUCKET, Prefix=f"{prefix}/{area}/").get("Contents", [])
        return [item["Key"].split("/", 2)[2] for item in listed]

    yield keys
    app.extensions.pop("s3_client", None)
    assert not os.path.exists(tmp_path / "local"), "a file went to local disk while S3 was chosen"


@pytest.fixture()
def office(make_consortium, make_meeting, make_user, login):
    consortium = make_consortium(visibility=Visibility.PUBLIC)
    meeting = make_meeting(consortium, is_public=True)
    login(make_user({consortium: GrantRole.SECRETARIAT}))
    return meeting


def test_a_material_is_kept_in_the_bucket_downloaded_from_it_and_deleted_from_it(client, post, office, bucket):
    form = {"title": "推進体制", "label": "資料1", "doc_type": "material", "access": "inherit",
            "file": (io.BytesIO(PDF), "資料1.pdf")}
    assert post(f"/meetings/{office.id}/documents/new", form, content_type="multipart/form-data").status_code == 302
    [key] = bucket("uploads")
    document_id = office.documents[0].id

    response = client.get(f"/documents/{document_id}")
    assert response.status_code == 200 and response.get_data() == PDF
    response.close()

    assert post(f"/documents/{document_id}/delete", {"confirm": "y"}).status_code == 302
    assert bucket("uploads") == [] and key


def test_a_pending_roster_import_waits_in_the_bucket_until_confirmed(client, post, office, bucket):
    consortium = office.consortium
    csv = "席次,氏名,団体名\r\n1,鈴木 一郎,\r\n".encode()
    response = post(f"/consortia/{consortium.id}/roster/import", {"file": (io.BytesIO(csv), "名簿.csv")},
                    content_type="multipart/form-data")
    assert response.status_code == 302
    assert len(bucket("imports")) == 1
    assert "鈴木 一郎" in client.get(f"/consortia/{consortium.id}/roster/import/preview").get_data(as_text=True)
    assert post(f"/consortia/{consortium.id}/roster/import/confirm").status_code == 302
    assert bucket("imports") == []
    assert "鈴木 一郎" in client.get(f"/consortia/{consortium.id}/roster").get_data(as_text=True)


def test_rendered_pdfs_and_calendar_events_are_cached_in_the_bucket_and_pruned_there(
    app, client, office, bucket, monkeypatch
):
    from consortium.feeds import publish
    from consortium.pdf import cache

    first = client.get(f"/meetings/{office.id}/agenda.pdf")
    feed = client.get("/meetings/calendar.ics").get_data()
    assert first.status_code == 200 and len(bucket("pdf-cache")) == 1 and len(bucket("ical-cache")) == 1

    cache.versions.clear()  # another worker: only the bucket knows
    publish.events.clear()
    again = client.get(f"/meetings/{office.id}/agenda.pdf")
    assert again.headers["ETag"] == first.headers["ETag"] and again.get_data() == first.get_data()
    assert client.get("/meetings/calendar.ics").get_data() == feed

    monkeypatch.setitem(app.config, "PDF_CACHE_MAX_BYTES", 0)
    monkeypatch.setitem(app.config, "ICAL_CACHE_MAX_BYTES", 0)
    result = app.test_cli_runner().invoke(args=["caches", "prune"])
    assert result.exit_code == 0 and "pdf-cache: removed 1 files" in result.output
    assert bucket("pdf-cache") == [] and bucket("ical-cache") == []


def test_a_storage_url_that_is_not_a_bucket_is_refused(app, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE_URL", "ftp://files.example.jp/consortium")
    with app.app_context(), pytest.raises(RuntimeError, match="s3://bucket/prefix"):
        storage.store("uploads")
