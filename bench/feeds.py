"""Benchmark the iCalendar feeds; prints p50/p95 and SQL queries.

    .venv/bin/python bench/feeds.py                      # SQLite in bench/out/feeds.sqlite
    DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/feeds.py   # its own database: it is emptied
    .venv/bin/python bench/feeds.py --smoke              # tiny data, a few requests: tests/test_bench.py

Data: one consortium with 1,000 meetings of 5 agenda items each (one presenter per item), and a
member of 20 other consortia of 50 meetings each. Feeds are measured on first render (no event
written yet: icalendar writes every one), in a new process (events in the disk store, none in
memory), warm (every event kept in memory), after one meeting changed, and as the 304 answer to a
client that has the current copy.
"""
from __future__ import annotations

import atexit
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta

import sqlalchemy as sa

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from config import DevelopmentConfig  # noqa: E402
from consortium import create_app  # noqa: E402
from consortium.extensions import db  # noqa: E402
from consortium.feeds import publish  # noqa: E402
from consortium.japanese import tokyo_datetime  # noqa: E402
from consortium.models import (  # noqa: E402
    AgendaItem,
    AgendaPresenter,
    Consortium,
    Grant,
    GrantRole,
    Meeting,
    Person,
    User,
)
from pages import SMOKE, database_url, insert  # noqa: E402  (bench/pages.py: smoke runs, batched inserts)

BIG, SMALL, PER_SMALL = 1000, 20, 50  # meetings of the big consortium; consortia and meetings of the member
ITEMS = 5
TOKEN = "bench-feed-address"
RUNS = {"cold": 10, "changed": 20, "warm": 200, "304": 200}
if SMOKE:
    BIG, SMALL, PER_SMALL = 10, 2, 5
    RUNS = dict.fromkeys(RUNS, 2)


def generate() -> None:
    """Fill an empty database with the benchmark's data, showing progress."""
    db.drop_all()
    db.create_all()
    now = tokyo_datetime(2026, 1, 1)
    stamps = {"created_at": now, "updated_at": now}
    insert(Person.__table__, [
        {"id": i, "family_name": f"姓{i:03d}", "given_name": "名", **stamps} for i in range(1, 101)
    ], "people")
    insert(Consortium.__table__, [
        {"id": c, "name": f"会議体{c:02d}（計測用の長めの名称を持つ地域の官民連携コンソーシアム）", "search_text": f"会議体{c:02d}",
         "kind": "council", "status": "active", "visibility": "public", **stamps}
        for c in range(1, SMALL + 2)
    ], "consortia")
    meetings = []
    for c, count in [(1, BIG)] + [(c, PER_SMALL) for c in range(2, SMALL + 2)]:
        for k in range(count):
            start = tokyo_datetime(2024, 4, 1, 14) + timedelta(days=3 * k + c % 7)
            meetings.append({
                "id": len(meetings) + 1, "consortium_id": c, "number": k + 1, "title": "地域経済の持続可能な発展を目指す会議",
                "kind": "regular", "status": "scheduled", "precision": "minute", "starts_at": start,
                "ends_at": start + timedelta(hours=2), "is_public": True, "sequence": 0,
                "venue": "区役所", "room": "第1会議室", "address": "世田谷区世田谷4-21-27",
                "online_url": "https://meet.example.jp/room", "description": "実務者レベルにて具体的な検討を実施。" * 3,
                **stamps,
            })
    insert(Meeting.__table__, meetings, "meetings")
    items = [
        {"id": (m["id"] - 1) * ITEMS + p, "meeting_id": m["id"], "position": p, "label": f"({p})",
         "title": f"議題{p}：地域の担い手とサステナブルな地域経済について", "is_public": p != ITEMS}
        for m in meetings for p in range(1, ITEMS + 1)
    ]
    insert(AgendaItem.__table__, items, "agenda items")
    insert(AgendaPresenter.__table__, [
        {"agenda_item_id": item["id"], "person_id": item["id"] % 100 + 1, "title": "駒澤大学経済学部教授", "position": 1}
        for item in items
    ], "presenters")
    user = User(email="bench-member@example.jp", display_name="委員（計測）", calendar_token=TOKEN)
    user.grants = [Grant(consortium_id=c, role=GrantRole.MEMBER) for c in range(2, SMALL + 2)]
    db.session.add(user)
    db.session.commit()


def timed(client, engine, url: str, runs: int, status: int = 200, headers=None, before=None):
    """p50 and p95 in milliseconds and the SQL queries of the last request; before() runs untimed
    ahead of each request. Called outside any application context, so each request gets its own."""
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    timings = []
    for _ in range(runs):
        if before:
            before()
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", listener)
        started = time.perf_counter()
        response = client.get(url, headers=headers or {})
        timings.append((time.perf_counter() - started) * 1000)
        sa.event.remove(engine, "before_cursor_execute", listener)
        assert response.status_code == status, (url, response.status_code)
    timings.sort()
    p95 = timings[max(int(len(timings) * 0.95) - 1, 0)] if runs >= 20 else timings[-1]
    return statistics.median(timings), p95, len(statements), len(response.data)


def touch(app, meeting_id: int):
    """Change one meeting, as the secretariat would, in its own application context."""
    def change():
        with app.app_context():
            meeting = db.session.get(Meeting, meeting_id)
            meeting.room = "大会議室" if meeting.room != "大会議室" else "第1会議室"
            db.session.commit()
    return change


def main() -> None:
    url = database_url("feeds.sqlite")
    store = tempfile.mkdtemp(prefix="bench-ical-cache-")
    atexit.register(shutil.rmtree, store, True)
    app = create_app(DevelopmentConfig, {"SQLALCHEMY_DATABASE_URI": url, "ICAL_CACHE_FOLDER": store})

    def forget_everything():
        publish.events.clear()
        shutil.rmtree(store, ignore_errors=True)

    with app.app_context():
        expected = BIG + SMALL * PER_SMALL
        fresh = not sa.inspect(db.engine).has_table("meeting") or db.session.execute(
            sa.select(sa.func.count()).select_from(Meeting)).scalar() != expected
        if fresh or "--regenerate" in sys.argv:
            print("Generating benchmark data…")
            generate()
        engine = db.engine
    client = app.test_client()
    feeds = [
        ("consortium feed, 1,000 meetings", "/consortia/1/calendar.ics", 1),
        ("personal feed, 20 consortia × 50", f"/feeds/personal/{TOKEN}.ics", BIG + 1),
    ]
    print(f"database: {url.split(':')[0]}; cold {RUNS['cold']}, changed {RUNS['changed']}, "
          f"warm and 304 {RUNS['warm']} requests (p95 of 10 runs is their slowest)")
    print(f"{'feed':<34} {'case':<26} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'bytes':>9}")
    for label, path, some_meeting in feeds:
        cases = [
            ("first render (none stored)", timed(client, engine, path, RUNS["cold"], before=forget_everything)),
            ("new process (events on disk)", timed(client, engine, path, RUNS["changed"], before=publish.events.clear)),
            ("one meeting changed", timed(client, engine, path, RUNS["changed"], before=touch(app, some_meeting))),
            ("warm (every event kept)", timed(client, engine, path, RUNS["warm"])),
        ]
        etag = client.get(path).headers["ETag"]
        cases.append(("304 (If-None-Match)", timed(client, engine, path, RUNS["304"], 304, {"If-None-Match": etag})))
        for case, (p50, p95, queries, size) in cases:
            print(f"{label:<34} {case:<26} {p50:8.1f} {p95:8.1f} {queries:8d} {size:9,d}")


if __name__ == "__main__":
    main()
