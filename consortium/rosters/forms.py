"""The roster upload form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField

from ..forms import Form


class RosterUploadForm(Form):
    file = FileField(
        _l("Roster file"),
        validators=[FileRequired(_l("Choose a CSV or XLSX file to upload."))],
        description=_l(
            "CSV (UTF-8, or Shift_JIS as Excel saves it) or Excel XLSX, with a header row. "
            "Nothing is written until you have checked the preview and confirmed."
        ),
    )
    whole = BooleanField(
        _l("The file is the whole roster"),
        description=_l(
            "Leave unticked to change only the members the file names: everyone else keeps their seat, "
            "place and group. Ticked, current members the file does not name leave the roster (their "
            "terms end today); the preview lists them first."
        ),
    )
