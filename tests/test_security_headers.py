"""Security headers on every kind of response, and templates that need no inline script or style."""
from __future__ import annotations

import pathlib
import re

import pytest

from config import ProductionConfig, TestConfig
from consortium import create_app
from consortium.models import GrantRole

from conftest import PASSWORD

TEMPLATES = pathlib.Path(__file__).resolve().parent.parent / "templates"
EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def assert_protected(response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (name, response.status_code, response.mimetype)
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


@pytest.fixture()
def world(make_consortium, make_meeting, make_member, make_user):
    consortium = make_consortium()
    meeting = make_meeting(consortium, is_public=True)
    make_member(consortium, seat=1)
    return consortium, meeting, make_user({consortium: GrantRole.SECRETARIAT})


def test_every_kind_of_response_carries_the_headers(client, post, login, world):
    consortium, meeting, secretariat = world
    responses = {
        "page": client.get("/"),
        "not found": client.get("/no-such-page"),
        "static file": client.get("/static/style.css"),
        "public feed": client.get("/meetings/calendar.ics"),
        "meeting .ics": client.get(f"/meetings/{meeting.id}.ics"),
        "agenda PDF": client.get(f"/meetings/{meeting.id}/agenda.pdf"),
        "refused form": post("/accounts/login", {"email": "x@example.jp", "password": "nope"}),
    }
    login(secretariat)
    responses["roster CSV"] = client.get(f"/consortia/{consortium.id}/roster.csv")
    responses["redirect"] = client.get("/language/en")
    expected_types = {
        "public feed": "text/calendar", "meeting .ics": "text/calendar", "agenda PDF": "application/pdf",
        "roster CSV": "text/csv", "static file": "text/css", "page": "text/html",
    }
    for kind, response in responses.items():
        assert response.status_code < 500, kind
        if kind in expected_types:  # the downloads still download
            assert response.status_code == 200 and response.mimetype == expected_types[kind], kind
        assert_protected(response)
        response.close()


def test_a_server_error_page_carries_the_headers(app, client, monkeypatch):
    from consortium.site import views

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "listing_statement", broken)
    response = client.get("/")
    assert response.status_code == 500
    assert_protected(response)


def test_strict_transport_security_is_sent_in_production_only(client, tmp_path):
    assert "Strict-Transport-Security" not in client.get("/").headers
    production = create_app(ProductionConfig, {
        "SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.sqlite",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
    })
    response = production.test_client().get("/static/style.css", base_url="https://consortium.example.jp")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert_protected(response)
    response.close()


# An attribute that runs script (onclick=…) or styles (style=…), a <style> block, or a <script>
# without src: each would need 'unsafe-inline' in the policy. Mail and PDF templates are not web pages.
INLINE = re.compile(r"""\sstyle\s*=|<style[\s>]|\son[a-z]+\s*=|<script(?![^>]*\ssrc=)[^>]*>|javascript:""", re.I)


@pytest.mark.parametrize("template", sorted(
    str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html") if p.relative_to(TEMPLATES).parts[0] not in ("mail", "pdf")
))
def test_no_template_has_inline_script_or_style(template):
    found = INLINE.findall((TEMPLATES / template).read_text(encoding="utf-8"))
    assert not found, f"{template}: {found}"


def test_the_inline_check_catches_what_it_looks_for():
    for bad in ('<li style="x">', "<style>", '<a onclick="x()">', "<script>alert(1)</script>", '<a href="javascript:x">'):
        assert INLINE.search(bad), bad
    for good in ('<script src="/static/x.js" defer></script>', '<form action="/x" method="post">', '<a class="stylish">'):
        assert not INLINE.search(good), good
