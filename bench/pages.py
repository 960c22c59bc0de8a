"""Benchmark the browsing pages and the API on a large generated dataset; prints p50/p95 and SQL queries.

    .venv/bin/python bench/pages.py                      # SQLite in bench/out/
    DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/pages.py
    .venv/bin/python bench/pages.py --smoke              # tiny data, a few requests: tests/test_bench.py

Sizes: 300 consortia, 3,000 organisations, 30,000 people, 60,000 memberships,
15,000 meetings with 5 agenda items each. The data is generated once and reused.
"""
from __future__ import annotations

import atexit
import os
import random
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
from consortium.japanese import to_tokyo, tokyo_datetime  # noqa: E402
from consortium.accounts.services import create_user  # noqa: E402
from consortium.models import (  # noqa: E402
    AgendaItem,
    Consortium,
    Grant,
    GrantRole,
    Meeting,
    Membership,
    Organization,
    Person,
    User,
)

# --smoke: the same steps on tiny data in a throwaway SQLite file, so the test suite notices when a
# script no longer runs; its figures mean nothing.
SMOKE = "--smoke" in sys.argv
SIZES = {"consortia": 300, "organisations": 3000, "people": 30000, "memberships": 60000, "meetings": 15000}
REQUESTS = 200
if SMOKE:
    SIZES = {"consortia": 3, "organisations": 5, "people": 20, "memberships": 12, "meetings": 90}
    REQUESTS = 3


def database_url(name: str) -> str:
    """DATABASE_URL, else SQLite in bench/out/; a temporary SQLite file for a smoke run."""
    if SMOKE:
        folder = tempfile.mkdtemp(prefix="bench-smoke-")
        atexit.register(shutil.rmtree, folder, True)
        return f"sqlite:///{os.path.join(folder, name)}"
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
    os.makedirs(out, exist_ok=True)
    return os.environ.get("DATABASE_URL") or f"sqlite:///{os.path.join(out, name)}"


def progress(label: str, done: int, total: int) -> None:
    print(f"\r  {label}: {done:,}/{total:,}", end="" if done < total else "\n", flush=True)


def insert(table, rows, label: str, batch: int = 5000) -> None:
    for start in range(0, len(rows), batch):
        db.session.execute(sa.insert(table), rows[start : start + batch])
        progress(label, min(start + batch, len(rows)), len(rows))
    db.session.commit()


def generate() -> None:
    """Fill an empty database with the benchmark's data, showing progress."""
    rnd = random.Random(42)
    db.drop_all()
    db.create_all()
    now = tokyo_datetime(2026, 1, 1)
    insert(Organization.__table__, [
        {"id": i, "name": f"団体{i:05d}", "search_text": f"団体{i:05d}", "kind": "company",
         "created_at": now, "updated_at": now}
        for i in range(1, SIZES["organisations"] + 1)
    ], "organisations")
    insert(Person.__table__, [
        {"id": i, "family_name": f"姓{i:05d}", "given_name": "名", "organization_id": rnd.randint(1, SIZES["organisations"]),
         "created_at": now, "updated_at": now}
        for i in range(1, SIZES["people"] + 1)
    ], "people")
    insert(Consortium.__table__, [
        {"id": i, "name": f"会議体{i:03d}", "search_text": f"会議体{i:03d}", "kind": "council", "status": "active",
         "visibility": "public" if i % 10 else "members", "purpose": "趣旨" * 50, "created_at": now, "updated_at": now}
        for i in range(1, SIZES["consortia"] + 1)
    ], "consortia")
    per = SIZES["memberships"] // SIZES["consortia"]
    insert(Membership.__table__, [
        {"consortium_id": c, "person_id": (c * per + k) % SIZES["people"] + 1, "role": "member", "seat": k + 1,
         "category": "委員", "position": k, "created_at": now, "updated_at": now}
        for c in range(1, SIZES["consortia"] + 1) for k in range(per)
    ], "memberships")
    per = SIZES["meetings"] // SIZES["consortia"]
    meetings = []
    for c in range(1, SIZES["consortia"] + 1):
        for k in range(per):
            start = tokyo_datetime(2024, 4, 1, 14) + timedelta(days=14 * k + c % 7)
            meetings.append({"id": len(meetings) + 1, "consortium_id": c, "number": k + 1, "title": f"第{k + 1}回 会議",
                             "kind": "regular", "status": "scheduled", "precision": "minute", "starts_at": start,
                             "ends_at": start + timedelta(hours=2), "is_public": True, "sequence": 0,
                             "venue": "会議室", "created_at": now, "updated_at": now})
    insert(Meeting.__table__, meetings, "meetings")
    insert(AgendaItem.__table__, [
        {"meeting_id": m["id"], "position": p, "label": f"({p})", "title": f"議題{p}", "is_public": True}
        for m in meetings for p in range(1, 6)
    ], "agenda items")


def measure(client, engine, url: str) -> tuple[float, float, int]:
    """Return p50 and p95 in milliseconds and the SQL queries of one request.

    Called outside any application context, so each request gets its own, as in production:
    no database session or cached grants carry over from one request to the next.
    """
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    client.get(url)  # warm the caches of this URL once
    timings = []
    for _ in range(REQUESTS):
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", listener)
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        sa.event.remove(engine, "before_cursor_execute", listener)
        assert response.status_code == 200, (url, response.status_code)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(statements)


def main() -> None:
    url = database_url("bench.sqlite")
    # The benchmark signs in by posting the form directly, without a page to take a CSRF token from.
    app = create_app(DevelopmentConfig, {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        fresh = not sa.inspect(db.engine).has_table("meeting") or not db.session.execute(
            sa.select(sa.func.count()).select_from(Meeting)).scalar() == SIZES["meetings"]
        if fresh or "--regenerate" in sys.argv:
            print("Generating benchmark data…")
            generate()
        engine = db.engine
    middle_consortium = SIZES["consortia"] // 2 + 1
    middle_meeting = (middle_consortium - 1) * (SIZES["meetings"] // SIZES["consortia"]) + 25  # a public one
    with app.app_context():
        month = to_tokyo(db.session.get(Meeting, middle_meeting).starts_at).strftime("%Y-%m")
    client = app.test_client()
    print(f"database: {url.split(':')[0]}, {REQUESTS} requests each")
    print(f"{'page':<40} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    report(client, engine, [
        ("consortium page (200 members, 50 mtgs)", f"/consortia/{middle_consortium}"),
        ("meeting page (5 agenda items)", f"/meetings/{middle_meeting}"),
        ("consortia list", "/consortia/"),
        ("consortia list, page 10", "/consortia/?page=10"),
        ("home", "/"),
        ("consortium calendar, month view", f"/consortia/{middle_consortium}/calendar?month={month}"),
        ("consortium calendar, list view", f"/consortia/{middle_consortium}/calendar?month={month}&view=list"),
    ])
    print("API, no token:")
    report(client, engine, [
        ("consortia, 50 a page", "/api/v1/consortia"),
        ("consortium", f"/api/v1/consortia/{middle_consortium}"),
        ("memberships, 200 a page", "/api/v1/memberships?limit=200"),
        ("people, 200 a page", "/api/v1/people?limit=200"),
        ("events, 50 a page (agenda, materials)", "/api/v1/events"),
        ("events, 200 a page", "/api/v1/events?limit=200"),
        ("events of a consortium, a fiscal year", f"/api/v1/events?consortium={middle_consortium}&fiscal_year=2024"),
        ("event", f"/api/v1/events/{middle_meeting}"),
    ])
    with app.app_context():
        sign_in_secretariat(client, middle_consortium)
    print("signed in as the consortium's secretariat:")
    report(client, engine, [
        ("consortium page, with edit controls", f"/consortia/{middle_consortium}"),
        ("roster management (200 members)", f"/consortia/{middle_consortium}/roster"),
        ("meeting page, with edit controls", f"/meetings/{middle_meeting}"),
        ("meeting form", f"/meetings/{middle_meeting}/edit"),
        ("minutes editor (new minutes)", f"/meetings/{middle_meeting}/minutes/edit"),
        ("personal calendar, month view", f"/calendar?month={month}"),
    ])


def sign_in_secretariat(client, consortium_id: int) -> None:
    """Make (once) a secretariat account for the consortium and sign in with it."""
    email, password = "bench-secretariat@example.jp", "bench-password"
    user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        user = create_user(email, "事務局（計測）", password)
        db.session.add(Grant(user=user, consortium_id=consortium_id, role=GrantRole.SECRETARIAT))
        db.session.commit()
    response = client.post("/accounts/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.status_code


def report(client, engine, pages: list[tuple[str, str]]) -> None:
    for label, path in pages:
        p50, p95, queries = measure(client, engine, path)
        print(f"{label:<40} {p50:8.1f} {p95:8.1f} {queries:8d}")


if __name__ == "__main__":
    main()
