"""Secretariats' writes to the shared directory: add and change organisations and people, through
the site's own forms (the same duplicate checks, and contact details set only where the site lets
the caller set them, and never answered)."""
from __future__ import annotations

from .. import permissions
from ..directory import services
from ..directory.forms import OrganizationForm, PersonForm
from ..extensions import db
from ..models import Organization, Person
from ..permissions import Access, guard
from . import auth, schemas
from .auth import api_blueprint
from .directory import organization_shape, person_shape
from .forms import posted, unchanged_since_read

blp = api_blueprint("api_directory_edits", __name__, "Secretariats add and change the shared directory's organisations and people.")


@blp.route("/organizations", methods=["POST"])
@guard(Access.SECRETARIAT)
@blp.arguments(schemas.NewOrganization)
@blp.response(201, schemas.Organization)
def create_organization(body):
    """Add an organisation to the directory, refusing one that is already there."""
    auth.require_write(None)
    form = posted(OrganizationForm, body)
    organization = services.create_organization(form.values())
    db.session.commit()
    return organization_shape(organization)


@blp.route("/organizations/<int:organization_id>", methods=["PATCH"])
@guard(Access.SECRETARIAT)
@blp.arguments(schemas.OrganizationChange)
@blp.response(200, schemas.Organization)
@blp.alt_response(409, schema=schemas.OrganizationConflict)
def change_organization(body, organization_id: int):
    """Change an organisation's names, kind, prefecture or website."""
    organization = db.session.get(Organization, organization_id)
    auth.require_write(None)
    form = posted(OrganizationForm, body, organization)
    unchanged_since_read(form.version.data, organization, lambda: schemas.Organization().dump(organization_shape(organization)))
    services.update_organization(organization, form.values())
    db.session.commit()
    return organization_shape(organization)


def _person_form(body: dict, person: Person | None = None) -> PersonForm:
    if person is None:
        return posted(PersonForm, body, full_contact=True, show_note=permissions.can_view_private_note())
    return posted(
        PersonForm,
        body,
        person,
        full_contact=permissions.contact_view(person) is permissions.ContactView.FULL,
        show_note=permissions.can_view_private_note(),
        set_contact=permissions.can_edit_contact(person),
    )


@blp.route("/people", methods=["POST"])
@guard(Access.SECRETARIAT)
@blp.arguments(schemas.NewPerson)
@blp.response(201, schemas.Person)
def create_person(body):
    """Add a person to the directory; only administrators write a private note."""
    auth.require_write(None)
    person = services.create_person(_person_form(body).values())
    db.session.commit()
    return person_shape(person)


@blp.route("/people/<int:person_id>", methods=["PATCH"])
@guard(Access.SECRETARIAT)
@blp.arguments(schemas.PersonChange)
@blp.response(200, schemas.Person)
@blp.alt_response(409, schema=schemas.PersonConflict)
def change_person(body, person_id: int):
    """Change a person; contact details only of people in the caller's consortia, as on the site."""
    person = db.session.get(Person, person_id)
    auth.require_write(None)
    form = _person_form(body, person)
    unchanged_since_read(form.version.data, person, lambda: schemas.Person().dump(person_shape(person)))
    services.update_person(person, form.values())
    db.session.commit()
    return person_shape(person)
