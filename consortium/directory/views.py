"""The directory: organisations and people, with the consortia they are in."""
from __future__ import annotations


import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy.orm import joinedload
from wtforms import SelectField
from wtforms.validators import Optional

from .. import pagination, permissions, versions
from ..permissions import Access, guard
from ..extensions import db
from ..forms import ConfirmForm, SearchForm, enum_choices, render_form
from ..models import AgendaItem, AgendaPresenter, Consortium, Meeting, Membership, Organization, OrganizationKind, Person
from ..network.queries import co_members, seats_of
from ..pagination import Page, count_up_to_limit, paginate, paginate_by_key
from ..search.queries import holding, read_through_index
from . import services
from .forms import OrganizationForm, PersonForm

bp = Blueprint("directory", __name__)


class OrganizationFilterForm(SearchForm):
    kind = SelectField(_l("Kind"), validators=[Optional()])

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.kind.choices = enum_choices(OrganizationKind, _l("Any kind"))


def _memberships(*where) -> sa.Select:
    """Memberships the visitor may see (permissions.visible_memberships)."""
    return (
        sa.select(Membership)
        .join(Membership.consortium)
        .where(permissions.visible_memberships(), *where)
        .options(
            joinedload(Membership.consortium),
            joinedload(Membership.person),
            joinedload(Membership.organization),
            joinedload(Membership.group),
        )
        .order_by(Consortium.name, Membership.position, Membership.id)
    )


def _named(stmt: sa.Select, model: type, key: str, together: bool = False) -> tuple[sa.Select, int, tuple]:
    """The rows of stmt whose name holds the key, how many (up to COUNTED + 1), and the columns
    of their reading order to page by. Counted through the search index; listed through it when
    they are few. The name is checked as the directory always has: width, case and spaces ignored.

    Many hits are found one of two ways. Spread through the reading order (a word in organisations'
    names), the directory is read in order with each name checked: a page is full within a few
    hundred rows. Together in it (together=True: people are read by family name, which a name
    search names, so 佐藤 sit at サトウ, fifteen thousand of them in a directory of a million), the
    hits are put in reading order by themselves, behind a fence (OFFSET 0), and only then checked
    against what the visitor may see, until a page is full: reading from ア would pass every row
    before サトウ, and letting the planner check each hit before sorting would check them all."""
    name_holds_key = model.search_text.contains(key, autoescape=True)
    named = stmt.where(name_holds_key)
    indexed = holding(named, model, key)
    read_through_index()
    total = count_up_to_limit(indexed)
    if total <= pagination.COUNTED:
        return indexed, total, model.directory_order
    if not together:
        return named, total, model.directory_order
    order = [column.label(f"order_{i}") for i, column in enumerate(model.directory_order)]
    hits = holding(sa.select(model.id, *order).where(name_holds_key), model, key)
    ordered = hits.order_by(*model.directory_order).offset(0).subquery()
    stmt = stmt.join(ordered, ordered.c.id == model.id)
    return stmt, total, tuple(ordered.c[f"order_{i}"] for i in range(len(order)))


def _seats(holder) -> tuple[Page, Page]:
    """The visible seats a clause on Membership selects: current ones (and, for a secretariat, those
    entered ahead) and former ones, each a page of its own."""
    per_page = current_app.config["PER_PAGE"]
    return (
        paginate(_memberships(holder, ~Membership.has_ended), per_page),
        paginate(_memberships(holder, Membership.has_ended), per_page, param="former_page"),
    )


@bp.get("/organisations/")
@guard(Access.PUBLIC)
def organisations():
    """List organisations of the master list, searchable by name and filtered by kind."""
    form = OrganizationFilterForm()
    if not form.validate():
        return render_template("directory/organisations.html", form=form, page=None), 400
    stmt, total = sa.select(Organization), None
    if form.kind.data:
        stmt = stmt.where(Organization.kind == form.kind.data)
    order = Organization.directory_order
    if form.query_key:
        stmt, total, order = _named(stmt, Organization, form.query_key)
    page = paginate_by_key(stmt, order, current_app.config["PER_PAGE"], total)
    return render_template(
        "directory/organisations.html", form=form, page=page, can_edit=permissions.can_edit_directory()
    )


@bp.get("/organisations/<int:organization_id>")
@guard(Access.PUBLIC)
def organisation(organization_id: int):
    """Show an organisation, its visible seats (current and former, its own and those of people
    sitting for it) and the organisations it sits with most often."""
    org = db.get_or_404(Organization, organization_id)
    current, former = _seats(seats_of(org.id))
    return render_template(
        "directory/organisation.html",
        org=org,
        current=current,
        former=former,
        partners=co_members(org.id),
        can_edit=permissions.can_edit_directory(),
        is_admin=permissions.is_admin(),
    )


@bp.get("/people/<int:person_id>")
@guard(Access.PUBLIC, joinedload(Person.organization))
def person(person_id: int):
    """Show a person's public fields and where they appear; hidden unless they appear somewhere visible."""
    person = db.session.get(Person, person_id)
    current, former = _seats(Membership.person_id == person.id)
    presentations = db.session.execute(
        permissions.presentations()
        .where(AgendaPresenter.person_id == person.id)
        .options(joinedload(AgendaPresenter.agenda_item).joinedload(AgendaItem.meeting))
        .order_by(Meeting.starts_at.desc())
        .limit(50)
    ).scalars().all()
    return render_template(
        "directory/person.html",
        person=person,
        current=current,
        former=former,
        presentations=presentations,
        show_note=permissions.can_view_private_note(),
        can_edit=permissions.can_edit_directory(),
        is_admin=permissions.is_admin(),
    )


@bp.get("/people/")
@guard(Access.PUBLIC)
def people():
    """List the people the visitor may see, searchable by name or reading."""
    form = SearchForm()
    if not form.validate():
        return render_template("directory/people.html", form=form, page=None), 400
    stmt, total = sa.select(Person).where(permissions.visible_people()).options(joinedload(Person.organization)), None
    order = Person.directory_order
    if form.query_key:
        stmt, total, order = _named(stmt, Person, form.query_key, together=True)
    page = paginate_by_key(stmt, order, current_app.config["PER_PAGE"], total)
    return render_template("directory/people.html", form=form, page=page, can_edit=permissions.can_edit_directory())


# ---------------------------------------------------------------------------------------------
# Editing the directory: secretariats and administrators; deleting: administrators


def _organisation_url(organization_id: int) -> str:
    return url_for("directory.organisation", organization_id=organization_id)


def _person_url(person: Person) -> str:
    return url_for("directory.person", person_id=person.id)


@bp.route("/organisations/new", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def new_organisation():
    """Add an organisation to the shared directory, refusing one that is already there."""
    form = OrganizationForm()
    if form.validate_on_submit():
        org = services.create_organization(form.values())
        db.session.commit()
        flash(_("%(name)s has been added to the directory.", name=org.name), "success")
        return redirect(_organisation_url(org.id))
    return render_form(
        "directory/organisation_form.html", form, org=None, title=_("New organisation"), cancel_url=url_for("directory.organisations")
    )


@bp.route("/organisations/<int:organization_id>/edit", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def edit_organisation(organization_id: int):
    """Change an organisation's names, kind, prefecture or website."""
    org = db.session.get(Organization, organization_id)
    form = OrganizationForm(org)
    if form.validate_on_submit():
        versions.check(form, org)
        services.update_organization(org, form.values())
        db.session.commit()
        flash(_("The organisation has been saved."), "success")
        return redirect(_organisation_url(org.id))
    return render_form(
        "directory/organisation_form.html",
        form,
        org=org,
        title=_("Edit %(name)s", name=org.name),
        cancel_url=_organisation_url(org.id),
        is_admin=permissions.is_admin(),
    )


@bp.route("/organisations/<int:organization_id>/delete", methods=["GET", "POST"])
@guard(Access.ADMIN)
def delete_organisation(organization_id: int):
    """Delete an organisation nothing refers to, after confirmation; otherwise say what refers to it."""
    org = db.session.get(Organization, organization_id)
    blockers = services.organization_blockers(org)
    if blockers:
        flash(
            _("%(name)s cannot be deleted: %(reasons)s If it duplicates another organisation, merge it into that one instead.",
              name=org.name, reasons=" ".join(blockers)),
            "error",
        )
        return redirect(_organisation_url(org.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_organization(org)
        db.session.commit()
        flash(_("%(name)s has been deleted from the directory.", name=org.name), "success")
        return redirect(url_for("directory.organisations"))
    return render_form(
        "confirm.html",
        form,
        title=_("Delete %(name)s?", name=org.name),
        message=_("The organisation is removed from the shared directory. Nothing else refers to it."),
        cancel_url=_organisation_url(org.id),
        level="admin",
    )


@bp.route("/people/new", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def new_person():
    """Add a person to the shared directory; only administrators write a private note."""
    form = PersonForm(full_contact=True, show_note=permissions.can_view_private_note(), organisation=request.args.get("organisation"))
    if form.validate_on_submit():
        person = services.create_person(form.values())
        db.session.commit()
        flash(_("%(name)s has been added to the directory.", name=person.full_name), "success")
        return redirect(_person_url(person))
    return render_form(
        "directory/person_form.html", form, person=None, title=_("New person"), cancel_url=url_for("directory.people")
    )


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@guard(Access.SECRETARIAT, joinedload(Person.organization))
def edit_person(person_id: int):
    """Change a person; a secretariat types contact details without seeing the stored ones in full,
    and only of people in its consortia (permissions.can_edit_contact)."""
    person = db.session.get(Person, person_id)
    form = PersonForm(
        person,
        full_contact=permissions.contact_view(person) is permissions.ContactView.FULL,
        show_note=permissions.can_view_private_note(),
        set_contact=permissions.can_edit_contact(person),
    )
    if form.validate_on_submit():
        versions.check(form, person)
        services.update_person(person, form.values())
        db.session.commit()
        flash(_("%(name)s has been saved.", name=person.full_name), "success")
        return redirect(_person_url(person))
    return render_form(
        "directory/person_form.html",
        form,
        person=person,
        title=_("Edit %(name)s", name=person.full_name),
        cancel_url=url_for("directory.person", person_id=person.id),
        is_admin=permissions.is_admin(),
    )


@bp.route("/people/<int:person_id>/delete", methods=["GET", "POST"])
@guard(Access.ADMIN)
def delete_person(person_id: int):
    """Delete a person nothing refers to, after confirmation; otherwise say what refers to them."""
    person = db.session.get(Person, person_id)
    person_url = url_for("directory.person", person_id=person.id)
    blockers = services.person_blockers(person)
    if blockers:
        flash(
            _("%(name)s cannot be deleted: %(reasons)s If they duplicate another person, merge them into that one instead.",
              name=person.full_name, reasons=" ".join(blockers)),
            "error",
        )
        return redirect(person_url)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = person.full_name
        services.delete_person(person)
        db.session.commit()
        flash(_("%(name)s has been deleted from the directory.", name=name), "success")
        return redirect(url_for("directory.people"))
    return render_form(
        "confirm.html",
        form,
        title=_("Delete %(name)s?", name=person.full_name),
        message=_("The person is removed from the shared directory, with their private contact details."),
        cancel_url=person_url,
        level="admin",
    )
