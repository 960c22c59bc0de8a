"""What the audit log names: its actions, the kinds of row, how a row is named, where its page is.

Rows are loaded a kind at a time with what their names and pages need (the options), so a page
of the log runs one query per kind of row on it, however many events it shows.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ..filters import long_date, clock
from ..models import (
    ActionItem,
    AgendaItem,
    ApiToken,
    AgendaPresenter,
    Attendance,
    Consortium,
    Decision,
    DiscussionPoint,
    Document,
    Grant,
    Meeting,
    Membership,
    Milestone,
    Minutes,
    MinutesApproval,
    MinutesComment,
    OpenDataTerms,
    Organization,
    Person,
    Poll,
    PollAnswer,
    PollResponse,
    PollSlot,
    RosterGroup,
    SentNotice,
    Target,
    TargetReport,
    Theme,
    User,
)
from ..audit import SIGN_IN
from ..permissions import Access

LONGEST_NAME = 40  # characters of a text that names a row (a decision, a comment)


def _short(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= LONGEST_NAME else text[:LONGEST_NAME] + "…"


def _person_name(values: dict) -> str | None:
    return " ".join(part for part in (values.get("family_name"), values.get("given_name")) if part) or None


def _member(*path):
    """Loader options for a membership reached through path, named by its person or organisation."""
    return (
        joinedload(*path, Membership.person),
        joinedload(*path, Membership.organization),
    )


def _meeting_page(meeting_id: int) -> str:
    return url_for("meetings.show", meeting_id=meeting_id)


def _minutes_page(minutes: Minutes) -> str:
    return url_for("minutes.show", meeting_id=minutes.meeting_id)


def _title(values: dict) -> str | None:
    return values.get("title")


def _nothing(values: dict) -> None:
    return None


@dataclass(frozen=True)
class Kind:
    model: type
    label: Any  # a lazy string: 会議, 名簿 …
    name: Callable[[Any], str] | None  # the row as the log names it; None: by what it refers to
    page: Callable[[Any], str] | None = None  # the address of its page, if it has one
    options: tuple = ()  # what name and page read, loaded with the row
    level: Access = Access.MEMBER  # who may open that page, in the row's consortium
    saved_name: Callable[[dict], str | None] = _title  # a deleted row, from its values
    refers_to: tuple[str, ...] = ()  # fields naming the row by another row (its member, its user), first found


KINDS: dict[str, Kind] = {
    kind.model.__name__: kind
    for kind in (
        Kind(ActionItem, _l("Action item"), lambda r: _short(r.text), lambda r: _minutes_page(r.minutes),
             (joinedload(ActionItem.minutes),), saved_name=lambda v: _short(v.get("text"))),
        Kind(ApiToken, _l("API access token"), lambda r: f"{r.name}（{r.prefix}…）", lambda r: url_for("tokens.every"),
             level=Access.ADMIN, saved_name=lambda v: v.get("name")),
        Kind(AgendaItem, _l("Agenda item"), lambda r: r.numbered_title, lambda r: _meeting_page(r.meeting_id)),
        Kind(AgendaPresenter, _l("Presenter"), lambda r: r.name, lambda r: _meeting_page(r.agenda_item.meeting_id),
             (joinedload(AgendaPresenter.person), joinedload(AgendaPresenter.organization), joinedload(AgendaPresenter.agenda_item)),
             saved_name=_nothing, refers_to=("person_id", "organization_id")),
        Kind(Attendance, _l("Attendance"), lambda r: r.membership.name, lambda r: _meeting_page(r.meeting_id),
             _member(Attendance.membership), saved_name=_nothing, refers_to=("membership_id",)),
        Kind(Consortium, _l("Consortium"), lambda r: r.name, lambda r: url_for("consortia.show", consortium_id=r.id),
             saved_name=lambda v: v.get("name")),
        Kind(Decision, _l("Decision"), lambda r: _short(r.text), lambda r: _minutes_page(r.minutes),
             (joinedload(Decision.minutes),), saved_name=lambda v: _short(v.get("text"))),
        Kind(DiscussionPoint, _l("Discussion point"), lambda r: _short(r.text), lambda r: _minutes_page(r.minutes),
             (joinedload(DiscussionPoint.minutes),), saved_name=lambda v: _short(v.get("text"))),
        Kind(Document, _l("Material"), lambda r: r.title, lambda r: _meeting_page(r.meeting_id)),
        Kind(Grant, _l("Role"), lambda r: f"{r.user.display_name}（{r.consortium.name}）",
             lambda r: url_for("admin.edit_user", user_id=r.user_id),
             (joinedload(Grant.user), joinedload(Grant.consortium)), Access.ADMIN,
             saved_name=_nothing, refers_to=("user_id",)),
        Kind(Meeting, _l("Meeting"), lambda r: r.title, lambda r: _meeting_page(r.id)),
        Kind(Membership, _l("Roster entry"), lambda r: r.name,
             lambda r: url_for("consortia.edit_membership", membership_id=r.id),
             _member(), Access.SECRETARIAT, saved_name=_nothing, refers_to=("person_id", "organization_id")),
        Kind(Milestone, _l("Milestone"), lambda r: r.title, lambda r: url_for("consortia.show", consortium_id=r.consortium_id)),
        Kind(Minutes, _l("Minutes"), lambda r: r.meeting.title, _minutes_page,
             (joinedload(Minutes.meeting),), saved_name=_nothing, refers_to=("meeting_id",)),
        Kind(MinutesApproval, _l("Signatory"), lambda r: r.user.display_name, lambda r: _minutes_page(r.minutes),
             (joinedload(MinutesApproval.user), joinedload(MinutesApproval.minutes)),
             saved_name=_nothing, refers_to=("user_id",)),
        Kind(MinutesComment, _l("Comment on minutes"), lambda r: _short(r.body), lambda r: _minutes_page(r.minutes),
             (joinedload(MinutesComment.minutes),), saved_name=lambda v: _short(v.get("body"))),
        Kind(OpenDataTerms, _l("Terms of the open data"), lambda r: r.licence.value, lambda r: url_for("opendata.terms"),
             level=Access.ADMIN, saved_name=lambda v: v.get("licence")),
        Kind(Organization, _l("Organisation"), lambda r: r.name,
             lambda r: url_for("directory.organisation", organization_id=r.id), saved_name=lambda v: v.get("name")),
        Kind(Person, _l("Person"), lambda r: r.full_name, lambda r: url_for("directory.person", person_id=r.id),
             saved_name=_person_name),
        Kind(Poll, _l("Date poll"), lambda r: r.title, lambda r: url_for("polls.show", poll_id=r.id)),
        Kind(PollAnswer, _l("Answer to a date poll"), lambda r: r.membership.name,
             lambda r: url_for("polls.show", poll_id=r.slot.poll_id),
             (*_member(PollAnswer.membership), joinedload(PollAnswer.slot)), saved_name=_nothing, refers_to=("membership_id",)),
        Kind(PollResponse, _l("Reply to a date poll"), lambda r: r.membership.name,
             lambda r: url_for("polls.show", poll_id=r.poll_id),
             _member(PollResponse.membership), saved_name=_nothing, refers_to=("membership_id",)),
        Kind(PollSlot, _l("Proposed date"), lambda r: f"{long_date(r.starts_at)} {clock(r.starts_at)}",
             lambda r: url_for("polls.show", poll_id=r.poll_id), saved_name=_nothing, refers_to=("starts_at",)),
        Kind(RosterGroup, _l("Roster group"), lambda r: r.numbered_title,
             lambda r: url_for("consortia.roster", consortium_id=r.consortium_id, _anchor="groups"), level=Access.SECRETARIAT),
        Kind(SentNotice, _l("Notice sent"), None, saved_name=_nothing, refers_to=("membership_id",)),
        Kind(Target, _l("Target"), lambda r: _short(r.title), lambda r: url_for("consortia.show", consortium_id=r.consortium_id),
             saved_name=lambda v: _short(v.get("title"))),
        Kind(TargetReport, _l("Target report"), lambda r: f"{_short(r.target.title)}（{r.fiscal_year}）",
             lambda r: url_for("consortia.show", consortium_id=r.target.consortium_id),
             (joinedload(TargetReport.target),), saved_name=_nothing, refers_to=("target_id",)),
        Kind(Theme, _l("Theme"), lambda r: r.name, saved_name=lambda v: v.get("name")),
        Kind(User, _l("Account"), lambda r: r.display_name, lambda r: url_for("admin.edit_user", user_id=r.id),
             level=Access.ADMIN, saved_name=lambda v: v.get("display_name")),
    )
}

ACTIONS = {
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    "merge": _l("Duplicate merged"),
    "transfer": _l("Member replaced"),
    "import": _l("Roster imported"),
    "review": _l("Sent for review"),
    "designate": _l("Signatory named"),
    "remove_signatory": _l("Signatory removed"),
    "approve": _l("Signed"),
    "approved": _l("Approved"),
    "publish": _l("Published"),
    "reopen": _l("Reopened"),
    SIGN_IN: _l("Signed in"),
}


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def kind_label(entity_type: str) -> str:
    kind = KINDS.get(entity_type)
    return str(kind.label) if kind is not None else entity_type
