"""All models, importable from one place."""
from .accounts import ApiToken, Grant, GrantRole, TokenScope, User
from .audit import AuditEvent
from .base import DatePrecision
from .consortia import (
    Consortium,
    ConsortiumKind,
    ConsortiumStatus,
    Membership,
    Role,
    RosterGroup,
    Theme,
    Visibility,
)
from .meetings import (
    AgendaItem,
    AgendaPresenter,
    Attendance,
    Document,
    DocumentAccess,
    DocumentType,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Presence,
    Reply,
)
from .minutes import (
    ActionItem,
    ActionStatus,
    Decision,
    DiscussionPoint,
    Minutes,
    MinutesApproval,
    MinutesComment,
    MinutesRevision,
    MinutesStatus,
)
from .opendata import LICENCE_URLS, Licence, OpenDataTerms
from .organisations import Organization, OrganizationKind
from .people import Person
from . import touch  # noqa: F401,I001  (what counts as a change to a meeting)
from .polls import Answer, MailState, Poll, PollAnswer, PollResponse, PollSlot, PollStatus, SentNotice
from .schedule import Comparator, Milestone, Target, TargetKind, TargetReport
from .search import SearchEntry

__all__ = [
    "ApiToken",
    "TokenScope",
    "ActionItem",
    "ActionStatus",
    "AgendaItem",
    "AgendaPresenter",
    "Answer",
    "Attendance",
    "AuditEvent",
    "Comparator",
    "Consortium",
    "ConsortiumKind",
    "ConsortiumStatus",
    "DatePrecision",
    "Decision",
    "DiscussionPoint",
    "Document",
    "DocumentAccess",
    "DocumentType",
    "Grant",
    "GrantRole",
    "MailState",
    "Meeting",
    "MeetingKind",
    "MeetingStatus",
    "Membership",
    "Milestone",
    "Minutes",
    "MinutesApproval",
    "MinutesComment",
    "MinutesRevision",
    "MinutesStatus",
    "LICENCE_URLS",
    "Licence",
    "OpenDataTerms",
    "Organization",
    "OrganizationKind",
    "Person",
    "Poll",
    "PollAnswer",
    "PollResponse",
    "PollSlot",
    "PollStatus",
    "Presence",
    "Reply",
    "SearchEntry",
    "Role",
    "RosterGroup",
    "SentNotice",
    "Target",
    "TargetKind",
    "TargetReport",
    "Theme",
    "User",
    "Visibility",
]
