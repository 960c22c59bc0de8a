"""Forms of the consortia area: the list's filters, consortia, rosters, milestones and targets."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import ClassVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from ..contact import email_of, phone_of
from ..directory.matching import find_organization, find_people, person_label, typed_id
from ..extensions import db
from ..forms import ConfirmForm, Form, SearchForm, checkboxes, enum_choices, optional_id, options
from ..japanese import fiscal_year as fiscal_year_of, search_key, seat_mark
from ..models import (
    Comparator,
    Consortium,
    ConsortiumKind,
    ConsortiumStatus,
    DatePrecision,
    Membership,
    Organization,
    Person,
    Role,
    RosterGroup,
    Target,
    TargetKind,
    TargetReport,
    Theme,
    Visibility,
)
from ..rows import subtree
from ..versions import VersionField, VersionedForm
from .services import MemberChoice, descendants

FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR = 1990, 2100
# Numeric(14, 2): twelve digits before the point.
LARGEST_AMOUNT = Decimal("999999999999.99")


class ConsortiumFilterForm(SearchForm):
    status = SelectField(_l("Status"), validators=[Optional()])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    theme = SelectField(_l("Theme"), validators=[Optional()])

    def __init__(self, themes, **kwargs):
        super().__init__(**kwargs)
        self.status.choices = enum_choices(ConsortiumStatus, _l("Any status"))
        self.kind.choices = enum_choices(ConsortiumKind, _l("Any kind"))
        self.theme.choices = options([(t.code, t.name) for t in themes], _l("Any theme"))


# ---------------------------------------------------------------------------------------------
# Validators and field helpers


def not_before(start_field: str):
    """An end date that may fall on its start date but not before it (terms, periods)."""

    def check(form, field):
        start = getattr(form, start_field).data
        if field.data is not None and start is not None and field.data < start:
            raise ValidationError(_l("The end cannot be before the start."))

    return check


def whole_number(minimum: int, maximum: int | None = None):
    """A range check that stays quiet when the input was not a number (that has its own message)."""

    def check(form, field):
        if field.data is None:
            return
        if field.data < minimum or (maximum is not None and field.data > maximum):
            if maximum is None:
                raise ValidationError(_l("Enter a whole number of at least %(min)d.", min=minimum))
            raise ValidationError(_l("Enter a whole number from %(min)d to %(max)d.", min=minimum, max=maximum))

    return check


fiscal_year_range = whole_number(FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR)


def amount(form, field):
    """A value that fits Numeric(14, 2): finite, at most two decimal places."""
    value = field.data
    if value is None:
        return
    if not value.is_finite():  # NaN, Infinity: Decimal reads them, no column holds them
        raise ValidationError(_l("Enter a number."))
    # The size first: quantize() fails on a number with more digits than Decimal's precision (1e309).
    if abs(value) > LARGEST_AMOUNT:
        raise ValidationError(_l("Enter a number from %(min)s to %(max)s.", min=f"-{LARGEST_AMOUNT:,}", max=f"{LARGEST_AMOUNT:,}"))
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError(_l("Use at most two decimal places."))


# ---------------------------------------------------------------------------------------------
# Consortia


class ConsortiumForm(VersionedForm, Form):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), Length(max=200)])
    short_name = StringField(_l("Short name"), validators=[Optional(), Length(max=100)])
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=enum_choices(ConsortiumKind), default=ConsortiumKind.COUNCIL.value)
    status = SelectField(_l("Status"), choices=enum_choices(ConsortiumStatus), default=ConsortiumStatus.ACTIVE.value)
    visibility = SelectField(
        _l("Who may see it"),
        choices=enum_choices(Visibility),
        default=Visibility.PUBLIC.value,
        description=_l("Members only: meetings, roster and minutes are hidden from the public."),
    )
    purpose = TextAreaField(_l("Purpose"), validators=[Optional(), Length(max=10000)])
    background = TextAreaField(_l("Background"), validators=[Optional(), Length(max=10000)])
    period_start = DateField(_l("Period from"), validators=[Optional()])
    period_end = DateField(_l("Period to"), validators=[Optional(), not_before("period_start")])
    roster_note = StringField(
        _l("Note printed with the roster"),
        validators=[Optional(), Length(max=100)],
        description=_l("Printed above the roster, for example “in no particular order, honorifics omitted”."),
    )
    contact = TextAreaField(_l("Secretariat contact (public)"), validators=[Optional(), Length(max=2000)])
    parent_id = SelectField(
        _l("Part of"),
        coerce=optional_id,
        invalid_choice_message=_l("Choose a consortium from the list: not this one, nor one under it."),
    )
    theme_ids = checkboxes(_l("Themes"), coerce=int)

    def __init__(self, consortium: Consortium | None, parents: list[Consortium], themes: list[Theme], **kwargs):
        if consortium is not None:
            kwargs.setdefault("theme_ids", [t.id for t in consortium.themes])
        super().__init__(obj=consortium, **kwargs)
        self.consortium = consortium
        self.parent_id.choices = options([(c.id, c.name) for c in parents], _l("— none —"))
        self.theme_ids.choices = options([(t.id, t.name) for t in themes])
        self.themes_by_id = {t.id: t for t in themes}

    def validate_name(self, field):
        key = search_key(field.data)
        rows = db.session.execute(
            sa.select(Consortium.id, Consortium.name).where(Consortium.search_text.contains(key, autoescape=True))
        ).all()
        own_id = self.consortium.id if self.consortium is not None else None
        if any(search_key(name) == key and cid != own_id for cid, name in rows):
            raise ValidationError(_l("A consortium with this name already exists."))

    def values(self) -> dict:
        """The model's attributes as typed."""
        return {
            "name": self.name.data,
            "short_name": self.short_name.data,
            "name_en": self.name_en.data,
            "kind": ConsortiumKind(self.kind.data),
            "status": ConsortiumStatus(self.status.data),
            "visibility": Visibility(self.visibility.data),
            "purpose": self.purpose.data,
            "background": self.background.data,
            "period_start": self.period_start.data,
            "period_end": self.period_end.data,
            "roster_note": self.roster_note.data,
            "contact": self.contact.data,
            "parent_id": self.parent_id.data,
            "themes": [self.themes_by_id[i] for i in self.theme_ids.data or []],
        }


def parent_candidates(consortium: Consortium | None, allowed: sa.ColumnElement[bool]) -> list[Consortium]:
    """Consortia a consortium may sit under: those the user runs, but not itself nor one below it."""
    stmt = sa.select(Consortium).where(allowed).order_by(Consortium.name)
    if consortium is None:
        return list(db.session.execute(stmt).scalars())
    excluded = {consortium.id} | descendants(consortium)
    rows = [c for c in db.session.execute(stmt).scalars() if c.id not in excluded]
    if consortium.parent is not None and consortium.parent not in rows:
        rows.append(consortium.parent)  # keep what is set, even if the user does not run it
    return rows


# ---------------------------------------------------------------------------------------------
# Memberships

MEMBER_KINDS = options([("person", _l("A person")), ("organization", _l("An organisation"))])


def find_member(kind: str, name: str, create: bool, sits_for: Organization | None = None, current=None):
    """The directory row a typed name means, or None when it is to be created; raise when unclear."""
    model = Person if kind == "person" else Organization
    if (number := typed_id(name)) is not None:
        row = db.session.get(model, number)
        if row is None:
            raise ValidationError(_l("There is no entry #%(id)s in the directory.", id=number))
        return row
    if isinstance(current, model):
        shown = current.full_name if kind == "person" else current.name
        if search_key(shown) == search_key(name):
            return current  # unchanged: no need to tell apart namesakes again
    if kind == "organization":
        found = find_organization(name)
        if found is not None or create:
            return found
        raise ValidationError(
            _l("%(name)s is not in the directory. Check the spelling, or tick the box to create it.", name=name)
        )
    people = find_people(name)
    if len(people) > 1 and sits_for is not None:
        own = [p for p in people if p.organization_id == sits_for.id]
        people = own if len(own) == 1 else people
    if len(people) == 1:
        return people[0]
    if len(people) > 1:
        raise ValidationError(
            _l(
                "Several people are called %(name)s: %(candidates)s. Type # and the number of the one you mean, "
                "for example #%(id)d.",
                name=name,
                candidates="; ".join(person_label(p) for p in people),
                id=people[0].id,
            )
        )
    if create:
        family, _, given = name.partition(" ")
        if len(family) > 100 or len(given.strip()) > 100:
            raise ValidationError(_l("A family or given name can have at most 100 characters."))
        return None
    raise ValidationError(
        _l("%(name)s is not in the directory. Check the spelling, or tick the box to create them.", name=name)
    )


class _MemberFields(Form):
    """Who the member is: a person or an organisation, typed by name, created on request."""

    kind = RadioField(_l("The member is"), choices=MEMBER_KINDS, default="person")
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter the name of the person or organisation.")), Length(max=200)],
        description=_l("As in the directory: family name, a space, given name for a person. Spacing and full- or half-width letters do not matter; #123 picks an entry by its number."),
    )
    create = BooleanField(_l("Create it if it is not in the directory"))

    current = None  # the row being edited, if any

    def resolve(self, sits_for_field=None) -> MemberChoice | None:
        """Find the member and the organisation sat for; append errors and return None when unclear."""
        ok = True
        sits_for, sits_for_name = None, None
        if sits_for_field is not None and sits_for_field.data:
            if self.kind.data != "person":
                sits_for_field.errors.append(_l("Only a person sits for an organisation; leave this empty."))
                ok = False
            else:
                try:
                    sits_for = find_member("organization", sits_for_field.data, self.create.data)
                except ValidationError as error:
                    sits_for_field.errors.append(error.args[0])
                    ok = False
                sits_for_name = sits_for_field.data if sits_for is None else None
        row = None
        try:
            row = find_member(self.kind.data, self.name.data, self.create.data, sits_for, self.current)
        except ValidationError as error:
            self.name.errors.append(error.args[0])
            ok = False
        if not ok:
            return None
        return MemberChoice(
            kind=self.kind.data,
            row=row,
            name=self.name.data if row is None else None,
            sits_for=sits_for,
            sits_for_name=sits_for_name,
        )


class MembershipForm(VersionedForm, _MemberFields):
    seat = IntegerField(
        _l("Seat"),
        validators=[Optional(), whole_number(1, 99_999)],
        description=_l("The number printed on the roster (① is 1). One current member per seat."),
    )
    role = SelectField(_l("Role"), choices=enum_choices(Role), default=Role.MEMBER.value)
    category = StringField(
        _l("Category"), validators=[Optional(), Length(max=100)], description=_l("For example academic experts, or residents chosen by open call.")
    )
    title = StringField(_l("Title as printed on the roster"), validators=[Optional(), Length(max=300)])
    group_id = SelectField(_l("Group"), coerce=optional_id)
    on_behalf_of = StringField(
        _l("Sits for (organisation)"),
        validators=[Optional(), Length(max=200)],
        description=_l("For a person: the organisation they represent, so it keeps its seat when they are transferred."),
    )
    description = TextAreaField(_l("Partnership summary"), validators=[Optional(), Length(max=5000)])
    term_start = DateField(_l("Term from"), validators=[Optional()])
    term_end = DateField(_l("Term to"), validators=[Optional(), not_before("term_start")])

    def __init__(self, consortium: Consortium, groups: list[RosterGroup], membership: Membership | None = None, **kwargs):
        if membership is not None:
            # Not obj=membership: WTForms would prefer its attributes, and its on_behalf_of is a row.
            self.current = membership.person or membership.organization
            kwargs.setdefault("data", {
                "kind": "person" if membership.person else "organization",
                "name": membership.name,
                "on_behalf_of": membership.on_behalf_of.name if membership.on_behalf_of else None,
                "role": membership.role.value,
                "version": membership.version,
                **{f: getattr(membership, f) for f in (
                    "seat", "category", "title", "group_id", "description", "term_start", "term_end"
                )},
            })
        super().__init__(**kwargs)
        self.consortium = consortium
        self.membership = membership
        self.group_id.choices = options(
            [(g.id, g.numbered_title) for g in groups], _l("— none —")
        )
        self.choice: MemberChoice | None = None

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        self.choice = self.resolve(self.on_behalf_of)
        return self.choice is not None and self._seat_free()

    def _seat_free(self) -> bool:
        if self.seat.data is None or self.term_end.data is not None:
            return True
        stmt = sa.select(Membership).where(
            Membership.consortium_id == self.consortium.id,
            Membership.seat == self.seat.data,
            Membership.term_end.is_(None),
        )
        if self.membership is not None:
            stmt = stmt.where(Membership.id != self.membership.id)
        holder = db.session.execute(stmt.limit(1)).scalar()
        if holder is None:
            return True
        self.seat.errors.append(
            _l(
                "Seat %(seat)s is already held by %(name)s. End their term first, hand the seat over with "
                "“Replace”, or choose another seat.",
                seat=seat_mark(self.seat.data),
                name=holder.name,
            )
        )
        return False

    def values(self) -> dict:
        return {
            "seat": self.seat.data,
            "role": Role(self.role.data),
            "category": self.category.data,
            "title": self.title.data,
            "group_id": self.group_id.data,
            "description": self.description.data,
            "term_start": self.term_start.data,
            "term_end": self.term_end.data,
        }


class TransferForm(VersionedForm, _MemberFields):
    """Hand a seat to a new representative; the kind is the former holder's."""

    on = DateField(
        _l("Date of the change"),
        validators=[InputRequired(_l("Enter the date the new member takes over."))],
        description=_l("The former member's term ends the day before."),
    )

    def __init__(self, membership: Membership, today: date, **kwargs):
        super().__init__(version=membership.version, **kwargs)
        self.membership = membership
        self.today = today
        self.kind.data = "person" if membership.person_id else "organization"
        self.choice: MemberChoice | None = None

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        # A change may be entered ahead (a transfer on 1 April, entered in March): it takes effect on its day.
        start = self.membership.term_start
        if start is not None and self.on.data <= start:
            self.on.errors.append(_l("The change must come after the current term started (%(date)s).", date=start.isoformat()))
            return False
        self.choice = self.resolve()
        if self.choice is None:
            return False
        if self.choice.row is not None and self.choice.row in (self.membership.person, self.membership.organization):
            self.name.errors.append(_l("This is already the member of this seat."))
            return False
        return True


END, REMOVE = "end", "remove"


class EndMembershipForm(ConfirmForm):
    how = RadioField(
        _l("What happened?"),
        choices=options([
            (END, _l("The term ends on the day below: keep the entry in the roster's history")),
            (REMOVE, _l("Remove the entry: it was entered by mistake")),
        ]),
        default=END,
    )
    last_day = DateField(
        _l("Last day of the term"),
        validators=[Optional()],
        description=_l("Today unless given, or a day ahead (for example 31 March for a change in April): the member stays on the roster until then."),
    )

    def __init__(self, membership: Membership, today: date, **kwargs):
        super().__init__(**kwargs)
        self.membership = membership
        if self.last_day.data is None and not self.is_submitted():
            self.last_day.data = today
        if not membership.is_current:
            self.how.choices = self.how.choices[1:]
            self.how.data = REMOVE

    def validate_last_day(self, field):
        if self.how.data != END:
            return
        start = self.membership.term_start
        if start is not None and field.data < start:
            raise ValidationError(
                _l("The term starts on %(date)s: its last day cannot come before. Remove the entry instead, or change its start first.", date=start.isoformat())
            )


class MoveForm(Form):
    direction = SelectField(choices=options([("up", _l("Up")), ("down", _l("Down"))]))


class PlaceForm(Form):
    """Move a roster row to any place, and into any group, in one step."""

    place = IntegerField(
        _l("Move to place"),
        validators=[InputRequired(_l("Enter the place in the roster, 1 for the first.")), whole_number(1, 99_999)],
    )
    group_id = SelectField(_l("Group"), coerce=optional_id)

    def __init__(self, groups: list[RosterGroup], **kwargs):
        super().__init__(**kwargs)
        self.group_id.choices = options([(g.id, g.numbered_title) for g in groups], _l("— none —"))


# ---------------------------------------------------------------------------------------------
# Roster groups, milestones, targets


class GroupForm(VersionedForm, Form):
    label = StringField(
        _l("Number or label"), validators=[Optional(), Length(max=20)], description=_l("As printed, for example 4 for item 4.")
    )
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter the title.")), Length(max=300)])
    parent_id = SelectField(
        _l("Under"),
        coerce=optional_id,
        invalid_choice_message=_l("Choose a group from the list: not this one, nor one under it."),
    )

    def __init__(self, groups: list[RosterGroup], group: RosterGroup | None = None, **kwargs):
        super().__init__(obj=group, **kwargs)
        excluded = set(subtree([(g.id, g.parent_id) for g in groups], group.id)) if group is not None else set()
        self.parent_id.choices = options(
            [(g.id, g.numbered_title) for g in groups if g.id not in excluded],
            _l("— none —"),
        )

    def values(self) -> dict:
        return {"label": self.label.data, "title": self.title.data, "parent_id": self.parent_id.data}


class MilestoneForm(VersionedForm, Form):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter the title.")), Length(max=300)])
    on = DateField(
        _l("Date"), validators=[InputRequired(_l("Enter the date."))],
        description=_l("When only the month or the fiscal year is known, any day in it."),
    )
    precision = RadioField(
        _l("How exactly is the date known?"),
        choices=options([
            (DatePrecision.DAY.value, _l("To the day")),
            (DatePrecision.MONTH.value, _l("Only the month")),
            (DatePrecision.FISCAL_YEAR.value, _l("Only the fiscal year")),
        ]),
        default=DatePrecision.DAY.value,
    )
    within = BooleanField(
        _l("It is a deadline"), description=_l("Printed as by the end of the period: 2018年度内, 11月中, 12月4日まで.")
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])

    def values(self) -> dict:
        precision = DatePrecision(self.precision.data)
        on = self.on.data
        if precision is DatePrecision.MONTH:
            on = on.replace(day=1)
        elif precision is DatePrecision.FISCAL_YEAR:
            on = date(fiscal_year_of(on), 4, 1)
        return {"title": self.title.data, "on": on, "precision": precision, "within": self.within.data, "note": self.note.data}


class TargetForm(VersionedForm, Form):
    title = StringField(_l("What"), validators=[DataRequired(_l("Enter what is to be reached.")), Length(max=500)])
    kind = RadioField(_l("The target is"), choices=enum_choices(TargetKind), default=TargetKind.NUMERIC.value)
    comparator = SelectField(
        _l("The value is"), choices=enum_choices(Comparator), default=Comparator.EXACTLY.value,
        description=_l("As the document writes it: 10機関以上 is at least, 50件程度 is about."),
    )
    target_value = DecimalField(_l("Target value"), places=2, validators=[Optional(), amount])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=20)], description=_l("For example companies, cases, people."))
    fiscal_year_from = IntegerField(_l("Counted from fiscal year"), validators=[Optional(), fiscal_year_range])
    fiscal_year = IntegerField(_l("By the end of fiscal year"), validators=[Optional(), fiscal_year_range])
    baseline_value = DecimalField(_l("Baseline value"), places=2, validators=[Optional(), amount])
    baseline_fiscal_year = IntegerField(_l("Baseline fiscal year"), validators=[Optional(), fiscal_year_range])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])

    def validate_fiscal_year(self, field):
        start = self.fiscal_year_from.data
        if field.data is not None and start is not None and field.data < start:
            raise ValidationError(_l("The fiscal year to reach it cannot be before the one it is counted from."))

    def validate_target_value(self, field):
        if field.data is not None and self.kind.data != TargetKind.NUMERIC.value:
            raise ValidationError(_l("A target in words only or still to be set has no value: clear it, or choose a number."))

    def values(self) -> dict:
        values = {name: getattr(self, name).data for name in (
            "title", "target_value", "unit", "fiscal_year_from", "fiscal_year", "baseline_value",
            "baseline_fiscal_year", "note",
        )}
        return values | {"kind": TargetKind(self.kind.data), "comparator": Comparator(self.comparator.data)}


class TargetReportForm(VersionedForm, Form):
    fiscal_year = IntegerField(
        _l("Fiscal year"), validators=[InputRequired(_l("Enter the fiscal year, for example 2024.")), fiscal_year_range]
    )
    value = DecimalField(_l("Value reached"), places=2, validators=[InputRequired(_l("Enter the value reached.")), amount])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])

    def __init__(self, target: Target, report: TargetReport | None = None, **kwargs):
        super().__init__(obj=report, **kwargs)
        self.target = target
        self.report = report

    def validate_fiscal_year(self, field):
        if field.data is None:
            return
        stmt = sa.select(TargetReport.id).where(
            TargetReport.target_id == self.target.id, TargetReport.fiscal_year == field.data
        )
        if self.report is not None:
            stmt = stmt.where(TargetReport.id != self.report.id)
        if db.session.execute(stmt.limit(1)).first() is not None:
            raise ValidationError(
                _l("There is already a report for fiscal year %(year)d. Edit that one instead.", year=field.data)
            )

    def values(self) -> dict:
        return {"fiscal_year": self.fiscal_year.data, "value": self.value.data, "note": self.note.data}


# ---------------------------------------------------------------------------------------------
# The contact sheet: email and phone for many members in one submit


def phone_number(form, field):
    """Digits and the usual separators (NFKC has already made full-width digits half-width)."""
    if field.data and not re.fullmatch(r"\+?[0-9][0-9 ()\-]*", field.data):
        raise ValidationError(_l("Enter the number in digits, with hyphens if you like, for example 03-1234-5678."))


class ContactRowForm(Form):
    """One seat's email and phone. Empty fields change nothing: the stored value is never put in
    the box, so a secretariat, who sees it masked, cannot read it back from the page."""

    class Meta:
        csrf = False

    version = VersionField()
    email = EmailField(
        _l("Email"),
        validators=[Optional(), Email(_l("Enter a valid email address, for example name@example.jp.")), Length(max=254)],
    )
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=50), phone_number])
    contact = SelectField(_l("Contact person"), choices=[], validate_choice=False)
    new_name = StringField(
        _l("Or a new person's name"),
        validators=[Optional(), Length(max=100)],
        description=_l("Family name first, a space, then the given name. They are added to the directory as one of the organisation's people."),
    )

    def validate_contact(self, field):
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose one of the organisation's people from the list."))

    def validate_new_name(self, field):
        if field.data and self.contact.data:
            raise ValidationError(_l("Either choose one of the organisation's people or type a new name, not both."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if "contact" not in self:  # a person's row: nothing to name
            return valid
        naming = self.contact.data or self.new_name.data
        # Checked here, not in validate_email: Optional() ends an empty field's checks.
        if naming and not self.email.data and not self.email.errors:
            self.email.errors.append(_l("Enter the contact's email address: it is what makes them the contact."))
            valid = False
        if not naming and (self.email.data or self.phone.data) and not self.contact.errors:
            self.contact.errors.append(_l("First choose who the contact is, or type a new person's name."))
            valid = False
        return valid

    def typed(self) -> dict:
        """The fields filled in, by attribute of the person: what this row changes."""
        return {name: self[name].data for name in ("email", "phone") if self[name].data}


class ContactSheetForm(Form):
    """The contact rows of one page of the sheet (see contact_sheet_form)."""

    rows: ClassVar[list] = []

    def row(self, row) -> ContactRowForm:
        return self[row.key].form


def contact_sheet_form(rows: list, **kwargs) -> ContactSheetForm:
    """The form for a page of contact rows: a person's row carries the version it was read at; an
    organisation without a contact offers its people, or a new person, to name as one."""

    class PageForm(ContactSheetForm):
        pass

    data: dict = {}
    editable = [r for r in rows if r.person is not None or r.membership.organization_id is not None]
    for r in editable:
        setattr(PageForm, r.key, FormField(ContactRowForm, label=r.membership.name))
        data[r.key] = {"version": r.person.version if r.person is not None else None}
    PageForm.rows = editable
    form = PageForm(data=data, **kwargs)
    for r in editable:
        sub = form.row(r)
        if r.person is not None:
            del sub.contact
            del sub.new_name
            for name, shown in (("email", email_of(r.person)), ("phone", phone_of(r.person))):
                # The viewer's view of the stored value: masked for a secretariat (contact.py).
                if shown:
                    sub[name].description = _l("Stored: %(masked)s. Type a new one to replace it; leave empty to keep it.", masked=shown)
                else:
                    sub[name].description = _l("None stored yet.")
        else:
            del sub.version
            sub.contact.choices = [("", _l("— Choose —"))] + [(str(p.id), p.full_name) for p in r.candidates]
    return form
