"""GET /healthz: each part the deployment uses, 200 when all answer, 503 when one does not."""
from __future__ import annotations

from redis import Redis

from conftest import free_port

QUEUE_DB = "redis://127.0.0.1:6379/12"


def test_a_single_machine_is_healthy_without_a_queue(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.json == {
        "status": "ok", "database": "ok", "storage": "ok", "sign_in_counter": "ok",
        "redis": "not configured", "queue": "not configured",
    }


def test_with_a_queue_it_counts_jobs_and_needs_a_worker(app, client, monkeypatch):
    Redis.from_url(QUEUE_DB).flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", QUEUE_DB)
    monkeypatch.delitem(app.extensions, "jobs_redis", raising=False)
    response = client.get("/healthz")
    assert response.status_code == 503  # no worker: jobs would wait for ever
    assert response.json["redis"] == "ok"
    assert response.json["queue"] == {"state": "unreachable", "waiting": 0, "failed": 0, "workers": 0}
    app.extensions.pop("jobs_redis", None)


def test_a_redis_that_does_not_answer_is_reported_without_its_address(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.delitem(app.extensions, "jobs_redis", raising=False)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["redis"] == "unreachable"
    assert "127.0.0.1" not in response.get_data(as_text=True)
    app.extensions.pop("jobs_redis", None)


def test_a_storage_folder_that_cannot_be_written_is_reported(app, client, monkeypatch, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(blocked))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["storage"] == "unreachable"
