"""The simulated users of bench/load/run.py (Locust). Each picks one of the web instances at random for
every request, as a load balancer would. run.py passes the instances and the demo rows in
LOAD_HOSTS and LOAD_IDS; the command line names the user classes to run.

- Visitor: anonymous; pages, the public feed and a consortium's, the agenda and minutes PDFs.
- Member: signed in as the demo member; meeting and minutes pages, the full 議事録 PDF.
- Secretariat (one): signed in as the demo secretariat; saves the meeting form every few seconds.
- MeetingPage / BarePage: no pause between requests, one URL: the throughput comparison.
"""
from __future__ import annotations

import json
import os
import random
import re

from locust import HttpUser, between, constant, task

HOSTS = os.environ.get("LOAD_HOSTS", "http://127.0.0.1:8000").split(",")
IDS = json.loads(os.environ.get("LOAD_IDS", "{}"))
PASSWORD = "consortium-demo"
TOKEN = re.compile(r'name="csrf[-_]token" (?:type="hidden" )?(?:content|value)="([^"]+)"')
VERSION = re.compile(r'name="version" type="hidden" value="([^"]+)"')


def at(path: str) -> str:
    return random.choice(HOSTS) + path


class Signed(HttpUser):
    abstract = True
    email = ""

    def on_start(self):
        page = self.client.get(at("/accounts/login"), name="sign-in form").text
        self.client.post(
            at("/accounts/login"), name="sign in",
            data={"email": self.email, "password": PASSWORD, "csrf_token": TOKEN.search(page).group(1)},
        )


class Visitor(HttpUser):
    wait_time = between(1, 3)
    weight = 70

    @task(4)
    def meeting(self):
        self.client.get(at(f"/meetings/{random.choice(IDS['meetings'])}"), name="meeting page")

    @task(3)
    def consortium(self):
        self.client.get(at(f"/consortia/{random.choice(IDS['consortia'])}"), name="consortium page")

    @task(2)
    def lists(self):
        self.client.get(at("/"), name="home")
        self.client.get(at("/consortia/"), name="consortia list")
        self.client.get(at("/meetings/"), name="meetings list")

    @task(2)
    def feeds(self):
        self.client.get(at("/meetings/calendar.ics"), name="public feed")
        self.client.get(at(f"/consortia/{random.choice(IDS['consortia'])}/calendar.ics"), name="consortium feed")

    @task(1)
    def pdfs(self):
        self.client.get(at(f"/meetings/{random.choice(IDS['meetings'])}/agenda.pdf"), name="agenda PDF")
        self.client.get(at(f"/meetings/{IDS['minutes']}/minutes.pdf"), name="minutes PDF (議事要旨)")


class Member(Signed):
    wait_time = between(1, 3)
    weight = 29
    email = "nagayama@example.jp"

    @task(3)
    def meeting(self):
        self.client.get(at(f"/meetings/{IDS['member_meeting']}"), name="meeting page (member)")

    @task(2)
    def minutes(self):
        self.client.get(at(f"/meetings/{IDS['minutes']}/minutes"), name="minutes page (member)")

    @task(1)
    def minutes_pdf(self):
        self.client.get(at(f"/meetings/{IDS['minutes']}/minutes.pdf"), name="minutes PDF (議事録)")


class Secretariat(Signed):
    wait_time = between(3, 6)
    fixed_count = 1
    email = "setagaya@example.jp"

    @task
    def save_meeting(self):
        path = f"/meetings/{IDS['edited']}/edit"
        page = self.client.get(at(path), name="meeting form").text
        with self.client.post(
            at(path), name="meeting saved", allow_redirects=False, catch_response=True,
            data={
                "csrf_token": TOKEN.search(page).group(1), "version": VERSION.search(page).group(1),
                "title": IDS["edited_title"], "kind": "regular", "status": "scheduled", "precision": "minute",
                "day": IDS["edited_day"], "start_time": random.choice(["14:00", "15:00"]), "end_time": "17:00",
                "venue": "世田谷区役所", "is_public": "y",
            },
        ) as response:
            if response.status_code != 302:
                response.failure(f"not saved: {response.status_code}")


class MeetingPage(HttpUser):
    wait_time = constant(0)

    @task
    def meeting(self):
        self.client.get(at(f"/meetings/{IDS['meetings'][0]}"), name="meeting page, no pause")


class BarePage(HttpUser):
    wait_time = constant(0)

    @task
    def bare(self):
        self.client.get(at("/"), name="bare Flask page, no pause")
