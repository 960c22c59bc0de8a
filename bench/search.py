"""Search, the directory, the organisation page and the network page at national scale; prints p50/p95 and queries.

    DATABASE_URL=postgresql+psycopg://root@127.0.0.1:5432/test .venv/bin/python bench/search.py
    … bench/search.py --scale 0.01      # a hundredth of the data, to try it out
    … bench/search.py --smoke           # tiny data in SQLite, a few requests: tests/test_bench.py

Sizes (scale 1): 10,000 consortia, 100,000 organisations, 1,000,000 people, 2,000,000
memberships, 200,000 meetings, each with 5 agenda items and minutes (3 discussion points and a
decision). One meeting in five is closed, one in ten has a closed agenda item (its minutes' free
text then shows to members only), one consortium in ten is members-only, a third of the minutes
are drafts. The data lives in its own database (<name>_national), is made once (COPY on
PostgreSQL) and reused; `flask search rebuild`'s work is timed on it, and the index's size
read from the database.
"""
from __future__ import annotations

import argparse
import atexit
import itertools
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import make_url

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from config import DevelopmentConfig  # noqa: E402
from consortium import create_app  # noqa: E402
from consortium.accounts.services import create_user  # noqa: E402
from consortium.extensions import db  # noqa: E402
from consortium.japanese import search_key, tokyo_datetime  # noqa: E402
from consortium.pagination import cursor_for  # noqa: E402
from consortium.models import (  # noqa: E402
    AgendaItem,
    Consortium,
    Decision,
    DiscussionPoint,
    Grant,
    GrantRole,
    Meeting,
    Membership,
    Minutes,
    Organization,
    Person,
    SearchEntry,
    User,
)
from consortium.search.index import rebuild  # noqa: E402

SIZES = {"consortia": 10_000, "organisations": 100_000, "people": 1_000_000, "memberships": 2_000_000, "meetings": 200_000}
# Names are made of these words; the generated text is sentences of the seed documents
# (consortium/demo/data.yaml), so words come as often as in the real thing.
WORDS = (
    "地域 観光 振興 事業 承継 連携 産業 中小企業 人材 育成 創業 支援 商店街 まちづくり 脱炭素 水素 航空機 医療機器 "
    "ものづくり 農林水産 食品 輸出 デジタル 技術 研究開発 金融 広域 ネットワーク 推進 子育て 福祉 防災 交通 移住"
).split()
# Family names as often as in Japan: the twenty commonest with their share of the people (佐藤
# 1.5 %, the twenty about 15 % together), the rest spread over four hundred rarer two-kanji names,
# so a search for a common name finds as many people as in a real directory of a million.
COMMON = [
    ("佐藤", "サトウ", 1.49), ("鈴木", "スズキ", 1.36), ("高橋", "タカハシ", 1.13), ("田中", "タナカ", 1.06),
    ("伊藤", "イトウ", 0.87), ("渡辺", "ワタナベ", 0.86), ("山本", "ヤマモト", 0.85), ("中村", "ナカムラ", 0.83),
    ("小林", "コバヤシ", 0.82), ("加藤", "カトウ", 0.72), ("吉田", "ヨシダ", 0.67), ("山田", "ヤマダ", 0.65),
    ("佐々木", "ササキ", 0.55), ("山口", "ヤマグチ", 0.51), ("松本", "マツモト", 0.50), ("井上", "イノウエ", 0.49),
    ("木村", "キムラ", 0.46), ("林", "ハヤシ", 0.43), ("斎藤", "サイトウ", 0.42), ("清水", "シミズ", 0.41),
]
FIRST = [("大", "オオ"), ("小", "コ"), ("上", "カミ"), ("下", "シモ"), ("石", "イシ"), ("岡", "オカ"), ("森", "モリ"),
         ("西", "ニシ"), ("東", "ヒガシ"), ("北", "キタ"), ("南", "ミナミ"), ("松", "マツ"), ("竹", "タケ"), ("杉", "スギ"),
         ("原", "ハラ"), ("野", "ノ"), ("川", "カワ"), ("村", "ムラ"), ("宮", "ミヤ"), ("今", "イマ")]
SECOND = [("田", "タ"), ("野", "ノ"), ("川", "カワ"), ("山", "ヤマ"), ("本", "モト"), ("井", "イ"), ("島", "シマ"),
          ("崎", "サキ"), ("沢", "サワ"), ("谷", "タニ"), ("原", "ハラ"), ("口", "グチ"), ("木", "キ"), ("内", "ウチ"),
          ("橋", "ハシ"), ("部", "ベ"), ("浦", "ウラ"), ("瀬", "セ"), ("尾", "オ"), ("垣", "ガキ")]
FAMILY = [name for name, _kana, _share in COMMON] + [a + b for a, _ in FIRST for b, _ in SECOND]
FAMILY_KANA = [kana for _name, kana, _share in COMMON] + [ka + kb for _, ka in FIRST for _, kb in SECOND]
_RARE_SHARE = (100 - sum(share for *_, share in COMMON)) / (len(FIRST) * len(SECOND))
FAMILY_CUMULATIVE = list(itertools.accumulate([share for *_, share in COMMON] + [_RARE_SHARE] * (len(FIRST) * len(SECOND))))
GIVEN = "太郎 花子 一郎 美咲 健太 陽子 大輔 直美 翔 由美 誠 恵 拓也 彩 浩 真由美 亮 愛 隆 舞".split()
GIVEN_KANA = "タロウ ハナコ イチロウ ミサキ ケンタ ヨウコ ダイスケ ナオミ ショウ ユミ マコト メグミ タクヤ アヤ ヒロシ マユミ リョウ アイ タカシ マイ".split()
REQUESTS = 100


def seed_sentences() -> list[str]:
    with open(os.path.join(ROOT, "consortium", "demo", "data.yaml"), encoding="utf-8") as f:
        data = yaml.safe_load(f)
    found: list[str] = []

    def walk(value) -> None:
        if isinstance(value, str):
            found.extend(s + "。" for s in re.split(r"[。\n]", value) if len(s) >= 8)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(data)
    return found


SENTENCES = seed_sentences()


def sentence(rnd: random.Random, sentences: int) -> str:
    return "".join(rnd.choice(SENTENCES) for _ in range(sentences))


def database(base: str, smoke: bool) -> str:
    if smoke:
        folder = tempfile.mkdtemp(prefix="bench-smoke-")
        atexit.register(shutil.rmtree, folder, True)
        return f"sqlite:///{os.path.join(folder, 'national.sqlite')}"
    url = make_url(base)
    named = url.set(database=f"{url.database}_national")
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": named.database}).scalar():
            connection.execute(sa.text(f'CREATE DATABASE "{named.database}"'))
    admin.dispose()
    return named.render_as_string(hide_password=False)


def progress(label: str, done: int, total: int) -> None:
    print(f"\r  {label}: {done:,}/{total:,}", end="" if done < total else "\n", flush=True)


def write(table: sa.Table, columns: list[str], rows, total: int, label: str) -> None:
    """Rows (tuples in the columns' order) into the table: COPY on PostgreSQL, else inserts."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for done, row in enumerate(rows, 1):
                copy.write_row(row)
                if done % 50_000 == 0 or done == total:
                    progress(label, done, total)
    else:
        batch = []
        for done, row in enumerate(rows, 1):
            batch.append(dict(zip(columns, row)))
            if len(batch) == 5000 or done == total:
                connection.execute(table.insert(), batch)
                batch = []
                progress(label, done, total)
    db.session.commit()


def generate(sizes: dict[str, int]) -> None:
    rnd = random.Random(13)
    db.drop_all()
    db.create_all()
    now = tokyo_datetime(2026, 1, 1)
    n = sizes
    orgs = ((i, name := f"{rnd.choice(WORDS)}{rnd.choice(WORDS)}株式会社{i}", search_key(name), "company", 1, now, now)
            for i in range(1, n["organisations"] + 1))
    write(Organization.__table__, ["id", "name", "search_text", "kind", "version", "created_at", "updated_at"],
          orgs, n["organisations"], "organisations")

    def person(i):
        f = rnd.choices(range(len(FAMILY)), cum_weights=FAMILY_CUMULATIVE)[0]
        g = rnd.randrange(len(GIVEN))
        return (i, FAMILY[f], f"{GIVEN[g]}{i}", FAMILY_KANA[f], GIVEN_KANA[g], rnd.randint(1, n["organisations"]),
                search_key(FAMILY[f], GIVEN[g]), 1, now, now)

    write(Person.__table__, ["id", "family_name", "given_name", "family_name_kana", "given_name_kana", "organization_id",
                             "search_text", "version", "created_at", "updated_at"],
          (person(i) for i in range(1, n["people"] + 1)), n["people"], "people")
    consortia = ((i, name := f"{rnd.choice(WORDS)}{rnd.choice(WORDS)}協議会{i}", search_key(name), "council", "active",
                  "public" if i % 10 else "members", sentence(rnd, 3), 1, now, now) for i in range(1, n["consortia"] + 1))
    write(Consortium.__table__, ["id", "name", "search_text", "kind", "status", "visibility", "purpose", "version",
                                 "created_at", "updated_at"], consortia, n["consortia"], "consortia")
    per = n["memberships"] // n["consortia"]

    def membership(i):
        c, k = divmod(i, per)
        by_org = k % 4 == 0
        return (i + 1, c + 1, None if by_org else (i * 7919) % n["people"] + 1, (i * 104729) % n["organisations"] + 1 if by_org else None,
                "member", k + 1, "委員", sentence(rnd, 1) if by_org and k % 8 == 0 else None, k, 1, now, now)

    write(Membership.__table__, ["id", "consortium_id", "person_id", "organization_id", "role", "seat", "category",
                                 "description", "position", "version", "created_at", "updated_at"],
          (membership(i) for i in range(n["memberships"])), n["memberships"], "memberships")
    per = n["meetings"] // n["consortia"]

    def meeting(i):
        c, k = divmod(i, per)
        start = tokyo_datetime(2016, 4, 1, 14) + timedelta(days=(i * 37) % 3650)
        return (i + 1, c + 1, k + 1, f"第{k + 1}回 {rnd.choice(WORDS)}{rnd.choice(WORDS)}会議", "regular", "held", "minute",
                start, start + timedelta(hours=2), k % 5 != 0, True, 0, "会議室", 1, now, now)

    write(Meeting.__table__, ["id", "consortium_id", "number", "title", "kind", "status", "precision", "starts_at", "ends_at",
                              "is_public", "public_stated", "sequence", "venue", "version", "created_at", "updated_at"],
          (meeting(i) for i in range(n["meetings"])), n["meetings"], "meetings")
    items = ((m * 5 + p, m + 1, p, f"({p})", f"{rnd.choice(WORDS)}{rnd.choice(WORDS)}について", p != 5 or m % 10 != 0, 1)
             for m in range(n["meetings"]) for p in range(1, 6))
    write(AgendaItem.__table__, ["id", "meeting_id", "position", "label", "title", "is_public", "version"],
          items, n["meetings"] * 5, "agenda items")
    minutes = ((m + 1, m + 1, "published" if m % 3 else "draft", sentence(rnd, 4), 1, now, now) for m in range(n["meetings"]))
    write(Minutes.__table__, ["id", "meeting_id", "status", "body", "version", "created_at", "updated_at"],
          minutes, n["meetings"], "minutes")
    points = ((m * 3 + p, m + 1, m * 5 + p + 1, p, sentence(rnd, 2)) for m in range(n["meetings"]) for p in range(3))
    write(DiscussionPoint.__table__, ["id", "minutes_id", "agenda_item_id", "position", "text"], points, n["meetings"] * 3,
          "discussion points")
    decisions = ((m + 1, m + 1, m * 5 + 1, 0, sentence(rnd, 1)) for m in range(n["meetings"]))
    write(Decision.__table__, ["id", "minutes_id", "agenda_item_id", "position", "text"], decisions, n["meetings"],
          "decisions")
    if db.engine.dialect.name == "postgresql":
        for table in ("organization", "person", "consortium", "membership", "meeting", "agenda_item", "minutes",
                      "discussion_point", "decision"):
            db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
        db.session.commit()


def build_index() -> tuple[float, int]:
    started = time.perf_counter()
    count = rebuild(db.session, lambda kind, done, total: progress(f"index: {kind}", done, total) if done % 100_000 < 1000 or done == total else None)
    db.session.commit()
    seconds = time.perf_counter() - started
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    return seconds, count


def index_size() -> str:
    if db.engine.dialect.name != "postgresql":
        return "(read on PostgreSQL)"
    table, gin = db.session.execute(sa.text(
        "SELECT pg_total_relation_size('search_entry'), pg_relation_size('ix_search_entry_grams')"
    )).one()
    return f"{table / 2**20:,.0f} MiB in all, of which the GIN index {gin / 2**20:,.0f} MiB"


def measure(client, engine, url: str, requests: int) -> tuple[float, float, int]:
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    client.get(url)
    timings = []
    for _ in range(requests):
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", listener)
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        sa.event.remove(engine, "before_cursor_execute", listener)
        assert response.status_code == 200, (url, response.status_code)
        response.close()
    timings.sort()
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)], len(statements)


def report(client, engine, pages, requests: int) -> list[float]:
    p95s = []
    for label, path in pages:
        p50, p95, queries = measure(client, engine, path, requests)
        p95s.append(p95)
        print(f"{label:<46} {p50:8.1f} {p95:8.1f} {queries:8d}")
    return p95s


def sign_in(client, consortium_id: int) -> None:
    email, password = "bench-member@example.jp", "bench-password"
    user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        user = create_user(email, "会員（計測）", password)
        db.session.add(Grant(user=user, consortium_id=consortium_id, role=GrantRole.MEMBER))
        db.session.commit()
    response = client.post("/accounts/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.status_code


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--regenerate", action="store_true")
    options = parser.parse_args()
    scale = 0.0005 if options.smoke else options.scale
    sizes = {k: max(10, int(v * scale)) for k, v in SIZES.items()}
    requests = 3 if options.smoke else REQUESTS
    if not options.smoke and not os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database: the figures are PostgreSQL's.")
    url = database(os.environ.get("DATABASE_URL", ""), options.smoke)
    app = create_app(DevelopmentConfig, {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        have = sa.inspect(db.engine).has_table("meeting") and db.session.execute(
            sa.select(sa.func.count()).select_from(Meeting)).scalar()
        db.session.rollback()  # drop_all needs the tables this transaction has read
        if options.regenerate or have != sizes["meetings"]:
            print(f"Generating the data ({', '.join(f'{v:,} {k}' for k, v in sizes.items())})…")
            started = time.perf_counter()
            generate(sizes)
            print(f"  generated in {time.perf_counter() - started:,.0f} s")
            seconds, count = build_index()
            print(f"search index: {count:,} entries built in {seconds:,.0f} s; {index_size()}")
        else:
            count = db.session.execute(sa.select(sa.func.count()).select_from(SearchEntry)).scalar()
            print(f"search index: {count:,} entries; {index_size()}")
        engine = db.engine
    middle = sizes["consortia"] // 2 + 1
    organisation = sizes["organisations"] // 2
    client = app.test_client()
    print(f"database: {url.split(':')[0]}, {requests} requests each")
    print(f"{'page':<46} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    searches = [
        ("search: 観光 (two characters, common)", "/search?q=観光"),
        ("search: サードプレイス (katakana word)", "/search?q=サードプレイス"),
        ("search: さとう (a reading, hiragana)", "/search?q=さとう"),
        ("search: 事業承継 支援 (two words)", "/search?q=事業承継+支援"),
        ("search: 地域資源を活用した (long phrase)", "/search?q=地域資源を活用した"),
        ("search: 観光, discussion points, page 5", "/search?q=観光&kind=point&page=5"),
        ("search: 観光, newest first, 2020年度", "/search?q=観光&sort=date&year=2020"),
        ("search: 佐藤 (a name)", "/search?q=佐藤"),
    ]
    directory = [
        ("organisations list", "/organisations/"),
        ("organisations list, by name", "/organisations/?q=観光"),
        ("organisations list, from 協 on", f"/organisations/?after={cursor_for(['協', 0])}"),
        ("people list", "/people/"),
        ("people list, from マ on", f"/people/?after={cursor_for(['マ', '', 0])}"),
        ("people list, by name", "/people/?q=佐藤"),
        ("organisation page", f"/organisations/{organisation}"),
    ]
    network = [  # no target in the issue: recorded to watch
        ("network page (today's seats)", "/network"),
        ("network centred on a consortium", f"/network?consortium={middle}"),
    ]
    with app.app_context():
        p95s = report(client, engine, searches, requests)
        directory_p95s = report(client, engine, directory, requests)
        report(client, engine, network, requests)
        sign_in(client, middle)
    print("signed in as a member of one consortium:")
    with app.app_context():
        p95s += report(client, engine, searches[:4], requests)
    print(f"worst p95: search {max(p95s):.1f} ms (target 100), directory {max(directory_p95s):.1f} ms (target 60)")


if __name__ == "__main__":
    main()
