"""The API's shapes, named as Popolo and Open Civic Data name them where they fit (Organization,
Person, Membership, Event): the OpenAPI document is written from these, and every answer is
dumped through them, so the two cannot disagree.

Rows are dumped as loaded; what a viewer may not see is left out before (in the views), never here.
"""
from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from ..converters import LARGEST_ID
from ..models import (
    ActionStatus,
    ConsortiumKind,
    ConsortiumStatus,
    DatePrecision,
    DocumentAccess,
    DocumentType,
    MeetingKind,
    MeetingStatus,
    OrganizationKind,
    Presence,
    Role,
    Visibility,
)


def _enum(enum_cls, **kwargs) -> fields.Enum:
    return fields.Enum(enum_cls, by_value=True, **kwargs)


class DecimalText(fields.Decimal):
    """A number kept exactly (a KPI's 10.5 %), sent as text so no client rounds it: "10.50"."""

    def __init__(self, **kwargs):
        super().__init__(as_string=True, **kwargs)


def _row_id(**kwargs) -> fields.Int:
    """A row's id in a query string: a number no row can have is refused before the database."""
    return fields.Int(validate=validate.Range(min=1, max=LARGEST_ID), **kwargs)


class Ref(Schema):
    """Another row by id and name."""

    id = fields.Int(required=True)
    name = fields.Str(required=True)


# ---------------------------------------------------------------------------------------------
# Query strings


class ListArgs(Schema):
    """What every list takes: a page size, the cursor of the page before, changes since."""

    limit = fields.Int(validate=validate.Range(min=1, max=200), metadata={"description": "Rows per page, up to 200 (50 unless given)."})
    after = fields.Str(metadata={"description": "The `next` cursor of the page before."})
    updated_since = fields.AwareDateTime(
        metadata={"description": "Only rows changed at or after this time (ISO 8601 with offset): a partner re-syncs with the time of its last sync."}
    )


class ConsortiumListArgs(ListArgs):
    classification = _enum(ConsortiumKind)
    parent = _row_id(metadata={"description": "Only the consortia directly under this one."})


class MembershipListArgs(ListArgs):
    consortium = _row_id()
    organization = _row_id(metadata={"description": "Seats of this body, or held for it."})
    person = _row_id()
    current = fields.Bool(metadata={"description": "true: only seats held today; false: only former and incoming ones."})


class DirectoryListArgs(ListArgs):
    consortium = _row_id(metadata={"description": "Only those with a seat (ever) in this consortium."})


class EventListArgs(ListArgs):
    consortium = _row_id()
    start = fields.Date(metadata={"description": "Only meetings on or after this day (in Japan)."})
    end = fields.Date(metadata={"description": "Only meetings on or before this day (in Japan)."})
    fiscal_year = fields.Int(
        validate=validate.Range(min=1900, max=2200),
        metadata={"description": "Only meetings of this fiscal year (年度: 1 April to 31 March), e.g. 2026."},
    )


# ---------------------------------------------------------------------------------------------
# Consortia


class Theme(Schema):
    code = fields.Str(required=True)
    name = fields.Str(required=True)
    name_en = fields.Str(allow_none=True)


class Consortium(Schema):
    """A consortium, council or programme: a Popolo Organization with classification."""

    id = fields.Int(required=True)
    name = fields.Str(required=True)
    short_name = fields.Str(allow_none=True)
    name_en = fields.Str(allow_none=True)
    classification = _enum(ConsortiumKind, attribute="kind", required=True)
    status = _enum(ConsortiumStatus, required=True)
    visibility = _enum(Visibility, required=True)
    description = fields.Str(attribute="purpose", allow_none=True, metadata={"description": "趣旨"})
    background = fields.Str(allow_none=True)
    founding_date = fields.Date(attribute="period_start", allow_none=True)
    dissolution_date = fields.Date(attribute="period_end", allow_none=True)
    parent = fields.Nested(Ref, allow_none=True, metadata={"description": "The consortium above, when the caller may see it."})
    themes = fields.List(fields.Nested(Theme), required=True)
    contact = fields.Str(allow_none=True, metadata={"description": "The secretariat's public contact."})
    roster_note = fields.Str(allow_none=True, metadata={"description": "The roster's own words, e.g. 順不同・敬称略."})
    version = fields.Int(required=True)
    updated_at = fields.DateTime(required=True)
    html_url = fields.Url(required=True)


class Milestone(Schema):
    id = fields.Int(required=True)
    title = fields.Str(required=True)
    date = fields.Date(attribute="on", required=True)
    precision = _enum(DatePrecision, required=True)
    note = fields.Str(allow_none=True)


class TargetReport(Schema):
    fiscal_year = fields.Int(required=True)
    value = DecimalText(required=True)
    note = fields.Str(allow_none=True)


class Target(Schema):
    id = fields.Int(required=True)
    title = fields.Str(required=True)
    comparator = fields.Str(attribute="comparator.value", required=True)
    target_value = DecimalText(allow_none=True)
    unit = fields.Str(allow_none=True)
    fiscal_year_from = fields.Int(allow_none=True)
    fiscal_year = fields.Int(allow_none=True, metadata={"description": "To be reached by the end of this fiscal year."})
    baseline_value = DecimalText(allow_none=True)
    baseline_fiscal_year = fields.Int(allow_none=True)
    reports = fields.List(fields.Nested(TargetReport), required=True)


class ConsortiumDetail(Consortium):
    children = fields.List(fields.Nested(Ref), required=True)
    hosts = fields.List(fields.Nested(Ref), required=True, metadata={"description": "主催: today's hosts."})
    secretariat = fields.List(fields.Nested(Ref), required=True, metadata={"description": "事務局: today's."})
    milestones = fields.List(fields.Nested(Milestone), required=True)
    targets = fields.List(fields.Nested(Target), required=True)


# ---------------------------------------------------------------------------------------------
# The directory and rosters


class Organization(Schema):
    """A body of the shared directory (Popolo Organization)."""

    id = fields.Int(required=True)
    name = fields.Str(required=True)
    name_kana = fields.Str(allow_none=True)
    name_en = fields.Str(allow_none=True)
    classification = _enum(OrganizationKind, attribute="kind", required=True)
    prefecture = fields.Str(allow_none=True)
    website = fields.Str(allow_none=True)
    version = fields.Int(required=True)
    updated_at = fields.DateTime(required=True)
    html_url = fields.Url(required=True)
    memberships_url = fields.Url(required=True)


class Person(Schema):
    """A person's public fields (Popolo Person); contact details never leave through the API."""

    id = fields.Int(required=True)
    name = fields.Str(attribute="full_name", required=True)
    family_name = fields.Str(required=True)
    given_name = fields.Str(allow_none=True)
    family_name_kana = fields.Str(allow_none=True)
    given_name_kana = fields.Str(allow_none=True)
    name_en = fields.Str(allow_none=True)
    title = fields.Str(allow_none=True, metadata={"description": "肩書 outside any roster."})
    organization_id = fields.Int(allow_none=True)
    version = fields.Int(required=True)
    updated_at = fields.DateTime(required=True)
    html_url = fields.Url(required=True)
    memberships_url = fields.Url(required=True)


class Member(Schema):
    type = fields.Str(required=True, validate=validate.OneOf(["Person", "Organization"]))
    id = fields.Int(required=True)
    name = fields.Str(required=True)


class RosterGroup(Schema):
    id = fields.Int(required=True)
    label = fields.Str(allow_none=True)
    title = fields.Str(required=True)
    parent_id = fields.Int(allow_none=True)


class Membership(Schema):
    """A seat on a consortium's roster (Popolo Membership): who, in what role, for whom, when."""

    id = fields.Int(required=True)
    consortium_id = fields.Int(required=True)
    member = fields.Nested(Member, required=True)
    on_behalf_of = fields.Nested(Ref, allow_none=True, metadata={"description": "The body the person sits for."})
    role = _enum(Role, required=True)
    label = fields.Str(attribute="title", allow_none=True, metadata={"description": "The title as the roster prints it."})
    seat = fields.Int(allow_none=True)
    category = fields.Str(allow_none=True, metadata={"description": "区分, e.g. 学識経験者."})
    group = fields.Nested(RosterGroup, allow_none=True)
    description = fields.Str(allow_none=True, metadata={"description": "連携概要."})
    start_date = fields.Date(attribute="term_start", allow_none=True)
    end_date = fields.Date(attribute="term_end", allow_none=True)
    version = fields.Int(required=True)
    updated_at = fields.DateTime(required=True)


# ---------------------------------------------------------------------------------------------
# Meetings and minutes


class Presenter(Schema):
    name = fields.Str(required=True)
    person_id = fields.Int(allow_none=True)
    organization_id = fields.Int(allow_none=True)
    title = fields.Str(allow_none=True)


class AgendaItem(Schema):
    id = fields.Int(required=True)
    label = fields.Str(allow_none=True)
    title = fields.Str(required=True)
    note = fields.Str(allow_none=True)
    duration_minutes = fields.Int(allow_none=True)
    public = fields.Bool(attribute="is_public", required=True)
    presenters = fields.List(fields.Nested(Presenter), required=True)
    children = fields.List(fields.Nested(lambda: AgendaItem()), required=True)


class Material(Schema):
    id = fields.Int(required=True)
    title = fields.Str(required=True)
    label = fields.Str(allow_none=True, metadata={"description": "資料番号, e.g. 資料1."})
    type = _enum(DocumentType, attribute="doc_type", required=True)
    agenda_item_id = fields.Int(allow_none=True)
    filename = fields.Str(required=True)
    media_type = fields.Str(attribute="content_type", required=True)
    size = fields.Int(required=True)
    updated_at = fields.DateTime(required=True)
    download_url = fields.Url(required=True, metadata={"description": "The file: send the token here too for members-only ones."})


class Location(Schema):
    name = fields.Str(allow_none=True)
    room = fields.Str(allow_none=True)
    address = fields.Str(allow_none=True)
    url = fields.Str(allow_none=True, metadata={"description": "Where to join online."})


class Event(Schema):
    """A meeting (Open Civic Data Event) with its agenda tree and the materials the caller may see."""

    id = fields.Int(required=True)
    consortium = fields.Nested(Ref, required=True)
    name = fields.Str(required=True)
    number = fields.Int(allow_none=True, metadata={"description": "第N回."})
    classification = _enum(MeetingKind, allow_none=True)
    status = _enum(MeetingStatus, required=True)
    start_date = fields.DateTime(required=True)
    end_date = fields.DateTime(allow_none=True)
    precision = _enum(DatePrecision, required=True, metadata={"description": "How much of the start is known."})
    date_estimated = fields.Bool(required=True)
    public = fields.Bool(required=True)
    location = fields.Nested(Location, required=True)
    description = fields.Str(allow_none=True)
    sequence = fields.Int(required=True, metadata={"description": "As in the iCalendar feed."})
    agenda = fields.List(fields.Nested(AgendaItem), required=True)
    materials = fields.List(fields.Nested(Material), required=True)
    minutes_url = fields.Url(allow_none=True, metadata={"description": "The published minutes in the API, once out."})
    version = fields.Int(required=True)
    updated_at = fields.DateTime(required=True)
    html_url = fields.Url(required=True)
    ical_url = fields.Url(allow_none=True)


class Entry(Schema):
    text = fields.Str(required=True)
    agenda_item_id = fields.Int(allow_none=True)


class Point(Entry):
    speaker = fields.Str(allow_none=True)


class Action(Schema):
    text = fields.Str(required=True)
    owner = fields.Str(allow_none=True)
    due_on = fields.Date(allow_none=True)
    status = _enum(ActionStatus, required=True)


class Attendee(Schema):
    name = fields.Str(required=True)
    on_behalf_of = fields.Str(allow_none=True)
    presence = _enum(Presence, required=True)


class Minutes(Schema):
    """Published minutes: the full 議事録 for the consortium's members, else the public 議事要旨."""

    event_id = fields.Int(required=True)
    consortium_id = fields.Int(required=True)
    full = fields.Bool(required=True, metadata={"description": "true: the members' full minutes; false: the public summary."})
    withheld = fields.Bool(required=True, metadata={"description": "The summary left out what no open agenda item holds."})
    heading = fields.Str(allow_none=True)
    body = fields.Str(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    points = fields.List(fields.Nested(Point), required=True)
    decisions = fields.List(fields.Nested(Entry), required=True)
    action_items = fields.List(fields.Nested(Action), required=True)
    attendance = fields.List(fields.Nested(Attendee), required=True)
    updated_at = fields.DateTime(required=True)
    html_url = fields.Url(required=True)


# ---------------------------------------------------------------------------------------------
# What secretariats send: the fields of the site's own forms, which check them (api/forms.py)


class MeetingFields(Schema):
    number = fields.Int(allow_none=True, metadata={"description": "第N回; null when meetings are not numbered."})
    title = fields.Str()
    kind = _enum(MeetingKind, allow_none=True)
    status = _enum(MeetingStatus)
    precision = _enum(DatePrecision, metadata={"description": "How exactly the date is known (minute unless given)."})
    day = fields.Date(metadata={"description": "The day in Japan; any day of the month or fiscal year when only that is known."})
    start_time = fields.Str(allow_none=True, metadata={"description": "HH:MM in Japan time, when the time is known.", "example": "14:00"})
    end_time = fields.Str(allow_none=True, metadata={"example": "16:00"})
    last_fiscal_year = fields.Int(allow_none=True, metadata={"description": "Known only to its fiscal years: the last of them."})
    venue = fields.Str(allow_none=True)
    room = fields.Str(allow_none=True)
    address = fields.Str(allow_none=True)
    online_url = fields.Str(allow_none=True, metadata={"description": "https:// link to join online (shown to members only)."})
    is_public = fields.Bool(metadata={"description": "Open to the public (true unless given)."})
    description = fields.Str(allow_none=True)


class NewMeeting(MeetingFields):
    consortium_id = _row_id(required=True)
    title = fields.Str(required=True)
    day = fields.Date(required=True)
    agenda = fields.Str(metadata={"description": "The agenda as text, one item per line; an indented or second-style numbered line is a sub-item."})


class MeetingChange(MeetingFields):
    version = fields.Int(required=True, metadata={"description": "The version the meeting was read at: a stale one is refused (409)."})


class AgendaItemFields(Schema):
    label = fields.Str(allow_none=True)
    title = fields.Str()
    parent_id = fields.Int(allow_none=True, metadata={"description": "A top-level item of the same meeting to sit under."})
    note = fields.Str(allow_none=True)
    duration_minutes = fields.Int(allow_none=True)
    is_public = fields.Bool()
    result = fields.Str(allow_none=True)


class NewAgendaItem(AgendaItemFields):
    title = fields.Str(required=True)


class AgendaItemChange(AgendaItemFields):
    version = fields.Int(required=True)


class MaterialFields(Schema):
    title = fields.Str(required=True)
    label = fields.Str(metadata={"description": "資料番号, e.g. 資料1."})
    doc_type = _enum(DocumentType)
    agenda_item_id = fields.Int(metadata={"description": "The agenda item it belongs to."})
    access = _enum(DocumentAccess, metadata={"description": "members: for the consortium's members only."})


class MaterialFile(Schema):
    file = Upload(required=True)


class OrganizationFields(Schema):
    name = fields.Str()
    name_kana = fields.Str(allow_none=True)
    name_en = fields.Str(allow_none=True)
    kind = _enum(OrganizationKind)
    prefecture = fields.Str(allow_none=True)
    website = fields.Str(allow_none=True)


class NewOrganization(OrganizationFields):
    name = fields.Str(required=True)


class OrganizationChange(OrganizationFields):
    version = fields.Int(required=True)


class PersonFields(Schema):
    family_name = fields.Str()
    given_name = fields.Str(allow_none=True)
    family_name_kana = fields.Str(allow_none=True)
    given_name_kana = fields.Str(allow_none=True)
    name_en = fields.Str(allow_none=True)
    title = fields.Str(allow_none=True)
    organisation = fields.Str(allow_none=True, metadata={"description": "The organisation's name as in the directory, or #id."})
    email = fields.Str(allow_none=True, metadata={"description": "Written only, never answered; set where the site lets the caller set it."})
    clear_email = fields.Bool(metadata={"description": "Remove the stored email address."})
    phone = fields.Str(allow_none=True, metadata={"description": "Written only, never answered."})
    clear_phone = fields.Bool()
    private_note = fields.Str(allow_none=True, metadata={"description": "Administrators only; never answered."})


class NewPerson(PersonFields):
    family_name = fields.Str(required=True)


class PersonChange(PersonFields):
    version = fields.Int(required=True)


class MembershipFields(Schema):
    kind = fields.Str(validate=validate.OneOf(["person", "organization"]), metadata={"description": "Who holds the seat."})
    name = fields.Str(metadata={"description": "The person's or organisation's name as in the directory, or #id."})
    create = fields.Bool(metadata={"description": "Add the named person or organisation to the directory when it is not there."})
    seat = fields.Int(allow_none=True)
    role = _enum(Role)
    category = fields.Str(allow_none=True)
    title = fields.Str(allow_none=True, metadata={"description": "The title as the roster prints it."})
    group_id = fields.Int(allow_none=True)
    on_behalf_of = fields.Str(allow_none=True, metadata={"description": "The organisation a person sits for, by name or #id."})
    description = fields.Str(allow_none=True, metadata={"description": "連携概要."})
    term_start = fields.Date(allow_none=True)
    term_end = fields.Date(allow_none=True)


class NewMembership(MembershipFields):
    consortium_id = _row_id(required=True)
    kind = fields.Str(required=True, validate=validate.OneOf(["person", "organization"]))
    name = fields.Str(required=True)


class MembershipChange(MembershipFields):
    version = fields.Int(required=True)


def _conflict(item: type[Schema]) -> type[Schema]:
    """A stale update's answer: why, and the row as stored now (null when it was just deleted)."""
    return type(f"{item.__name__}Conflict", (Schema,), {
        "code": fields.Int(required=True),
        "status": fields.Str(required=True),
        "message": fields.Str(required=True),
        "current": fields.Nested(item, allow_none=True),
    })


# ---------------------------------------------------------------------------------------------
# Pages of a list


def page_of(item: type[Schema]) -> type[Schema]:
    """The schema of a page of a list: its rows, and the cursor of the next page (null on the last)."""
    return type(
        f"{item.__name__}Page",
        (Schema,),
        {
            "items": fields.List(fields.Nested(item), required=True),
            "next": fields.Str(allow_none=True, required=True, metadata={"description": "Pass as `after` for the next page."}),
            "next_url": fields.Url(allow_none=True, required=True),
        },
    )


ConsortiumPage = page_of(Consortium)
MembershipPage = page_of(Membership)
OrganizationPage = page_of(Organization)
PersonPage = page_of(Person)
EventPage = page_of(Event)
MinutesPage = page_of(Minutes)
EventConflict = _conflict(Event)
AgendaItemConflict = _conflict(AgendaItem)
OrganizationConflict = _conflict(Organization)
PersonConflict = _conflict(Person)
MembershipConflict = _conflict(Membership)
