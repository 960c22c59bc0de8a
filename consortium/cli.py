"""Command-line commands: `flask --app consortium demo load`, `… users create-admin EMAIL`,
`… reminders send` and `… caches prune` (for cron), `… jobs work` and `… jobs schedule` (the queue),
`… backup create FILE` and `… backup restore FILE`, `… search rebuild`, `… documents extract`."""
from __future__ import annotations

import functools
import os

import click
import sqlalchemy as sa
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask.cli import AppGroup

from config import ENV_FILE

from .extensions import db

demo_cli = AppGroup("demo", help="Demo data taken from the seed documents.")
users_cli = AppGroup("users", help="Accounts.")
reminders_cli = AppGroup("reminders", help="Reminder mails, meant to run from cron.")
jobs_cli = AppGroup("jobs", help="The job queue in Redis (REDIS_URL): its workers and its scheduler.")
backup_cli = AppGroup("backup", help="Backups of the database's rows and the stored materials, and restoring them.")
search_cli = AppGroup("search", help="The search index.")
documents_cli = AppGroup("documents", help="Materials' files.")
caches_cli = AppGroup("caches", help="The disk caches of PDFs and calendar events, meant to be pruned from cron.")

UPGRADE = "Run `flask --app consortium db upgrade` first."


def require_schema() -> None:
    """Refuse, with a message and without a traceback, to work on a database without the schema.

    Checked before connecting: SQLite would create an empty file, and a command run from cron
    without the site's settings would then fail later on a missing table.
    """
    url = db.engine.url
    shown = url.render_as_string(hide_password=True)
    settings = f"Set DATABASE_URL (in the environment or in {ENV_FILE})."
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") and not os.path.exists(url.database):
        raise click.ClickException(f"There is no database at {url.database}. {settings} {UPGRADE}")
    try:
        with db.engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            applied = set(MigrationContext.configure(connection).get_current_heads())
    except sa.exc.OperationalError as error:
        raise click.ClickException(f"The database {shown} cannot be reached: {error.orig}") from None
    missing = set(db.metadata.tables) - tables
    if missing:
        raise click.ClickException(
            f"The database {shown} has no schema yet ({len(missing)} tables missing). {settings} {UPGRADE}"
        )
    if applied and applied != set(_migration_heads()):
        raise click.ClickException(f"The database {shown} is not up to date. {UPGRADE}")


def _migration_heads() -> tuple[str, ...]:
    alembic = AlembicConfig()
    alembic.set_main_option("script_location", current_app.extensions["migrate"].directory)
    return ScriptDirectory.from_config(alembic).get_heads()


def needs_schema(command):
    """Run the command only on a database that has the schema (see require_schema)."""

    @functools.wraps(command)
    def checked(*args, **kwargs):
        require_schema()
        return command(*args, **kwargs)

    return checked


@demo_cli.command("load")
@click.option("--file", "path", default=None, help="Data file to load instead of the bundled one.")
@click.option("--password", envvar="DEMO_PASSWORD", default=None, help="Password of new demo accounts.")
@click.option("--no-activity", is_flag=True, help="Load the seed facts only, without the invented demo activity.")
@needs_schema
def demo_load(path: str | None, password: str | None, no_activity: bool) -> None:
    """Load the demo data and its activity around today; running it again the same day changes nothing."""
    from .demo.activity import ACTIVITY_FILE
    from .demo.loader import DATA_FILE, DEMO_PASSWORD, load_demo

    password = password or DEMO_PASSWORD
    loader = load_demo(
        path or DATA_FILE,
        progress=lambda msg: click.echo(f"  {msg}"),
        password=password,
        activity=None if no_activity else ACTIVITY_FILE,
    )
    click.echo(f"Demo data loaded: {loader.created} created, {loader.updated} updated.")
    click.echo(f"Demo accounts (admin@example.jp, setagaya@example.jp, …) sign in with the password: {password}")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="Asked for when not given.")
@click.option("--name", "display_name", default=None, help="Name shown on screen (default: the email's local part).")
@needs_schema
def create_admin(email: str, password: str, display_name: str | None) -> None:
    """Create an administrator, or make an existing user one and set the password."""
    from .accounts.services import create_user, set_password, user_by_email

    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise click.UsageError(f"The password must have at least {minimum} characters.")
    user = user_by_email(email)
    if user is None:
        user = create_user(email, display_name or email.split("@")[0], password, is_admin=True)
        verb = "Created"
    else:
        user.is_admin, user.active = True, True
        set_password(user, password)
        verb = "Updated"
    db.session.commit()
    click.echo(f"{verb} administrator {user.email}.")


@reminders_cli.command("send")
@click.option(
    "--base-url", envvar="SITE_URL", default=None,
    help="The site's address for links in the mails, e.g. https://consortium.example.jp (or SITE_URL).",
)
@needs_schema
def reminders_send(base_url: str | None) -> None:
    """Send the reminders that are due; each goes once, however often this runs."""
    from .reminders import send_due

    if not base_url and not current_app.config.get("SERVER_NAME"):
        raise click.UsageError("Give the site's address with --base-url or SITE_URL: the mails link to it.")
    sent, failed = send_due(base_url, report=lambda line: click.echo(line, err=True))
    click.echo(f"Reminders sent: {sent}.")
    if failed:
        raise click.ClickException(f"{failed} mail(s) could not be sent; they will be tried again on the next run.")


@jobs_cli.command("work")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@needs_schema
def jobs_work(burst: bool) -> None:
    """Run jobs from the queue, one at a time, with the retries that are due (start as many as needed)."""
    from rq import SimpleWorker

    from . import jobs

    _require_queue(jobs)
    SimpleWorker([jobs.queue()], connection=jobs.redis()).work(burst=burst, with_scheduler=True)


@jobs_cli.command("schedule")
@needs_schema
def jobs_schedule() -> None:
    """Queue the reminders every half hour (RQ's cron scheduler): no cron line is needed."""
    from rq.cron import CronScheduler

    from . import jobs, reminders

    _require_queue(jobs)
    if not current_app.config.get("SITE_URL"):
        raise click.UsageError("Set SITE_URL: the reminders link to the site.")
    scheduler = CronScheduler(connection=jobs.redis())
    scheduler.register(
        jobs.run, jobs.QUEUE, args=(f"{reminders.__name__}:scheduled", ()), cron=reminders.EVERY_HALF_HOUR,
        name="reminders",
    )
    scheduler.start()


def _require_queue(jobs) -> None:
    if not jobs.configured():
        raise click.UsageError("Set REDIS_URL to use the queue; without it, jobs run in the web process itself.")


@caches_cli.command("prune")
def caches_prune() -> None:
    """Remove cached files unused for CACHE_UNUSED_DAYS, then the oldest until each cache fits its size."""
    from .storage import prune, store

    config = current_app.config
    for name, limit in (("pdf-cache", config["PDF_CACHE_MAX_BYTES"]), ("ical-cache", config["ICAL_CACHE_MAX_BYTES"])):
        pruned = prune(store(name), config["CACHE_UNUSED_DAYS"], limit)
        click.echo(
            f"{name}: removed {pruned.removed} files ({pruned.freed / 2**20:.1f} MiB); "
            f"kept {pruned.kept} ({pruned.kept_bytes / 2**20:.1f} MiB)."
        )


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@needs_schema
def backup_create(path: str) -> None:
    """Write every row and every stored material to PATH (.tar.gz); safe while the site runs."""
    from . import backup

    manifest = backup.create(path, click.echo)
    click.echo(f"Backup written to {path}: {sum(manifest['tables'].values())} rows, {sum(manifest['files'].values())} files.")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@needs_schema
def backup_restore(path: str) -> None:
    """Put a backup into this new, empty database (run `flask db upgrade` on it first) and its stores."""
    from . import backup

    try:
        manifest = backup.restore(path, click.echo)
    except backup.RestoreRefused as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"Restored from {path}: {sum(manifest['tables'].values())} rows, {sum(manifest['files'].values())} files.")


@search_cli.command("rebuild")
@needs_schema
def search_rebuild() -> None:
    """Write the search index again from every row: after an upgrade that adds it, or a bulk load."""
    from .extensions import db
    from .search.index import rebuild

    def report(kind: str, done: int, total: int) -> None:
        click.echo(f"\r{kind}: {done:,} of {total:,}", nl=done >= total, err=True)

    count = rebuild(db.session, report)
    db.session.commit()
    click.echo(f"Search index rebuilt: {count:,} entries.")


@documents_cli.command("extract")
@click.option("--again", is_flag=True, help="Read every material again, not only those not read yet.")
@needs_schema
def documents_extract(again: bool) -> None:
    """Read the text inside materials' files, for search: those uploaded before it was read on upload."""
    from .documents.extraction import extract
    from .models import Document

    query = sa.select(Document.id).order_by(Document.id)
    if not again:
        query = query.where(Document.extracted_text.is_(None))
    ids = db.session.execute(query).scalars().all()
    for done, document_id in enumerate(ids, 1):
        extract(document_id)
        click.echo(f"\rmaterials: {done:,} of {len(ids):,}", nl=done == len(ids), err=True)
    click.echo(f"Text read from {len(ids):,} materials.")


def init_app(app: Flask) -> None:
    app.cli.add_command(search_cli)
    app.cli.add_command(documents_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(caches_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(backup_cli)
