"""Feeds as the site serves them: which meetings each reader gets, validators for conditional GET
from one aggregate query, and serialized events kept by version, so that a feed of a thousand
meetings is assembled from what was already written rather than written again."""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from .. import permissions
from ..extensions import db, login_manager
from .. import storage
from ..kept import Kept
from ..japanese import today_tokyo, tokyo_datetime
from ..meetings.services import in_agenda_order
from ..models import AgendaItem, AgendaPresenter, Consortium, Meeting, User
from . import ical

# The public feed spans every consortium, so it holds the meetings from a year back on: one that
# grew without end would get slower for every app that polls it. A consortium's feed and a
# member's hold all their meetings, history included.
HISTORY = timedelta(days=365)
# Serialized events kept in each process's memory, about 1 kB each; all are also stored on disk.
EVENTS_KEPT = 20_000
# With more changed meetings than this, load the feed's meetings rather than a long list of ids.
BY_ID = 200


@dataclass(frozen=True)
class Feed:
    """A calendar of meetings as one reader may see it."""

    key: str  # names the feed in its ETag
    name: str | None  # the calendar's name in the app
    where: sa.ColumnElement[bool]  # on Meeting joined to its Consortium
    members_of: frozenset[int]  # consortia whose closed items and online links the reader sees
    private: bool  # holds something the public may not see
    since: datetime | None = None
    touched: datetime | None = None  # a change outside the meetings that the calendar shows

    @property
    def clause(self) -> sa.ColumnElement[bool]:
        # A meeting known only to its fiscal years has no day for a calendar to put it on.
        dated = sa.and_(self.where, Meeting.dated)
        return sa.and_(dated, Meeting.starts_at >= self.since) if self.since else dated


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: datetime | None
    earliest: datetime | None = None  # the first meeting's start: how far back the VTIMEZONE goes


# Keyed by everything an event's bytes depend on, so a stale entry is never found, only forgotten.
# Writing an event costs icalendar about a millisecond, so each one is written once: kept in
# memory, and stored in the "ical-cache" store for other workers and after a restart.
events = Kept(EVENTS_KEPT)


def _stored(key: tuple) -> str:
    digest = hashlib.sha256(repr(key).encode()).hexdigest()
    return storage.fanned_out(f"{digest}.ics")


def kept_event(key: tuple) -> bytes | None:
    """The serialized event under that key, from memory or from the store."""
    chunk = events.get(key)
    if chunk is None:
        chunk = storage.store("ical-cache").get(_stored(key))
        if chunk is None:
            return None
        events.put(key, chunk)
    return chunk


def keep_event(key: tuple, chunk: bytes) -> None:
    events.put(key, chunk)
    storage.store("ical-cache").put(_stored(key), chunk)


def uid_domain() -> str:
    return current_app.config["CALENDAR_UID_DOMAIN"]


def _site() -> str:
    return url_for("site.home", _external=True)


def _since() -> datetime:
    start = today_tokyo() - HISTORY
    return tokyo_datetime(start.year, start.month, start.day)


def consortium_feed(consortium: Consortium) -> Feed:
    """The consortium's meetings the visitor may see; members get closed ones and items too."""
    member = permissions.is_member(consortium.id)
    return Feed(
        key=f"consortium-{consortium.id}",
        name=consortium.name,
        where=sa.and_(Meeting.consortium_id == consortium.id, permissions.visible_meetings()),
        members_of=frozenset({consortium.id}) if member else frozenset(),
        private=member or not consortium.is_public,
        touched=consortium.updated_at,
    )


def public_feed() -> Feed:
    """Public meetings of public consortia from a year back on, the same for every reader."""
    with force_locale("ja"):
        name = _("Public meetings")
    return Feed(
        key="public",
        name=name,
        where=permissions.visible_meetings(login_manager.anonymous_user()),
        members_of=frozenset(),
        private=False,
        since=_since(),
    )


def personal_feed(user: User) -> Feed:
    """Every meeting of every consortium the user belongs to, as a member sees it."""
    consortia = permissions.grants_of(user)
    with force_locale("ja"):
        name = _("Meetings of my consortia")
    return Feed(
        key=f"user-{user.id}",
        name=name,
        where=permissions.own_meetings(user),
        members_of=frozenset(consortia),
        private=True,
    )


def etag(*state) -> str:
    """A validator for whatever the state names, and for where and how the site writes UIDs."""
    digest = hashlib.blake2b(repr((*state, _site(), uid_domain())).encode(), digest_size=12).hexdigest()
    return f'W/"{digest}"'


def validators(feed: Feed) -> Validators:
    """ETag and Last-Modified from one aggregate query, without writing the calendar."""
    count, newest, id_sum, consortia, earliest = db.session.execute(
        sa.select(
            sa.func.count(Meeting.id),
            sa.func.max(Meeting.updated_at),
            sa.func.sum(Meeting.id),
            sa.func.max(Consortium.updated_at),
            sa.func.min(Meeting.starts_at),
        )
        .select_from(Meeting)
        .join(Meeting.consortium)
        .where(feed.clause)
    ).one()
    state = (feed.key, sorted(feed.members_of), feed.since, feed.touched, count, newest, id_sum, consortia)
    changes = [d for d in (newest, consortia, feed.touched) if d is not None]
    return Validators(etag(*state), max(changes, default=None), earliest)


def meeting_validators(meeting: Meeting, member: bool) -> Validators:
    changed = max(meeting.updated_at, meeting.consortium.updated_at)
    return Validators(etag("meeting", meeting.id, member, meeting.updated_at, meeting.consortium.updated_at), changed)


def load(clause: sa.ColumnElement[bool]) -> list[Meeting]:
    """Meetings with their consortium, agenda items and presenters: three queries, whatever their number."""
    meetings = db.session.execute(
        sa.select(Meeting).join(Meeting.consortium).where(clause).options(contains_eager(Meeting.consortium))
    ).scalars().all()
    items = db.session.execute(
        sa.select(AgendaItem).join(AgendaItem.meeting).join(Meeting.consortium).where(clause)
    ).scalars().all()
    presenters = db.session.execute(
        sa.select(AgendaPresenter)
        .join(AgendaPresenter.agenda_item)
        .join(AgendaItem.meeting)
        .join(Meeting.consortium)
        .where(clause)
        .options(joinedload(AgendaPresenter.person), joinedload(AgendaPresenter.organization))
        .order_by(AgendaPresenter.position, AgendaPresenter.id)
    ).scalars().all()
    by_item, by_meeting = defaultdict(list), defaultdict(list)
    for presenter in presenters:
        by_item[presenter.agenda_item_id].append(presenter)
    for item in items:
        set_committed_value(item, "presenters", by_item[item.id])
        by_meeting[item.meeting_id].append(item)
    for meeting in meetings:
        set_committed_value(meeting, "agenda_items", by_meeting[meeting.id])
    return meetings


def entry(meeting: Meeting, member: bool, items: list[AgendaItem] | None = None) -> ical.Entry:
    """What a reader sees of a meeting: closed agenda items (and those under one) only as a member."""
    items = in_agenda_order(meeting.agenda_items if items is None else items)
    if not member:
        items = [item for item in items if permissions.is_open_item(item)]
    return ical.Entry(meeting, items, member, url_for("meetings.show", meeting_id=meeting.id, _external=True))


def meeting_body(meeting: Meeting, member: bool) -> bytes:
    """One meeting's .ics."""
    load(Meeting.id == meeting.id)
    with force_locale("ja"):
        return ical.serialize([entry(meeting, member)], name=None, domain=uid_domain())


def addresses() -> tuple[str, str]:
    """Where the site is and how it names UIDs: every serialized event depends on both."""
    return _site(), uid_domain()


def event_key(meeting_id: int, updated_at, consortium_updated_at, member: bool, where: tuple[str, str]) -> tuple:
    return meeting_id, updated_at, consortium_updated_at, member, *where


def write_event(meeting: Meeting, member: bool, where: tuple[str, str]) -> bytes:
    """Serialize one loaded meeting (load()) as the reader sees it, and keep it."""
    chunk = ical.event(entry(meeting, member), where[1]).to_ical()
    keep_event(event_key(meeting.id, meeting.updated_at, meeting.consortium.updated_at, member, where), chunk)
    return chunk


def body(feed: Feed, earliest: datetime | None) -> bytes:
    """The feed's calendar: events kept from earlier requests, and the changed ones written now."""
    rows = db.session.execute(
        sa.select(
            Meeting.id,
            Meeting.consortium_id,
            Meeting.updated_at,
            Consortium.updated_at.label("consortium_updated_at"),
        )
        .select_from(Meeting)
        .join(Meeting.consortium)
        .where(feed.clause)
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    where, written = addresses(), {}
    for row in rows:
        member = row.consortium_id in feed.members_of
        chunk = kept_event(event_key(row.id, row.updated_at, row.consortium_updated_at, member, where))
        if chunk is not None:
            written[row.id] = chunk
    missing = [row.id for row in rows if row.id not in written]
    if missing:
        clause = Meeting.id.in_(missing) if len(missing) <= BY_ID else feed.clause
        with force_locale("ja"):
            for meeting in load(clause):
                if meeting.id not in written:
                    written[meeting.id] = write_event(meeting, meeting.consortium_id in feed.members_of, where)
    header = ical.calendar(feed.name, first_year=ical.timezone_start(earliest))
    return ical.assemble(header, (written[row.id] for row in rows if row.id in written))
