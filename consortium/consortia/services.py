"""Writes of the consortia area: consortia, rosters, groups, milestones, targets. Flush, never commit.

Every change here is written to the audit log at flush (consortium/audit.py); only the
staff transfer, which is two row changes meaning one event, records an event of its own.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from .. import audit
from ..extensions import db
from ..japanese import search_key, today_tokyo
from ..rows import assign, move, next_position, subtree
from ..models import (
    Consortium,
    Meeting,
    Membership,
    Milestone,
    Organization,
    Person,
    RosterGroup,
    Target,
    TargetReport,
)

# Copied from the former holder to the new one at a transfer: the seat stays as it was.
SEAT_ATTRIBUTES = ("seat", "role", "category", "title", "group_id", "on_behalf_of_id", "description", "position")




# ---------------------------------------------------------------------------------------------
# Consortia


def descendants(consortium: Consortium) -> set[int]:
    """Ids of every consortium below this one (its projects, their projects…)."""
    pairs = db.session.execute(
        sa.select(Consortium.id, Consortium.parent_id).where(Consortium.parent_id.is_not(None))
    ).all()
    return set(subtree(pairs, consortium.id)) - {consortium.id}


def create_consortium(values: dict) -> Consortium:
    """Add a consortium; its secretariat is granted afterwards by an administrator."""
    consortium = Consortium(**values)
    db.session.add(consortium)
    db.session.flush()
    return consortium


def update_consortium(consortium: Consortium, values: dict) -> None:
    """Change a consortium's facts, parent and themes."""
    values = dict(values)
    themes = values.pop("themes")
    assign(consortium, values)
    if list(consortium.themes) != themes:
        consortium.themes = themes
    db.session.flush()


def deletion_blockers(consortium: Consortium) -> dict[str, int]:
    """What stops a consortium from being deleted: its meetings (with their minutes) and its projects."""
    meetings = db.session.execute(
        sa.select(sa.func.count()).select_from(Meeting).where(Meeting.consortium_id == consortium.id)
    ).scalar_one()
    children = db.session.execute(
        sa.select(sa.func.count()).select_from(Consortium).where(Consortium.parent_id == consortium.id)
    ).scalar_one()
    return {name: n for name, n in (("meetings", meetings), ("children", children)) if n}


def delete_consortium(consortium: Consortium) -> None:
    """Delete a consortium with its roster, groups, milestones, targets and grants; see deletion_blockers."""
    db.session.delete(consortium)
    db.session.flush()


# ---------------------------------------------------------------------------------------------
# Memberships


@dataclass
class MemberChoice:
    """Who a membership is for: a directory row, or a name to add to the directory."""

    kind: str  # "person" or "organization"
    row: Person | Organization | None
    name: str | None  # to create, when row is None
    sits_for: Organization | None = None
    sits_for_name: str | None = None  # to create, when sits_for is None


def _directory_rows(choice: MemberChoice, default_organization: Organization | None = None):
    """The member and the body sat for, creating in the directory what the choice asks for."""
    sits_for = choice.sits_for
    if sits_for is None and choice.sits_for_name:
        sits_for = Organization(name=choice.sits_for_name)
        db.session.add(sits_for)
    member = choice.row
    if member is None:
        if choice.kind == "person":
            family, *given = choice.name.split(maxsplit=1)  # any space, the full-width one too
            member = Person(
                family_name=family, given_name=given[0] if given else None, organization=sits_for or default_organization
            )
        else:
            member = Organization(name=choice.name)
        db.session.add(member)
    return member, sits_for



def add_membership(consortium: Consortium, choice: MemberChoice, values: dict) -> Membership:
    """Put a person or an organisation on the roster, at its end."""
    member, sits_for = _directory_rows(choice)
    rows = _roster_list(consortium.id)
    membership = Membership(
        consortium=consortium,
        on_behalf_of=sits_for,
        **{"person" if choice.kind == "person" else "organization": member},
        **values,
    )
    db.session.add(membership)
    if membership.term_end is None:
        seat_in(rows, membership, landing_index(rows, membership))
    else:  # a former member has no place in the current order
        membership.position = next_position(Membership.position, Membership.consortium_id == consortium.id)
    db.session.flush()
    return membership


def update_membership(membership: Membership, choice: MemberChoice, values: dict) -> None:
    """Change who holds a membership and what the roster prints for it."""
    member, sits_for = _directory_rows(choice)
    person = member if choice.kind == "person" else None
    organization = member if choice.kind == "organization" else None
    if membership.person is not person:
        membership.person = person
    if membership.organization is not organization:
        membership.organization = organization
    if membership.on_behalf_of is not sits_for:
        membership.on_behalf_of = sits_for
    regrouped = "group_id" in values and values["group_id"] != membership.group_id
    assign(membership, values)
    if regrouped and membership.is_current:
        # Moving a row to another group moves it there: to the end of that group.
        rows = _roster_list(membership.consortium_id)
        seat_in(rows, membership, landing_index(rows, membership, by_category=False))
    db.session.flush()


def end_membership(membership: Membership, on: date) -> None:
    """End a term: the member leaves the current roster and stays in its history."""
    membership.term_end = on
    db.session.flush()


def remove_membership(membership: Membership) -> None:
    """Delete a membership entered by mistake; it leaves no history."""
    db.session.delete(membership)
    db.session.flush()


def groups_of(consortium_id: int) -> list[RosterGroup]:
    """The consortium's roster groups, in order: those a membership may be put under."""
    return db.session.execute(
        sa.select(RosterGroup).where(RosterGroup.consortium_id == consortium_id).order_by(RosterGroup.position, RosterGroup.id)
    ).scalars().all()


def current_roster(consortium_id: int, on: date | None = None) -> sa.Select:
    """The memberships of a consortium in roster order on a day (today unless given)."""
    return (
        sa.select(Membership)
        .where(Membership.consortium_id == consortium_id, Membership.in_term(on or today_tokyo()))
        .order_by(Membership.position, Membership.seat, Membership.id)
    )


def changes_ahead(consortium_id: int) -> sa.Select:
    """Memberships entered ahead, for the secretariat: terms that start after today (joining) or
    end on or after it (leaving), soonest change first. They take effect on their dates."""
    today = today_tokyo()
    joining = Membership.term_start > today
    return (
        sa.select(Membership)
        .where(Membership.consortium_id == consortium_id, sa.or_(joining, Membership.term_end >= today))
        .order_by(sa.case((joining, Membership.term_start), else_=Membership.term_end), Membership.id)
    )


def former_members(consortium_id: int) -> sa.Select:
    """Memberships whose term has ended, latest first."""
    return (
        sa.select(Membership)
        .where(Membership.consortium_id == consortium_id, Membership.term_end < today_tokyo())
        .order_by(Membership.term_end.desc(), Membership.id.desc())
    )


def _roster_list(consortium_id: int) -> list[Membership]:
    return list(db.session.execute(current_roster(consortium_id)).scalars())


def landing_index(rows: list[Membership], membership: Membership, by_category: bool = True) -> int:
    """Where a row joins the roster (an index into rows without it): after the last row of its
    category within its group (区民（公募） stays one run), else at its seat among its group, else
    at the end of its group, else at the end of the roster. Categories match as typed alike (NFKC)."""
    others = [r for r in rows if r is not membership]
    group = [i for i, r in enumerate(others) if r.group_id == membership.group_id]
    if not group:
        return len(others)
    key = search_key(membership.category) if by_category and membership.category else None
    same = [i for i in group if key and search_key(others[i].category) == key]
    if same:
        return same[-1] + 1
    if membership.seat is not None:
        after = [i for i in group if others[i].seat is not None and others[i].seat > membership.seat]
        if after:
            return after[0]
    return group[-1] + 1


def land_all(rows: list, arrivals: list) -> list:
    """rows with each arrival (in order) where landing_index would put it, in one pass however
    many arrive: an import may bring thousands, and one landing_index each would take time
    that grows with the square of the roster. Arrivals that land before the same seated row are
    put in seat order. Rows and arrivals need group_id, category and seat."""
    index_of = {id(r): i for i, r in enumerate(rows)}
    in_group: dict = {}
    last_of: dict = {}  # (group, category key) → the row or arrival the next of that category follows
    for r in rows:
        in_group.setdefault(r.group_id, []).append(r)
        if r.category:
            last_of[(r.group_id, search_key(r.category))] = r
    # Per group: seats in ascending order, and for each the earliest row holding that seat or a
    # higher one, so "the first row of the group with a larger seat" is one bisect.
    by_seat: dict = {}
    for group, members in in_group.items():
        seated = sorted((r.seat, index_of[id(r)]) for r in members if r.seat is not None)
        first_from = [0] * len(seated)
        low = len(rows)
        for k in range(len(seated) - 1, -1, -1):
            low = min(low, seated[k][1])
            first_from[k] = low
        by_seat[group] = ([seat for seat, _i in seated], first_from)
    after: dict = {}
    before: dict = {}
    end_of: dict = {}  # group → arrivals at its end; roster_end → at the end of the roster
    roster_end = object()  # not None: None is the group of the ungrouped rows
    for a in arrivals:
        key = (a.group_id, search_key(a.category)) if a.category else None
        members = in_group.get(a.group_id)
        if key in last_of:
            after.setdefault(id(last_of[key]), []).append(a)
        elif not members:
            end_of.setdefault(roster_end, []).append(a)
        else:
            seats, first_from = by_seat[a.group_id]
            k = bisect_right(seats, a.seat) if a.seat is not None else len(seats)
            if k < len(seats):
                before.setdefault(first_from[k], []).append(a)
            else:
                end_of.setdefault(a.group_id, []).append(a)
        if key is not None:
            last_of[key] = a
    last_in = {id(members[-1]): group for group, members in in_group.items()}
    out: list = []

    def emit(first) -> None:
        stack = [first]
        while stack:  # no recursion: a category run of thousands is one long chain
            row = stack.pop()
            out.append(row)
            # Popped last to first: the rows of its category, then (after a group's last row) the group's end.
            if id(row) in last_in:
                stack.extend(reversed(end_of.get(last_in[id(row)], ())))
            stack.extend(reversed(after.get(id(row), ())))

    for i, r in enumerate(rows):
        for a in sorted(before.get(i, ()), key=lambda a: a.seat):
            emit(a)
        emit(r)
    for a in end_of.get(roster_end, ()):
        emit(a)
    return out


def seat_in(rows: list[Membership], membership: Membership, index: int) -> None:
    """Put the row at index of the roster order (rows without it) and number every row 1, 2, 3…;
    only rows whose number changes are written."""
    others = [r for r in rows if r is not membership]
    others.insert(max(0, min(index, len(others))), membership)
    for number, each in enumerate(others, start=1):
        if each.position != number:
            each.position = number


def move_membership(membership: Membership, direction: str) -> bool:
    """Move a current membership one step; False when it is already first or last.

    A step past the edge of its group takes it into the neighbouring group (at that group's
    near end) rather than swapping, so a group's rows always stay together.
    """
    rows = _roster_list(membership.consortium_id)
    i = rows.index(membership)
    j = i - 1 if direction == "up" else i + 1
    if not 0 <= j < len(rows):
        return False
    if rows[j].group_id != membership.group_id:
        membership.group_id = rows[j].group_id
        seat_in(rows, membership, i)  # same place, now the edge row of the neighbouring group
        db.session.flush()
        return True
    return move(rows, membership, direction)


def move_membership_to(membership: Membership, place: int, group_id: int | None) -> bool:
    """Move a current membership to a place (1 = first) in the roster order, in the given group,
    in one step; False when nothing changes.

    The place is kept inside the group's run of rows, so a group never splits: a place before
    the group puts the row first in it, a place after it last. A group nobody is in yet starts
    where asked, at the nearest boundary between groups.
    """
    rows = _roster_list(membership.consortium_id)
    before = (rows.index(membership), membership.group_id)
    others = [r for r in rows if r is not membership]
    index = max(0, min(place - 1, len(others)))
    group = [i for i, r in enumerate(others) if r.group_id == group_id]
    if group:
        index = min(max(index, group[0]), group[-1] + 1)
    else:
        while 0 < index < len(others) and others[index - 1].group_id == others[index].group_id:
            index += 1
    if membership.group_id != group_id:
        membership.group_id = group_id
    seat_in(rows, membership, index)
    db.session.flush()
    return (index, group_id) != before


def transfer_membership(membership: Membership, choice: MemberChoice, on: date) -> Membership:
    """Hand a seat to a new holder from a date; the former one stays in the history.

    The former term ends the day before, so the two terms meet without overlapping; the
    partial unique index on current seats then allows the new row to take the same seat.
    """
    member, _sits_for = _directory_rows(choice, default_organization=membership.on_behalf_of)
    membership.term_end = on - timedelta(days=1)
    db.session.flush()
    successor = Membership(
        consortium_id=membership.consortium_id,
        term_start=on,
        **{"person" if choice.kind == "person" else "organization": member},
        **{name: getattr(membership, name) for name in SEAT_ATTRIBUTES},
    )
    db.session.add(successor)
    db.session.flush()
    audit.record(
        "transfer",
        successor,
        {"membership_id": membership.id, "member": membership.name},
        {"membership_id": successor.id, "member": successor.name, "on": on.isoformat()},
    )
    return successor


# ---------------------------------------------------------------------------------------------
# Roster groups


def add_group(consortium: Consortium, values: dict) -> RosterGroup:
    """Add a roster heading at the end of the consortium's groups."""
    position = next_position(RosterGroup.position, RosterGroup.consortium_id == consortium.id)
    group = RosterGroup(consortium=consortium, position=position, **values)
    db.session.add(group)
    db.session.flush()
    return group


def update_group(group: RosterGroup, values: dict) -> None:
    assign(group, values)
    db.session.flush()


def group_subtree(group: RosterGroup) -> list[RosterGroup]:
    """The group and every group under it, deepest first."""
    groups = db.session.execute(
        sa.select(RosterGroup).where(RosterGroup.consortium_id == group.consortium_id)
    ).scalars().all()
    by_id = {g.id: g for g in groups}
    return [by_id[gid] for gid in reversed(subtree([(g.id, g.parent_id) for g in groups], group.id))]


def delete_group(group: RosterGroup) -> None:
    """Delete a group and those under it; their members stay on the roster without a group."""
    for g in group_subtree(group):
        for membership in g.memberships:
            membership.group = None
        db.session.delete(g)
        db.session.flush()


# ---------------------------------------------------------------------------------------------
# Milestones, targets and their reports


def add_milestone(consortium: Consortium, values: dict) -> Milestone:
    milestone = Milestone(consortium=consortium, **values)
    db.session.add(milestone)
    db.session.flush()
    return milestone


def update_milestone(milestone: Milestone, values: dict) -> None:
    assign(milestone, values)
    db.session.flush()


def add_target(consortium: Consortium, values: dict) -> Target:
    """Add a KPI after the consortium's others."""
    target = Target(consortium=consortium, position=next_position(Target.position, Target.consortium_id == consortium.id), **values)
    db.session.add(target)
    db.session.flush()
    return target


def update_target(target: Target, values: dict) -> None:
    assign(target, values)
    db.session.flush()


def add_report(target: Target, values: dict) -> TargetReport:
    """Report progress for a fiscal year (the form has checked the year is free)."""
    report = TargetReport(target=target, **values)
    db.session.add(report)
    db.session.flush()
    return report


def update_report(report: TargetReport, values: dict) -> None:
    assign(report, values)
    db.session.flush()


def delete(row) -> None:
    """Delete a milestone, target (with its reports) or report."""
    db.session.delete(row)
    db.session.flush()


# ---------------------------------------------------------------------------------------------
# Contacts


def set_contact(person: Person, values: dict) -> None:
    """Set a person's email and/or phone (the audit log records the change at flush)."""
    assign(person, values)
    db.session.flush()


def add_contact(organization: Organization, name: str, values: dict) -> Person:
    """Add a person of the organisation, with the address that makes them its contact."""
    family, *given = name.split(None, 1)  # a full-width space (U+3000) parts the names too
    person = Person(family_name=family, given_name=given[0] if given else None, organization=organization, **values)
    db.session.add(person)
    db.session.flush()
    return person
