"""Consortium: the application factory. Wiring only: no database or network I/O here."""
from __future__ import annotations

import os

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import DevelopmentConfig, ProductionConfig, database_url

from . import api, cli, filters, logs, security, versions
from .accounts import throttle
from .api.errors import is_api_request
from .converters import RowIdConverter
from .extensions import babel, csrf, db, login_manager, migrate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config: type | None = None, overrides: dict | None = None) -> Flask:
    """Build the application from a config class (by default from FLASK_ENV) and overrides."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        # Each machine's own folder (the SQLite file and local stores when nothing is shared);
        # by default instance/ beside the code.
        instance_path=os.environ.get("CONSORTIUM_INSTANCE") or None,
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    if config is None:
        config = ProductionConfig if os.environ.get("FLASK_ENV") == "production" else DevelopmentConfig
    app.url_map.converters["int"] = RowIdConverter
    app.config.from_object(config)
    app.config.update(overrides or {})
    os.makedirs(app.instance_path, exist_ok=True)
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config.get("SQLALCHEMY_DATABASE_URI") or database_url(
        app.instance_path
    )
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set in the environment in production")

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    throttle.init_app(app)
    babel.init_app(
        app,
        locale_selector=_select_locale,
        default_translation_directories=os.path.join(ROOT, "translations"),
    )

    from . import audit, permissions  # noqa: F401  (register the audit writer and the user loader)
    from .feeds import ahead  # noqa: F401  (queue the writing of changed meetings' events)
    from .search import index  # noqa: F401  (keep the search index in step with the rows)
    from .search.views import bp as search_bp
    from .accounts.views import bp as accounts_bp
    from .admin.views import bp as admin_bp
    from .attendance.views import bp as attendance_bp
    from .calendar.views import bp as calendar_bp
    from .consortia.views import bp as consortia_bp
    from .directory.views import bp as directory_bp
    from .documents.views import bp as documents_bp
    from .feeds.views import bp as feeds_bp
    from .invitations.views import bp as invitations_bp
    from .mail.views import bp as mail_bp
    from .site.health import bp as health_bp
    from .meetings.views import bp as meetings_bp
    from .minutes.views import bp as minutes_bp
    from .network.views import bp as network_bp
    from .pdf.views import bp as pdf_bp
    from .polls.views import bp as polls_bp
    from .rosters.views import bp as rosters_bp
    from .site.views import bp as site_bp
    from .site.views import register_error_handlers
    from .tokens.views import bp as tokens_bp
    from .opendata.views import bp as opendata_bp

    for blueprint in (
        site_bp, accounts_bp, admin_bp, consortia_bp, rosters_bp, meetings_bp, minutes_bp, documents_bp,
        directory_bp, feeds_bp, calendar_bp, pdf_bp, polls_bp, attendance_bp, invitations_bp, mail_bp, health_bp,
        search_bp, network_bp, tokens_bp, opendata_bp,
    ):
        app.register_blueprint(blueprint)
    api.init_app(app)
    register_error_handlers(app)
    versions.init_app(app)
    filters.init_app(app)
    security.init_app(app)
    logs.init_app(app)
    cli.init_app(app)
    return app


def _select_locale() -> str:
    """Japanese unless the visitor chose English (a cookie set by the language switch); a program
    calling the API asks by Accept-Language."""
    if is_api_request():
        return request.accept_languages.best_match(("ja", "en")) or "ja"
    lang = request.cookies.get("lang")
    return lang if lang in ("ja", "en") else "ja"


@event.listens_for(Engine, "connect")
def _connection_settings(dbapi_connection, _record) -> None:
    """SQLite ignores foreign keys unless asked, per connection. PostgreSQL's JIT compiles any
    query its planner thinks costly, which for this application's short queries over large tables
    (a page of a directory of a million) takes longer than running them: off."""
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
    elif module.startswith("psycopg"):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        dbapi_connection.commit()
