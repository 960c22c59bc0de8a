"""Benchmark the printed minutes: a 10-page 議事録 PDF rendered cold, served from the cache, and 304.

    .venv/bin/python bench/pdfs.py                      # SQLite in bench/out/pdfs.sqlite
    DATABASE_URL=postgresql+psycopg://…/bench_pdfs .venv/bin/python bench/pdfs.py   # a database of its own
    .venv/bin/python bench/pdfs.py --smoke              # a short PDF, a few requests: tests/test_bench.py

Needs requirements-test.txt (pypdf, to count the pages). Measured through the Flask route with
the test client, as an anonymous visitor reading published minutes of a public meeting: 17
attendees, 6 agenda items, discussion points enough for ten A4 pages, decisions and action
items. The data is added once and reused; bench/pages.py counts the meetings of its database,
so the two do not share one.
"""
from __future__ import annotations

import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date

import pypdf
import sqlalchemy as sa

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from config import DevelopmentConfig  # noqa: E402
from consortium import create_app  # noqa: E402
from consortium.extensions import db  # noqa: E402
from consortium.japanese import tokyo_datetime  # noqa: E402
from consortium.models import (  # noqa: E402
    ActionItem,
    AgendaItem,
    Attendance,
    Consortium,
    ConsortiumKind,
    Decision,
    DiscussionPoint,
    Meeting,
    Membership,
    Minutes,
    MinutesStatus,
    Person,
    Presence,
)
from pages import SMOKE, database_url  # noqa: E402  (bench/pages.py: smoke runs)

NAME = "PDF計測用 地域経済の持続可能な発展を目指す会議"
POINTS = 136  # discussion points that fill ten pages with the layout of templates/pdf/
COLD, CACHED = 10, 200
if SMOKE:
    POINTS, COLD, CACHED = 6, 1, 2
POINT = "新しい産業と既存の産業が上手くブレンドされる仕組みが必要。産業連関的なコーディネーターによって、業種間の連関が生まれるのではないか。"


def generate() -> int:
    """Add the consortium, its meeting and the published minutes; return the meeting's id."""
    consortium = Consortium(name=NAME, kind=ConsortiumKind.COUNCIL, roster_note="順不同、敬称略")
    meeting = Meeting(
        consortium=consortium, number=5, title="第5回 地域経済の持続可能な発展を目指す会議",
        starts_at=tokyo_datetime(2026, 11, 23, 14), ends_at=tokyo_datetime(2026, 11, 23, 16),
        venue="世田谷区役所", room="第1会議室", observers=5,
    )
    items = [AgendaItem(meeting=meeting, label=f"({i})", title=f"議題{i} 産業ビジョンの検討", position=i) for i in range(1, 7)]
    people = [Person(family_name=f"委員{i:02d}", given_name="太郎") for i in range(1, 18)]
    memberships = [
        Membership(consortium=consortium, person=p, seat=i, position=i, category="学識経験者" if i < 3 else "区民（公募）")
        for i, p in enumerate(people, start=1)
    ]
    minutes = Minutes(meeting=meeting, heading="主な議論の概要", status=MinutesStatus.PUBLISHED)
    minutes.points = [
        DiscussionPoint(text=f"{POINT}（{k + 1}）", agenda_item=items[k * len(items) // POINTS], speaker=people[k % 17], position=k)
        for k in range(POINTS)
    ]
    minutes.decisions = [Decision(text=f"{item.title}の方向性を了承した。", agenda_item=item, position=k) for k, item in enumerate(items)]
    minutes.action_items = [
        ActionItem(text=f"論点{k}を整理し次回に報告する。", owner=people[k], due_on=date(2027, 1, 10 + k), position=k) for k in range(8)
    ]
    db.session.add_all([consortium, meeting, *items, *memberships, minutes])
    db.session.add_all(
        Attendance(meeting=meeting, membership=m, presence=Presence.REPRESENTED if i == 4 else Presence.PRESENT,
                   stand_in="代理 花子" if i == 4 else None)
        for i, m in enumerate(memberships)
    )
    db.session.commit()
    return meeting.id


def timed(timings: list, client, path: str, **kwargs):
    """Make one request; add its (wall, CPU) milliseconds: the CPU time shows what the request
    costs when other work shares the machine."""
    wall, cpu = time.perf_counter(), time.process_time()
    response = client.get(path, **kwargs)
    timings.append(((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000))
    return response


def percentiles(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    return statistics.median(timings), timings[max(int(len(timings) * 0.95) - 1, 0)]


def main() -> None:
    url = database_url("pdfs.sqlite")
    cache = tempfile.mkdtemp(prefix="bench-pdf-cache-")
    app = create_app(DevelopmentConfig, {"SQLALCHEMY_DATABASE_URI": url, "PDF_CACHE_FOLDER": cache})
    with app.app_context():
        db.create_all()
        meeting_id = db.session.execute(
            sa.select(Meeting.id).join(Meeting.consortium).where(Consortium.name == NAME)
        ).scalar_one_or_none() or generate()
    path = f"/meetings/{meeting_id}/minutes.pdf"
    client = app.test_client()

    cold = []
    for _ in range(COLD):
        shutil.rmtree(cache, ignore_errors=True)
        response = timed(cold, client, path)
        assert response.status_code == 200, response.status_code
    pdf = response.get_data()
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    etag = response.headers["ETag"]

    cached, not_modified = [], []
    for timings, headers, status in ((cached, {}, 200), (not_modified, {"If-None-Match": etag}, 304)):
        for _ in range(CACHED):
            response = timed(timings, client, path, headers=headers)
            assert response.status_code == status, response.status_code
    shutil.rmtree(cache, ignore_errors=True)

    print(f"database: {url.split(':')[0]}; minutes PDF: {pages} A4 pages, {len(pdf) / 1024:.0f} KiB")
    print(f"{'minutes PDF':<20} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'CPU p50 ms':>11}")
    for label, timings in (("cold (rendered)", cold), ("cached", cached), ("304 to its ETag", not_modified)):
        (p50, p95), (cpu, _) = percentiles([t[0] for t in timings]), percentiles([t[1] for t in timings])
        print(f"{label:<20} {len(timings):8d} {p50:8.1f} {p95:8.1f} {cpu:11.1f}")


if __name__ == "__main__":
    main()
