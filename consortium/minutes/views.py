"""Minutes: the editor, review (発言者確認), approval (会議録署名), publication and history."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("minutes", __name__, url_prefix="/meetings")
