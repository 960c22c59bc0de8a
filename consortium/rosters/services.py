"""Roster import: match the file's rows against the database (plan), then write them (apply).

plan_import reads a fixed number of queries however long the file is: the Matcher loads every
organisation and person once, and the consortium's current memberships come in one more.

An import is a set of changes: the rows it names are added or updated, and every row it does not
name keeps its seat, place and group, unless the secretariat says the file is the whole roster
(then those leave: their terms end today). A new row joins the roster where the page's own add
would put it (consortia.services.landing_index, land_all): after the last row of its 区分, so 区民（公募）
stays one run; the file's row order never reorders the roster.
apply_import adds and flushes, never commits: the view commits once, so a file goes in whole
or not at all.
"""
from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from .. import audit, permissions
from ..directory.matching import Matcher
from ..consortia.roster import LEADING_ROLES
from ..consortia.services import current_roster, end_membership, land_all
from ..extensions import db
from ..forms import normalise_text
from ..japanese import search_key, today_tokyo
from ..models import Consortium, Membership, Organization, Person, Role
from .importer import Row, Table

NEW, UPDATE, UNCHANGED, ERROR = "new", "update", "unchanged", "error"
LEAVING = "leaving"


@dataclass
class PlannedRow:
    """A row of the file, what it matches, and what confirming it would do."""

    row: Row
    errors: list = field(default_factory=list)
    person: Person | None = None  # an existing person this row names
    organization: Organization | None = None  # an existing organisation that is the member
    on_behalf_of: Organization | None = None  # an existing organisation a person sits for
    membership: Membership | None = None  # the current membership this row updates
    changes: dict[str, tuple] = field(default_factory=dict)  # column → (now, after)
    moved: bool = False  # a new 区分 takes the row to that category's run

    @property
    def is_person(self) -> bool:
        return bool(self.row.name)

    @property
    def new_person(self) -> bool:
        return self.is_person and self.person is None

    @property
    def new_organization(self) -> bool:
        """Whether the organisation in 団体名 would be created."""
        if not self.row.organisation:
            return False
        return (self.on_behalf_of if self.is_person else self.organization) is None

    @property
    def status(self) -> str:
        if self.errors:
            return ERROR
        if self.membership is None:
            return NEW
        return UPDATE if self.changes else UNCHANGED


@dataclass(eq=False)
class Slot:
    """One row of the roster as confirming would leave it: a current member, or a file's new row."""

    membership: Membership | None
    planned: PlannedRow | None
    group_id: int | None
    category: str | None
    seat: int | None
    role: Role
    leaving: bool = False

    def after(self, name: str):
        """The value the roster will print for a column of the membership."""
        p = self.planned
        if p is not None and name in p.changes:
            return p.changes[name][1]
        if self.membership is not None:
            return getattr(self.membership, name)
        return getattr(p.row, name)

    @property
    def name(self) -> str:
        if self.membership is not None:
            return self.membership.name
        return self.planned.row.name or self.planned.row.organisation

    @property
    def status(self) -> str:
        if self.leaving:
            return LEAVING
        return self.planned.status if self.planned is not None else UNCHANGED


@dataclass
class Plan:
    table: Table
    rows: list[PlannedRow]
    untouched: int  # current members the file does not mention
    whole: bool = False  # the file is the whole roster: the untouched leave
    order: list[Slot] = field(default_factory=list)  # the roster after confirming, leavers where they were
    leaving: list[Membership] = field(default_factory=list)

    @property
    def printed(self) -> list[tuple[int | None, Slot]]:
        """The resulting roster as the page prints it (hosts and secretariat first), each row with
        its place; those leaving have none."""
        place, out = 0, []
        for s in sorted(self.order, key=lambda s: s.role not in LEADING_ROLES):
            place += not s.leaving
            out.append((None if s.leaving else place, s))
        return out

    @property
    def moved(self) -> int:
        return sum(1 for r in self.rows if r.moved and not r.errors)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def errors(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.errors]

    @property
    def ok(self) -> bool:
        return not self.errors


def describe_person(person: Person) -> str:
    """山田 太郎 (長野県): enough to tell namesakes apart."""
    # The Matcher has loaded every organisation, so this reads the identity map, not the database.
    org = person.organization
    return f"{person.full_name} ({org.name})" if org else person.full_name


def _current_memberships(consortium_id: int) -> list[Membership]:
    """In roster order, with who holds each: the preview prints every current member's name."""
    stmt = current_roster(consortium_id).options(joinedload(Membership.person), joinedload(Membership.organization))
    return list(db.session.execute(stmt).unique().scalars())


def plan_import(consortium: Consortium, table: Table, whole: bool = False, user=None) -> Plan:
    """Match each row with existing people, organisations and memberships; find what is wrong;
    lay out the roster as confirming would leave it."""
    matcher = Matcher()
    in_order = _current_memberships(consortium.id)
    current = sorted(in_order, key=export_order)
    by_person: dict[int, list[Membership]] = defaultdict(list)
    by_organization: dict[int, list[Membership]] = defaultdict(list)
    for m in current:
        if m.person_id is not None:
            by_person[m.person_id].append(m)
        else:
            by_organization[m.organization_id].append(m)

    planned = [PlannedRow(row=row, errors=list(row.errors)) for row in table.rows]
    for p in planned:
        _match(p, matcher, by_person)
    _claim_memberships(planned, by_person, by_organization)
    _check_targets(planned, table.columns)
    claimed = {id(p.membership) for p in planned if p.membership is not None}
    untouched = [m for m in current if id(m) not in claimed]
    if not whole:  # a whole roster frees the seats of those who leave
        _check_seats_held(planned, untouched, table)
    # Everyone in the file holds a seat here once it is confirmed, so the contact rule
    # (permissions.can_edit_contact) comes down to the importer's standing in this consortium.
    may_set_contact = permissions.can_edit_roster_contacts(consortium.id, user)
    for p in planned:
        if not p.errors:
            p.changes = _changes(p, table.columns) if p.membership is not None else {}
            _email_change(p, may_set_contact)
    leaving = untouched if whole else []
    order = _resulting_order(in_order, planned, {id(m) for m in leaving})
    return Plan(table=table, rows=planned, untouched=len(untouched), whole=whole, order=order, leaving=leaving)


def _email_change(p: PlannedRow, allowed: bool) -> None:
    """An address in the file sets the person's email where the contact rule allows it."""
    email = p.row.email
    if not email or not p.is_person:
        return
    if not allowed:
        p.errors.append(_l("You may not set this person's email address."))
    elif p.person is None or p.person.email != email:
        p.changes["email"] = (p.person.email if p.person is not None else None, email)


def _resulting_order(in_order: list[Membership], planned: list[PlannedRow], leaving: set[int]) -> list[Slot]:
    """The roster in order after confirming: rows the file does not name stay where they are."""
    named = {id(p.membership): p for p in planned if p.membership is not None and not p.errors}
    slots = []
    for m in in_order:
        p = named.get(id(m))
        after = (lambda name: p.changes[name][1] if p is not None and name in p.changes else getattr(m, name))
        slots.append(Slot(m, p, m.group_id, after("category"), after("seat"), after("role"), leaving=id(m) in leaving))
    # A new 区分 takes a row to its run, when the roster has one; otherwise the row keeps its place.
    runs = Counter((s.group_id, search_key(s.category)) for s in slots if s.category)
    movers = [
        s for s in slots
        if s.planned is not None and "category" in s.planned.changes and s.category
        and runs[(s.group_id, search_key(s.category))] > 1
    ]
    if movers:
        was = {id(s): i for i, s in enumerate(slots)}
        moving = {id(s) for s in movers}
        slots = land_all([s for s in slots if id(s) not in moving], movers)
        for i, s in enumerate(slots):
            if id(s) in moving:
                s.planned.moved = i != was[id(s)]
    arrivals = [
        Slot(None, p, None, p.row.category, p.row.seat, p.row.role or Role.MEMBER)
        for p in planned
        if p.membership is None and not p.errors
    ]
    return land_all(slots, arrivals) if arrivals else slots


def _match(p: PlannedRow, matcher: Matcher, on_roster: dict[int, list[Membership]]) -> None:
    row = p.row
    if not row.name:
        p.organization = matcher.organization(row.organisation)
        return
    p.on_behalf_of = matcher.organization(row.organisation)
    found = matcher.people_named(row.name, p.on_behalf_of)
    if len(found) > 1:
        # Among namesakes, the one already on this roster is the one the file means.
        here = [person for person in found if person.id in on_roster]
        found = here if len(here) == 1 else found
    if len(found) > 1:
        p.errors.append(
            _l(
                "Several people are named %(name)s: %(people)s. Give the organisation they sit for in %(column)s, "
                "or tell them apart in the directory first.",
                name=row.name,
                column="団体名",
                people="、".join(describe_person(person) for person in found[:5]),
            )
        )
    elif found:
        p.person = found[0]


def _target(p: PlannedRow):
    """Who the row is about, existing or to be created, as a comparable key."""
    if p.is_person:
        if p.person is not None:
            return ("person", p.person.id)
        return ("new person", search_key(p.row.name), search_key(p.row.organisation))
    if p.organization is not None:
        return ("organisation", p.organization.id)
    return ("new organisation", search_key(p.row.organisation))


def _claim_memberships(planned, by_person, by_organization) -> None:
    """Pair rows with the current memberships they update: same role first, then in roster order.

    Someone may hold two places on a roster (a host that is also a member); each row takes one.
    """
    available: dict = {}
    for p in planned:
        # Rows with errors claim too, so that a member's own seat is never reported as someone else's.
        if p.person is not None:
            available.setdefault(("person", p.person.id), list(by_person.get(p.person.id, ())))
        elif not p.is_person and p.organization is not None:
            available.setdefault(("organisation", p.organization.id), list(by_organization.get(p.organization.id, ())))
    waiting = []
    for p in planned:
        pool = available.get(_target(p))
        if not pool:
            continue
        same_role = next((m for m in pool if p.row.role is not None and m.role is p.row.role), None)
        if same_role is None and p.row.role is None:
            same_role = next((m for m in pool if m.role is Role.MEMBER), None)
        if same_role is not None:
            pool.remove(same_role)
            p.membership = same_role
        else:
            waiting.append(p)
    for p in waiting:
        pool = available[_target(p)]
        if pool:
            p.membership = pool.pop(0)


def _check_targets(planned, columns: frozenset[str]) -> None:
    """The same person or organisation twice in the same role is a repeated row, not two places."""
    first: dict = {}
    for p in planned:
        if p.errors:
            continue
        if p.membership is not None and "role" not in columns:
            role = p.membership.role
        else:
            role = p.row.role or Role.MEMBER
        key = (_target(p), role)
        if key in first:
            p.errors.append(_l("This member is also on row %(line)d, in the same role.", line=first[key].row.line))
        else:
            first[key] = p


def export_order(m: Membership) -> tuple:
    """The order the export writes: by seat, the seatless last, then by roster position."""
    return (m.seat is None, m.seat or 0, m.position, m.id)


def _check_seats_held(planned, untouched: list[Membership], table: Table) -> None:
    """A seat in the file must not be held by a current member the file leaves as they are."""
    if "seat" not in table.columns:
        return
    holders = {m.seat: m for m in untouched if m.seat is not None}
    for p in planned:
        holder = holders.get(p.row.seat)
        if holder is not None:
            p.errors.append(
                _l(
                    "Seat %(seat)d is held by %(name)s, who is not in this file. Free the seat on the roster first, "
                    "or add that member to the file.",
                    seat=p.row.seat,
                    name=holder.name,
                )
            )


def _same_line(a: str | None, b: str | None) -> bool:
    """Equal when matched as typed alike (NFKC): ＡＢＣ and ABC, （公募） and (公募), are the same
    text, so a file never rewrites a stored value into another width."""
    return unicodedata.normalize("NFKC", a or "").strip() == unicodedata.normalize("NFKC", b or "").strip()


def _changes(p: PlannedRow, columns: frozenset[str]) -> dict[str, tuple]:
    """What confirming would change on the row's membership; a column the file lacks changes nothing."""
    m, row = p.membership, p.row
    changes: dict[str, tuple] = {}
    if "seat" in columns and m.seat != row.seat:
        changes["seat"] = (m.seat, row.seat)
    if "role" in columns and m.role is not (row.role or Role.MEMBER):
        changes["role"] = (m.role, row.role or Role.MEMBER)
    for name in ("title", "category"):
        if name in columns and not _same_line(getattr(m, name), getattr(row, name)):
            changes[name] = (getattr(m, name), getattr(row, name))
    if "description" in columns and normalise_text(m.description) != row.description:
        changes["description"] = (m.description, row.description)
    if p.is_person and "organisation" in columns:
        now = m.on_behalf_of_id
        after = p.on_behalf_of.id if p.on_behalf_of is not None else None
        if now != after or (row.organisation and p.on_behalf_of is None):
            changes["on_behalf_of"] = (m.on_behalf_of, p.on_behalf_of or row.organisation)
    return changes


PROGRESS_EVERY = 50  # rows of an import between two progress reports


@dataclass
class ImportResult:
    total: int
    created: int
    updated: int
    left: int = 0


def apply_import(
    consortium: Consortium, plan: Plan, filename: str = "", progress: Callable[[int], None] = lambda _done: None
) -> ImportResult:
    """Create missing organisations and people, then create or update every membership; flush only.
    progress(rows done) is told every few dozen rows of the memberships."""
    if not plan.ok:
        raise ValueError("a plan with errors cannot be applied")
    rows = plan.rows
    # Those who leave let go of their seats first, so the file may hand them on.
    today = today_tokyo()
    for m in plan.leaving:
        end_membership(m, today)
    # Organisations and people first, each created once however many rows name them.
    new_organizations: dict[str, Organization] = {}
    for p in rows:
        if p.new_organization:
            new_organizations.setdefault(search_key(p.row.organisation), Organization(name=p.row.organisation))
    db.session.add_all(new_organizations.values())
    db.session.flush()

    def organization_of(p: PlannedRow) -> Organization | None:
        existing = p.on_behalf_of if p.is_person else p.organization
        if existing is not None or not p.row.organisation:
            return existing
        return new_organizations[search_key(p.row.organisation)]

    new_people: dict = {}
    for p in rows:
        if p.new_person:
            org = organization_of(p)
            new_people.setdefault(
                _target(p),
                Person(
                    family_name=p.row.family_name,
                    given_name=p.row.given_name,
                    organization_id=org.id if org is not None else None,
                    email=p.changes["email"][1] if "email" in p.changes else None,
                ),
            )
    db.session.add_all(new_people.values())
    db.session.flush()

    # A seat changes hands only after its holder has let go of it: the unique index checks each row.
    wanted = {p.row.seat for p in rows if p.row.seat is not None}
    moving = [p.membership for p in rows if "seat" in p.changes and p.membership.seat in wanted]
    for m in moving:
        m.seat = None
    if moving:
        db.session.flush()

    created_for: dict[int, Membership] = {}
    for done, p in enumerate(rows):
        if done and done % PROGRESS_EVERY == 0:
            progress(done)
        org = organization_of(p)
        if "email" in p.changes and p.person is not None:
            p.person.email = p.changes["email"][1]
        # Ids, not relationships: assigning a loaded person would load their whole membership list.
        if p.membership is None:
            person = p.person or new_people.get(_target(p))
            created_for[id(p)] = Membership(
                    consortium_id=consortium.id,
                    person_id=person.id if p.is_person else None,
                    organization_id=None if p.is_person else org.id,
                    on_behalf_of_id=org.id if p.is_person and org is not None else None,
                    role=p.row.role or Role.MEMBER,
                    seat=p.row.seat,
                    title=p.row.title,
                    category=p.row.category,
                    description=p.row.description,
                )
            db.session.add(created_for[id(p)])
            continue
        m = p.membership
        for name in ("seat", "role", "title", "category", "description"):
            if name in p.changes:
                setattr(m, name, p.changes[name][1])
        if "on_behalf_of" in p.changes:
            m.on_behalf_of_id = org.id if org is not None else None
    # Number the roster as the plan laid it out; only rows whose number changes are written.
    staying = [s.membership or created_for[id(s.planned)] for s in plan.order if not s.leaving]
    for number, m in enumerate(staying, start=1):
        if m.position != number:
            m.position = number
    db.session.flush()
    created, updated, left = plan.count(NEW), plan.count(UPDATE), len(plan.leaving)
    audit.record(
        "import",
        consortium,
        None,
        {"filename": filename, "rows": len(rows), "created": created, "updated": updated, "left": left},
    )
    return ImportResult(total=len(rows), created=created, updated=updated, left=left)
