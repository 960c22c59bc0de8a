"""The API's reference, served by the application itself from its OpenAPI document (no script,
no outside address): every operation with its parameters and answers, every shape with its fields."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..extensions import api
from ..permissions import Access, guard

DESCRIPTION = (
    "Read the public consortia, rosters, meetings with their agenda and materials, and published minutes; "
    "with a personal access token (Authorization: Bearer …), also what its user may see. "
    "Lists are paginated by cursor (`next`), filter by `updated_since` for syncing, and answer ETag / 304."
)

bp = Blueprint("api_reference", __name__)


@bp.get("/api/v1/")
@guard(Access.PUBLIC)
def reference():
    """Show the API's reference: its operations and the shapes they answer with."""
    spec = api.spec.to_dict()
    operations = [
        (path, method.upper(), operation)
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    return render_template("api/reference.html", spec=spec, operations=operations)
