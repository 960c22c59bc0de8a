"""Calendar pages: a month of meetings as a grid or a list, per consortium and for the signed-in user."""
from __future__ import annotations

import sqlalchemy as sa
from babel.dates import get_day_names
from flask import Blueprint, current_app, render_template, request
from flask_babel import get_locale, gettext as _
from sqlalchemy.orm import joinedload

from .. import permissions
from ..extensions import db
from ..japanese import today_tokyo
from ..models import Consortium, DatePrecision, Meeting
from ..pagination import paginate
from ..permissions import Access, guard
from .month import bounds, build_month, listed_days, month_holidays, parse_month, shift, weekday_headers

bp = Blueprint("calendar", __name__)

VIEWS = ("month", "list")


@bp.get("/consortia/<int:consortium_id>/calendar")
@guard(Access.PUBLIC)
def consortium(consortium_id: int):
    """Show a month of the consortium's meetings that the visitor may see (?month=2026-11&view=list)."""
    consortium = db.session.get(Consortium, consortium_id)
    stmt = (
        sa.select(Meeting)
        .join(Meeting.consortium)
        .where(Meeting.consortium_id == consortium.id, permissions.visible_meetings())
    )
    return _calendar_page(stmt, consortium)


@bp.get("/calendar")
@guard(Access.SIGNED_IN)
def mine():
    """Show a month of the meetings of every consortium the user belongs to (?month=2026-11&view=list)."""
    belongs = bool(permissions.grants_of())
    return _calendar_page(sa.select(Meeting).where(permissions.own_meetings()), None, belongs=belongs)


def _calendar_page(stmt: sa.Select, consortium: Consortium | None, belongs: bool = True):
    """Render the month or list view of the month the query string asks for.

    A month or view that cannot be read answers 400 with this month's month view and says why,
    so a mistyped link still lands on a working calendar.
    """
    today = today_tokyo()
    first, problems = today.replace(day=1), []
    if "month" in request.args:
        asked = parse_month(request.args["month"])
        if asked is None:
            problems.append(
                _("The calendar shows months written like 2026-11, from 1873 to 2100. Here is this month instead.")
            )
        else:
            first = asked
    view = request.args.get("view", "month")
    if view not in VIEWS:
        problems.append(_("The calendar has a month view and a list view. Here is the month view."))
        view = "month"
    start, end = bounds(first)
    # A meeting known only to its fiscal years has no day or month to be shown on.
    stmt = stmt.where(Meeting.dated, Meeting.starts_at >= start, Meeting.starts_at < end)
    stmt = stmt.options(joinedload(Meeting.consortium))
    context = {}
    if view == "month":
        meetings = db.session.execute(stmt.order_by(Meeting.starts_at, Meeting.id)).scalars().all()
        context["month"] = build_month(first, meetings, today)
    else:
        # Meetings known only to the month come last, under their own heading, not on the 1st.
        unfixed_last = sa.case((Meeting.precision == DatePrecision.MONTH, 1), else_=0)
        stmt = stmt.order_by(unfixed_last, Meeting.starts_at, Meeting.id)
        page = paginate(stmt, current_app.config["PER_PAGE"])
        holidays = month_holidays(first)
        context["page"] = page
        context["holidays"] = holidays
        context["days"], context["unfixed"] = listed_days(page.items, holidays, today)
    names = get_day_names("wide", locale=get_locale())
    body = render_template(
        "calendar/page.html",
        consortium=consortium,
        belongs=belongs,
        view=view,
        first=first,
        previous=shift(first, -1),
        following=shift(first, 1),
        this_month=today.replace(day=1),
        problems=problems,
        weekdays=[(names[weekday], weekend) for weekday, weekend in weekday_headers()],
        is_member=consortium is not None and permissions.is_member(consortium.id),
        **context,
    )
    return body, 400 if problems else 200
