"""The role walk's pieces (tests/test_walk.py): the demo rows each route argument is filled with,
the visitors, a bounded crawl with a test client, and reports grouped so a failure says where to look.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import re
import subprocess
import traceback
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import partial
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import sqlalchemy as sa
from browsing import PHONE, serious_axe_findings
from flask import Flask, url_for
from werkzeug.exceptions import HTTPException

from consortium.accounts.services import password_token, set_password
from consortium.extensions import db
from consortium.invitations.mailing import LINK_KIND as INVITATION_LINK
from consortium.models import (
    AgendaItem,
    AgendaPresenter,
    Attendance,
    Consortium,
    Document,
    Grant,
    GrantRole,
    Meeting,
    MeetingStatus,
    Membership,
    Milestone,
    Minutes,
    MinutesStatus,
    Person,
    Poll,
    PollStatus,
    RosterGroup,
    Target,
    TargetReport,
    User,
    Visibility,
)
from consortium.models.base import utcnow
from consortium.personal_links import make_token
from consortium.polls.mailing import LINK_KIND as POLL_LINK

LANGUAGES = ("ja", "en")
# Most privileged first: the browser checks each route as the first of these that reaches it.
ROLES = ("admin", "setagaya", "kanto", "nagayama", "outside_secretariat", "outside_member", "anonymous")
DEMO_ACCOUNTS = {
    "admin": "admin@example.jp",
    "setagaya": "setagaya@example.jp",
    "kanto": "kanto@example.jp",
    "nagayama": "nagayama@example.jp",
}
# A crawled link is followed only while fewer pages of its kind (route and query keys) have been seen
# by the visitor, so month after month of calendar navigation or every person of the directory are not.
PAGES_PER_KIND = 3
PAGES_PER_VISITOR = 600


# -- the demo rows --------------------------------------------------------------------------------


def _first(statement):
    return db.session.execute(statement.limit(1)).scalar()


def _most(column, counted):
    """The value of `column` with the most rows of `counted`."""
    return _first(sa.select(column).join(counted).group_by(column).order_by(sa.func.count().desc(), column))


def _meeting_with_minutes(status: MinutesStatus):
    return lambda: _first(sa.select(Minutes.meeting_id).where(Minutes.status == status).order_by(Minutes.meeting_id))


def _poll_in(status: PollStatus):
    return lambda: _first(sa.select(Poll.id).where(Poll.status == status).order_by(Poll.id))


def _poll_link():
    """A member's personal link to an open poll (one who has answered, when there is one)."""
    poll = _first(sa.select(Poll).where(Poll.status == PollStatus.OPEN).order_by(Poll.id))
    if poll is None:
        return None
    answered = [response.membership_id for response in poll.responses]
    membership_id = answered[0] if answered else _first(
        sa.select(Membership.id).where(Membership.consortium_id == poll.meeting.consortium_id).order_by(Membership.id)
    )
    return membership_id and make_token(POLL_LINK, poll.id, membership_id)


def _invitation_link():
    """An invitee's reply link (one who has replied, when there is one)."""
    attendance = _first(
        sa.select(Attendance)
        .where(Attendance.invited_at.is_not(None))
        .order_by(Attendance.reply.is_(None), Attendance.meeting_id, Attendance.id)
    )
    return attendance and make_token(INVITATION_LINK, attendance.meeting_id, attendance.membership_id)


def _set_password_link():
    user = _first(sa.select(User).where(User.is_admin.is_(False)).order_by(User.id))
    return user and password_token(user)


# Each route argument is filled with the demo rows below, each picked by a query for a reason, so the
# walk visits what the demo holds whatever its ids are. A pick the demo has no row for is reported.
PICKS: list[tuple[str, str, Callable[[], object]]] = [
    ("consortium_id", "the consortium with the most members", lambda: _most(Consortium.id, Consortium.memberships)),
    ("consortium_id", "a members-only consortium", lambda: _first(
        sa.select(Consortium.id).where(Consortium.visibility == Visibility.MEMBERS).order_by(Consortium.id))),
    ("meeting_id", "an upcoming meeting", lambda: _first(
        sa.select(Meeting.id).where(Meeting.starts_at > utcnow(), Meeting.status != MeetingStatus.CANCELLED)
        .order_by(Meeting.starts_at))),
    ("meeting_id", "a cancelled meeting", lambda: _first(
        sa.select(Meeting.id).where(Meeting.status == MeetingStatus.CANCELLED).order_by(Meeting.id))),
    ("meeting_id", "a meeting with invitations sent", lambda: _first(
        sa.select(Attendance.meeting_id).where(Attendance.invited_at.is_not(None)).order_by(Attendance.meeting_id))),
    ("meeting_id", "a meeting with attendance recorded", lambda: _first(
        sa.select(Attendance.meeting_id).where(Attendance.presence.is_not(None)).order_by(Attendance.meeting_id))),
    ("meeting_id", "a meeting with a date poll", lambda: _first(sa.select(Poll.meeting_id).order_by(Poll.meeting_id))),
    ("meeting_id", "a meeting with materials", lambda: _first(
        sa.select(Document.meeting_id).order_by(Document.meeting_id))),
    *[("meeting_id", f"a meeting with {status.value} minutes", _meeting_with_minutes(status)) for status in MinutesStatus],
    ("item_id", "the agenda item with the most presenters", lambda: _most(AgendaItem.id, AgendaItem.presenters)
        or _first(sa.select(AgendaItem.id).order_by(AgendaItem.id))),
    ("document_id", "a material", lambda: _first(sa.select(Document.id).order_by(Document.id))),
    ("membership_id", "a person's seat", lambda: _first(
        sa.select(Membership.id).where(Membership.person_id.is_not(None)).order_by(Membership.id))),
    ("membership_id", "an organisation's seat", lambda: _first(
        sa.select(Membership.id).where(Membership.organization_id.is_not(None)).order_by(Membership.id))),
    ("group_id", "the roster group with the most members", lambda: _most(RosterGroup.id, RosterGroup.memberships)),
    ("milestone_id", "a milestone", lambda: _first(sa.select(Milestone.id).order_by(Milestone.id))),
    ("target_id", "the target with the most reports", lambda: _most(Target.id, Target.reports)
        or _first(sa.select(Target.id).order_by(Target.id))),
    ("report_id", "a target report", lambda: _first(sa.select(TargetReport.id).order_by(TargetReport.id))),
    ("organization_id", "the organisation with the most seats", lambda: _first(
        sa.select(Membership.organization_id).where(Membership.organization_id.is_not(None))
        .group_by(Membership.organization_id).order_by(sa.func.count().desc(), Membership.organization_id))),
    ("organization_id", "an organisation that presents an agenda item", lambda: _first(
        sa.select(AgendaPresenter.organization_id).where(AgendaPresenter.organization_id.is_not(None))
        .order_by(AgendaPresenter.id))),
    ("person_id", "a person with a demo account", lambda: _first(
        sa.select(User.person_id).where(User.person_id.is_not(None)).order_by(User.id))),
    ("person_id", "a person with private contact details", lambda: _first(
        sa.select(Person.id).where(Person.email.is_not(None)).order_by(Person.id))),
    ("user_id", "a secretariat's account", lambda: _first(
        sa.select(Grant.user_id).where(Grant.role == GrantRole.SECRETARIAT).order_by(Grant.user_id))),
    ("poll_id", "an open date poll", _poll_in(PollStatus.OPEN)),
    ("poll_id", "a closed date poll", _poll_in(PollStatus.CLOSED)),
    ("poll_token", "a member's personal link to an open poll", _poll_link),
    ("invitation_token", "an invitee's reply link", _invitation_link),
    ("calendar_token", "a member's personal calendar feed", lambda: _first(
        sa.select(User.calendar_token).where(User.calendar_token.is_not(None)).order_by(User.id))),
    ("token", "a demo account's set-password link", _set_password_link),
    ("code", "the English interface", lambda: "en"),
    ("name", "the open data's JSON file", lambda: "opendata.json"),
    # The demo runs without a queue, so no import is ever queued: the page says there is none.
    ("import_id", "a queued roster import (none without a queue)", lambda: "0" * 32),
]


@dataclass
class Seeds:
    """What the walk starts from: URLs of every GET route filled with demo rows, and what it could not fill."""

    urls: list[str] = field(default_factory=list)
    missing_picks: list[str] = field(default_factory=list)  # "meeting_id: a cancelled meeting"
    unfilled_routes: dict[str, list[str]] = field(default_factory=dict)  # argument: endpoints not walked
    unknown_arguments: dict[str, list[str]] = field(default_factory=dict)  # argument the walk has no pick for


def _get_routes(app: Flask) -> list:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and rule.endpoint != "static"),
        key=lambda rule: rule.rule,
    )


def seed_urls(app: Flask) -> Seeds:
    """Fill every GET route of the URL map with each demo row picked for its argument."""
    seeds = Seeds()
    values: dict[str, list] = defaultdict(list)
    for argument, reason, pick in PICKS:
        value = pick()
        if value is None:
            seeds.missing_picks.append(f"{argument}: {reason}")
        elif value not in values[argument]:
            values[argument].append(value)
    with app.test_request_context():
        known = {name for name, _, _ in PICKS}
        for rule in _get_routes(app):
            arguments = sorted(rule.arguments)
            unknown = [a for a in arguments if a not in known]
            unfilled = [a for a in arguments if a in known and not values[a]]
            for argument in unknown:
                seeds.unknown_arguments.setdefault(argument, []).append(rule.endpoint)
            for argument in unfilled:
                seeds.unfilled_routes.setdefault(argument, []).append(rule.endpoint)
            if not unknown and not unfilled:
                # Every pick of each argument: a route of two (a consortium's import) takes each pair.
                for picked in itertools.product(*(values[a] for a in arguments)):
                    seeds.urls.append(url_for(rule.endpoint, **dict(zip(arguments, picked))))
    return seeds


def add_outsiders(password: str) -> dict[str, User]:
    """A member and a secretariat of a demo consortium no demo account works in, by role."""
    worked_in = sa.select(Grant.consortium_id)
    other = db.session.get(
        Consortium, _first(sa.select(Consortium.id).where(Consortium.id.not_in(worked_in)).order_by(Consortium.id))
    )
    users = {}
    for role, grant in (("outside_member", GrantRole.MEMBER), ("outside_secretariat", GrantRole.SECRETARIAT)):
        users[role] = User(email=f"{role.replace('_', '-')}@example.jp", display_name=role,
                           grants=[Grant(consortium=other, role=grant)])
        set_password(users[role], password)
    db.session.add_all(users.values())
    db.session.commit()
    return users


# -- the crawl ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    role: str
    lang: str
    url: str
    endpoint: str  # "(no route)" for a link that names none
    status: int
    mimetype: str = ""
    html: str | None = None  # the page, for HTML answers
    location: str | None = None  # where a redirect on this site leads
    error: str | None = None  # the exception and where it was raised, for a crash
    linked_from: str | None = None


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a" and (href := dict(attrs).get("href")):
            self.hrefs.append(href)


def on_site(base: str, href: str) -> str | None:
    """The path and query a link or redirect from `base` leads to on this site (no fragment), else None."""
    target = urlsplit(urljoin(f"http://localhost{base}", href))
    if target.scheme != "http" or target.netloc != "localhost" or target.path.startswith("/static/"):
        return None
    return target.path + (f"?{target.query}" if target.query else "")


def links_of(url: str, html: str) -> list[str]:
    """The links of a page to other pages of this site (not to a place on the page itself)."""
    parser = _Links()
    parser.feed(html)
    return [link for href in parser.hrefs if (link := on_site(url, href)) and link != url]


def _where_raised(error: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "/consortium/" in f.filename]
    place = f" at {frames[-1].filename.split('/consortium/', 1)[-1]}:{frames[-1].lineno}" if frames else ""
    first_line = str(error).strip().split("\n", 1)[0][:300]  # a database error goes on with its SQL
    return f"{type(error).__name__}: {first_line}{place}"


class Crawler:
    """Visit URLs with one visitor's test client, following the links of each page, bounded."""

    def __init__(self, app: Flask, client, role: str, lang: str):
        self.client, self.role, self.lang = client, role, lang
        self.adapter = app.url_map.bind("localhost")

    def endpoint_of(self, url: str) -> str:
        split = urlsplit(url)
        try:
            endpoint, _ = self.adapter.match(split.path, method="GET", query_args=split.query)
        except HTTPException:
            return "(no route)"
        return endpoint

    def kind_of(self, url: str) -> tuple[str, tuple[str, ...]]:
        """The route and the query's keys: `?month=2026-05` and `?month=2026-06` are one kind of page."""
        keys = {pair.partition("=")[0] for pair in urlsplit(url).query.split("&") if pair}
        return self.endpoint_of(url), tuple(sorted(keys))

    def get(self, url: str) -> Visit:
        # A language link sets the cookie: set it back before each visit, so every page is in self.lang.
        self.client.set_cookie("lang", self.lang)
        seen = {"role": self.role, "lang": self.lang, "url": url, "endpoint": self.endpoint_of(url)}
        try:
            response = self.client.get(url)
        except Exception as error:  # the app raised: a user would get a 500
            return Visit(**seen, status=500, error=_where_raised(error))
        html = response.get_data(as_text=True) if response.mimetype == "text/html" else None
        response.close()  # a download streams its file until closed
        location = on_site(url, response.location) if response.location else None
        return Visit(**seen, status=response.status_code, mimetype=response.mimetype, html=html, location=location)

    def crawl(self, seeds: Iterable[str]) -> list[Visit]:
        """Visit every seed, then the links found, breadth first, while their kind is rare enough;
        each visit says which page first linked to it, if any did."""
        queue = deque(dict.fromkeys(seeds))
        queued = set(queue)
        kinds = Counter(self.kind_of(url) for url in queue)
        linked_from: dict[str, str] = {}
        visits = []
        while queue and len(visits) < PAGES_PER_VISITOR:
            url = queue.popleft()
            visit = self.get(url)
            visits.append(visit)
            found = links_of(url, visit.html) if visit.html else []
            for link in found + ([visit.location] if visit.location else []):
                linked_from.setdefault(link, url)
                if link not in queued and kinds[kind := self.kind_of(link)] < PAGES_PER_KIND:
                    queued.add(link)
                    kinds[kind] += 1
                    queue.append(link)
        return [replace(visit, linked_from=linked_from.get(visit.url)) for visit in visits]


# -- reports ------------------------------------------------------------------------------------


def _who(visits: Iterable[Visit]) -> str:
    """The visitors and languages, e.g. "admin, setagaya (ja, en)"."""
    visits = list(visits)
    roles = [role for role in ROLES if any(v.role == role for v in visits)]
    langs = [lang for lang in LANGUAGES if any(v.lang == lang for v in visits)]
    return f"{', '.join(roles)} ({', '.join(langs)})"


def _where(visits: list[Visit], most: int = 3) -> str:
    urls = list(dict.fromkeys(v.url for v in visits))
    shown = ", ".join(urls[:most]) + (f" and {len(urls) - most} more" if len(urls) > most else "")
    crawled = next((v for v in visits if v.linked_from), None)
    return shown + (f" (linked from {crawled.linked_from})" if crawled else "")


def server_error_report(crashes: list[Visit]) -> str:
    """The answers ≥ 500, by route, then by error, with who met it and where."""
    by_route: dict[str, dict[str, list[Visit]]] = defaultdict(lambda: defaultdict(list))
    for visit in crashes:
        by_route[visit.endpoint][visit.error or f"HTTP {visit.status}"].append(visit)
    lines = [f"{len(crashes)} answers ≥ 500 on {len(by_route)} routes:"]
    for endpoint, errors in sorted(by_route.items()):
        lines.append(endpoint)
        for error, visits in errors.items():
            lines += [f"  {error}", f"    as {_who(visits)}: {_where(visits)}"]
    return "\n".join(lines)


def refused_links_report(refused: list[Visit]) -> str:
    """Links a page showed its visitor to a page that refused them, by the route linked to."""
    by_route: dict[str, list[Visit]] = defaultdict(list)
    for visit in refused:
        by_route[visit.endpoint].append(visit)
    lines = [f"{len(refused)} links lead their visitor to a refusal:"]
    for endpoint, visits in sorted(by_route.items()):
        statuses = "/".join(sorted({str(v.status) for v in visits}))
        lines.append(f"  {endpoint} ({statuses}) as {_who(visits)}: {_where(visits)}")
    return "\n".join(lines)


# -- the Nu Html Checker ---------------------------------------------------------------------------

VNU_JAR = Path(__file__).resolve().parent.parent / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# The CSRF token changes with every page: without it, pages that differ only by it are checked once.
_CSRF_TOKEN = re.compile(r'(name="csrf[-_]token"[^>]*?(?:content|value)=")[^"]*')
_BAD_VALUE = re.compile(r"^Bad value “[^”]*”")


def distinct_pages(visits: Iterable[Visit]) -> dict[str, tuple[str, list[Visit]]]:
    """The HTML pages by the hash of their text, each with the visits that got it."""
    pages: dict[str, tuple[str, list[Visit]]] = {}
    for visit in visits:
        if visit.html is not None:
            html = _CSRF_TOKEN.sub(r"\1token", visit.html)
            digest = hashlib.sha256(html.encode()).hexdigest()[:20]
            pages.setdefault(digest, (html, []))[1].append(visit)
    return pages


def nu_messages(pages: dict[str, tuple[str, list[Visit]]], folder: Path) -> list[dict]:
    """Run the Nu Html Checker once over every page; its error messages, each with the page's hash."""
    for digest, (html, _) in pages.items():
        (folder / f"{digest}.html").write_text(html, encoding="utf-8")
    run = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", str(folder)],
        capture_output=True, text=True, check=False,
    )
    output = run.stderr.strip() or run.stdout.strip()  # the checker writes its report to stderr
    try:
        messages = json.loads(output)["messages"]
    except (ValueError, KeyError):
        raise AssertionError(f"the Nu Html Checker did not report (exit {run.returncode}): {output[:2000]}") from None
    for message in messages:
        message["page"] = Path(urlsplit(message.get("url", "")).path).stem
    return messages


def nu_report(messages: list[dict], pages: dict[str, tuple[str, list[Visit]]]) -> str:
    """Nu's errors by message: how many pages, on which routes, and one place to see it."""
    by_message: dict[str, list[dict]] = defaultdict(list)
    for message in messages:
        # "Bad value “2026-12-04T15:07:18.413028+00:00” for…": one kind, whatever the value.
        by_message[_BAD_VALUE.sub("Bad value “…”", message["message"])].append(message)
    lines = [f"{len(messages)} Nu errors of {len(by_message)} kinds in {len({m['page'] for m in messages})} pages:"]
    for text, found in sorted(by_message.items(), key=lambda item: -len(item[1])):
        # A message about no page (the checker's own trouble) has no visits.
        visits = [v for digest in dict.fromkeys(m["page"] for m in found) for v in pages.get(digest, ("", []))[1]]
        routes = sorted({v.endpoint for v in visits})
        first = found[0]
        lines.append(f"{text}  — {len(found)} times; routes: {', '.join(routes) or 'none'}")
        if visits:
            lines.append(
                f"    e.g. {visits[0].url} as {visits[0].role} ({visits[0].lang}), line {first.get('lastLine')}: "
                f"{first.get('extract', '').strip()!r}" + (f" ({first['message']})" if first["message"] != text else "")
            )
    return "\n".join(lines)


# -- the browser ------------------------------------------------------------------------------------

DESKTOP = {"width": 1280, "height": 800}
WIDER_THAN_PHONE = "the page scrolls sideways at phone width"


def browser_targets(visits: Iterable[Visit]) -> list[tuple[str, str, str]]:
    """One Japanese page per route (endpoint, role, url): as the most privileged visitor it answered,
    and as anonymous too when it is public."""
    reached: dict[tuple[str, str], str] = {}
    for visit in visits:
        if visit.lang == "ja" and visit.status == 200 and visit.html is not None and visit.endpoint != "(no route)":
            reached.setdefault((visit.endpoint, visit.role), visit.url)
    targets = []
    for endpoint in sorted({endpoint for endpoint, _ in reached}):
        roles = [role for role in ROLES if (endpoint, role) in reached]
        chosen = dict.fromkeys([roles[0], *(["anonymous"] if "anonymous" in roles else [])])
        targets += [(endpoint, role, reached[endpoint, role]) for role in chosen]
    return targets


@dataclass(frozen=True)
class Seen:
    """What the browser found wrong on one page in one language at one width."""

    endpoint: str
    role: str
    url: str
    lang: str
    width: int
    problem: str  # an axe rule ("scrollable-region-focusable (serious): …") or WIDER_THAN_PHONE
    where: str = ""  # the first element axe names, or how wide the page is


# Japanese at both widths, as users mostly read the site; English at phone width, where its longer
# words overflow and its labels may part from the visible text.
BROWSER_CHECKS = (("ja", (PHONE, DESKTOP)), ("en", (PHONE,)))


def check_in_browser(browser, base: str, targets: list[tuple[str, str, str]], accounts: dict[str, str],
                     password: str) -> list[Seen]:
    """Open each target in Chromium signed in as its role; check axe-core, and that no page is wider
    than the phone, in the languages and widths of BROWSER_CHECKS."""
    pages = {}
    found: list[Seen] = []

    def page_as(role: str, lang: str):
        if (role, lang) not in pages:
            context = browser.new_context(viewport=PHONE)
            context.set_default_timeout(15_000)
            context.add_cookies([{"name": "lang", "value": lang, "url": base}])
            pages[role, lang] = page = context.new_page()
            if role != "anonymous":
                page.goto(f"{base}/accounts/login")
                page.fill("input[name=email]", accounts[role])
                page.fill("input[name=password]", password)
                page.click("form.stacked button[type=submit]")
                page.wait_for_url(lambda url: "/accounts/login" not in url)
        return pages[role, lang]

    try:
        for endpoint, role, url in targets:
            for lang, viewports in BROWSER_CHECKS:
                page = page_as(role, lang)
                page.set_viewport_size(PHONE)
                page.goto(base + url)
                for viewport in viewports:
                    page.set_viewport_size(viewport)
                    seen = partial(Seen, endpoint, role, url, lang, viewport["width"])
                    for violation in serious_axe_findings(page):
                        where = " ".join(map(str, violation["nodes"][0]["target"])) if violation["nodes"] else ""
                        found.append(seen(f"{violation['id']} ({violation['impact']}): {violation['help']}", where))
                    if viewport is PHONE and (width := page.evaluate("document.documentElement.scrollWidth")) > PHONE["width"]:
                        found.append(seen(WIDER_THAN_PHONE, f"{width} px wide"))
    finally:
        for page in pages.values():
            page.context.close()
    return found


def browser_report(found: list[Seen]) -> str:
    """The browser's findings by problem, each with the pages and widths it was seen on."""
    by_problem: dict[str, list[Seen]] = defaultdict(list)
    for seen in found:
        by_problem[seen.problem].append(seen)
    lines = []
    for problem, seen in sorted(by_problem.items()):
        lines.append(problem)
        lines += [f"    {s.endpoint} as {s.role} ({s.lang}) at {s.width} px: {s.url}" + (f" — {s.where}" if s.where else "")
                  for s in seen]
    return "\n".join(lines)
