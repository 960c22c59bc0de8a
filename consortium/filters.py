"""Jinja filters that print dates the way the visitor's language expects, and contact details as the viewer may see them."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, get_locale, gettext, lazy_pgettext

from . import contact, japanese
from .models import Comparator, DatePrecision, Milestone, Target, TargetKind


def _is_ja() -> bool:
    return str(get_locale()) == "ja"


def _era_year(d: date) -> str:
    """平成30 in Japanese, Heisei 30 in English."""
    if _is_ja():
        return japanese.wareki_year(d)[:-1]
    _, roman, year = japanese.era_of(d)
    return f"{roman} {year}"


def _as_date(value: date | datetime) -> date:
    return japanese.to_tokyo(value).date() if isinstance(value, datetime) else value


def long_date(value: date | datetime, weekday: bool = True) -> str:
    """令和5年（2023年）9月5日（火） in Japanese; Tuesday, 5 September 2023 (Reiwa 5) in English."""
    d = _as_date(value)
    if _is_ja():
        return japanese.format_date_ja(d, weekday)
    text = format_date(d, "EEEE, d MMMM y" if weekday else "d MMMM y")
    return f"{text} ({_era_year(d)})"


def month_date(value: date | datetime) -> str:
    d = _as_date(value)
    if _is_ja():
        return japanese.format_month_ja(d)
    return f"{format_date(d, 'MMMM y')} ({_era_year(d)})"


def short_date(value: date | datetime) -> str:
    """2023/9/5（火） — for dense lists."""
    d = _as_date(value)
    if _is_ja():
        return f"{d.year}/{d.month}/{d.day}（{japanese.weekday_ja(d)}）"
    return format_date(d, "EEE d MMM y")


def dated(value: date | datetime, precision: DatePrecision) -> str:
    """A date printed only as far as it is known."""
    if precision is DatePrecision.FISCAL_YEAR:
        return fiscal_year(japanese.fiscal_year(_as_date(value)))
    return month_date(value) if precision is DatePrecision.MONTH else long_date(value)


def milestone_when(milestone: Milestone) -> str:
    """When a milestone falls, or by when it is due: 2018年度内, 令和5年（2023年）11月中."""
    if not milestone.within:
        return dated(milestone.on, milestone.precision)
    if milestone.precision is DatePrecision.FISCAL_YEAR:
        year = japanese.fiscal_year(milestone.on)
        return gettext("by the end of FY%(year)d (%(era)s)", year=year, era=_era_year(date(year, 4, 1)))
    if milestone.precision is DatePrecision.MONTH:
        return gettext("by the end of %(month)s", month=month_date(milestone.on))
    return gettext("by %(day)s", day=long_date(milestone.on))


_COMPARED = {
    Comparator.EXACTLY: "%(value)s",
    Comparator.AT_LEAST: lazy_pgettext("a target value", "%(value)s or more"),
    Comparator.AT_MOST: lazy_pgettext("a target value", "%(value)s or less"),
    Comparator.ABOUT: lazy_pgettext("a target value", "about %(value)s"),
}


def target_value(target: Target) -> str:
    """A target as documents write it: 10機関以上, 50件程度; 今後設定 for one still to be set."""
    if target.kind is not TargetKind.NUMERIC:
        return str(target.kind.label)
    if target.target_value is None:
        return ""
    return str(_COMPARED[target.comparator]) % {"value": f"{number(target.target_value)}{target.unit or ''}"}


def clock(value: datetime) -> str:
    return japanese.to_tokyo(value).strftime("%H:%M")


def html_datetime(value: datetime) -> str:
    """A moment for <time datetime="…">, to the second: HTML allows no more than milliseconds."""
    return value.isoformat(timespec="seconds")


def meeting_when(meeting, short: bool = False) -> str:
    """The date (and time, when known) of a meeting, in Tokyo time, marked （推定） when inferred:
    every page, list, mail, PDF and calendar entry prints a meeting's date through this."""
    if meeting.precision is DatePrecision.FISCAL_YEAR:
        when = fiscal_years(meeting)
    elif meeting.precision is DatePrecision.MONTH:
        when = month_date(meeting.starts_at)
    else:
        when = short_date(meeting.starts_at) if short else long_date(meeting.starts_at)
        if meeting.precision is DatePrecision.MINUTE:
            end = f"–{clock(meeting.ends_at)}" if meeting.ends_at else ""
            when = f"{when} {clock(meeting.starts_at)}{end}"
    return gettext("%(when)s (estimated)", when=when) if meeting.date_estimated else when


def fiscal_years(meeting) -> str:
    """A meeting known only to its fiscal years: 2026年度（令和8年度）中, or 2016年度〜2018年度, date not fixed."""
    first = japanese.fiscal_year(_as_date(meeting.starts_at))
    last = japanese.fiscal_year(_as_date(meeting.ends_at)) - 1  # ends on the 1 April after the last
    if first == last:
        return gettext("during %(year)s, date not fixed", year=fiscal_year(first))
    return gettext("between %(first)s and %(last)s, date not fixed", first=fiscal_year(first), last=fiscal_year(last))


def fiscal_year(fy: int) -> str:
    return japanese.format_fiscal_year_ja(fy) if _is_ja() else f"FY{fy}"


def number(value) -> str:
    """Decimal KPI values without trailing zeros: 24, not 24.00."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def init_app(app: Flask) -> None:
    from .search.snippets import snippet

    app.add_template_filter(snippet, "search_snippet")
    app.add_template_filter(long_date)
    app.add_template_filter(month_date)
    app.add_template_filter(short_date)
    app.add_template_filter(dated)
    app.add_template_filter(milestone_when)
    app.add_template_filter(target_value)
    app.add_template_filter(meeting_when)
    app.add_template_filter(clock)
    app.add_template_filter(html_datetime)
    app.add_template_filter(fiscal_year)
    app.add_template_filter(number)
    app.add_template_filter(japanese.seat_mark, "seat")
    app.add_template_filter(contact.email_of, "contact_email")
    app.add_template_filter(contact.address_as_seen)
    app.add_template_filter(contact.phone_of, "contact_phone")
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    # Between a label and what follows it, as each language punctuates: "Minutes: …", 「議事録：…」.
    app.jinja_env.globals["colon"] = lazy_pgettext("between a label and its text", ": ")
