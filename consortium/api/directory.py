"""The shared directory: organisations, and people by their public fields only."""
from __future__ import annotations

import sqlalchemy as sa

from .. import permissions
from ..extensions import db
from ..models import Membership, Organization, Person
from ..permissions import Access, guard
from . import schemas
from .auth import api_blueprint
from .paging import key_page, listing
from .shapes import columns, site_url

blp = api_blueprint("api_directory", __name__, "Organisations and people of the shared directory.")


def _seated(holder: sa.ColumnElement[bool], consortium_id: int) -> sa.ColumnElement[bool]:
    """The holder has, had or will have a seat the caller may see in the consortium."""
    seats = (
        sa.select(Membership.id)
        .join(Membership.consortium)
        .where(holder, Membership.consortium_id == consortium_id, permissions.visible_memberships())
    )
    return seats.exists()


def organization_shape(row: Organization) -> dict:
    return columns(
        row,
        html_url=site_url("directory.organisation", organization_id=row.id),
        memberships_url=site_url("api_consortia.memberships", organization=row.id),
    )


def person_shape(row: Person) -> dict:
    return columns(
        row,
        full_name=row.full_name,
        html_url=site_url("directory.person", person_id=row.id),
        memberships_url=site_url("api_consortia.memberships", person=row.id),
    )


@blp.route("/organizations")
@guard(Access.PUBLIC)
@blp.etag
@blp.arguments(schemas.DirectoryListArgs, location="query")
@blp.response(200, schemas.OrganizationPage)
def organizations(args):
    """List the organisations of the directory, oldest first."""
    stmt = sa.select(Organization)
    if "consortium" in args:
        holder = sa.or_(Membership.organization_id == Organization.id, Membership.on_behalf_of_id == Organization.id)
        stmt = stmt.where(_seated(holder, args["consortium"]))
    if "updated_since" in args:
        stmt = stmt.where(Organization.updated_at >= args["updated_since"])
    rows, after = key_page(stmt, (Organization.id,), args)
    return listing([organization_shape(row) for row in rows], after)


@blp.route("/organizations/<int:organization_id>")
@guard(Access.PUBLIC)
@blp.etag
@blp.response(200, schemas.Organization)
def organization(organization_id: int):
    """Show an organisation; its seats are listed by memberships_url."""
    return organization_shape(db.session.get(Organization, organization_id))


@blp.route("/people")
@guard(Access.PUBLIC)
@blp.etag
@blp.arguments(schemas.DirectoryListArgs, location="query")
@blp.response(200, schemas.PersonPage)
def people(args):
    """List the people the caller may see (those on a roster or an agenda the caller may see),
    oldest first, by their public fields: never an email, a phone number or a note."""
    stmt = sa.select(Person).where(permissions.visible_people())
    if "consortium" in args:
        stmt = stmt.where(_seated(Membership.person_id == Person.id, args["consortium"]))
    if "updated_since" in args:
        stmt = stmt.where(Person.updated_at >= args["updated_since"])
    rows, after = key_page(stmt, (Person.id,), args)
    return listing([person_shape(row) for row in rows], after)


@blp.route("/people/<int:person_id>")
@guard(Access.PUBLIC)
@blp.etag
@blp.response(200, schemas.Person)
def person(person_id: int):
    """Show a person's public fields; their seats are listed by memberships_url."""
    return person_shape(db.session.get(Person, person_id))
