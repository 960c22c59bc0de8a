"""Bring the database in line with the demo data file (the seed facts) and the demo activity
(activity.py); running it again the same day changes nothing."""
from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import yaml

from ..accounts.services import set_password
from ..extensions import db
from ..japanese import today_tokyo, tokyo_datetime
from ..models import (
    AgendaItem,
    AgendaPresenter,
    Comparator,
    Consortium,
    ConsortiumKind,
    ConsortiumStatus,
    DatePrecision,
    Decision,
    DiscussionPoint,
    Grant,
    GrantRole,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Membership,
    Milestone,
    Minutes,
    MinutesStatus,
    Organization,
    OrganizationKind,
    Person,
    Role,
    RosterGroup,
    Target,
    TargetKind,
    TargetReport,
    Theme,
    User,
    Visibility,
)
from . import DemoDataError
from .activity import ACTIVITY_FILE, load_activity

DATA_FILE = os.path.join(os.path.dirname(__file__), "data.yaml")  # the seed facts
DEMO_PASSWORD = "consortium-demo"  # only for the demo accounts of a local demo


class Loader:
    """Upsert every record of the data file by its natural key, counting what changed."""

    def __init__(
        self, data: dict[str, Any], progress: Callable[[str], None] = lambda _msg: None, password: str = DEMO_PASSWORD
    ):
        self.data = data
        self.password = password
        self.progress = progress
        self.created = 0
        self.updated = 0
        self.orgs: dict[str, Organization] = {}
        self.people: dict[str, Person] = {}
        self.themes: dict[str, Theme] = {}
        self.consortia: dict[str, Consortium] = {}

    # -- generic upsert ------------------------------------------------------------------

    def upsert(self, model, keys: dict[str, Any], values: dict[str, Any]):
        """Find the row by keys or create it; write only values that differ."""
        row = db.session.execute(sa.select(model).filter_by(**keys)).scalars().first()
        if row is None:
            row = model(**keys, **values)
            db.session.add(row)
            db.session.flush()
            # A column default fills a None given on INSERT; what the data leaves empty stays empty.
            filled = [name for name, value in values.items() if value is None and getattr(row, name) is not None]
            if filled:
                for name in filled:
                    setattr(row, name, None)
                db.session.flush()
            self.created += 1
            return row
        changed = False
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
                changed = True
        if changed:
            db.session.flush()
            self.updated += 1
        return row

    # -- lookups ---------------------------------------------------------------------------

    def org(self, name: str | None) -> Organization | None:
        if name is None:
            return None
        if name not in self.orgs:
            raise DemoDataError(f"organisation not defined in the data file: {name}")
        return self.orgs[name]

    def person(self, name: str | None) -> Person | None:
        if name is None:
            return None
        if name not in self.people:
            raise DemoDataError(f"person not defined in the data file: {name}")
        return self.people[name]

    def person_or_org(self, item: dict[str, Any]) -> tuple[Person | None, Organization | None]:
        """The person an entry names, or else its organisation."""
        person = self.person(item.get("person"))
        return person, None if person else self.org(item.get("organisation"))

    # -- sections --------------------------------------------------------------------------

    def load(self) -> None:
        for i, item in enumerate(self.data.get("themes", [])):
            self.themes[item["code"]] = self.upsert(
                Theme, {"code": item["code"]}, {"name": item["name"], "name_en": item.get("name_en"), "position": i}
            )
        self.progress(f"themes: {len(self.themes)}")
        for item in self.data.get("organisations", []):
            self.orgs[item["name"]] = self.upsert(
                Organization,
                {"name": item["name"]},
                {
                    "name_kana": item.get("name_kana"),
                    "name_en": item.get("name_en"),
                    "kind": OrganizationKind(item.get("kind", "other")),
                    "prefecture": item.get("prefecture"),
                    "website": item.get("website"),
                },
            )
        self.progress(f"organisations: {len(self.orgs)}")
        for item in self.data.get("people", []):
            family, _, given = item["name"].partition(" ")
            kana_family, _, kana_given = (item.get("kana") or "").partition(" ")
            self.people[item["name"]] = self.upsert(
                Person,
                {"family_name": family, "given_name": given or None},
                {
                    "family_name_kana": kana_family or None,
                    "given_name_kana": kana_given or None,
                    "title": item.get("title"),
                    "organization": self.org(item.get("organisation")),
                },
            )
        self.progress(f"people: {len(self.people)}")
        for item in self.data.get("consortia", []):
            self.load_consortium(item)
            self.progress(f"consortium: {item['name']}")
        for item in self.data.get("users", []):
            self.load_user(item)
        self.progress(f"users: {len(self.data.get('users', []))}")

    def load_user(self, item: dict[str, Any]) -> None:
        """A demo account with its grants; the password is set only when the account is new."""
        user = self.upsert(
            User,
            {"email": item["email"]},
            {"display_name": item["name"], "is_admin": item.get("admin", False), "person": self.person(item.get("person"))},
        )
        if user.password_hash is None:
            set_password(user, self.password)
        for name, role in item.get("grants", {}).items():
            if name not in self.consortia:
                raise DemoDataError(f"user {item['email']}: no consortium named {name}")
            self.upsert(Grant, {"user_id": user.id, "consortium_id": self.consortia[name].id}, {"role": GrantRole(role)})

    def load_consortium(self, item: dict[str, Any]) -> None:
        parent = self.consortia.get(item["parent"]) if item.get("parent") else None
        if item.get("parent") and parent is None:
            raise DemoDataError(f"parent must come before its children: {item['parent']}")
        consortium = self.upsert(
            Consortium,
            {"name": item["name"]},
            {
                "short_name": item.get("short_name"),
                "name_en": item.get("name_en"),
                "kind": ConsortiumKind(item["kind"]),
                "status": ConsortiumStatus(item.get("status", "active")),
                "visibility": Visibility(item.get("visibility", "public")),
                "purpose": item.get("purpose"),
                "background": item.get("background"),
                "period_start": item.get("period_start"),
                "period_end": item.get("period_end"),
                "roster_note": item.get("roster_note"),
                "contact": item.get("contact"),
                "parent": parent,
            },
        )
        self.consortia[item["name"]] = consortium
        themes = [self.themes[code] for code in item.get("themes", [])]
        if consortium.themes != themes:
            consortium.themes = themes
        groups = self.load_groups(consortium, item.get("groups", []))
        position = 0
        for member in item.get("members", []):
            position += 1
            self.load_membership(consortium, member, position)
        for entry_group in item.get("partners", []):
            for entry in entry_group["entries"]:
                for org_name in entry["orgs"]:
                    position += 1
                    self.load_membership(
                        consortium,
                        {
                            "organisation": org_name,
                            "role": "partner",
                            "title": entry.get("title"),
                            "description": entry["description"],
                        },
                        position,
                        group=groups[entry_group["group"]],
                    )
        for org_name in item.get("proposers", []):
            position += 1
            self.load_membership(consortium, {"organisation": org_name, "role": "proposer"}, position)
        for meeting in item.get("meetings", []):
            self.load_meeting(consortium, meeting)
        for milestone in item.get("milestones", []):
            if "fy" in milestone:  # 2018年度(内): known only to the fiscal year
                on, precision = date(milestone["fy"], 4, 1), DatePrecision.FISCAL_YEAR
            else:
                on, precision = parse_date(milestone["date"])
            self.upsert(
                Milestone,
                {"consortium_id": consortium.id, "title": milestone["title"]},
                {"on": on, "precision": precision, "within": milestone.get("within", False), "note": milestone.get("note")},
            )
        for i, target in enumerate(item.get("targets", [])):
            self.load_target(consortium, target, i)

    def load_target(self, consortium: Consortium, item: dict[str, Any], position: int) -> None:
        """A KPI as the document states it; a result so far (実績) becomes the report of its fiscal year."""
        target = self.upsert(
            Target,
            {"consortium_id": consortium.id, "title": item["title"]},
            {
                "kind": TargetKind(item.get("kind", TargetKind.NUMERIC.value)),
                "comparator": Comparator(item.get("comparator", Comparator.EXACTLY.value)),
                "target_value": _decimal(item.get("value")),
                "unit": item.get("unit"),
                "fiscal_year_from": item.get("from"),
                "fiscal_year": item.get("fy"),
                "baseline_value": _decimal(item.get("baseline")),
                "baseline_fiscal_year": item.get("baseline_fy"),
                "note": item.get("note"),
                "position": position,
            },
        )
        if "result" in item:
            self.upsert(
                TargetReport,
                {"target_id": target.id, "fiscal_year": item["result_fy"]},
                {"value": _decimal(item["result"]), "note": item.get("result_note")},
            )

    def load_groups(self, consortium: Consortium, items: list[dict[str, Any]]) -> dict[str, RosterGroup]:
        """Pillars and their numbered items; returns the items by label."""
        by_label: dict[str, RosterGroup] = {}
        position = 0

        def add(item: dict[str, Any], parent: RosterGroup | None) -> RosterGroup:
            nonlocal position
            position += 1
            group = self.upsert(
                RosterGroup,
                {"consortium_id": consortium.id, "title": item["title"]},
                {"label": item.get("label"), "parent": parent, "position": position},
            )
            if item.get("label"):
                by_label[item["label"]] = group
            return group

        for item in items:
            group = add(item, None)
            for child in item.get("items", []):
                add(child, group)
        return by_label

    def load_membership(
        self, consortium: Consortium, item: dict[str, Any], position: int, group: RosterGroup | None = None
    ) -> Membership:
        person, org = self.person_or_org(item)
        if person is None and org is None:
            raise DemoDataError(f"a member of {consortium.name} names neither a person nor an organisation")
        role = Role(item.get("role", "member"))
        keys = {
            "consortium_id": consortium.id,
            "person_id": person.id if person else None,
            "organization_id": org.id if org else None,
            "role": role,
        }
        if group is not None:
            keys["group_id"] = group.id
        return self.upsert(
            Membership,
            keys,
            {
                "seat": item.get("seat"),
                "category": item.get("category"),
                "title": item.get("title"),
                "on_behalf_of": self.org(item.get("on_behalf_of")),
                "description": item.get("description"),
                "position": position,
            },
        )

    def load_meeting(self, consortium: Consortium, item: dict[str, Any]) -> Meeting:
        if "fiscal_years" in item:
            (starts, ends), precision = fiscal_years(item["fiscal_years"]), DatePrecision.FISCAL_YEAR
        else:
            starts, precision = parse_when(item["starts"])
            ends = parse_when(item["ends"])[0] if item.get("ends") else None
        meeting = self.upsert_meeting(consortium, item, starts, ends, precision)
        self.load_agenda(meeting, item.get("agenda", []))
        if item.get("minutes"):
            self.load_minutes(meeting, item["minutes"])
        return meeting

    def upsert_meeting(
        self, consortium: Consortium, item: dict[str, Any], starts: datetime, ends: datetime | None, precision: DatePrecision
    ) -> Meeting:
        """A meeting of the data (the seeds' or the demo activity's), found by its title. A kind or
        openness the item does not give stays unknown (kind None, public_stated False)."""
        return self.upsert(
            Meeting,
            {"consortium_id": consortium.id, "title": item["title"]},
            {
                "number": item.get("number"),
                "kind": MeetingKind(item["kind"]) if item.get("kind") else None,
                "status": MeetingStatus(item.get("status", "scheduled")),
                "starts_at": starts,
                "ends_at": ends,
                "precision": precision,
                "date_estimated": item.get("date_estimated", False),
                "venue": item.get("venue"),
                "room": item.get("room"),
                "is_public": item.get("public", True),
                "public_stated": "public" in item,
                "description": item.get("description"),
            },
        )

    def load_agenda(self, meeting: Meeting, items: list[dict[str, Any]]) -> None:
        for position, agenda in enumerate(items, start=1):
            agenda_item = self.upsert(
                AgendaItem,
                {"meeting_id": meeting.id, "position": position},
                {
                    "label": agenda.get("label"),
                    "title": agenda["title"],
                    "note": agenda.get("note"),
                    "is_public": agenda.get("public", True),
                },
            )
            for p_position, presenter in enumerate(agenda.get("presenters", []), start=1):
                person, org = self.person_or_org(presenter)
                self.upsert(
                    AgendaPresenter,
                    {"agenda_item_id": agenda_item.id, "position": p_position},
                    {"person": person, "organization": org, "title": presenter.get("title")},
                )

    def load_minutes(self, meeting: Meeting, item: dict[str, Any]) -> Minutes:
        status = MinutesStatus(item.get("status", "draft"))
        values = {"status": status, "heading": item.get("heading"), "source_note": item.get("source_note")}
        if status is MinutesStatus.PUBLISHED:
            # The day the source made them public, else the meeting's.
            published = item.get("published")
            values["published_at"] = tokyo_datetime(published.year, published.month, published.day) if published else meeting.starts_at
        minutes = self.upsert(Minutes, {"meeting_id": meeting.id}, values)
        for position, text in enumerate(item.get("points", []), start=1):
            self.upsert(DiscussionPoint, {"minutes_id": minutes.id, "position": position}, {"text": text})
        for position, text in enumerate(item.get("decisions", []), start=1):
            self.upsert(Decision, {"minutes_id": minutes.id, "position": position}, {"text": text})
        return minutes


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def parse_date(value: date | str) -> tuple[date, DatePrecision]:
    """A YAML date, or 'YYYY-MM' for a date known only to the month."""
    if isinstance(value, date):
        return value, DatePrecision.DAY
    try:
        year, month = (int(part) for part in str(value).split("-"))
    except ValueError as exc:
        raise DemoDataError(f"not a date (YYYY-MM-DD) or month (YYYY-MM): {value!r}") from exc
    return date(year, month, 1), DatePrecision.MONTH


def parse_when(value: date | str) -> tuple[datetime, DatePrecision]:
    """'YYYY-MM-DD HH:MM', a date, or 'YYYY-MM', in Tokyo time, with how much of it is known."""
    if isinstance(value, str) and " " in value:
        try:
            moment = datetime.strptime(value, "%Y-%m-%d %H:%M")
        except ValueError as exc:
            raise DemoDataError(f"not a date and time (YYYY-MM-DD HH:MM): {value!r}") from exc
        return tokyo_datetime(moment.year, moment.month, moment.day, moment.hour, moment.minute), DatePrecision.MINUTE
    day, precision = parse_date(value)
    return tokyo_datetime(day.year, day.month, day.day), precision


def fiscal_years(value: Any) -> tuple[datetime, datetime]:
    """[first, last] fiscal years of a meeting the source gives no date for: from the first 1 April
    to the 1 April after the last."""
    try:
        first, last = (int(year) for year in value)
    except (TypeError, ValueError) as exc:
        raise DemoDataError(f"not [first, last] fiscal years: {value!r}") from exc
    if last < first:
        raise DemoDataError(f"fiscal years out of order: {value!r}")
    return tokyo_datetime(first, 4, 1), tokyo_datetime(last + 1, 4, 1)


def load_demo(
    path: str = DATA_FILE,
    progress: Callable[[str], None] = lambda _msg: None,
    password: str = DEMO_PASSWORD,
    activity: str | None = ACTIVITY_FILE,
    today: date | None = None,
) -> Loader:
    """Load the demo data file, then the demo activity laid out for today (in Japan), and commit;
    return the loader with its counts. activity=None loads the seed facts alone."""
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    loader = Loader(data, progress, password)
    loader.load()
    if activity is not None:
        load_activity(loader, today or today_tokyo(), activity)
    db.session.commit()
    return loader
