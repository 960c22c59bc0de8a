"""Japanese national holidays (国民の祝日, 振替休日, 国民の休日), as jpholiday knows them."""
from __future__ import annotations

from datetime import date

import jpholiday

# One shared instance: it caches each day it has worked out, for the life of the process.
_CALENDAR = jpholiday.JPHoliday()


def holiday_name(day: date) -> str | None:
    """The holiday's name on a day (勤労感謝の日), or None on an ordinary day."""
    names = [holiday.name for holiday in _CALENDAR.holidays(day)]
    return "・".join(names) or None


def holidays_between(first: date, last: date) -> dict[date, str]:
    """The holidays from first to last, both included, by date."""
    found: dict[date, list[str]] = {}
    for holiday in _CALENDAR.iter_between(first, last):
        found.setdefault(holiday.date, []).append(holiday.name)
    return {day: "・".join(names) for day, names in found.items()}
