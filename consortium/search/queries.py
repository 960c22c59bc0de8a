"""Searching the index as a viewer may: each kind joined to its rows and the pages' own clauses.

A kind's hits are one query whatever their number: the entries whose grams hold every term's
grams (the database's index), whose folded text holds every term (the check), whose row the
viewer may see (the same clauses as the pages, from permissions.py and minutes/summary.py),
with the total counted in the same query.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import joinedload

from .. import permissions
from ..extensions import db
from ..japanese import today_tokyo, tokyo_datetime
from ..minutes.summary import shown
from ..models import (
    ActionItem,
    AgendaItem,
    Consortium,
    Decision,
    DiscussionPoint,
    Document,
    DocumentAccess,
    Meeting,
    Membership,
    Minutes,
    Organization,
    Person,
    SearchEntry,
    Visibility,
)
from ..models.search import FTS_TABLE
from .folding import fold, term_grams
from .index import CODES, KIND_OF


@dataclass(frozen=True)
class Kind:
    """A kind of hit: its rows, how they reach a meeting and a consortium, who may see them, where
    they are shown."""

    name: str
    label: object  # lazy text: the group's heading
    model: type
    via: tuple  # joins from the row to Meeting and Consortium, in order
    visible: Callable[[object], sa.ColumnElement[bool]]  # (user) -> clause
    link: Callable[["Hit"], str]  # the place of the hit's row in its page
    title: Callable[["Hit"], str]
    options: tuple = ()  # loader options for what the title needs

    @property
    def dated(self) -> bool:
        """Its hits belong to a meeting, hence have a date."""
        return self.model is Meeting or Meeting in self.via


def _anchor(endpoint: str, anchor: str | None = None, **values) -> str:
    return url_for(endpoint, _anchor=anchor, **values)


def _document_visible(user) -> sa.ColumnElement[bool]:
    """SQL twin of permissions.can_view_document."""
    public = sa.and_(
        Meeting.is_public,
        Consortium.visibility == Visibility.PUBLIC,
        Document.access != DocumentAccess.MEMBERS,
        sa.or_(Document.agenda_item_id.is_(None), permissions.is_open_item_id(Document.agenda_item_id)),
    )
    return sa.or_(permissions.is_own(Meeting.consortium_id, user), public)


def _agenda_item_visible(user) -> sa.ColumnElement[bool]:
    """SQL twin of permissions.can_view for an agenda item."""
    return sa.and_(
        permissions.visible_meetings(user),
        sa.or_(permissions.is_open_item_id(AgendaItem.id), permissions.is_own(Meeting.consortium_id, user)),
    )


def _membership_visible(user) -> sa.ColumnElement[bool]:
    """As the consortium page shows its roster (today's members) and the roster page its
    secretariat (everyone, former and incoming members too)."""
    return sa.and_(
        permissions.visible_consortia(user),
        sa.or_(Membership.in_term(today_tokyo()), permissions.managed_consortia(user)),
    )


def _labelled(row) -> str:
    return f"{row.label} {row.title}" if row.label else row.title


def _meeting_title(hit: Hit) -> str:
    return hit.meeting.title


MEETING = (Meeting, Consortium)
MINUTES = (Minutes, *MEETING)
KINDS = [
    Kind("consortium", _l("Consortia"), Consortium, (), permissions.visible_consortia,
         lambda hit: _anchor("consortia.show", consortium_id=hit.row.id), lambda hit: hit.row.name),
    Kind("meeting", _l("Meetings"), Meeting, (Consortium,), permissions.visible_meetings,
         lambda hit: _anchor("meetings.show", meeting_id=hit.row.id), lambda hit: hit.row.title),
    Kind("agenda_item", _l("Agenda items"), AgendaItem, MEETING, _agenda_item_visible,
         lambda hit: _anchor("meetings.show", f"item-{hit.row.id}", meeting_id=hit.meeting.id), lambda hit: _labelled(hit.row)),
    Kind("minutes", _l("Minutes"), Minutes, MEETING, lambda user: shown(Minutes, user),
         lambda hit: _anchor("minutes.show", meeting_id=hit.meeting.id), _meeting_title),
    Kind("point", _l("Discussion points"), DiscussionPoint, MINUTES, lambda user: shown(DiscussionPoint, user),
         lambda hit: _anchor("minutes.show", f"point-{hit.row.id}", meeting_id=hit.meeting.id), _meeting_title),
    Kind("decision", _l("Decisions"), Decision, MINUTES, lambda user: shown(Decision, user),
         lambda hit: _anchor("minutes.show", f"decision-{hit.row.id}", meeting_id=hit.meeting.id), _meeting_title),
    Kind("action", _l("Action items"), ActionItem, MINUTES, lambda user: shown(ActionItem, user),
         lambda hit: _anchor("minutes.show", f"action-{hit.row.id}", meeting_id=hit.meeting.id), _meeting_title),
    Kind("document", _l("Materials"), Document, MEETING, _document_visible,
         lambda hit: _anchor("meetings.show", f"document-{hit.row.id}", meeting_id=hit.meeting.id), lambda hit: _labelled(hit.row)),
    Kind("membership", _l("Rosters"), Membership, (Consortium,), _membership_visible,
         lambda hit: _anchor("consortia.show", "roster", consortium_id=hit.consortium.id), lambda hit: hit.row.name,
         (joinedload(Membership.person), joinedload(Membership.organization))),
    Kind("organization", _l("Organisations"), Organization, (), lambda user: sa.true(),
         lambda hit: _anchor("directory.organisation", organization_id=hit.row.id), lambda hit: hit.row.name),
    Kind("person", _l("People"), Person, (), permissions.visible_people,
         lambda hit: _anchor("directory.person", person_id=hit.row.id), lambda hit: hit.row.full_name),
]
BY_NAME = {kind.name: kind for kind in KINDS}
# The hits of a kind counted and ranked: a word in a hundred thousand rows is not read whole.
# Past it, the most relevant of the first CAP found are shown, and the page says so.
CAP = 200


# For the search's transaction on PostgreSQL: the entries always read through the gram index, and
# each one's row, meeting and consortium looked up by key. The planner, misjudging how many
# entries hold a pair, would otherwise read every entry of a kind, or every public meeting into a
# hash table, hoping to stop early or to save lookups.
PLANNER_SETTINGS = (
    "SELECT set_config('enable_seqscan', 'off', true),"
    " set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)"
)


@dataclass(frozen=True)
class Filters:
    consortium_id: int | None = None
    fiscal_year: int | None = None
    since: date | None = None
    until: date | None = None
    by_date: bool = False  # newest first, else most relevant first

    @property
    def narrows_to_meetings(self) -> bool:
        return bool(self.fiscal_year or self.since or self.until)

    def between(self) -> tuple[datetime | None, datetime | None]:
        """The meetings' starts asked for: from (inclusive) and before (exclusive), None for open."""
        starts = [tokyo_datetime(self.fiscal_year, 4, 1)] if self.fiscal_year else []
        ends = [tokyo_datetime(self.fiscal_year + 1, 4, 1)] if self.fiscal_year else []
        if self.since:
            starts.append(_day(self.since))
        if self.until:
            ends.append(_day(self.until + timedelta(days=1)))
        return max(starts, default=None), min(ends, default=None)


@dataclass
class Hit:
    kind: Kind
    entry: SearchEntry
    row: object
    meeting: Meeting | None
    consortium: Consortium | None


@dataclass
class Found:
    kind: Kind
    hits: list[Hit]
    total: int  # at most CAP + 1

    @property
    def more_than_counted(self) -> bool:
        return self.total > CAP

    @property
    def shown_total(self) -> int:
        return min(self.total, CAP)


def applies(kind: Kind, filters: Filters) -> bool:
    """Whether the kind can hold hits under the filters: a date asks for a meeting's things."""
    if filters.narrows_to_meetings and not kind.dated:
        return False
    return not (filters.consortium_id and kind.model in (Organization, Person))


def _matching(kind: Kind, terms: list[str]) -> sa.ColumnElement[bool]:
    """The kind's entries holding every term: through the database's gram index, then checked whole
    where the grams do not say it all (a term of more than two characters, or punctuation that
    SQLite's full-text index does not keep)."""
    by_term = {term: {CODES[kind.name] + g for g in term_grams(term)} for term in terms}
    wanted = sorted(set().union(*by_term.values()))
    if db.engine.dialect.name == "postgresql":
        exact = set(wanted)
        grams = sa.func.string_to_array(SearchEntry.grams, " ")
        # Every gram carries the kind's code, so no test of the kind: the planner, given one,
        # would read all the kind's entries in order, hoping to stop early, instead of the index.
        looked_up = grams.op("@>")(sa.cast(postgresql.array(wanted), postgresql.ARRAY(sa.Text)))
    else:
        exact = {g for g in wanted if g[1:].isalnum()}
        tokens = [g for g in wanted if any(c.isalnum() for c in g[1:])]
        query = " AND ".join('"' + g.replace('"', '""') + '"' for g in tokens)
        fts = sa.table(FTS_TABLE, sa.column("rowid"))
        found = sa.select(fts.c.rowid).where(sa.text(f"{FTS_TABLE} MATCH :query").bindparams(query=query))
        in_index = SearchEntry.id.in_(found) if tokens else sa.true()  # punctuation alone: the checks only
        looked_up = sa.and_(SearchEntry.kind == kind.name, in_index)
    checks = [
        SearchEntry.folded.contains(term, autoescape=True)
        for term, grams in by_term.items()
        if len(term) > 2 or not grams <= exact
    ]
    return sa.and_(looked_up, *checks)


def holding(stmt: sa.Select, model: type, key: str) -> sa.Select:
    """stmt (on organisations or people) narrowed to the rows whose index entry holds the
    directory's search key (the name without spaces is in the entry: 山田太郎 finds 山田 太郎).
    Joined, not IN: the rows come as the index finds them, and a count can stop early."""
    kind = KIND_OF[model]
    term = "".join(fold(key).split())
    return stmt.join(SearchEntry, SearchEntry.row_id == model.id).where(_matching(BY_NAME[kind], [term]))


def read_through_index() -> None:
    """Ask PostgreSQL for the plans that suit reading the index, for the rest of the transaction."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text(PLANNER_SETTINGS))


def _position(term: str) -> sa.ColumnElement[int]:
    """Where the term first occurs in the folded text (1 = the start of the title)."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.strpos(SearchEntry.folded, term)
    return sa.func.instr(SearchEntry.folded, term)


def _day(day: date):
    return tokyo_datetime(day.year, day.month, day.day)


def _chain(stmt: sa.Select, kind: Kind) -> sa.Select:
    """The statement from the entries to the kind's rows and on to their meeting and consortium.
    Which entries are the kind's is said by _matching, or by the entry found (_statement)."""
    stmt = stmt.join(kind.model, kind.model.id == SearchEntry.row_id)
    previous = kind.model
    for model in kind.via:
        stmt = stmt.join(model, _join(previous, model))
        previous = model
    return stmt


def _join(previous: type, model: type) -> sa.ColumnElement[bool]:
    """How a row reaches the next model of its chain."""
    if model is Consortium:
        return Consortium.id == previous.consortium_id
    if model is Meeting:
        return Meeting.id == previous.meeting_id
    return Minutes.id == previous.minutes_id


def _found(kind: Kind, terms: list[str], filters: Filters, user) -> sa.Subquery:
    """The kind's hits the viewer may see, at most CAP + 1 of them: their entries' ids, with what
    they are ordered by. Newest first, these are the newest; else the first the index gives."""
    day = SearchEntry.day if kind.dated else sa.null()
    stmt = _chain(sa.select(SearchEntry.id, _position(terms[0]).label("relevance"), day.label("day")), kind)
    stmt = stmt.where(_matching(kind, terms), kind.visible(user))
    if filters.consortium_id:
        stmt = stmt.where(Consortium.id == filters.consortium_id)
    if kind.dated and (filters.narrows_to_meetings or filters.by_date):
        # The entry's copy of its meeting's start lets the database read the kind's entries in
        # date order (ix_search_entry_kind_day); the meeting's own start decides.
        stmt = stmt.where(SearchEntry.kind == kind.name)
        start, end = filters.between()
        for column in (SearchEntry.day, Meeting.starts_at):
            stmt = stmt.where(*([column >= start] if start else []), *([column < end] if end else []))
        if filters.by_date:
            stmt = stmt.order_by(SearchEntry.day.desc(), SearchEntry.id)
    return stmt.limit(CAP + 1).subquery()


def _statement(kind: Kind, terms: list[str], filters: Filters, user, limit: int, offset: int) -> sa.Select:
    """The page's hits, with the total found. Counted and ordered on the found entries alone, so
    only the page's own hits are read whole (a material's entry holds the text of its file)."""
    found = _found(kind, terms, filters, user)
    shown = (
        sa.select(found, sa.func.count().over().label("total"))
        .order_by(*_order(found, filters), found.c.id)
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    stmt = _chain(sa.select(SearchEntry, kind.model, *kind.via, shown.c.total), kind)
    stmt = stmt.join(shown, shown.c.id == SearchEntry.id).options(*kind.options)
    return stmt.order_by(*_order(shown, filters), SearchEntry.id)


def _order(hits: sa.Subquery, filters: Filters) -> tuple:
    """Newest first, or most relevant first (the term nearest the start of the title)."""
    return (hits.c.day.desc(), hits.c.relevance) if filters.by_date else (hits.c.relevance, hits.c.day.desc())


def search(terms: list[str], filters: Filters, user, kinds: list[Kind], limit: int, offset: int = 0) -> list[Found]:
    """The hits of each kind (one query each), at most limit of them from offset on, never past CAP."""
    found, limit = [], max(0, min(limit, CAP - offset))
    read_through_index()
    for kind in kinds:
        rows = db.session.execute(_statement(kind, terms, filters, user, limit, offset)).all()
        hits = [
            Hit(kind, row.SearchEntry, row[1], getattr(row, "Meeting", None), getattr(row, "Consortium", None))
            for row in rows
        ]
        found.append(Found(kind, hits, rows[0].total if rows else 0))
    return found
