"""Forms of the directory: organisations and people of the shared master list."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for
from flask_babel import gettext as _, lazy_gettext as _l
from markupsafe import Markup
from wtforms import BooleanField, EmailField, SelectField, StringField, TelField, TextAreaField, URLField
from wtforms.validators import DataRequired, Email, Length, Optional, URL, ValidationError

from ..contact import mask_email, mask_phone
from ..extensions import db
from ..forms import Form, enum_choices
from ..japanese import search_key
from ..models import Organization, OrganizationKind, Person
from ..versions import VersionedForm
from .matching import find_organization, find_people, person_label, typed_id

# A contact detail and the box that removes it when the form cannot show it (write-only).
CONTACT_FIELDS = (("email", "clear_email", mask_email), ("phone", "clear_phone", mask_phone))


def web_address(form, field):
    """Only http and https: a website is printed as a link, and javascript: links run code."""
    if field.data and urlsplit(field.data).scheme.lower() not in ("http", "https"):
        raise ValidationError(_l("Enter an address starting with http:// or https://."))


def organisation_link(org: Organization) -> Markup:
    return Markup('<a href="{}">{}</a>').format(url_for("directory.organisation", organization_id=org.id), org.name)


def person_from_text(text: str, exclude: Person | None = None) -> Person:
    """The one person a typed name or "#123" means; raise ValidationError naming the candidates otherwise."""
    if (number := typed_id(text)) is not None:
        person = db.session.get(Person, number)
        if person is None:
            raise ValidationError(_("There is no person #%(id)s in the directory.", id=number))
        return person
    named = find_people(text)
    people = [p for p in named if exclude is None or p.id != exclude.id]
    if not people and named:
        raise ValidationError(_("%(name)s is the person being kept. Type # and the number of the duplicate.", name=text))
    if not people:
        raise ValidationError(_("No one called %(name)s is in the directory. Check the spelling, or type # and their number.", name=text))
    if len(people) > 1:
        raise ValidationError(
            _(
                "Several people are called %(name)s: %(candidates)s. Type # and the number of the one you mean, for example #%(id)d.",
                name=text,
                candidates="; ".join(person_label(p) for p in people),
                id=people[0].id,
            )
        )
    return people[0]


def organization_from_text(text: str) -> Organization:
    """The organisation a typed name or "#123" means; raise ValidationError when there is none."""
    number = typed_id(text)
    found = db.session.get(Organization, number) if number is not None else find_organization(text)
    if found is None:
        raise ValidationError(_("%(name)s is not in the directory of organisations. Check the spelling, or type # and its number.", name=text))
    return found


class OrganizationForm(VersionedForm, Form):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), Length(max=200)])
    name_kana = StringField(_l("Reading (kana)"), validators=[Optional(), Length(max=200)])
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=lambda: enum_choices(OrganizationKind), default=OrganizationKind.OTHER.value)
    prefecture = StringField(_l("Prefecture"), validators=[Optional(), Length(max=10)], description=_l("For example 長野県."))
    website = URLField(
        _l("Website"),
        validators=[Optional(), Length(max=500), URL(message=_l("Enter a web address, for example https://www.example.jp/.")), web_address],
    )

    def __init__(self, organization: Organization | None = None, **kwargs):
        super().__init__(obj=organization, **kwargs)
        self.organization = organization

    def validate_name(self, field):
        existing = find_organization(field.data)
        if existing is not None and (self.organization is None or existing.id != self.organization.id):
            # Names are matched ignoring case, width and spacing, so ＡＢＣ and abc are one body.
            raise ValidationError(
                Markup(_("%(link)s is already in the directory. Edit that one instead, or use a name that tells them apart."))
                % {"link": organisation_link(existing)}
            )

    def values(self) -> dict:
        names = ("name", "name_kana", "name_en", "prefecture", "website")
        return {**{n: getattr(self, n).data for n in names}, "kind": OrganizationKind(self.kind.data)}


class PersonForm(VersionedForm, Form):
    """A person. Their email and phone are shown in full only to whoever may see them
    (permissions.contact_view); to anyone else they are write-only: the stored value is shown
    masked, a typed one replaces it, an empty field keeps it, and a box removes it.
    The private note is removed for anyone but administrators, and the contact details for anyone
    who may not set them (permissions.can_edit_contact)."""

    family_name = StringField(_l("Family name"), validators=[DataRequired(_l("Enter the family name.")), Length(max=100)])
    given_name = StringField(_l("Given name"), validators=[Optional(), Length(max=100)])
    family_name_kana = StringField(_l("Family name (kana)"), validators=[Optional(), Length(max=100)])
    given_name_kana = StringField(_l("Given name (kana)"), validators=[Optional(), Length(max=100)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    title = StringField(_l("Job title"), validators=[Optional(), Length(max=200)], description=_l("Their usual title, outside any roster."))
    organisation = StringField(
        _l("Organisation"),
        validators=[Optional(), Length(max=200)],
        description=_l("The name as in the directory of organisations; spacing and full- or half-width letters do not matter."),
    )
    email = EmailField(_l("Email"), validators=[Optional(), Email(_l("Enter a valid email address.")), Length(max=254)])
    clear_email = BooleanField(_l("Remove the stored email address"))
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=50)])
    clear_phone = BooleanField(_l("Remove the stored phone number"))
    private_note = TextAreaField(_l("Private note"), validators=[Optional(), Length(max=5000)])

    def __init__(
        self, person: Person | None = None, full_contact: bool = False, show_note: bool = False, set_contact: bool = True, **kwargs
    ):
        if person is not None and person.organization is not None:
            kwargs.setdefault("organisation", person.organization.name)
        super().__init__(obj=person, **kwargs)
        self.person = person
        self.write_only: list[str] = []
        for name, clear, mask in CONTACT_FIELDS:
            stored = getattr(person, name) if person is not None else None
            if not set_contact:
                delattr(self, name)
                delattr(self, clear)
                continue
            if full_contact or not stored:
                delattr(self, clear)  # shown in full, or nothing to hide: emptying the field removes it
                continue
            self.write_only.append(name)
            self[name].description = _l("Stored: %(masked)s. Type a new one to replace it; leave empty to keep it.", masked=mask(stored))
            if not self[name].raw_data:  # never filled from the stored value
                self[name].data = None
        if not show_note:
            delattr(self, "private_note")
        self.organization: Organization | None = None

    def validate_clear_email(self, field):
        if field.data and self.email.data:
            raise ValidationError(_l("Either type a new email address or remove the stored one, not both."))

    def validate_clear_phone(self, field):
        if field.data and self.phone.data:
            raise ValidationError(_l("Either type a new phone number or remove the stored one, not both."))

    def validate_organisation(self, field):
        if not field.data:
            return
        current = self.person.organization if self.person is not None else None
        if current is not None and search_key(current.name) == search_key(field.data):
            self.organization = current
            return
        self.organization = find_organization(field.data)
        if self.organization is None:
            raise ValidationError(
                _l("%(name)s is not in the directory of organisations. Check the spelling, or add the organisation first.", name=field.data)
            )

    def values(self) -> dict:
        names = ("family_name", "given_name", "family_name_kana", "given_name_kana", "name_en", "title")
        values = {**{n: getattr(self, n).data for n in names}, "organization": self.organization}
        for name, clear, _mask in CONTACT_FIELDS:
            if name not in self:  # not theirs to set
                continue
            typed = self[name].data
            if name not in self.write_only:
                values[name] = typed
            elif typed or self[clear].data:  # otherwise the stored value is kept
                values[name] = typed
        if "private_note" in self:
            values["private_note"] = self.private_note.data
        return values
