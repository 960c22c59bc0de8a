"""Secretariats' writes to rosters: seat a person or an organisation (from the directory, or added
to it on request) and change a seat, through the site's own membership form (the same checks:
one current holder per seat, a term that ends after it starts, whom a person sits for)."""
from __future__ import annotations

from ..consortia import services
from ..consortia.forms import MembershipForm
from ..extensions import db
from ..models import Membership
from ..permissions import Access, guard
from . import auth, schemas
from .auth import api_blueprint
from .consortia import membership, memberships_statement
from .forms import posted, unchanged_since_read

blp = api_blueprint("api_roster_edits", __name__, "Secretariats seat members on their rosters and change their seats.")


def _seat(membership_id: int) -> dict:
    return membership(db.session.execute(memberships_statement().where(Membership.id == membership_id)).unique().scalar_one())


@blp.route("/memberships", methods=["POST"])
@guard(Access.SECRETARIAT)
@blp.arguments(schemas.NewMembership)
@blp.response(201, schemas.Membership)
def create_membership(body):
    """Put a person or an organisation on a consortium's roster."""
    consortium = auth.writable_consortium(body.pop("consortium_id"))
    form = posted(MembershipForm, body, consortium, services.groups_of(consortium.id))
    seat = services.add_membership(consortium, form.choice, form.values())
    db.session.commit()
    return _seat(seat.id)


@blp.route("/memberships/<int:membership_id>", methods=["PATCH"])
@guard(Access.SECRETARIAT)
@blp.arguments(schemas.MembershipChange)
@blp.response(200, schemas.Membership)
@blp.alt_response(409, schema=schemas.MembershipConflict)
def change_membership(body, membership_id: int):
    """Change a seat: who holds it, seat number, role, category, group, 連携概要, term."""
    seat = db.session.get(Membership, membership_id)
    auth.require_write(seat.consortium_id)
    form = posted(MembershipForm, body, seat.consortium, services.groups_of(seat.consortium_id), seat)
    unchanged_since_read(form.version.data, seat, lambda: schemas.Membership().dump(_seat(membership_id)))
    services.update_membership(seat, form.choice, form.values())
    db.session.commit()
    return _seat(membership_id)
