"""The terms of the open data: the licence the administrator chose and the attribution it asks for."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import LabelledEnum, TimestampMixin, Versioned, str_enum


class Licence(LabelledEnum):
    CC_BY_4 = ("CC-BY-4.0", _l("Creative Commons Attribution 4.0 International (CC BY 4.0)"))
    PDL_1 = ("PDL-1.0", _l("Public Data License (Japan) version 1.0 (PDL 1.0)"))
    CC_BY_SA_4 = ("CC-BY-SA-4.0", _l("Creative Commons Attribution-ShareAlike 4.0 International (CC BY-SA 4.0)"))
    CC0_1 = ("CC0-1.0", _l("Creative Commons Zero 1.0 (CC0, public domain)"))


# Where each licence's text is published: the downloads name it beside the licence.
LICENCE_URLS = {
    Licence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/deed.ja",
    Licence.PDL_1: "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0",
    Licence.CC_BY_SA_4: "https://creativecommons.org/licenses/by-sa/4.0/deed.ja",
    Licence.CC0_1: "https://creativecommons.org/publicdomain/zero/1.0/deed.ja",
}


class OpenDataTerms(Versioned, TimestampMixin, db.Model):
    """One row: the terms every open data download carries. Until an administrator saves them,
    the downloads carry CC BY 4.0 and the site's name (DEFAULT)."""

    __tablename__ = "open_data_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    licence: Mapped[Licence] = mapped_column(str_enum(Licence, "open_data_licence"), default=Licence.CC_BY_4)
    attribution: Mapped[str] = mapped_column(sa.String(300))  # 出典の表記

    def __repr__(self) -> str:
        return f"<OpenDataTerms {self.licence.value}>"
