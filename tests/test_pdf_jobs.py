"""PDFs through the job queue: with a queue configured no request renders a PDF; the visitor waits
on a page that reloads itself while a worker renders it, and publishing minutes has both of their
PDFs rendered before anyone asks."""
from __future__ import annotations

from conftest import text
from test_jobs import queue  # noqa: F401 (fixture)
from test_pdf import pdf_cache, renders, scene  # noqa: F401 (fixtures)

from consortium import jobs
from consortium.models import GrantRole, Minutes, MinutesStatus


def waiting_renders(app) -> int:
    """How many PDF renderings wait on the queue (other jobs, such as a feed's events, may wait too)."""
    with app.app_context():
        return sum(job.args[0] == "consortium.pdf.cache:render_job" for job in jobs.queue().jobs)


def test_a_pdf_not_rendered_yet_is_rendered_by_a_worker_while_the_visitor_waits(app, client, scene, renders, pdf_cache, queue):
    url = f"/meetings/{scene['meeting'].id}/agenda.pdf"
    first = client.get(url)
    assert first.status_code == 202 and first.headers["Retry-After"] == "2"
    page = text(first)
    assert "PDFを作成しています" in page and "reload.js" in page and "どなたでも（公開）" in page
    assert client.get(url).status_code == 202  # asked again while it renders: still one job
    assert renders == [] and waiting_renders(app) == 1

    queue()
    assert len(renders) == 1
    ready = client.get(url)
    assert ready.status_code == 200 and ready.mimetype == "application/pdf"
    assert ready.get_data().startswith(b"%PDF") and len(renders) == 1


def test_publishing_minutes_has_both_pdfs_rendered_before_anyone_asks(app, db, client, login, post, scene, renders, pdf_cache, queue, make_user):
    meeting_id = scene["meeting"].id
    minutes = db.session.get(Minutes, scene["minutes"].id)
    minutes.status = MinutesStatus.APPROVED
    db.session.commit()
    login(make_user({scene["consortium"]: GrantRole.SECRETARIAT}))
    assert post(f"/meetings/{meeting_id}/minutes/publish", {}).status_code == 302
    assert renders == [] and waiting_renders(app) == 2  # the 議事録 and the 議事要旨

    queue()
    assert len(renders) == 2
    full = client.get(f"/meetings/{meeting_id}/minutes.pdf")
    summary = client.get(f"/meetings/{meeting_id}/minutes.pdf?public=1")
    assert full.status_code == summary.status_code == 200 and full.get_data() != summary.get_data()
    assert app.test_client().get(f"/meetings/{meeting_id}/minutes.pdf").get_data() == summary.get_data()  # the public's
    assert len(renders) == 2


def test_without_a_queue_the_pdf_comes_at_once(client, scene, renders, pdf_cache):
    response = client.get(f"/meetings/{scene['meeting'].id}/agenda.pdf")
    assert response.status_code == 200 and len(renders) == 1
