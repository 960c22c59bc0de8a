"""The directory: organisations and people, with the consortia they are in."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload
from wtforms import SelectField
from wtforms.validators import Optional

from .. import permissions
from ..permissions import Access, guard
from ..extensions import db
from ..forms import SearchForm, enum_choices
from ..models import AgendaItem, AgendaPresenter, Consortium, Meeting, Membership, Organization, OrganizationKind, Person
from ..pagination import paginate

bp = Blueprint("directory", __name__)


class OrganizationFilterForm(SearchForm):
    kind = SelectField(_l("Kind"), validators=[Optional()])

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.kind.choices = enum_choices(OrganizationKind, _l("Any kind"))


def _memberships(*where) -> sa.Select:
    """Current and past memberships in consortia the visitor may see."""
    return (
        sa.select(Membership)
        .join(Membership.consortium)
        .where(permissions.visible_consortia(), *where)
        .options(
            joinedload(Membership.consortium),
            joinedload(Membership.person),
            joinedload(Membership.organization),
            joinedload(Membership.group),
        )
        .order_by(Consortium.name, Membership.position, Membership.id)
    )


@bp.get("/organisations/")
@guard(Access.PUBLIC)
def organisations():
    """List organisations of the master list, searchable by name and filtered by kind."""
    form = OrganizationFilterForm()
    if not form.validate():
        return render_template("directory/organisations.html", form=form, page=None), 400
    stmt = sa.select(Organization).order_by(sa.func.coalesce(Organization.name_kana, Organization.name))
    if form.kind.data:
        stmt = stmt.where(Organization.kind == form.kind.data)
    if form.query_key:
        stmt = stmt.where(Organization.search_text.contains(form.query_key, autoescape=True))
    page = paginate(stmt, current_app.config["PER_PAGE"])
    return render_template("directory/organisations.html", form=form, page=page)


@bp.get("/organisations/<int:organization_id>")
@guard(Access.PUBLIC)
def organisation(organization_id: int):
    """Show an organisation and every visible consortium it is in, with its role."""
    org = db.get_or_404(Organization, organization_id)
    page = paginate(
        _memberships(sa.or_(Membership.organization_id == org.id, Membership.on_behalf_of_id == org.id)),
        current_app.config["PER_PAGE"],
    )
    return render_template("directory/organisation.html", org=org, page=page)


@bp.get("/people/<int:person_id>")
@guard(Access.PUBLIC)
def person(person_id: int):
    """Show a person's public fields and where they appear; hidden unless they appear somewhere visible."""
    person = db.session.get(Person, person_id, options=[joinedload(Person.organization)])
    page = paginate(_memberships(Membership.person_id == person.id), current_app.config["PER_PAGE"])
    presentations = db.session.execute(
        sa.select(AgendaPresenter)
        .join(AgendaPresenter.agenda_item)
        .join(AgendaItem.meeting)
        .join(Meeting.consortium)
        .where(AgendaPresenter.person_id == person.id, permissions.visible_meetings(), AgendaItem.is_public)
        .options(joinedload(AgendaPresenter.agenda_item).joinedload(AgendaItem.meeting))
        .order_by(Meeting.starts_at.desc())
        .limit(50)
    ).scalars().all()
    return render_template(
        "directory/person.html",
        person=person,
        page=page,
        presentations=presentations,
        show_private=permissions.can_view_private_contact(),
    )
