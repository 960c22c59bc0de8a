"""Routes of the calendar area."""
from flask import Blueprint

bp = Blueprint("calendar", __name__)
