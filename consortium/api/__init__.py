"""The JSON API under /api/v1/: what a visitor or a token's user may see, in Popolo / Open Civic
Data shapes, with an OpenAPI document written by flask-smorest from the schemas in schemas.py.

flask-smorest over APIFlask: it works with the application's own Flask class and blueprints
(APIFlask wants its own application class), and it builds on marshmallow and webargs, as Indico does.
"""
from __future__ import annotations

from flask import Flask

from ..extensions import api
from ..permissions import Access, guard
from .schemas import DecimalText

api.register_field(DecimalText, "string", "decimal")  # once: every app's document takes it
SECURITY_SCHEME = {"type": "http", "scheme": "bearer", "description": "A personal access token made on /account/tokens."}


def init_app(app: Flask) -> None:
    """Bind the API to the app: its blueprints, token check and OpenAPI document."""
    from . import consortia, directory, directory_edits, meeting_edits, meetings, reference, roster_edits

    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": reference.DESCRIPTION},
        # Every operation answers anonymous callers (public data) and token holders alike.
        "security": [{}, {"token": []}],
    })
    api.init_app(app)
    # flask-smorest serves the document from a blueprint of its own: its rule is declared here.
    app.view_functions["api-docs.openapi_json"] = guard(Access.PUBLIC)(app.view_functions["api-docs.openapi_json"])
    api.spec.components.security_scheme("token", SECURITY_SCHEME)
    for module in (consortia, directory, meetings, meeting_edits, directory_edits, roster_edits):
        api.register_blueprint(module.blp)
    app.register_blueprint(reference.bp)
