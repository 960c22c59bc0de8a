"""Consortia: the list and each consortium's page, and the secretariat's forms for a consortium,
its roster (memberships and groups), milestones, targets and progress reports.

Rows of a consortium have URLs of their own (/memberships/7/edit), so the blueprint has no prefix.
"""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import joinedload, selectinload

from .. import permissions, versions
from ..attendance.queries import attendance_rates
from ..extensions import db
from ..filters import fiscal_year, long_date
from ..forms import ConfirmForm, render_form
from ..japanese import today_tokyo
from ..meetings.services import begun_but_not_held, not_held_among
from ..minutes.queries import open_actions_statement
from ..models import (
    Consortium,
    Meeting,
    Membership,
    Milestone,
    RosterGroup,
    Target,
    TargetReport,
    Theme,
)
from ..pagination import paginate
from ..permissions import Access, guard
from . import contacts as contact_sheet, services
from .forms import (
    END,
    ConsortiumFilterForm,
    ConsortiumForm,
    EndMembershipForm,
    GroupForm,
    MembershipForm,
    MilestoneForm,
    MoveForm,
    PlaceForm,
    TargetForm,
    TargetReportForm,
    TransferForm,
    contact_sheet_form,
    parent_candidates,
)
from .roster import as_of, roster_rows, roster_statement

bp = Blueprint("consortia", __name__)


@bp.get("/consortia/")
@guard(Access.PUBLIC)
def index():
    """List the consortia the visitor may see, filtered and paginated."""
    themes = db.session.execute(sa.select(Theme).order_by(Theme.position)).scalars().all()
    form = ConsortiumFilterForm(themes)
    if not form.validate():
        return render_template("consortia/index.html", form=form, page=None), 400
    stmt = (
        sa.select(Consortium)
        .where(permissions.visible_consortia())
        .options(selectinload(Consortium.themes))
        .order_by(Consortium.name)
    )
    if form.status.data:
        stmt = stmt.where(Consortium.status == form.status.data)
    if form.kind.data:
        stmt = stmt.where(Consortium.kind == form.kind.data)
    if form.theme.data:
        stmt = stmt.where(Consortium.themes.any(Theme.code == form.theme.data))
    if form.query_key:
        stmt = stmt.where(Consortium.search_text.contains(form.query_key, autoescape=True))
    page = paginate(stmt, current_app.config["PER_PAGE"])
    return render_template("consortia/index.html", form=form, page=page, can_create=permissions.is_admin())


# What a consortium's page and form show of it, loaded with it by the guard.
CONSORTIUM_PAGE = (joinedload(Consortium.parent), selectinload(Consortium.themes))


def _meetings_statement(consortium: Consortium) -> sa.Select:
    stmt = sa.select(Meeting).where(Meeting.consortium_id == consortium.id)
    if not permissions.is_member(consortium.id):
        stmt = stmt.where(Meeting.is_public)
    return stmt


# How many meetings not marked held the consortium page lists (the oldest first).
NOT_HELD_SHOWN = 10


@bp.get("/consortia/<int:consortium_id>")
@guard(Access.PUBLIC, *CONSORTIUM_PAGE)
def show(consortium_id: int):
    """Show a consortium: purpose, hosts, roster, meetings, milestones and targets."""
    consortium = db.session.get(Consortium, consortium_id)
    now = datetime.now(timezone.utc)
    on = as_of(consortium_id)
    leading = db.session.execute(roster_statement(consortium, leading=True, on=on)).scalars().all()
    roster = paginate(
        roster_statement(consortium, leading=False, on=on),
        current_app.config["ROSTER_PER_PAGE"],
        param="roster_page",
    )
    meetings = _meetings_statement(consortium)
    upcoming = db.session.execute(
        meetings.where(Meeting.past_from >= now).order_by(Meeting.starts_at, Meeting.id).limit(10)
    ).scalars().all()
    past = db.session.execute(
        # Newest first; meetings of the same time (a programme's undated seminars) in the order entered.
        meetings.where(Meeting.past_from < now).order_by(Meeting.starts_at.desc(), Meeting.id).limit(10)
    ).scalars().all()
    children = db.session.execute(
        sa.select(Consortium)
        .where(Consortium.parent_id == consortium.id, permissions.visible_consortia())
        .order_by(Consortium.id)
    ).scalars().all()
    milestones = db.session.execute(
        sa.select(Milestone).where(Milestone.consortium_id == consortium.id).order_by(Milestone.on)
    ).scalars().all()
    targets = db.session.execute(
        sa.select(Target)
        .where(Target.consortium_id == consortium.id)
        .options(selectinload(Target.reports))
        .order_by(Target.position, Target.id)
    ).scalars().all()
    can_edit = permissions.is_secretariat(consortium.id)
    run_by = permissions.run_by_ancestor(consortium)
    return render_template(
        "consortia/show.html",
        consortium=consortium,
        leading=leading,
        roster=roster,
        as_of=on,
        rows=roster_rows(roster.items),
        upcoming=upcoming,
        past=past,
        # Shown to the secretariat as needing attention in the lists, not silently as past.
        not_held_ids=not_held_among(past, permissions.is_secretariat),
        children=children,
        milestones=milestones,
        targets=targets,
        show_parent=consortium.parent is not None and permissions.can_view_consortium(consortium.parent),
        run_by=run_by if run_by is not None and permissions.can_view_consortium(run_by) else None,
        open_actions=paginate(
            open_actions_statement(consortium.id), current_app.config["PER_PAGE"], param="actions_page"
        ),
        # Attendance rates of the members on this page of the roster: the secretariat's alone.
        rates=attendance_rates(consortium.id, [m.id for m in roster.items]) if can_edit else None,
        # Meetings past their time but never marked held (開催済み): the secretariat's to mark.
        not_held=begun_but_not_held(consortium.id, NOT_HELD_SHOWN + 1) if can_edit else [],
        not_held_shown=NOT_HELD_SHOWN,
        can_edit=can_edit,
        can_delete=permissions.is_admin(),
    )


@bp.get("/consortia/<int:consortium_id>/meetings")
@guard(Access.PUBLIC, *CONSORTIUM_PAGE)
def meetings(consortium_id: int):
    """List all of a consortium's meetings the visitor may see, newest first."""
    consortium = db.session.get(Consortium, consortium_id)
    page = paginate(
        _meetings_statement(consortium).order_by(Meeting.starts_at.desc(), Meeting.id),
        current_app.config["PER_PAGE"],
    )
    return render_template(
        "consortia/meetings.html",
        consortium=consortium,
        page=page,
        not_held_ids=not_held_among(page.items, permissions.is_secretariat),
    )


def _themes() -> list[Theme]:
    return db.session.execute(sa.select(Theme).order_by(Theme.position)).scalars().all()


def _form_page(title: str, form, cancel_url: str, consortium: Consortium):
    """Render one of the area's plain forms (all for the secretariat): 200 when shown, 422 when a submission failed."""
    return render_form("consortia/form.html", form, title=title, cancel_url=cancel_url, consortium=consortium)


def _confirm_page(title: str, message: str, form, cancel_url: str, consequences=(), level="secretariat"):
    return render_form(
        "confirm.html", form, title=title, message=message, cancel_url=cancel_url, consequences=consequences, level=level
    )


def _show_url(consortium_id: int, anchor: str | None = None) -> str:
    return url_for("consortia.show", consortium_id=consortium_id, _anchor=anchor)


# ---------------------------------------------------------------------------------------------
# Consortia


@bp.route("/consortia/new", methods=["GET", "POST"])
@guard(Access.ADMIN)
def create():
    """Set up a consortium; an administrator then grants its secretariat."""
    form = ConsortiumForm(None, parent_candidates(None, permissions.managed_consortia()), _themes())
    if form.validate_on_submit():
        consortium = services.create_consortium(form.values())
        db.session.commit()
        flash(_("The consortium has been created. Grant its secretariat on the administration page."), "success")
        return redirect(_show_url(consortium.id))
    return render_form(
        "consortia/edit.html", form, consortium=None, title=_("New consortium"), cancel_url=url_for("consortia.index")
    )


@bp.route("/consortia/<int:consortium_id>/edit", methods=["GET", "POST"])
@guard(Access.SECRETARIAT, *CONSORTIUM_PAGE)
def edit(consortium_id: int):
    """Change a consortium's facts, parent and themes."""
    consortium = db.session.get(Consortium, consortium_id)
    form = ConsortiumForm(consortium, parent_candidates(consortium, permissions.managed_consortia()), _themes())
    if form.validate_on_submit():
        versions.check(form, consortium)
        services.update_consortium(consortium, form.values())
        db.session.commit()
        flash(_("The consortium has been saved."), "success")
        return redirect(_show_url(consortium.id))
    return render_form(
        "consortia/edit.html",
        form,
        consortium=consortium,
        title=_("Edit the consortium"),
        cancel_url=_show_url(consortium.id),
        can_delete=permissions.is_admin(),
    )


@bp.route("/consortia/<int:consortium_id>/delete", methods=["GET", "POST"])
@guard(Access.ADMIN)
def delete(consortium_id: int):
    """Delete a consortium without meetings or projects, after confirmation."""
    consortium = db.session.get(Consortium, consortium_id)
    blockers = services.deletion_blockers(consortium)
    if blockers:
        # A refusal, not an error page: say why and what to do instead.
        return render_template("consortia/cannot_delete.html", consortium=consortium, **blockers), 409
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_consortium(consortium)
        db.session.commit()
        flash(_("The consortium has been deleted."), "success")
        return redirect(url_for("consortia.index"))
    return _confirm_page(
        _("Delete %(name)s?", name=consortium.name),
        _("The consortium is deleted with everything that belongs only to it:"),
        form,
        _show_url(consortium.id),
        consequences=[
            _("its roster, former members included, and its roster groups"),
            _("its milestones, targets and progress reports"),
            _("every grant of its secretariat and members"),
        ],
        level="admin",
    )


# ---------------------------------------------------------------------------------------------
# The roster: the secretariat's page, memberships, groups


def _membership_options():
    return (
        joinedload(Membership.person),
        joinedload(Membership.organization),
        joinedload(Membership.on_behalf_of),
        joinedload(Membership.group),
    )


def _roster_url(consortium_id: int) -> str:
    return url_for("consortia.roster", consortium_id=consortium_id)


@bp.get("/consortia/<int:consortium_id>/roster")
@guard(Access.SECRETARIAT)
def roster(consortium_id: int):
    """Manage the roster: current members in order, former members, and the roster's groups."""
    consortium = db.session.get(Consortium, consortium_id)
    per_page = current_app.config["ROSTER_PER_PAGE"]
    current = paginate(services.current_roster(consortium_id).options(*_membership_options()), per_page)
    former = paginate(
        services.former_members(consortium_id).options(*_membership_options()),
        current_app.config["PER_PAGE"],
        param="former_page",
    )
    ahead = paginate(
        services.changes_ahead(consortium_id).options(*_membership_options()),
        current_app.config["PER_PAGE"],
        param="ahead_page",
    )
    groups = paginate(
        sa.select(RosterGroup)
        .where(RosterGroup.consortium_id == consortium_id)
        .options(joinedload(RosterGroup.parent))
        .order_by(RosterGroup.position, RosterGroup.id),
        current_app.config["PER_PAGE"],
        param="groups_page",
    )
    return render_template(
        "consortia/roster.html",
        consortium=consortium,
        current=current,
        ahead=ahead,
        former=former,
        groups=groups,
        all_groups=services.groups_of(consortium_id),
    )


@bp.route("/consortia/<int:consortium_id>/members/new", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def new_membership(consortium_id: int):
    """Put a person or an organisation on the roster, from the directory or created here."""
    consortium = db.session.get(Consortium, consortium_id)
    form = MembershipForm(consortium, services.groups_of(consortium_id))
    if form.validate_on_submit():
        membership = services.add_membership(consortium, form.choice, form.values())
        db.session.commit()
        flash(_("%(name)s has been added to the roster.", name=membership.name), "success")
        return redirect(_roster_url(consortium_id))
    return render_form(
        "consortia/membership.html", form, consortium=consortium, membership=None, title=_("Add a member")
    )


@bp.route("/memberships/<int:membership_id>/edit", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def edit_membership(membership_id: int):
    """Change a membership: who holds it, seat, role, category, group, term."""
    membership = db.session.get(Membership, membership_id)
    form = MembershipForm(membership.consortium, services.groups_of(membership.consortium_id), membership)
    if form.validate_on_submit():
        versions.check(form, membership)
        services.update_membership(membership, form.choice, form.values())
        db.session.commit()
        flash(_("The membership of %(name)s has been saved.", name=membership.name), "success")
        return redirect(_roster_url(membership.consortium_id))
    return render_form(
        "consortia/membership.html",
        form,
        consortium=membership.consortium,
        membership=membership,
        title=_("Edit the membership of %(name)s", name=membership.name),
    )


@bp.route("/memberships/<int:membership_id>/delete", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def delete_membership(membership_id: int):
    """End a term (kept in the history) or remove an entry made by mistake, after confirmation."""
    membership = db.session.get(Membership, membership_id)
    today = today_tokyo()
    form = EndMembershipForm(membership, today)
    if form.validate_on_submit():
        name = membership.name
        if form.how.data == END:
            last_day = form.last_day.data or today
            services.end_membership(membership, last_day)
            if last_day < today:
                message = _("The term of %(name)s ended on %(date)s; it stays in the roster's history.", name=name, date=long_date(last_day))
            elif last_day == today:
                message = _("The term of %(name)s ends today; it stays in the roster's history.", name=name)
            else:
                message = _("The term of %(name)s ends on %(date)s; until then it stays on the roster.", name=name, date=long_date(last_day))
        else:
            services.remove_membership(membership)
            message = _("%(name)s has been removed from the roster.", name=name)
        db.session.commit()
        flash(message, "success")
        return redirect(_roster_url(membership.consortium_id))
    return render_form(
        "consortia/membership_delete.html", form, membership=membership, consortium=membership.consortium
    )


@bp.post("/memberships/<int:membership_id>/move")
@guard(Access.SECRETARIAT)
def move_membership(membership_id: int):
    """Move a current member one place up or down the roster."""
    membership = db.session.get(Membership, membership_id)
    form = MoveForm()
    if not form.validate_on_submit():
        flash(_("The member could not be moved: the form was incomplete or had expired. Try again."), "error")
    elif not membership.is_current:
        flash(_("Only current members have a place in the roster."), "warning")
    elif services.move_membership(membership, form.direction.data):
        db.session.commit()
        flash(_("%(name)s has been moved.", name=membership.name), "success")
    else:
        flash(_("%(name)s is already at that end of the roster.", name=membership.name), "info")
    return redirect(_roster_url(membership.consortium_id))


@bp.post("/memberships/<int:membership_id>/place")
@guard(Access.SECRETARIAT)
def place_membership(membership_id: int):
    """Move a current member to any place in the roster, and into any group, in one step."""
    membership = db.session.get(Membership, membership_id)
    form = PlaceForm(services.groups_of(membership.consortium_id))
    if not form.validate_on_submit():
        errors = [e for field in (form.place, form.group_id) for e in field.errors]
        flash(" ".join(str(e) for e in errors) or _("The member could not be moved: the form was incomplete or had expired. Try again."), "error")
    elif not membership.is_current:
        flash(_("Only current members have a place in the roster."), "warning")
    elif services.move_membership_to(membership, form.place.data, form.group_id.data):
        db.session.commit()
        flash(_("%(name)s has been moved.", name=membership.name), "success")
    else:
        flash(_("%(name)s is already at that place.", name=membership.name), "info")
    return redirect(_roster_url(membership.consortium_id) + f"#member-{membership.id}")


@bp.route("/memberships/<int:membership_id>/transfer", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def transfer_membership(membership_id: int):
    """Hand a seat to a new representative (a staff transfer), keeping the former one in the history."""
    membership = db.session.get(Membership, membership_id)
    if not membership.is_current:
        flash(_("This term has already ended: only a current member can be replaced."), "warning")
        return redirect(_roster_url(membership.consortium_id))
    if membership.term_end is not None:
        flash(_("The term of %(name)s already ends on %(date)s: change or remove that entry first.", name=membership.name, date=long_date(membership.term_end)), "warning")
        return redirect(_roster_url(membership.consortium_id))
    form = TransferForm(membership, today_tokyo())
    if form.validate_on_submit():
        versions.check(form, membership)
        successor = services.transfer_membership(membership, form.choice, form.on.data)
        db.session.commit()
        if successor.is_pending:
            flash(_("%(new)s takes over the seat of %(old)s on %(date)s; until then it is listed under changes ahead.", new=successor.name, old=membership.name, date=long_date(successor.term_start)), "success")
        else:
            flash(_("%(new)s now holds the seat of %(old)s.", new=successor.name, old=membership.name), "success")
        return redirect(_roster_url(membership.consortium_id))
    return render_form("consortia/transfer.html", form, membership=membership, consortium=membership.consortium)


@bp.route("/consortia/<int:consortium_id>/groups/new", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def new_group(consortium_id: int):
    """Add a heading the roster is grouped under."""
    consortium = db.session.get(Consortium, consortium_id)
    form = GroupForm(services.groups_of(consortium_id))
    if form.validate_on_submit():
        services.add_group(consortium, form.values())
        db.session.commit()
        flash(_("The group has been added."), "success")
        return redirect(_roster_url(consortium_id))
    return _form_page(_("Add a roster group"), form, _roster_url(consortium_id), consortium)


@bp.route("/roster-groups/<int:group_id>/edit", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def edit_group(group_id: int):
    """Change a roster group's label, title or parent."""
    group = db.session.get(RosterGroup, group_id)
    form = GroupForm(services.groups_of(group.consortium_id), group)
    if form.validate_on_submit():
        versions.check(form, group)
        services.update_group(group, form.values())
        db.session.commit()
        flash(_("The group has been saved."), "success")
        return redirect(_roster_url(group.consortium_id))
    return _form_page(_("Edit the roster group"), form, _roster_url(group.consortium_id), group.consortium)


@bp.route("/roster-groups/<int:group_id>/delete", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def delete_group(group_id: int):
    """Delete a roster group and the groups under it, after confirmation; members stay."""
    group = db.session.get(RosterGroup, group_id)
    consortium_id = group.consortium_id
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_group(group)
        db.session.commit()
        flash(_("The group has been deleted."), "success")
        return redirect(_roster_url(consortium_id))
    subtree = services.group_subtree(group)
    members = sum(len(g.memberships) for g in subtree)
    consequences = [
        ngettext(
            "Its %(num)d member stays on the roster, without a group.",
            "Its %(num)d members stay on the roster, without a group.",
            members,
        )
    ]
    if len(subtree) > 1:
        consequences.append(
            _("The groups under it are deleted too: %(names)s.", names="、".join(g.title for g in subtree if g is not group))
        )
    return _confirm_page(
        _("Delete the group %(title)s?", title=group.title), _("This cannot be undone."), form,
        _roster_url(consortium_id), consequences,
    )


# ---------------------------------------------------------------------------------------------
# Milestones, targets, progress reports


@bp.route("/consortia/<int:consortium_id>/milestones/new", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def new_milestone(consortium_id: int):
    """Add a dated step of the schedule that is not a meeting."""
    consortium = db.session.get(Consortium, consortium_id)
    form = MilestoneForm()
    if form.validate_on_submit():
        services.add_milestone(consortium, form.values())
        db.session.commit()
        flash(_("The milestone has been added."), "success")
        return redirect(_show_url(consortium_id, "milestones"))
    return _form_page(_("Add a milestone"), form, _show_url(consortium_id, "milestones"), consortium)


@bp.route("/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def edit_milestone(milestone_id: int):
    """Change a milestone."""
    milestone = db.session.get(Milestone, milestone_id)
    form = MilestoneForm(obj=milestone)
    if form.validate_on_submit():
        versions.check(form, milestone)
        services.update_milestone(milestone, form.values())
        db.session.commit()
        flash(_("The milestone has been saved."), "success")
        return redirect(_show_url(milestone.consortium_id, "milestones"))
    return _form_page(_("Edit the milestone"), form, _show_url(milestone.consortium_id, "milestones"), milestone.consortium)


@bp.route("/milestones/<int:milestone_id>/delete", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def delete_milestone(milestone_id: int):
    """Delete a milestone after confirmation."""
    milestone = db.session.get(Milestone, milestone_id)
    back = _show_url(milestone.consortium_id, "milestones")
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete(milestone)
        db.session.commit()
        flash(_("The milestone has been deleted."), "success")
        return redirect(back)
    return _confirm_page(_("Delete the milestone %(title)s?", title=milestone.title), _("This cannot be undone."), form, back)


@bp.route("/consortia/<int:consortium_id>/targets/new", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def new_target(consortium_id: int):
    """Add a target (KPI) of the consortium."""
    consortium = db.session.get(Consortium, consortium_id)
    form = TargetForm()
    if form.validate_on_submit():
        services.add_target(consortium, form.values())
        db.session.commit()
        flash(_("The target has been added."), "success")
        return redirect(_show_url(consortium_id, "targets"))
    return _form_page(_("Add a target"), form, _show_url(consortium_id, "targets"), consortium)


@bp.route("/targets/<int:target_id>/edit", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def edit_target(target_id: int):
    """Change a target."""
    target = db.session.get(Target, target_id)
    form = TargetForm(obj=target)
    if form.validate_on_submit():
        versions.check(form, target)
        services.update_target(target, form.values())
        db.session.commit()
        flash(_("The target has been saved."), "success")
        return redirect(_show_url(target.consortium_id, "targets"))
    return _form_page(_("Edit the target"), form, _show_url(target.consortium_id, "targets"), target.consortium)


@bp.route("/targets/<int:target_id>/delete", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def delete_target(target_id: int):
    """Delete a target and its progress reports, after confirmation."""
    target = db.session.get(Target, target_id)
    back = _show_url(target.consortium_id, "targets")
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete(target)
        db.session.commit()
        flash(_("The target has been deleted."), "success")
        return redirect(back)
    return _confirm_page(
        _("Delete the target %(title)s?", title=target.title), _("This cannot be undone."), form, back,
        [
            ngettext(
                "Its %(num)d progress report is deleted with it.",
                "Its %(num)d progress reports are deleted with it.",
                len(target.reports),
            )
        ],
    )


@bp.route("/targets/<int:target_id>/reports/new", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def new_report(target_id: int):
    """Report progress against a target for a fiscal year."""
    target = db.session.get(Target, target_id)
    form = TargetReportForm(target)
    if form.validate_on_submit():
        services.add_report(target, form.values())
        db.session.commit()
        flash(_("The progress report has been added."), "success")
        return redirect(_show_url(target.consortium_id, "targets"))
    return _form_page(
        _("Report progress: %(title)s", title=target.title), form, _show_url(target.consortium_id, "targets"), target.consortium
    )


@bp.route("/target-reports/<int:report_id>/edit", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def edit_report(report_id: int):
    """Change a progress report."""
    report = db.session.get(TargetReport, report_id)
    target = report.target
    form = TargetReportForm(target, report)
    if form.validate_on_submit():
        versions.check(form, report)
        services.update_report(report, form.values())
        db.session.commit()
        flash(_("The progress report has been saved."), "success")
        return redirect(_show_url(target.consortium_id, "targets"))
    return _form_page(
        _("Edit the progress report: %(title)s", title=target.title), form, _show_url(target.consortium_id, "targets"),
        target.consortium,
    )


@bp.route("/target-reports/<int:report_id>/delete", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def delete_report(report_id: int):
    """Delete a progress report after confirmation."""
    report = db.session.get(TargetReport, report_id)
    back = _show_url(report.target.consortium_id, "targets")
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete(report)
        db.session.commit()
        flash(_("The progress report has been deleted."), "success")
        return redirect(back)
    return _confirm_page(
        _("Delete the report for %(year)s?", year=fiscal_year(report.fiscal_year)), _("This cannot be undone."), form, back
    )


# ---------------------------------------------------------------------------------------------
# Contacts: the secretariat fills in its members' addresses

SHOW_CHOICES = ("missing", "all")


@bp.route("/consortia/<int:consortium_id>/contacts", methods=["GET", "POST"])
@guard(Access.SECRETARIAT)
def contacts(consortium_id: int):
    """Fill in the email and phone of the current members, a page at a time, those without an
    address first shown alone. A secretariat sees stored details masked and only types new ones.

    A save is all or nothing: a row with a mistake, or a person changed since the page was read
    (a per-row message, not the one-form conflict page, so the other rows typed are not lost),
    saves nothing and shows the page again with everything typed.
    """
    consortium = db.session.get(Consortium, consortium_id)
    show = request.args.get("show", "missing")
    if show not in SHOW_CHOICES:
        abort(400, description=_("Show either the members without an address or all members."))
    page = paginate(contact_sheet.sheet(consortium_id, show == "missing"), current_app.config["ROSTER_PER_PAGE"])
    rows = contact_sheet.contact_rows(page.items)
    form = contact_sheet_form(rows)
    context = dict(
        consortium=consortium, page=page, show=show, is_admin=permissions.is_admin(),
        missing=contact_sheet.count_without_address(consortium_id),
    )
    if form.validate_on_submit():
        changes = [(r, form.row(r)) for r in form.rows if form.row(r).typed()]
        stale = [(r, sub) for r, sub in changes if r.person is not None and sub.version.data != r.person.version]
        if stale:
            for r, sub in stale:  # a second save replaces what is stored now, knowingly
                sub.version.data, sub.version.raw_data = r.person.version, [str(r.person.version)]
                sub.email.errors.append(_("Someone changed these contact details after you opened the page. Check what is stored now and save again."))
            return render_template("consortia/contacts.html", form=form, stale=True, **context), 409
        if not changes:
            flash(_("Nothing was typed, so nothing has changed."), "info")
            return redirect(request.full_path)
        _save_contacts(changes)
        db.session.commit()
        flash(ngettext("The contact details of %(num)d member have been saved.",
                       "The contact details of %(num)d members have been saved.", len(changes)), "success")
        return redirect(url_for("consortia.contacts", consortium_id=consortium_id, show=show, page=page.page if page.page > 1 else None))
    return render_form("consortia/contacts.html", form, **context)


def _save_contacts(changes) -> None:
    """Write each row typed: a person's new details, or an organisation's new contact. A person the
    secretariat may not set contacts of is refused (403), whatever the form was made to post."""
    for r, sub in changes:
        values = sub.typed()
        if r.person is None and sub.new_name.data:
            services.add_contact(r.membership.organization, sub.new_name.data, values)
            continue
        person = r.person or next(p for p in r.candidates if str(p.id) == sub.contact.data)
        if not permissions.can_edit_contact(person):
            abort(403)
        services.set_contact(person, values)
