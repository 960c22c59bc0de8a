"""Jinja filters that print dates the way the visitor's language expects, and contact details as the viewer may see them."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, get_locale, gettext, lazy_pgettext

from . import contact, japanese
from .models import DatePrecision


def _is_ja() -> bool:
    return str(get_locale()) == "ja"


def _as_date(value: date | datetime) -> date:
    return japanese.to_tokyo(value).date() if isinstance(value, datetime) else value


def long_date(value: date | datetime, weekday: bool = True) -> str:
    """令和5年（2023年）9月5日（火） in Japanese; Tuesday, 5 September 2023 (Reiwa 5) in English."""
    d = _as_date(value)
    if _is_ja():
        return japanese.format_date_ja(d, weekday)
    _, roman, year = japanese.era_of(d)
    text = format_date(d, "EEEE, d MMMM y" if weekday else "d MMMM y")
    return f"{text} ({roman} {year})"


def month_date(value: date | datetime) -> str:
    d = _as_date(value)
    if _is_ja():
        return japanese.format_month_ja(d)
    _, roman, year = japanese.era_of(d)
    return f"{format_date(d, 'MMMM y')} ({roman} {year})"


def short_date(value: date | datetime) -> str:
    """2023/9/5（火） — for dense lists."""
    d = _as_date(value)
    if _is_ja():
        return f"{d.year}/{d.month}/{d.day}（{japanese.weekday_ja(d)}）"
    return format_date(d, "EEE d MMM y")


def dated(value: date | datetime, precision: DatePrecision) -> str:
    """A date printed only as far as it is known."""
    return month_date(value) if precision is DatePrecision.MONTH else long_date(value)


def clock(value: datetime) -> str:
    return japanese.to_tokyo(value).strftime("%H:%M")


def html_datetime(value: datetime) -> str:
    """A moment for <time datetime="…">, to the second: HTML allows no more than milliseconds."""
    return value.isoformat(timespec="seconds")


def meeting_when(meeting, short: bool = False) -> str:
    """The date (and time, when known) of a meeting, in Tokyo time, marked （推定） when inferred:
    every page, list, mail, PDF and calendar entry prints a meeting's date through this."""
    if meeting.precision is DatePrecision.MONTH:
        when = month_date(meeting.starts_at)
    elif meeting.precision is DatePrecision.DAY:
        when = short_date(meeting.starts_at) if short else long_date(meeting.starts_at)
    else:
        day = short_date(meeting.starts_at) if short else long_date(meeting.starts_at)
        end = f"–{clock(meeting.ends_at)}" if meeting.ends_at else ""
        when = f"{day} {clock(meeting.starts_at)}{end}"
    return gettext("%(when)s (estimated)", when=when) if meeting.date_estimated else when


def fiscal_year(fy: int) -> str:
    return japanese.format_fiscal_year_ja(fy) if _is_ja() else f"FY{fy}"


def number(value) -> str:
    """Decimal KPI values without trailing zeros: 24, not 24.00."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def init_app(app: Flask) -> None:
    app.add_template_filter(long_date)
    app.add_template_filter(month_date)
    app.add_template_filter(short_date)
    app.add_template_filter(dated)
    app.add_template_filter(meeting_when)
    app.add_template_filter(clock)
    app.add_template_filter(html_datetime)
    app.add_template_filter(fiscal_year)
    app.add_template_filter(number)
    app.add_template_filter(japanese.seat_mark, "seat")
    app.add_template_filter(contact.email_of, "contact_email")
    app.add_template_filter(contact.phone_of, "contact_phone")
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    # Between a label and what follows it, as each language punctuates: "Minutes: …", 「議事録：…」.
    app.jinja_env.globals["colon"] = lazy_pgettext("between a label and its text", ": ")
