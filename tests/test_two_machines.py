"""Two machines: two web instances (gunicorn, each with an instance folder of its own), one worker,
one PostgreSQL, one Redis and one S3-protocol store (moto), all on loopback, as separate processes.

Whatever one instance does, the other sees at once: a material uploaded through A downloads from
B, a meeting edited on A is in B's feed with its new SEQUENCE, wrong passwords tried on A and B
count together, and an invitation to 30 members sends 30 mails once each, though the worker is
killed in the middle of the batch and another started.

PostgreSQL only: several processes on one SQLite file is not a deployment anyone runs.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest
import requests
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from icalendar import Calendar
from moto.server import ThreadedMotoServer
from redis import Redis
from sqlalchemy.engine import make_url

from conftest import csrf_token_of, free_port, version_of

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
QUEUE_DB, SIGN_IN_DB = "redis://127.0.0.1:6379/13", "redis://127.0.0.1:6379/14"
PASSWORD = "二台目の機械 2026"
MEMBERS = 30
HELD_AT = 10  # the mail during which the worker is killed

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgresql"), reason="needs PostgreSQL (DATABASE_URL)"
)

# Run in a process of its own against the new database: the world the machines serve.
WORLD = f"""
import json
from datetime import timedelta
from werkzeug.security import generate_password_hash
from consortium import create_app
from consortium.extensions import db
from consortium.models import *
from consortium.models.base import utcnow

app = create_app()
with app.app_context():
    council = Consortium(name="二拠点テスト協議会", kind=ConsortiumKind.COUNCIL, visibility=Visibility.PUBLIC)
    db.session.add(council)
    for n in range(1, {MEMBERS} + 1):
        person = Person(family_name="委員", given_name=str(n), email=f"member{{n}}@example.jp")
        db.session.add(Membership(consortium=council, person=person, position=n))
    meeting = Meeting(consortium=council, title="第1回 二拠点会議", starts_at=utcnow() + timedelta(days=30),
                      ends_at=utcnow() + timedelta(days=30, hours=2))
    secretariat = User(email="office@example.jp", display_name="事務局", password_hash=generate_password_hash({PASSWORD!r}),
                       grants=[Grant(consortium=council, role=GrantRole.SECRETARIAT)])
    db.session.add_all([meeting, secretariat])
    db.session.commit()
    print(json.dumps({{"consortium": council.id, "meeting": meeting.id}}))
"""


class HeldInbox:
    """Keeps every mail; holds the answer to the HELD_AT-th until released, so that the worker can
    be killed while that mail is in its hands."""

    def __init__(self):
        self.envelopes = []
        self.holding, self.release = threading.Event(), threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        if len(self.envelopes) == HELD_AT:
            self.holding.set()
            while not self.release.is_set():
                await __import__("asyncio").sleep(0.05)
        return "250 OK"


def wait_for(check, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as output:  # the process writes to its own copy
        return subprocess.Popen(args, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def machines(tmp_path_factory):
    """The database, the store, the mail server, two instances A and B and a worker, started once."""
    folder = tmp_path_factory.mktemp("machines")
    base = make_url(os.environ["DATABASE_URL"])
    url = base.set(database=f"{base.database}_machines")
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    for db_url in (QUEUE_DB, SIGN_IN_DB):
        Redis.from_url(db_url).flushdb()

    s3_port = free_port()
    s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=s3_port, verbose=False)
    s3.start()
    endpoint = f"http://127.0.0.1:{s3_port}"
    boto3.client("s3", endpoint_url=endpoint, region_name="ap-northeast-1", aws_access_key_id="test",
                 aws_secret_access_key="test").create_bucket(
        Bucket="machines", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"}
    )
    inbox = HeldInbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()

    env = {
        **os.environ,
        "DATABASE_URL": url.render_as_string(hide_password=False),
        "SECRET_KEY": "two machines share one key",
        "REDIS_URL": QUEUE_DB,
        "RATELIMIT_STORAGE_URI": SIGN_IN_DB,
        "STORAGE_URL": "s3://machines/site",
        "S3_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "ap-northeast-1",
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "SITE_URL": "http://machines.invalid",
        "CONSORTIUM_ENV": str(folder / "none.env"),
        "LOG_FORMAT": "json",
    }
    flask = [PYTHON, "-m", "flask", "--app", "consortium"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    ids = json.loads(subprocess.run([PYTHON, "-c", WORLD], cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout)

    processes, bases = [], {}
    try:
        for name in ("a", "b"):
            port = free_port()
            instance = folder / f"instance-{name}"
            gunicorn = [PYTHON, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "consortium:create_app()"]
            processes.append(start(gunicorn, {**env, "CONSORTIUM_INSTANCE": str(instance)}, folder / f"{name}.log"))
            bases[name] = f"http://127.0.0.1:{port}"
        worker_env = {**env, "CONSORTIUM_INSTANCE": str(folder / "instance-worker")}

        def start_worker() -> subprocess.Popen:
            return start([*flask, "jobs", "work"], worker_env, folder / f"worker-{time.monotonic_ns()}.log")

        world = {
            **ids, **bases, "inbox": inbox, "env": env, "url": url, "folder": folder, "start_worker": start_worker,
            "worker": start_worker(),
        }
        for name in ("a", "b"):
            wait_for(lambda name=name: _up(bases[name]), f"instance {name}")
        yield world
    finally:
        for process in [*processes, *([world["worker"]] if "world" in locals() else [])]:
            stop(process)
        inbox.release.set()
        smtp.stop()
        s3.stop()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()


def _up(base: str) -> bool:
    try:
        return requests.get(f"{base}/", timeout=2).status_code == 200
    except requests.RequestException:  # not listening yet, or still starting
        return False


def signed_in(base: str) -> requests.Session:
    session = requests.Session()
    token = csrf_token_of(session.get(f"{base}/accounts/login").text)
    response = session.post(f"{base}/accounts/login", data={"email": "office@example.jp", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 200 and "ログアウト" in response.text
    return session


def post(session: requests.Session, base: str, path: str, data: dict, **kwargs) -> requests.Response:
    """Post a form as its page shows it: with the CSRF token and the version the page was read at."""
    page = session.get(f"{base}{path}").text
    data = {"csrf_token": csrf_token_of(page), **({"version": v} if (v := version_of(page)) else {}), **data}
    return session.post(f"{base}{path}", data=data, allow_redirects=False, **kwargs)


def test_a_material_uploaded_through_a_downloads_from_b(machines):
    content = b"%PDF-1.4\n% two machines\n" + os.urandom(2048) + b"\n%%EOF\n"
    a = signed_in(machines["a"])
    response = post(
        a, machines["a"], f"/meetings/{machines['meeting']}/documents/new",
        {"label": "資料1", "title": "二拠点の資料", "doc_type": "material", "access": "inherit"},
        files={"file": ("shiryou1.pdf", content, "application/pdf")},
    )
    assert response.status_code == 302, response.text
    page = requests.get(f"{machines['b']}/meetings/{machines['meeting']}").text
    [link] = set(re.findall(r'href="(/documents/\d+)"', page))
    download = requests.get(f"{machines['b']}{link}")
    assert download.status_code == 200 and download.content == content
    assert not any((machines["folder"] / "instance-a").rglob("*.pdf"))  # nothing kept on A's own disk


def test_a_meeting_edited_on_a_is_in_the_feed_of_b_with_its_new_sequence(machines):
    feed_url = f"{machines['b']}/consortia/{machines['consortium']}/calendar.ics"

    def event() -> tuple[str, int]:
        [found] = Calendar.from_ical(requests.get(feed_url).content).walk("VEVENT")
        return str(found.get("LOCATION", "")), int(found["SEQUENCE"])

    _location, sequence = event()
    a = signed_in(machines["a"])
    path = f"/meetings/{machines['meeting']}/edit"
    form = a.get(f"{machines['a']}{path}").text
    day = re.search(r'name="day"[^>]*value="([\d-]+)"', form).group(1)
    response = post(a, machines["a"], path, {
        "title": "第1回 二拠点会議", "kind": "regular", "status": "scheduled", "precision": "minute",
        "day": day, "start_time": "15:00", "end_time": "17:00", "venue": "長野県庁", "is_public": "y",
    })
    assert response.status_code == 302, response.text
    location, new_sequence = event()
    assert location == "長野県庁" and new_sequence == sequence + 1


def test_wrong_passwords_on_a_and_b_are_counted_together(machines):
    def attempt(base: str, password: str) -> int:
        session = requests.Session()
        token = csrf_token_of(session.get(f"{base}/accounts/login").text)
        return session.post(
            f"{base}/accounts/login", data={"email": "office@example.jp", "password": password, "csrf_token": token},
            allow_redirects=False,
        ).status_code

    tried = [attempt(machines["ab"[n % 2]], "違うパスワード") for n in range(6)]
    assert tried == [422] * 5 + [429]  # five failures anywhere, and the sixth try waits
    assert attempt(machines["a"], PASSWORD) == 429
    Redis.from_url(SIGN_IN_DB).flushdb()  # as if the wait were over, for the tests after this one


def test_an_invitation_to_30_members_sends_30_mails_once_though_the_worker_is_killed(machines):
    inbox = machines["inbox"]
    inbox.envelopes.clear()
    a = signed_in(machines["a"])
    path = f"/meetings/{machines['meeting']}/invitations"
    members = re.findall(r'<input[^>]*name="members"[^>]*value="(\d+)"', a.get(f"{machines['a']}{path}").text)
    assert len(set(members)) == MEMBERS
    started = time.monotonic()
    response = post(a, machines["a"], path, {"members": sorted(set(members)), "message": ""})
    assert response.status_code == 302 and time.monotonic() - started < 10  # queued, not sent, by the request

    wait_for(inbox.holding.is_set, f"mail {HELD_AT}")
    stop(machines["worker"], signal.SIGKILL)  # dies holding a mail the server has taken
    inbox.release.set()
    machines["worker"] = machines["start_worker"]()
    engine = sa.create_engine(machines["url"])
    states = "SELECT state, count(*) FROM sent_notice GROUP BY state"

    def settled():
        with engine.connect() as connection:
            found = dict(connection.execute(sa.text(states)).all())
        # Every mail but the one the killed worker held is marked sent once its worker hears so.
        return found if found.get("sent", 0) >= MEMBERS - 1 else None

    found = wait_for(settled, "the mails to be sent", timeout=120)
    engine.dispose()
    recipients = [envelope.rcpt_tos[0] for envelope in inbox.envelopes]
    assert sorted(recipients) == sorted(f"member{n}@example.jp" for n in range(1, MEMBERS + 1))  # each once
    # The mail in the killed worker's hands reached the server, but the worker never heard so: it
    # stays "sending" for the secretariat to look at, never sent again by itself.
    assert found == {"sent": MEMBERS - 1, "sending": 1}
