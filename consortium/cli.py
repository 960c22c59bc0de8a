"""Command-line commands: `flask --app consortium demo load`."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo data taken from the seed documents.")


@demo_cli.command("load")
@click.option("--file", "path", default=None, help="Data file to load instead of the bundled one.")
def demo_load(path: str | None) -> None:
    """Load the demo data; running it again changes nothing."""
    from .demo.loader import DATA_FILE, load_demo

    loader = load_demo(path or DATA_FILE, progress=lambda msg: click.echo(f"  {msg}"))
    click.echo(f"Demo data loaded: {loader.created} created, {loader.updated} updated.")


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_cli)
