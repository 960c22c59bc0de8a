"""Load: two web instances of 4 gunicorn workers each, one queue worker, PostgreSQL and Redis, all
on loopback, under 100 simulated users (bench/load/locustfile.py) for 5 minutes; then the meeting page
and a bare Flask page, each under the same servers with no pause, for the throughput comparison.

    scripts/setup requirements-bench.txt
    DATABASE_URL=postgresql+psycopg://root@127.0.0.1:5432/test .venv/bin/python bench/load/run.py [--minutes 5]

Not smoke-run by tests/test_bench.py: it needs PostgreSQL, Redis and Locust (requirements-bench.txt).
It makes a database of its own (<name>_load) with the demo data, and Redis database 15; Locust
runs on the same machine as the servers, so every figure includes its share of the CPU.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import sqlalchemy as sa
from redis import Redis
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
REDIS = "redis://127.0.0.1:6379/15"
WORKERS = 4
USERS = 100
THROUGHPUT_USERS = 50
THROUGHPUT_SECONDS = 60

# Run against the load database: the demo rows the simulated users visit.
PICK = """
import json
import sqlalchemy as sa
from consortium import create_app
from consortium.extensions import db
from consortium.japanese import to_tokyo
from consortium.models import *
from consortium.models.base import utcnow

app = create_app()
with app.app_context():
    q = lambda stmt: db.session.execute(stmt).scalars().all()
    public = sa.and_(Meeting.is_public, Consortium.visibility == Visibility.PUBLIC, Meeting.dated)
    meetings = q(sa.select(Meeting.id).join(Meeting.consortium).where(public).order_by(Meeting.id).limit(20))
    consortia = q(sa.select(Consortium.id).where(Consortium.visibility == Visibility.PUBLIC).order_by(Consortium.id).limit(20))
    office = db.session.execute(sa.select(User).filter_by(email="setagaya@example.jp")).scalar_one()
    council = office.grants[0].consortium_id
    minutes = q(sa.select(Minutes.meeting_id).join(Minutes.meeting).where(
        Meeting.consortium_id == council, Minutes.status == MinutesStatus.PUBLISHED, Meeting.is_public))[0]
    edited = db.session.execute(sa.select(Meeting).where(
        Meeting.consortium_id == council, Meeting.starts_at > utcnow(), Meeting.precision == DatePrecision.MINUTE,
    ).order_by(Meeting.starts_at)).scalars().first()
    print(json.dumps({
        "meetings": meetings, "consortia": consortia, "minutes": minutes, "member_meeting": minutes,
        "edited": edited.id, "edited_title": edited.title, "edited_day": to_tokyo(edited.starts_at).date().isoformat(),
    }))
"""
BARE = "from flask import Flask\napp = Flask(__name__)\napp.get('/')(lambda: 'ok')\n"


def database(base_url: str) -> str:
    base = make_url(base_url)
    url = base.set(database=f"{base.database}_load")
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    return url.render_as_string(hide_password=False)


def start(args: list[str], env: dict, log: Path, cwd: Path = ROOT) -> subprocess.Popen:
    with log.open("w") as output:
        return subprocess.Popen(args, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)


def wait_up(base: str) -> None:
    for _ in range(120):
        try:
            if requests.get(base + "/", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{base} did not start")


def servers(app: str, env: dict, folder: Path, name: str, cwd: Path = ROOT) -> tuple[list[subprocess.Popen], list[str]]:
    processes, hosts = [], []
    for instance in ("a", "b"):
        port = free_port()
        processes.append(start(
            [PYTHON, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", app],
            env, folder / f"{name}-{instance}.log", cwd,
        ))
        hosts.append(f"http://127.0.0.1:{port}")
    for host in hosts:
        wait_up(host)
    return processes, hosts


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def locust(users: list[str], count: int, seconds: int, hosts: list[str], ids: dict, out: Path) -> list[dict]:
    """Run Locust headless; return its rows of statistics (one per request name, then Aggregated)."""
    env = {**os.environ, "LOAD_HOSTS": ",".join(hosts), "LOAD_IDS": json.dumps(ids)}
    subprocess.run(
        [PYTHON, "-m", "locust", "-f", str(ROOT / "bench" / "load" / "locustfile.py"), "--headless", "--only-summary",
         "-u", str(count), "-r", str(max(1, count // 5)), "-t", f"{seconds}s", "--host", hosts[0],
         "--csv", str(out), *users],
        env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    with open(f"{out}_stats.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def table(rows: list[dict]) -> str:
    lines = ["| requests of | count | errors | req/s | p50 | p95 |", "|---|---:|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(
            f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | {float(row['Requests/s']):.1f} "
            f"| {row['50%']} ms | {row['95%']} ms |"
        )
    return "\n".join(lines)


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5, help="of the 100 users")
    parser.add_argument("--seconds", type=int, default=THROUGHPUT_SECONDS, help="of each throughput run")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database: the load runs on PostgreSQL.")
    folder = Path(tempfile.mkdtemp(prefix="consortium-load-"))
    Redis.from_url(REDIS).flushdb()
    env = {
        **os.environ, "DATABASE_URL": database(os.environ["DATABASE_URL"]), "SECRET_KEY": "load",
        "REDIS_URL": REDIS, "RATELIMIT_STORAGE_URI": REDIS, "CONSORTIUM_INSTANCE": str(folder / "instance"),
        "CONSORTIUM_ENV": os.devnull, "MAIL_BACKEND": "outbox", "SITE_URL": "http://load.invalid", "LOG_LEVEL": "WARNING",
    }
    flask = [PYTHON, "-m", "flask", "--app", "consortium"]
    print("Loading the demo data…", flush=True)
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "demo", "load"], cwd=ROOT, env=env, check=True, capture_output=True)
    ids = json.loads(subprocess.run([PYTHON, "-c", PICK], cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout)

    processes, hosts = servers("consortium:create_app()", env, folder, "web")
    processes.append(start([*flask, "jobs", "work"], env, folder / "worker.log"))
    try:
        seconds = int(args.minutes * 60)
        print(f"{USERS} users for {seconds} s on 2 instances × {WORKERS} workers…", flush=True)
        mixed = locust(["Visitor", "Member", "Secretariat"], USERS, seconds, hosts, ids, folder / "mixed")
        print(f"The meeting page, {THROUGHPUT_USERS} users without pause for {args.seconds} s…", flush=True)
        meeting = locust(["MeetingPage"], THROUGHPUT_USERS, args.seconds, hosts, ids, folder / "meeting")
    finally:
        stop(processes)
    (folder / "bare").mkdir()
    (folder / "bare" / "bare.py").write_text(BARE)
    bare_processes, bare_hosts = servers("bare:app", env, folder, "bare", cwd=folder / "bare")
    try:
        print(f"A bare Flask page, {THROUGHPUT_USERS} users without pause for {args.seconds} s…", flush=True)
        bare = locust(["BarePage"], THROUGHPUT_USERS, args.seconds, bare_hosts, ids, folder / "bare")
    finally:
        stop(bare_processes)

    print("\n" + table(mixed))
    print("\n" + table(meeting[:1] + bare[:1]))
    ratio = float(meeting[0]["Requests/s"]) / float(bare[0]["Requests/s"])
    print(f"\nThe meeting page serves {ratio:.0%} of a bare Flask page's requests per second (target ≥ 30 %).")
    print(f"Logs: {folder}")


if __name__ == "__main__":
    main()
