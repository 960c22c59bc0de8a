"""Every form of the application, posted with generated input (hypothesis): never a 500, and what
an accepted edit saved reads back as typed, after the documented normalisation.

Each form is taken from its page as a browser would: the fields the HTML offers (inputs, hidden
ones too, selects with their options, textareas, checkboxes), then values are drawn for some of
them: text with control characters, emoji and combining marks, very long strings, huge, negative
and non-numbers, impossible dates, bogus choices, missing fields; the CSRF token and an edit
form's version are posted back as found. The query strings of the pages are fuzzed the same way.
FUZZ_EXAMPLES (default 15) sets the examples per form and page.
"""
from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from conftest import PASSWORD, sign_in
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.security import generate_password_hash

from consortium.accounts.services import password_token
from consortium.documents import storage
from consortium.forms import normalise_line, normalise_text
from consortium.invitations import mailing as invitation_mailing
from consortium.japanese import today_tokyo, tokyo_datetime
from consortium.models import (
    ActionItem,
    AgendaItem,
    AgendaPresenter,
    Attendance,
    Document,
    GrantRole,
    MailState,
    Milestone,
    Minutes,
    MinutesApproval,
    MinutesStatus,
    Poll,
    PollSlot,
    RosterGroup,
    SentNotice,
    Target,
    TargetReport,
)
from consortium.personal_links import make_token
from consortium.polls import mailing as poll_mailing

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
# The world's users sign in often here: a hash cheaper than scrypt's keeps the run short.
QUICK_HASH = generate_password_hash(PASSWORD, "pbkdf2:sha256:1")
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI stays stable
    database=None,
    # No shrinking: examples change the world (a row deleted, a poll picked), so a smaller example
    # could not be replayed against the world the failing one met. Failures are reported as drawn.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


# ---------------------------------------------------------------------------------------------
# The forms of a page, as a browser sees them


@dataclass
class Input:
    kind: str  # text, textarea, number, date, time, email, url, hidden, checkbox, radio, select, file, …
    name: str
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)  # a select's option values
    multiple: bool = False


@dataclass
class PageForm:
    action: str
    inputs: list[Input] = field(default_factory=list)

    def fields(self) -> dict[str, list[Input]]:
        """Inputs by name; radios and checkboxes of one name together."""
        named: dict[str, list[Input]] = {}
        for i in self.inputs:
            named.setdefault(i.name, []).append(i)
        return named


class FormParser(HTMLParser):
    """Collect the POST forms of a page with their inputs, selects and textareas."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[PageForm] = []
        self.form: PageForm | None = None
        self.select: Input | None = None
        self.textarea: Input | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                action = urlsplit(a.get("action") or self.page_url)
                self.form = PageForm(f"{action.path}?{action.query}" if action.query else action.path)
                self.forms.append(self.form)
            return
        if self.form is None or "name" not in a and tag != "option":
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            self.form.inputs.append(Input(kind, a["name"], a.get("value") or "", "checked" in a))
        elif tag == "select":
            self.select = Input("select", a["name"], multiple="multiple" in a)
            self.form.inputs.append(self.select)
        elif tag == "option" and self.select is not None:
            self.select.options.append(a.get("value", ""))
            if "selected" in a:
                self.select.value = a.get("value", "")
        elif tag == "textarea":
            self.textarea = Input("textarea", a["name"])
            self.form.inputs.append(self.textarea)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            if self.textarea is not None:
                # As a browser reads it: CR LF is one line end, and a first line end is dropped.
                value = self.textarea.value.replace("\r\n", "\n").replace("\r", "\n")
                self.textarea.value = value[1:] if value.startswith("\n") else value
            self.textarea = None


def forms_of(html: str, page_url: str) -> list[PageForm]:
    parser = FormParser(page_url)
    parser.feed(html)
    return parser.forms


# ---------------------------------------------------------------------------------------------
# What may be typed

CONTROLS = "\x00\t\n\r\x0b\x0c\x1b\x7f\x85\u2028\u2029"
pieces = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from([*CONTROLS, "😀", "👨‍👩‍👧", "e\u0301", "ｶﾞ", "①", "㈱", "〜", "\ufeff", "\u202e", "<", "&", '"', "　"]),
)


def joined(min_size=0, max_size=40):
    return st.lists(pieces, min_size=min_size, max_size=max_size).map("".join)


texts = st.one_of(
    joined(),
    joined(1, 8).map(lambda s: s * 120),  # longer than every limit
    st.sampled_from(["", " ", "長山 宗広", "#1", "#99999999999999999999", "https://example.jp/", "javascript:alert(1)"]),
)
numbers = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["1e309", "-1e309", "NaN", "sNaN", "Infinity", "-0", "0", "1", "2030", "0.005", "9" * 400, "１２", "²", " 7 "]),
)
dates = st.one_of(
    st.dates(date(1, 1, 1), date(9999, 12, 31)).map(date.isoformat),
    st.dates(date(1870, 1, 1), date(2105, 12, 31)).map(date.isoformat),
    st.sampled_from(["0000-00-00", "2030-02-30", "2030-13-01", "99999-01-01", "-2030-01-01", "2030/01/01", "令和12年"]),
)
times = st.one_of(
    st.times().map(lambda t: t.strftime("%H:%M")),
    st.sampled_from(["24:00", "23:60", "-1:00", "10:00:00", "10", "１０:００"]),
)
# Any bytes, or a file whose content passes, under any name.
files = st.tuples(st.one_of(st.binary(max_size=200), st.just(b"%PDF-1.4\n")), joined(max_size=30))


# Hidden fields posted back as the page has them: a changed token or version is refused before
# anything else is read (their refusals are tested on their own).
KEPT = ("csrf_token", "version")


def plausible(inputs: list[Input], valid: dict[str, str]) -> str | list | tuple | None:
    """What a user would post: the spec's valid value, else the field as the page has it, with a
    radio group's first choice and a select's first option when nothing is chosen yet."""
    first = inputs[0]
    if first.name in valid:
        value = valid[first.name]
        return (io.BytesIO(value.encode()), "roster.csv") if first.kind == "file" else value
    if first.kind == "file":
        return (io.BytesIO(b"%PDF-1.4\n"), "資料.pdf")
    if first.kind in ("checkbox", "radio"):
        checked = [i.value for i in inputs if i.checked]
        if first.kind == "checkbox":
            return checked if len(inputs) > 1 else (checked[0] if checked else None)
        return checked[0] if checked else first.value
    if first.kind == "select" and not first.value:
        return next((o for o in first.options if o), "")
    return first.value


def drawn(inputs: list[Input], draw) -> str | list | tuple | None:
    """A value drawn for one field (inputs of one name), or None (now and then) to leave it out."""
    first = inputs[0]
    kind = first.kind
    if draw(st.integers(0, 9)) == 0:
        return None
    bogus = st.one_of(texts, numbers)
    if kind in ("checkbox", "radio"):
        choices = [i.value for i in inputs]
        if kind == "checkbox" and len(inputs) > 1:
            return draw(st.lists(st.one_of(st.sampled_from(choices), bogus), max_size=len(choices) + 1))
        return draw(st.one_of(st.sampled_from(choices), bogus))
    if kind == "select":
        pick = st.one_of(st.sampled_from(first.options), bogus) if first.options else bogus
        return draw(st.lists(pick, max_size=3)) if first.multiple else draw(pick)
    if kind == "file":
        content, name = draw(files)
        return (io.BytesIO(content), name or "x")
    if kind == "hidden":
        return draw(st.one_of(numbers, texts))
    return draw({"number": numbers, "date": dates, "time": times}.get(kind, texts))


# ---------------------------------------------------------------------------------------------
# A small world with one row of every kind


@pytest.fixture()
def world(db, make_consortium, make_meeting, make_member, make_person, make_organization, make_user, upload_folder):
    """A consortium with its roster, groups, milestones, targets, meetings (ahead, and past ones with
    minutes in each state), a poll, an invitation, and users: its secretariat, a member with a
    seat, another user and an administrator."""
    consortium = make_consortium(name="地域経済会議")
    bank = make_organization(name="信州銀行")
    nagayama = make_person(family_name="長山", given_name="宗広", email="nagayama@example.jp", organization=bank)
    kitahara = make_person(family_name="北原", given_name="明", email="kitahara@example.jp")
    # Rows nothing refers to, to merge or delete.
    spare = {
        "c": make_consortium(name="休止中の会議"),
        "o": make_organization(name="信州銀行（重複）"),
        "p": make_person(family_name="北原", given_name="あきら"),
    }
    group = RosterGroup(consortium=consortium, label="1", title="学識経験者")
    db.session.add(group)
    member = make_member(consortium, person=nagayama, seat=1, group=group)
    make_member(consortium, organization=bank, seat=2)
    ahead = tokyo_datetime(*(today_tokyo() + timedelta(days=30)).timetuple()[:3], 14)
    meeting = make_meeting(consortium, title="第3回 定例会", starts_at=ahead, ends_at=ahead + timedelta(hours=2))
    item = AgendaItem(meeting=meeting, title="開会", position=1)
    item.presenters.append(AgendaPresenter(person=kitahara, title="座長"))
    target = Target(consortium=consortium, title="参加企業数", target_value=Decimal(50), unit="社", fiscal_year=2030)
    poll = Poll(
        meeting=meeting, title="日程調整", respond_by=ahead - timedelta(days=7),
        slots=[PollSlot(starts_at=ahead), PollSlot(starts_at=ahead + timedelta(days=1))],
    )
    db.session.add_all([
        item, target, poll,
        Milestone(consortium=consortium, title="中間報告", on=date(2030, 3, 1)),
        TargetReport(target=target, fiscal_year=2024, value=Decimal(12)),
        Document(
            meeting=meeting, title="資料1", filename="a.pdf", content_type="application/pdf", size=1,
            checksum="0" * 64, storage_key=storage.save(b"%PDF-1.4"),
        ),
        Attendance(meeting=meeting, membership=member, invited_at=datetime.now().astimezone()),
        SentNotice(
            kind="poll_invitation", poll=poll, membership=member, email="nagayama@example.jp", subject="【日程調整】第3回",
            message="Subject: 日程調整\r\n\r\n本文\r\n".encode(), state=MailState.FAILED, attempts=1, error="421 try later",
        ),
    ])
    users = {
        "secretariat": make_user({consortium: GrantRole.SECRETARIAT}, password_hash=QUICK_HASH),
        "member": make_user({consortium: GrantRole.MEMBER}, person=nagayama, password_hash=QUICK_HASH),
        "admin": make_user(is_admin=True, password_hash=QUICK_HASH),
    }
    other = make_user({consortium: GrantRole.MEMBER}, password_hash=QUICK_HASH)
    past = {}
    for n, status in enumerate(MinutesStatus, start=1):
        held = tokyo_datetime(2025, 4, n, 10)
        row = make_meeting(consortium, title=f"第{n}回 {status.value}", starts_at=held, ends_at=held + timedelta(hours=2))
        minutes = Minutes(meeting=row, status=status, body="議事の経過")
        minutes.action_items.append(ActionItem(text="名簿を更新する", position=1))
        minutes.approvals.append(MinutesApproval(user=users["secretariat"], capacity="座長"))
        db.session.add(minutes)
        past[status] = row
    db.session.commit()
    ids = {
        "c": consortium.id, "o": bank.id, "p": kitahara.id, "ms": member.id, "g": group.id, "t": target.id,
        "r": target.reports[0].id, "mi": consortium.milestones[0].id, "m": meeting.id, "i": item.id,
        "d": meeting.documents[0].id, "pl": poll.id, "u": other.id, "spare_c": spare["c"].id, "spare_o": spare["o"].id, "spare_p": spare["p"].id,
        "draft": past[MinutesStatus.DRAFT].id, "review": past[MinutesStatus.IN_REVIEW].id,
        "approved": past[MinutesStatus.APPROVED].id, "published": past[MinutesStatus.PUBLISHED].id,
        "poll_token": make_token(poll_mailing.LINK_KIND, poll.id, member.id),
        "invitation_token": make_token(invitation_mailing.LINK_KIND, meeting.id, member.id),
        "password_token": password_token(other),
        "today": today_tokyo().isoformat(), "ahead": ahead.date().isoformat(),
    }
    return ids, users


# ---------------------------------------------------------------------------------------------
# Every form: where it is shown, to whom, and what of it reads back


@dataclass(frozen=True)
class Spec:
    endpoint: str
    role: str  # who posts it: secretariat, member, admin or anonymous
    page: str  # the page that shows the form, with {ids} of the world
    readback: bool = False  # an edit form: an accepted post shows what it saved on the same page
    ignore: tuple[str, ...] = ()  # fields that read back otherwise, and why (see the comments)
    prepare: str | None = None  # a step before each example (see PREPARE)
    valid: dict[str, str] = field(default_factory=dict)  # values a create form needs to be accepted


# Fields a directory name is typed into read back as the directory spells that row.
RESOLVED = ("name", "on_behalf_of", "organisation", "person", "presenter_name")
# A meeting's times mean nothing unless its precision is "minute"; its day is the 1st for a month
# (1 April for a fiscal year); its last fiscal year means nothing for other precisions.
WHEN = ("day", "start_time", "end_time", "last_fiscal_year")

FORMS = [
    Spec("accounts.login", "anonymous", "/accounts/login"),
    Spec("accounts.logout", "secretariat", "/", prepare="sign_in"),
    Spec("accounts.change_password", "secretariat", "/accounts/password", prepare="sign_in"),
    Spec("accounts.set_password", "anonymous", "/accounts/set-password/{password_token}", valid={"password": "正しい馬の電池 2", "confirm": "正しい馬の電池 2"}),
    Spec("admin.new_user", "admin", "/admin/users/new", valid={"email": "new@example.jp", "display_name": "新井 花子"}),
    Spec("admin.edit_user", "admin", "/admin/users/{u}/edit", readback=True, ignore=RESOLVED),
    Spec("admin.grant", "admin", "/admin/users/{u}/edit"),
    Spec("admin.revoke", "admin", "/admin/users/{u}/edit"),
    Spec("admin.password_link", "admin", "/admin/users/{u}/edit"),
    Spec("admin.merge_organisation", "admin", "/admin/organisations/{o}/merge?duplicate=%23{spare_o}"),
    Spec("admin.merge_person", "admin", "/admin/people/{p}/merge?duplicate=%23{spare_p}"),
    # A stand-in's name is kept only with 代理出席.
    # The bulk change's choice and ticks fill the form in; they are not stored, so read back blank.
    Spec("attendance.record", "secretariat", "/meetings/{review}/attendance", readback=True, ignore=("stand_in", "bulk_presence", "selected")),
    Spec("consortia.create", "admin", "/consortia/new", valid={"name": "新しい会議体"}),
    Spec("consortia.edit", "secretariat", "/consortia/{c}/edit", readback=True),
    Spec("consortia.delete", "admin", "/consortia/{spare_c}/delete"),
    Spec("consortia.new_membership", "secretariat", "/consortia/{c}/members/new", valid={"name": "新井 花子", "create": "y"}),
    # The kind shown is that of the row the name resolved to.
    Spec("consortia.edit_membership", "secretariat", "/memberships/{ms}/edit", readback=True, ignore=(*RESOLVED, "kind", "create")),  # "create" acts once, is not kept
    Spec("consortia.transfer_membership", "secretariat", "/memberships/{ms}/transfer", valid={"name": "北原 明", "on": "{today}"}),
    Spec("consortia.delete_membership", "secretariat", "/memberships/{ms}/delete"),
    Spec("consortia.move_membership", "secretariat", "/consortia/{c}/roster"),
    Spec("consortia.contacts", "secretariat", "/consortia/{c}/contacts?show=all"),
    Spec("consortia.place_membership", "secretariat", "/consortia/{c}/roster", valid={"place": "1"}),
    Spec("consortia.new_group", "secretariat", "/consortia/{c}/groups/new", valid={"title": "公募委員"}),
    Spec("consortia.edit_group", "secretariat", "/roster-groups/{g}/edit", readback=True),
    Spec("consortia.delete_group", "secretariat", "/roster-groups/{g}/delete"),
    Spec("consortia.new_milestone", "secretariat", "/consortia/{c}/milestones/new", valid={"title": "最終報告", "on": "2031-03-01"}),
    # A date known only to the month is kept as the month's first day.
    Spec("consortia.edit_milestone", "secretariat", "/milestones/{mi}/edit", readback=True, ignore=("on",)),
    Spec("consortia.delete_milestone", "secretariat", "/milestones/{mi}/delete"),
    Spec("consortia.new_target", "secretariat", "/consortia/{c}/targets/new", valid={"title": "観光消費額"}),
    Spec("consortia.edit_target", "secretariat", "/targets/{t}/edit", readback=True),
    Spec("consortia.delete_target", "secretariat", "/targets/{t}/delete"),
    Spec("consortia.new_report", "secretariat", "/targets/{t}/reports/new", valid={"fiscal_year": "2025", "value": "12.5"}),
    Spec("consortia.edit_report", "secretariat", "/target-reports/{r}/edit", readback=True),
    Spec("consortia.delete_report", "secretariat", "/target-reports/{r}/delete"),
    Spec("directory.new_organisation", "admin", "/organisations/new", valid={"name": "新しい団体"}),
    Spec("directory.edit_organisation", "admin", "/organisations/{o}/edit", readback=True),
    Spec("directory.delete_organisation", "admin", "/organisations/{spare_o}/delete"),
    Spec("directory.new_person", "admin", "/people/new", valid={"family_name": "新井"}),
    Spec("directory.edit_person", "admin", "/people/{p}/edit", readback=True, ignore=RESOLVED),
    Spec("directory.delete_person", "admin", "/people/{spare_p}/delete"),
    Spec("documents.upload", "secretariat", "/meetings/{m}/documents/new", valid={"title": "資料2"}),
    Spec("documents.edit", "secretariat", "/documents/{d}/edit", readback=True),
    Spec("documents.delete", "secretariat", "/documents/{d}/delete"),
    Spec("feeds.issue_token", "secretariat", "/feeds/mine"),
    Spec("feeds.revoke_token", "secretariat", "/feeds/mine", prepare="feed_address"),
    Spec("invitations.index", "secretariat", "/meetings/{m}/invitations"),
    Spec("invitations.send", "secretariat", "/meetings/{m}/invitations"),
    Spec("invitations.on_behalf", "secretariat", "/meetings/{m}/invitations/on-behalf?member={ms}"),
    Spec("invitations.reply", "anonymous", "/invitations/{invitation_token}"),
    Spec("meetings.create", "secretariat", "/consortia/{c}/meetings/new", valid={"title": "第4回 定例会", "day": "{ahead}", "start_time": "14:00"}),
    Spec("meetings.edit", "secretariat", "/meetings/{m}/edit", readback=True, ignore=WHEN),
    Spec("meetings.cancel", "secretariat", "/meetings/{m}/cancel"),
    Spec("meetings.mark_held", "secretariat", "/consortia/{c}"),  # the notice of past meetings not marked held
    Spec("meetings.delete", "secretariat", "/meetings/{m}/delete"),
    Spec("meetings.create_item", "secretariat", "/meetings/{m}/items/new", valid={"title": "報告事項"}),
    Spec("meetings.edit_item", "secretariat", "/agenda-items/{i}/edit", readback=True, ignore=RESOLVED),
    Spec("meetings.delete_item", "secretariat", "/agenda-items/{i}/delete"),
    Spec("meetings.move_item", "secretariat", "/meetings/{m}"),
    Spec("meetings.edit_agenda", "secretariat", "/meetings/{m}/agenda", valid={"paste": "1. 開会\n2. 議事\n　(1) 報告"}),
    Spec("meetings.add_presenter", "secretariat", "/agenda-items/{i}/edit", valid={"presenter_name": "長山 宗広"}),
    Spec("meetings.remove_presenter", "secretariat", "/agenda-items/{i}/edit"),
    Spec("minutes.edit", "secretariat", "/meetings/{draft}/minutes/edit"),
    Spec("minutes.review", "secretariat", "/meetings/{draft}/minutes"),
    Spec("minutes.approve", "secretariat", "/meetings/{review}/minutes"),
    Spec("minutes.comment", "secretariat", "/meetings/{review}/minutes", valid={"body": "修正をお願いします"}),
    Spec("minutes.signatories", "secretariat", "/meetings/{review}/minutes", valid={"capacity": "署名委員"}),
    Spec("minutes.remove_signatory", "secretariat", "/meetings/{review}/minutes"),
    Spec("minutes.publish", "secretariat", "/meetings/{approved}/minutes"),
    Spec("minutes.reopen", "secretariat", "/meetings/{published}/minutes"),
    Spec("minutes.action_done", "secretariat", "/consortia/{c}"),
    Spec("polls.create", "secretariat", "/meetings/{m}/polls/new", valid={"title": "日程調整", "respond_by": "{today}", "slots-0-day": "{ahead}", "slots-0-start_time": "10:00"}),
    # The candidate rows are for new slots: they are empty again once saved.
    Spec("polls.edit", "secretariat", "/polls/{pl}/edit", readback=True, ignore=("slots-",)),
    Spec("polls.delete", "secretariat", "/polls/{pl}/delete"),
    Spec("polls.send", "secretariat", "/polls/{pl}"),
    Spec("polls.pick", "secretariat", "/polls/{pl}/pick"),
    Spec("polls.remove_slot", "secretariat", "/polls/{pl}/edit"),
    Spec("polls.on_behalf", "secretariat", "/polls/{pl}/on-behalf?member={ms}"),
    Spec("polls.show", "member", "/polls/{pl}", readback=True),
    Spec("mail.retry", "secretariat", "/consortia/{c}/mail"),
    Spec("mail.retry_all", "secretariat", "/consortia/{c}/mail"),
    Spec("polls.answer", "anonymous", "/polls/answer/{poll_token}", readback=True),
    Spec("rosters.upload", "secretariat", "/consortia/{c}/roster/import", valid={"file": "氏名,所属\n長山 宗広,信州銀行\n"}),
    Spec("rosters.confirm", "secretariat", "/consortia/{c}/roster/import/preview", prepare="roster_file"),
    Spec("rosters.cancel", "secretariat", "/consortia/{c}/roster/import/preview", prepare="roster_file"),
    Spec("tokens.mine", "secretariat", "/account/tokens", valid={"name": "区ウェブサイト"}),
    Spec("tokens.revoke", "secretariat", "/account/tokens", prepare="api_token"),
    Spec("opendata.terms", "admin", "/admin/open-data", readback=True),
]


def test_every_form_route_of_the_url_map_is_fuzzed(app):
    """A new route that takes a POST must be added to FORMS, so it is never left out (the API's
    are fuzzed from its OpenAPI document: test_api_fuzz.py)."""
    posted = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods and not rule.rule.startswith("/api/")}
    assert posted == {spec.endpoint for spec in FORMS}


# ---------------------------------------------------------------------------------------------
# Posting


def _roster_file(client, ids, form_of):
    page = client.get(f"/consortia/{ids['c']}/roster/import").get_data(as_text=True)
    token = form_of(page, f"/consortia/{ids['c']}/roster/import", "rosters.upload").fields()["csrf_token"][0].value
    csv = "氏名,所属\n長山 宗広,信州銀行\n新井 花子,\n".encode()
    response = client.post(
        f"/consortia/{ids['c']}/roster/import",
        data={"csrf_token": token, "file": (io.BytesIO(csv), "roster.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302


def _feed_address(client, ids, form_of):
    page = client.get("/feeds/mine").get_data(as_text=True)
    form = form_of(page, "/feeds/mine", "feeds.issue_token")
    if form is not None:
        client.post("/feeds/mine/address", data={"csrf_token": form.fields()["csrf_token"][0].value})


def typed_value(kind: str, typed: str) -> object:
    """What a typed value reads back as: the documented normalisation of each kind of field."""
    if kind == "textarea":
        return normalise_text(typed) or ""
    if kind in ("number",):
        try:
            return Decimal(typed.strip())
        except InvalidOperation:
            return typed
    if kind == "date":
        return date.fromisoformat(typed) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", typed) else typed
    if kind == "time":
        return typed[:5]
    if kind in ("text", "email", "url", "search", "tel"):
        return normalise_line(typed) or ""
    return typed


def shown_value(kind: str, shown: str) -> object:
    if kind == "number":
        try:
            return Decimal(shown)
        except InvalidOperation:
            return shown
    if kind == "date":
        return date.fromisoformat(shown) if shown else shown
    return shown


def assert_reads_back(spec: Spec, posted: dict, form: PageForm):
    """Each field posted reads back, on the re-read form, as the normalisation says it should."""
    shown = form.fields()
    for name, value in posted.items():
        if name not in shown or any(name.startswith(prefix) or name.endswith(prefix) for prefix in spec.ignore):
            continue
        inputs = shown[name]
        kind = inputs[0].kind
        if kind in ("hidden", "file", "password"):
            continue
        if kind == "checkbox" and len(inputs) == 1:
            assert inputs[0].checked == (value not in ("", "false")), name
        elif kind in ("radio", "checkbox"):
            checked = sorted(i.value for i in inputs if i.checked)
            assert checked == sorted(value if isinstance(value, list) else [value]), name
        elif kind == "select":
            assert inputs[0].value == value, name
        else:
            assert shown_value(kind, inputs[0].value) == typed_value(kind, value), (name, value, inputs[0].value)


def _api_token(client, ids, form_of):
    page = client.get("/account/tokens").get_data(as_text=True)
    form = form_of(page, "/account/tokens", "tokens.mine")
    client.post("/account/tokens", data={"csrf_token": form.fields()["csrf_token"][0].value, "name": "準備", "scope": "read"})


PREPARE = {"roster_file": _roster_file, "feed_address": _feed_address, "api_token": _api_token}


@pytest.mark.parametrize("spec", FORMS, ids=[spec.endpoint for spec in FORMS])
def test_generated_input_never_gives_a_server_error(app, client, world, spec):
    ids, users = world
    page = spec.page.format(**ids)
    action_rule = {rule.endpoint: rule for rule in app.url_map.iter_rules()}[spec.endpoint]
    adapter = app.url_map.bind("localhost")

    def form_of(html: str, url: str, endpoint: str = spec.endpoint) -> PageForm | None:
        """The first form of the page that posts to the endpoint."""
        for form in forms_of(html, url):
            try:
                if adapter.match(urlsplit(form.action).path, method="POST")[0] == endpoint:
                    return form
            except Exception:  # an action of another site or method
                continue
        return None

    if spec.role != "anonymous":
        sign_in(client, users[spec.role])
    prepare = PREPARE.get(spec.prepare or "")
    if prepare is not None:
        prepare(client, ids, form_of)
    first = client.get(page)
    assert first.status_code == 200, (page, first.status_code)
    found = form_of(first.get_data(as_text=True), page)
    assert found is not None, f"no form posting to {action_rule.rule} on {page}"
    action_of_first = found.action

    # Values are drawn for the fields the form first had, so every example draws alike whatever
    # earlier ones changed (hypothesis requires it); the token and version come from the page now.
    fields = form_of(first.get_data(as_text=True), page).fields()
    valid = {name: value.format(**ids) for name, value in spec.valid.items()}

    @FUZZ
    @given(st.data())
    def post_generated_input(data):
        if spec.prepare == "sign_in":
            sign_in(client, users[spec.role])
        elif prepare is not None:
            prepare(client, ids, form_of)
        # A few fields drawn and the others plausible, so that posts are accepted with what was
        # drawn and read back; or every field drawn.
        names = sorted(fields)
        hostile = data.draw(st.one_of(st.sets(st.sampled_from(names), min_size=1, max_size=3), st.just(set(names))))
        posted = {}
        for name, inputs in fields.items():
            value = drawn(inputs, data.draw) if name in hostile else plausible(inputs, valid)
            if value is not None:
                posted[name] = value
        current = client.get(page)
        assert current.status_code < 500, (page, current.status_code)
        form = form_of(current.get_data(as_text=True), page) if current.status_code == 200 else None
        for name in KEPT:
            if form is not None and name in form.fields():
                posted[name] = form.fields()[name][0].value
        action = form.action if form is not None else action_of_first
        multipart = any(isinstance(v, tuple) for v in posted.values())
        answer = client.post(action, data=posted, content_type="multipart/form-data" if multipart else None)
        assert answer.status_code < 500, (action, posted, answer.get_data(as_text=True)[:2000])
        # Posted with the version its page shows now, an edit is never taken for a stale one.
        assert 'id="compare-title"' not in answer.get_data(as_text=True), (action, posted)
        if spec.readback and answer.status_code in (302, 303):
            again = client.get(page)
            assert again.status_code == 200
            assert_reads_back(spec, posted, form_of(again.get_data(as_text=True), page))

    post_generated_input()


# ---------------------------------------------------------------------------------------------
# Query strings: filters, pages, months, dates, ids

PAGES = [
    "/", "/consortia/", "/consortia/{c}", "/consortia/{c}/roster", "/consortia/{c}/calendar", "/calendar",
    "/meetings/", "/meetings/{m}", "/meetings/{review}/minutes", "/meetings/{review}/minutes/history",
    "/meetings/{review}/attendance", "/meetings/{m}/invitations", "/meetings/{m}/invitations/on-behalf",
    "/polls/{pl}", "/polls/{pl}/pick", "/polls/{pl}/on-behalf", "/organisations/", "/organisations/{o}",
    "/people/", "/people/{p}", "/people/new", "/admin/audit", "/admin/consortia/{c}/audit", "/admin/users",
    "/admin/organisations/{o}/merge", "/admin/people/{p}/merge", "/consortia/{c}/meetings/check",
    "/accounts/login", "/language/en", "/consortia/{c}/calendar.ics", "/meetings/calendar.ics", "/meetings/{m}.ics",
    "/invitations/{invitation_token}", "/polls/answer/{poll_token}", "/network",
]
# Every name a page reads from its query string.
PARAMS = [
    "page", "roster_page", "former_page", "groups_page", "actions_page", "q", "status", "kind", "theme", "month",
    "view", "when", "member", "rev", "next", "slot", "reply", "public", "show", "organisation", "duplicate",
    "entity_type", "action", "consortium_id", "precision", "day", "start_time", "end_time", "meeting",
    "region", "year", "consortium", "former_page",
    "_scheme", "_external", "_anchor", "endpoint", "person_id", "meeting_id",  # url_for's own words, a route's
]


@pytest.mark.parametrize("path", PAGES)
def test_generated_query_strings_never_give_a_server_error(client, world, path):
    ids, users = world
    sign_in(client, users["admin"])
    url = path.format(**ids)

    @FUZZ
    @given(st.dictionaries(st.sampled_from(PARAMS), st.one_of(texts, numbers, dates, times), max_size=4))
    def get_with(query):
        response = client.get(url, query_string=query)
        assert response.status_code < 500, (url, query)

    get_with()
