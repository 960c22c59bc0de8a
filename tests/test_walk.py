"""The role walk: every GET route filled with demo rows, and the pages they link to, for every kind of
visitor (the demo accounts, a member and a secretariat of another consortium, anonymous) in Japanese
and English. No answer is a server error, no link leads its visitor to a refusal, every page is
valid HTML for the Nu Html Checker, and axe-core finds nothing serious at phone and desktop width,
where no page scrolls sideways on a phone.

The walk runs once for the module (tests/walking.py); each test reads what it found.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass

import pytest
from browsing import needs_chromium, serving
from conftest import Client, empty_database, sign_in
from walking import (
    DEMO_ACCOUNTS,
    LANGUAGES,
    ROLES,
    VNU_JAR,
    WIDER_THAN_PHONE,
    Crawler,
    Seeds,
    Visit,
    add_outsiders,
    browser_report,
    browser_targets,
    check_in_browser,
    distinct_pages,
    nu_messages,
    nu_report,
    refused_links_report,
    seed_urls,
    server_error_report,
)

from consortium.demo.loader import DEMO_PASSWORD, load_demo
from consortium.extensions import db
from consortium.models import User


@dataclass
class Walk:
    seeds: Seeds
    visits: list[Visit]
    accounts: dict[str, str]  # the email of each signed-in role


@pytest.fixture(scope="module")
def walk(app, tmp_path_factory):
    """Load the demo data and two outsiders, and walk the site as every visitor in both languages."""
    folder = tmp_path_factory.mktemp("walk")
    with app.app_context(), pytest.MonkeyPatch.context() as patch:
        for setting in ("UPLOAD_FOLDER", "PDF_CACHE_FOLDER", "ICAL_CACHE_FOLDER"):
            patch.setitem(app.config, setting, str(folder / setting.lower()))
        load_demo()
        outsiders = add_outsiders(DEMO_PASSWORD)
        accounts = {**DEMO_ACCOUNTS, **{role: user.email for role, user in outsiders.items()}}
        seeds = seed_urls(app)
        app.test_client_class = Client
        visits = []
        for role in ROLES:
            client = app.test_client()
            if role != "anonymous":
                sign_in(client, db.session.execute(db.select(User).filter_by(email=accounts[role])).scalar_one(), DEMO_PASSWORD)
            for lang in LANGUAGES:
                visits += Crawler(app, client, role, lang).crawl(seeds.urls)
        yield Walk(seeds, visits, accounts)
        empty_database()


def test_the_walk_knows_every_route_argument(walk):
    assert walk.seeds.unknown_arguments == {}, "give the walk a pick (walking.PICKS) for these arguments"


def test_the_demo_holds_a_row_for_every_route_argument(walk):
    routes = [f"{argument} (routes {', '.join(endpoints)})" for argument, endpoints in walk.seeds.unfilled_routes.items()]
    assert walk.seeds.missing_picks == [] and routes == [], "the demo has no row for these: add them to consortium/demo/activity.yaml"


def test_no_page_answers_a_server_error(walk):
    crashes = [visit for visit in walk.visits if visit.status >= 500]
    if crashes:
        pytest.fail(server_error_report(crashes), pytrace=False)


def test_no_page_links_its_visitor_to_a_page_that_refuses_them(walk):
    refused = [visit for visit in walk.visits if visit.linked_from and visit.status in (403, 404)]
    if refused:
        pytest.fail(refused_links_report(refused), pytrace=False)


@pytest.mark.skipif(not (VNU_JAR.exists() and shutil.which("java")), reason="the Nu Html Checker needs Java and node_modules/vnu-jar: scripts/test installs them")
def test_every_page_is_valid_html(walk, tmp_path):
    pages = distinct_pages(walk.visits)
    assert pages, "the walk found no HTML page"
    messages = nu_messages(pages, tmp_path)
    if messages:
        pytest.fail(nu_report(messages, pages), pytrace=False)


@pytest.fixture(scope="module")
def seen_in_browser(app, walk, browser):
    """Check one page per route in Chromium (axe-core at 390 and 1280 px, width at 390 px)."""
    with serving(app) as base:
        return check_in_browser(browser, base, browser_targets(walk.visits), walk.accounts, DEMO_PASSWORD)


@needs_chromium
def test_axe_finds_nothing_serious_on_any_route(seen_in_browser):
    found = [seen for seen in seen_in_browser if seen.problem != WIDER_THAN_PHONE]
    if found:
        pytest.fail(browser_report(found), pytrace=False)


@needs_chromium
def test_no_page_scrolls_sideways_on_a_phone(seen_in_browser):
    found = [seen for seen in seen_in_browser if seen.problem == WIDER_THAN_PHONE]
    if found:
        pytest.fail(browser_report(found), pytrace=False)
