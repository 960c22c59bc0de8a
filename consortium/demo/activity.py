"""Demo activity (activity.yaml) laid out around the next meeting, so the demo never goes stale.

Nothing here comes from the seed documents. Every date is a number of days from "the next
meeting" (the one marked `next: true`). On the first load that meeting is put on the first
Tuesday to Thursday at least two weeks ahead that is a working day. Loading again keeps the
stored layout as long as that meeting is still at least KEEP_AHEAD ahead, so a second load the
same day (or the next week) changes nothing; once it comes closer, or has passed, the whole
activity is laid out again around a new next meeting, and the rows move forward in place.

No mail is sent: invitations and polls are recorded as sent (SentNotice), as if they had gone.
"""
from __future__ import annotations

import functools
import os
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import yaml
from flask import render_template_string

from ..calendar.holidays import holiday_name
from ..consortia.invitees import invitees
from ..documents import extraction, storage
from ..documents.services import add_document
from ..extensions import db
from ..feeds.services import issue_calendar_token
from ..tokens import services as tokens
from ..invitations.mailing import INVITATION as MEETING_INVITATION
from ..japanese import next_fiscal_year_start, to_tokyo, tokyo_datetime
from ..models import (
    Answer,
    Attendance,
    Consortium,
    DatePrecision,
    Document,
    Grant,
    GrantRole,
    DocumentAccess,
    DocumentType,
    MailState,
    Meeting,
    Membership,
    MinutesApproval,
    MinutesComment,
    Poll,
    PollAnswer,
    PollResponse,
    PollSlot,
    PollStatus,
    Person,
    Presence,
    Reply,
    SentNotice,
    Target,
    TargetReport,
    TokenScope,
    User,
)
from ..pdf.render import html_to_pdf
from . import DemoDataError
from ..polls.mailing import INVITATION as POLL_INVITATION

if TYPE_CHECKING:
    from .loader import Loader

ACTIVITY_FILE = os.path.join(os.path.dirname(__file__), "activity.yaml")
FIRST_LEAD = timedelta(days=14)  # the next meeting, when laid out afresh, is at least this far ahead
KEEP_AHEAD = timedelta(days=7)  # a stored layout is kept while its next meeting is this far ahead
MEETING_WEEKDAYS = (1, 2, 3)  # Tuesday to Thursday
MAIL_HOUR = 10  # invitations, replies and signatures are stamped at 10:00 Tokyo time
ANSWERS = {"○": Answer.YES, "△": Answer.MAYBE, "×": Answer.NO}
# Said on every invented meeting, so no visitor takes it for one of the real bodies named.
DEMO_NOTE = "デモ用の架空の会議です（出典の資料にはありません）。"


def is_working_day(day: date) -> bool:
    """A weekday that is neither a national holiday nor in the offices' 年末年始 (12/29–1/3)."""
    year_end = (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)
    return day.weekday() < 5 and not year_end and holiday_name(day) is None


def working_day_from(day: date, weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)) -> date:
    """The first working day on or after day that falls on one of the weekdays."""
    while not (day.weekday() in weekdays and is_working_day(day)):
        day += timedelta(days=1)
    return day


def fresh_next_day(today: date) -> date:
    """Where the next meeting goes when the activity is laid out afresh."""
    return working_day_from(today + FIRST_LEAD, MEETING_WEEKDAYS)


def _at(day: date, hhmm: str) -> datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return tokyo_datetime(day.year, day.month, day.day, hour, minute)


def _stamp(day: date, offset: int) -> datetime:
    """A mail or signature time: offset days from a meeting's day, at MAIL_HOUR."""
    return _at(day + timedelta(days=offset), f"{MAIL_HOUR}:00")


def _span(day: date, times: str) -> tuple[datetime, datetime]:
    start, end = times.split("-")
    return _at(day, start), _at(day, end)


@functools.cache
def _material_pdf(title: str, meeting_title: str, body: str | None) -> bytes:
    """A one-page PDF for a demo material, rendered once per process (WeasyPrint is slow)."""
    html = render_template_string(
        "<!doctype html><html lang='ja'><meta charset='utf-8'><style>@font-face{font-family:g;src:url(font:ipaexg.ttf)}"
        "body{font-family:g}</style><p>{{ meeting }}</p><h1>{{ title }}</h1>{% if body %}<p>{{ body }}</p>{% endif %}"
        "<p>デモ用の架空の資料です。実在の会議の資料ではありません。</p></html>",
        title=title, meeting=meeting_title, body=body,
    )
    return html_to_pdf(html)


class Activity:
    """Upsert the demo activity through the loader (its upsert counts what changed)."""

    def __init__(self, loader: Loader, data: dict[str, Any], today: date):
        self.loader = loader
        self.data = data
        self.today = today
        self.next_day = self._next_day()

    def _next_day(self) -> date:
        """The stored next meeting's day while it is far enough ahead, else a fresh one."""
        spec = next(m for m in self.data["meetings"] if m.get("next"))
        consortium = self.consortium(spec["consortium"])
        stored = db.session.execute(
            sa.select(Meeting.starts_at).filter_by(consortium_id=consortium.id, title=spec["title"])
        ).scalar()
        if stored is not None and to_tokyo(stored).date() >= self.today + KEEP_AHEAD:
            return to_tokyo(stored).date()
        return fresh_next_day(self.today)

    def consortium(self, name: str) -> Consortium:
        if name not in self.loader.consortia:
            raise DemoDataError(f"the demo activity names a consortium the data file does not define: {name}")
        return self.loader.consortia[name]

    def day(self, offset: int) -> date:
        return working_day_from(self.next_day + timedelta(days=offset))

    def load(self) -> None:
        loader = self.loader
        for item in self.data.get("consortia", []):
            loader.load_consortium(item)
        for item in self.data.get("contacts", []):
            loader.upsert(
                Person,
                {"id": loader.person(item["person"]).id},
                {"email": item.get("email"), "phone": item.get("phone")},
            )
        for item in self.data.get("users", []):
            loader.load_user(item)
        for item in self.data.get("grants", []):
            loader.upsert(
                Grant,
                {"user_id": self._user(item["user"]).id, "consortium_id": self.consortium(item["consortium"]).id},
                {"role": GrantRole(item["role"])},
            )
        for email in self.data.get("feeds", []):
            user = self._user(email)
            if user.calendar_token is None:
                issue_calendar_token(user)
                loader.updated += 1
        for item in self.data.get("api_tokens", []):
            user = self._user(item["user"])
            if not any(token.name == item["name"] for token in user.api_tokens):
                tokens.issue(user, item["name"], TokenScope(item["scope"]), None)
                loader.created += 1
        for item in self.data.get("target_reports", []):
            target = db.session.execute(
                sa.select(Target).filter_by(consortium_id=self.consortium(item["consortium"]).id, title=item["target"])
            ).scalar_one()
            loader.upsert(
                TargetReport,
                {"target_id": target.id, "fiscal_year": item["fiscal_year"]},
                {"value": Decimal(str(item["value"])), "note": item.get("note")},
            )
        for item in self.data.get("transfers_ahead", []):
            self.load_transfer_ahead(item)
        for item in self.data.get("meetings", []):
            self.load_meeting(item)
        loader.progress(f"demo activity around the next meeting on {self.next_day.isoformat()}")

    def load_transfer_ahead(self, item: dict[str, Any]) -> None:
        """A seat handed over on the next 1 April: the holder's term ends the day before."""
        consortium = self.consortium(item["consortium"])
        april = next_fiscal_year_start(self.today)
        holder = self.loader.upsert(
            Membership,
            {"consortium_id": consortium.id, "person_id": self.loader.person(item["holder"]).id, "seat": item["seat"]},
            {"term_end": april - timedelta(days=1)},
        )
        self.loader.upsert(
            Membership,
            {"consortium_id": consortium.id, "person_id": self.loader.person(item["successor"]).id, "seat": item["seat"]},
            {"term_start": april, "role": holder.role, "position": holder.position},
        )

    # -- meetings --------------------------------------------------------------------------

    def load_meeting(self, item: dict[str, Any]) -> None:
        consortium = self.consortium(item["consortium"])
        if "poll" in item and "chosen" in item["poll"]:  # a closed poll: the meeting is at the chosen slot
            slot = item["poll"]["slots"][item["poll"]["chosen"]]
            starts, ends = _span(self.day(slot["day"]), slot["time"])
            precision = DatePrecision.MINUTE
        elif "poll" in item:
            first = self.day(item["poll"]["slots"][0]["day"])
            starts, ends, precision = tokyo_datetime(first.year, first.month, 1), None, DatePrecision.MONTH
        else:
            starts, ends = _span(self.day(item["day"]), item["time"])
            precision = DatePrecision.MINUTE
        meeting = self.loader.upsert_meeting(
            # Invented meetings are invented whole: a regular meeting, open unless marked closed.
            consortium, {"kind": "regular", "public": True, **item, "description": DEMO_NOTE}, starts, ends, precision
        )
        self.loader.load_agenda(meeting, item.get("agenda", []))
        day = to_tokyo(meeting.starts_at).date()
        if "invitations" in item:
            self.load_invitations(meeting, day, item["invitations"])
        if "attendance" in item:
            self.load_attendance(meeting, item["attendance"])
        if "minutes" in item:
            self.load_minutes(meeting, day, item["minutes"])
        for spec in item.get("materials", []):
            self.load_material(meeting, spec)
        if "poll" in item:
            self.load_poll(meeting, item["poll"])

    def membership(self, meeting: Meeting, name: str) -> Membership:
        person = self.loader.person(name)
        return db.session.execute(
            sa.select(Membership).filter_by(consortium_id=meeting.consortium_id, person_id=person.id)
        ).scalar_one()

    def attendance(self, meeting: Meeting, membership: Membership, values: dict[str, Any]) -> Attendance:
        return self.loader.upsert(Attendance, {"meeting_id": meeting.id, "membership_id": membership.id}, values)

    def load_invitations(self, meeting: Meeting, day: date, spec: dict[str, Any]) -> None:
        """Invite every current member with an address, recorded as mailed; then their replies."""
        sent = _stamp(day, spec["sent"])
        for invitee in invitees(meeting.consortium_id):
            if not invitee.email:
                continue
            self.attendance(meeting, invitee.membership, {"invited_at": sent})
            self.loader.upsert(
                SentNotice,
                {"kind": MEETING_INVITATION, "meeting_id": meeting.id, "membership_id": invitee.membership.id,
                 "sequence": meeting.sequence},
                {"email": invitee.email, "sent_at": sent, "state": MailState.SENT, "delivered_at": sent},
            )
        for reply in spec.get("replies", []):
            self.attendance(
                meeting,
                self.membership(meeting, reply["person"]),
                {
                    "reply": Reply(reply["reply"]),
                    "reply_note": reply.get("note"),
                    "replied_at": _stamp(day, reply["day"]),
                    "stand_in": reply.get("stand_in"),
                },
            )

    def load_attendance(self, meeting: Meeting, spec: dict[str, Any]) -> None:
        for presence in Presence:
            for entry in spec.get(presence.value, []):
                name, stand_in = (entry["person"], entry["stand_in"]) if isinstance(entry, dict) else (entry, None)
                values = {"presence": presence}
                if stand_in:
                    values["stand_in"] = stand_in
                self.attendance(meeting, self.membership(meeting, name), values)
        self.loader.upsert(Meeting, {"id": meeting.id}, {"observers": spec.get("observers")})

    def load_minutes(self, meeting: Meeting, day: date, spec: dict[str, Any]) -> None:
        minutes = self.loader.load_minutes(meeting, spec)
        for signatory in spec.get("signatories", []):
            self.loader.upsert(
                MinutesApproval,
                {"minutes_id": minutes.id, "user_id": self._user(signatory["user"]).id},
                {"capacity": signatory["capacity"], "approved_at": _stamp(day, signatory["day"])},
            )
        for comment in spec.get("comments", []):
            self.loader.upsert(
                MinutesComment,
                {"minutes_id": minutes.id, "user_id": self._user(comment["user"]).id, "body": comment["body"]},
                {"created_at": _stamp(day, comment["day"])},
            )

    def load_material(self, meeting: Meeting, spec: dict[str, Any]) -> None:
        """A material with a real PDF in the app's own store (stored again only if its file is gone),
        its text read as an upload's job reads it."""
        values = {
            "label": spec.get("label"),
            "doc_type": DocumentType(spec.get("type", "material")),
            "access": DocumentAccess(spec.get("access", "inherit")),
        }
        document = db.session.execute(
            sa.select(Document).filter_by(meeting_id=meeting.id, title=spec["title"])
        ).scalar_one_or_none()
        if document is not None and storage.exists(document.storage_key):
            self.loader.upsert(Document, {"id": document.id}, values)
        else:
            if document is not None:  # the row outlived its file (an emptied upload folder)
                db.session.delete(document)
                db.session.flush()
            pdf = _material_pdf(spec["title"], meeting.title, spec.get("text"))
            document = add_document(meeting, pdf, spec["filename"], title=spec["title"], **values)
            self.loader.created += 1
        if document.extracted_text is None:
            extraction.fill(document)

    def load_poll(self, meeting: Meeting, spec: dict[str, Any]) -> None:
        respond_day = self.day(spec["respond_by"])
        poll = self.loader.upsert(
            Poll,
            {"meeting_id": meeting.id, "title": spec["title"]},
            {
                "message": spec.get("message"),
                "respond_by": _at(respond_day, "23:59"),
                "status": PollStatus(spec.get("status", "open")),
            },
        )
        # Slots are matched by their order (the oldest first), so a new layout moves each in place.
        existing = sorted(poll.slots, key=lambda s: s.id)
        slots = []
        for position, slot_spec in enumerate(spec["slots"]):
            starts, ends = _span(self.day(slot_spec["day"]), slot_spec["time"])
            if position < len(existing):
                slots.append(self.loader.upsert(PollSlot, {"id": existing[position].id}, {"starts_at": starts, "ends_at": ends}))
            else:
                slot = PollSlot(poll_id=poll.id, starts_at=starts, ends_at=ends)
                db.session.add(slot)
                db.session.flush()
                self.loader.created += 1
                slots.append(slot)
        db.session.refresh(poll)
        if "chosen" in spec:
            self.loader.upsert(Poll, {"id": poll.id}, {"chosen_slot_id": slots[spec["chosen"]].id})
        sent = _stamp(self.next_day, spec["sent"])
        for invitee in invitees(meeting.consortium_id):
            if invitee.email:
                self.loader.upsert(
                    SentNotice,
                    {"kind": POLL_INVITATION, "poll_id": poll.id, "membership_id": invitee.membership.id},
                    {"email": invitee.email, "sent_at": sent, "state": MailState.SENT, "delivered_at": sent},
                )
        for entry in spec.get("answers", []):
            membership = self.membership(meeting, entry["person"])
            for slot, mark in zip(slots, entry["answers"], strict=True):
                self.loader.upsert(PollAnswer, {"slot_id": slot.id, "membership_id": membership.id}, {"answer": ANSWERS[mark]})
            self.loader.upsert(
                PollResponse,
                {"poll_id": poll.id, "membership_id": membership.id},
                {"comment": entry.get("comment"), "answered_at": _stamp(self.next_day, entry["day"])},
            )

    def _user(self, email: str) -> User:
        return db.session.execute(sa.select(User).filter_by(email=email)).scalar_one()


def load_activity(loader: Loader, today: date, path: str = ACTIVITY_FILE) -> Activity:
    """Lay the demo activity out for today (Tokyo) and upsert it through the loader."""
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    activity = Activity(loader, data, today)
    activity.load()
    return activity
