"""Administration: users and their grants, merging duplicates, the audit log."""
from __future__ import annotations


import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..accounts.services import password_token
from .. import versions
from ..extensions import db
from ..forms import ButtonForm, SearchForm, render_form, positive_int
from ..models import Consortium, Grant, GrantRole, Organization, Person, User
from ..pagination import paginate
from ..permissions import Access, guard
from . import auditlog, services
from .audit_fields import label_of
from .forms import (
    AuditFilterForm,
    EditUserForm,
    GrantForm,
    MergeForm,
    NewUserForm,
    OrganizationDuplicateForm,
    PersonDuplicateForm,
    RevokeForm,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@guard(Access.ADMIN)
def index():
    """The administrator's start page."""
    return render_template("admin/index.html")


# ---------------------------------------------------------------------------------------------
# Users and grants


@bp.get("/users")
@guard(Access.ADMIN)
def users():
    """List accounts with their roles, searchable by name or email."""
    form = SearchForm()
    if not form.validate():
        return render_template("admin/users.html", form=form, page=None), 400
    stmt = (
        sa.select(User)
        .options(joinedload(User.person), selectinload(User.grants).joinedload(Grant.consortium))
        .order_by(sa.func.lower(User.display_name), User.id)
    )
    if form.q.data:
        typed = form.q.data.lower()  # already NFKC-normalised and stripped by the search form
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(User.email).contains(typed, autoescape=True),
                sa.func.lower(User.display_name).contains(typed, autoescape=True),
            )
        )
    page = paginate(stmt, current_app.config["PER_PAGE"])
    return render_template("admin/users.html", form=form, page=page)


def _password_link(user: User) -> str:
    return url_for("accounts.set_password", token=password_token(user), _external=True)


@bp.route("/users/new", methods=["GET", "POST"])
@guard(Access.ADMIN)
def new_user():
    """Create an account, optionally linked to a person and granted a role, and show its set-password link."""
    form = NewUserForm()
    if form.validate_on_submit():
        user = services.create_account(**form.values())
        db.session.commit()
        flash(_("The account of %(name)s has been created.", name=user.display_name), "success")
        # Shown once, here, rather than carried in the session cookie to another page.
        return render_template("admin/password_link.html", user=user, link=_password_link(user), new=True)
    return render_form("admin/user_new.html", form)


def _user_page(user: User, form: EditUserForm, grant_form: GrantForm, status: int = 200):
    grants = db.session.execute(
        sa.select(Grant)
        .join(Grant.consortium)
        .where(Grant.user_id == user.id)
        .options(contains_eager(Grant.consortium))
        .order_by(Consortium.name)
    ).scalars().all()
    return render_template(
        "admin/user.html", user=user, form=form, grant_form=grant_form, grants=grants, is_self=user.id == current_user.id
    ), status


def _user_url(user_id: int) -> str:
    return url_for("admin.edit_user", user_id=user_id)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@guard(Access.ADMIN, joinedload(User.person))
def edit_user(user_id: int):
    """Change an account's name, status, administrator flag and linked person; show its grants."""
    user = db.session.get(User, user_id)
    form = EditUserForm(user)
    if form.validate_on_submit():
        versions.check(form, user)
        services.update_user(user, form.values())
        db.session.commit()
        flash(_("The account of %(name)s has been saved.", name=user.display_name), "success")
        return redirect(_user_url(user.id))
    return _user_page(user, form, GrantForm(formdata=None), 422 if form.is_submitted() else 200)


@bp.post("/users/<int:user_id>/password-link")
@guard(Access.ADMIN)
def password_link(user_id: int):
    """Show a fresh set-password link for the account, to send by hand."""
    user = db.session.get(User, user_id)
    if not ButtonForm().validate_on_submit():
        flash(_("The form had expired. Please send it again."), "error")
        return redirect(_user_url(user.id))
    return render_template("admin/password_link.html", user=user, link=_password_link(user), new=False)


@bp.post("/users/<int:user_id>/grants")
@guard(Access.ADMIN, joinedload(User.person))
def grant(user_id: int):
    """Give the user a role in a consortium, or change the role they have there."""
    user = db.session.get(User, user_id)
    form = GrantForm()
    if form.validate_on_submit():
        consortium = db.session.get(Consortium, form.consortium_id.data)
        role = GrantRole(form.role.data)
        services.grant_role(user, consortium, role)
        db.session.commit()
        flash(_("%(name)s is now %(role)s of %(consortium)s.", name=user.display_name, role=role.label, consortium=consortium.name), "success")
        return redirect(_user_url(user.id))
    return _user_page(user, EditUserForm(user, formdata=None), form, 422)


@bp.post("/users/<int:user_id>/grants/revoke")
@guard(Access.ADMIN)
def revoke(user_id: int):
    """Take away one of the user's roles; the grant is named in the form and must be theirs."""
    user = db.session.get(User, user_id)
    form = RevokeForm()
    grant = db.session.get(Grant, form.grant_id.data) if form.validate_on_submit() else None
    if grant is None or grant.user_id != user.id:
        flash(_("That role was not found on this account; nothing was changed."), "error")
        return redirect(_user_url(user.id))
    name, role = grant.consortium.name, grant.role.label
    services.revoke_grant(grant)
    db.session.commit()
    flash(_("%(user)s is no longer %(role)s of %(consortium)s.", user=user.display_name, role=role, consortium=name), "success")
    return redirect(_user_url(user.id))


# ---------------------------------------------------------------------------------------------
# Merging duplicates


def _merge_page(kept, model, choose_form, plan_of, merge, kept_url: str, kind: str):
    """Choose a duplicate (GET), preview what moves, merge it on a confirmed POST."""
    choose = choose_form(kept)
    confirm = MergeForm()
    duplicate, status = None, 200
    if request.method == "POST":
        raw_id = confirm.duplicate_id.data
        duplicate = db.session.get(model, positive_int(raw_id)) if positive_int(raw_id) else None
        if confirm.validate_on_submit() and duplicate is not None and duplicate.id != kept.id:
            try:
                merge(kept, duplicate)
            except services.MergeRefused:
                db.session.rollback()
                flash(_("Both people have an account. Deactivate or unlink one account first, then merge."), "error")
                return redirect(request.path)
            db.session.commit()
            flash(_("The duplicate has been merged into this entry and deleted."), "success")
            return redirect(kept_url)
        if duplicate is None or duplicate.id == kept.id:
            duplicate = None
            confirm.duplicate_id.errors = [_("Choose the duplicate first.")]
        status = 422
    elif choose.duplicate.data:
        status = 200 if choose.validate() else 422
        duplicate = choose.found
    plan = plan_of(kept, duplicate) if duplicate is not None else None
    if duplicate is not None:
        confirm.duplicate_id.data = duplicate.id
    both_users = kind == "person" and duplicate is not None and kept.user is not None and duplicate.user is not None
    # The fields taken from the duplicate, named as the directory's form names them.
    filled = [str(label_of(model.__name__, name)) for name in plan.filled] if plan is not None else []
    return render_template(
        "admin/merge.html",
        filled=filled,
        kind=kind,
        kept=kept,
        kept_url=kept_url,
        duplicate=duplicate,
        choose=choose,
        confirm=confirm,
        plan=plan,
        both_users=both_users,
    ), status


@bp.route("/organisations/<int:organization_id>/merge", methods=["GET", "POST"])
@guard(Access.ADMIN)
def merge_organisation(organization_id: int):
    """Merge a duplicate organisation into this one: its memberships, people and presentations move."""
    kept = db.session.get(Organization, organization_id)
    return _merge_page(
        kept,
        Organization,
        OrganizationDuplicateForm,
        services.organization_merge_plan,
        services.merge_organizations,
        url_for("directory.organisation", organization_id=kept.id),
        "organisation",
    )


@bp.route("/people/<int:person_id>/merge", methods=["GET", "POST"])
@guard(Access.ADMIN, joinedload(Person.user), joinedload(Person.organization))
def merge_person(person_id: int):
    """Merge a duplicate person into this one: memberships, presentations, minutes and account move."""
    kept = db.session.get(Person, person_id)
    return _merge_page(
        kept,
        Person,
        PersonDuplicateForm,
        services.person_merge_plan,
        services.merge_people,
        url_for("directory.person", person_id=kept.id),
        "person",
    )


# ---------------------------------------------------------------------------------------------
# The audit log


def _audit_page(consortium: Consortium | None):
    """The log, newest first and filtered; limited to one consortium's events when given."""
    form = AuditFilterForm(with_consortia=consortium is None)
    if not form.validate():
        return render_template("admin/audit.html", form=form, page=None, rows=[], consortium=consortium), 400
    consortium_id = consortium.id if consortium is not None else form.consortium_id.data
    page = paginate(
        auditlog.statement(form.sign_ins, form.entity_type.data or None, form.action.data or None, consortium_id),
        current_app.config["PER_PAGE"],
    )
    return render_template(
        "admin/audit.html", form=form, page=page, rows=auditlog.log_rows(page.items), consortium=consortium
    )


@bp.get("/audit")
@guard(Access.ADMIN)
def audit():
    """Every change on the site (who, when, what, before and after), or every sign-in."""
    return _audit_page(None)


@bp.get("/consortia/<int:consortium_id>/audit")
@guard(Access.SECRETARIAT)
def consortium_audit(consortium_id: int):
    """The changes made in one consortium, for its secretariat."""
    return _audit_page(db.session.get(Consortium, consortium_id))
