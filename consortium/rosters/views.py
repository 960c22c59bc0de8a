"""Roster import (CSV or XLSX, preview, then confirm) and export (CSV, XLSX) in seat order."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("rosters", __name__, url_prefix="/consortia")
