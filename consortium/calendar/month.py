"""A month as the calendar pages show it: weeks of days, each with its holiday and meetings."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from ..forms import FIRST_DATE, LAST_DATE
from ..japanese import to_tokyo, tokyo_datetime
from ..models import DatePrecision, Meeting
from .holidays import holidays_between

# Sunday first, as Japanese wall calendars print the week.
FIRST_WEEKDAY = calendar.SUNDAY
MONTH_PATTERN = re.compile(r"([0-9]{4})-([0-9]{2})")
WEEKENDS = {calendar.SATURDAY: "saturday", calendar.SUNDAY: "sunday"}


@dataclass
class Day:
    date: date
    in_month: bool = True
    is_today: bool = False
    holiday: str | None = None
    meetings: list[Meeting] = field(default_factory=list)

    @property
    def weekend(self) -> str | None:
        """The weekend day's name as a CSS class (saturday, sunday); None on weekdays."""
        return WEEKENDS.get(self.date.weekday())


@dataclass
class Month:
    first: date
    weeks: list[list[Day]]
    unfixed: list[Meeting]  # known only to the month: never placed on a day
    holidays: dict[date, str]  # those of the month itself

    @property
    def is_empty(self) -> bool:
        return not self.unfixed and not any(day.meetings for week in self.weeks for day in week)


def parse_month(raw: str | None) -> date | None:
    """The first day of a month written 2026-11, or None when it is not one the site can show."""
    match = MONTH_PATTERN.fullmatch(raw or "")
    # The year is checked before date() sees it: year 0 is no date at all.
    if not match or not 1 <= int(match[2]) <= 12 or not FIRST_DATE.year <= int(match[1]) <= LAST_DATE.year:
        return None
    return date(int(match[1]), int(match[2]), 1)


def shift(first: date, months: int) -> date | None:
    """The first day of the month so many months away, or None beyond the dates the site shows."""
    index = first.year * 12 + first.month - 1 + months
    moved = date(index // 12, index % 12 + 1, 1)
    return moved if FIRST_DATE <= moved <= LAST_DATE else None


def bounds(first: date) -> tuple[datetime, datetime]:
    """The month as a half-open span of Tokyo time: its first midnight to the next month's."""
    index = first.year * 12 + first.month
    return (
        tokyo_datetime(first.year, first.month, 1),
        tokyo_datetime(index // 12, index % 12 + 1, 1),
    )


def last_day(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def split_unfixed(meetings: list[Meeting]) -> tuple[dict[date, list[Meeting]], list[Meeting]]:
    """Meetings by their Tokyo date, and apart those known only to the month."""
    by_day: dict[date, list[Meeting]] = {}
    unfixed = []
    for meeting in meetings:
        if meeting.precision is DatePrecision.MONTH:
            unfixed.append(meeting)
        else:
            by_day.setdefault(to_tokyo(meeting.starts_at).date(), []).append(meeting)
    return by_day, unfixed


def build_month(first: date, meetings: list[Meeting], today: date) -> Month:
    """Lay a month's meetings (in time order) out in whole weeks; the days of the months before
    and after that fill the first and last weeks are marked outside and left empty."""
    by_day, unfixed = split_unfixed(meetings)
    holidays = month_holidays(first)
    weeks = [
        [
            Day(
                d,
                in_month=d.month == first.month,
                is_today=d == today,
                holiday=holidays.get(d),
                meetings=by_day.get(d, []),
            )
            for d in week
        ]
        for week in calendar.Calendar(FIRST_WEEKDAY).monthdatescalendar(first.year, first.month)
    ]
    return Month(first, weeks, unfixed, holidays)


def month_holidays(first: date) -> dict[date, str]:
    return holidays_between(first, last_day(first))


def listed_days(
    meetings: list[Meeting], holidays: dict[date, str], today: date
) -> tuple[list[Day], list[Meeting]]:
    """The days that have meetings, in order, each with its holiday; and apart the meetings known
    only to the month."""
    by_day, unfixed = split_unfixed(meetings)
    days = [Day(d, is_today=d == today, holiday=holidays.get(d), meetings=found) for d, found in by_day.items()]
    return days, unfixed


def weekday_headers() -> list[tuple[int, str | None]]:
    """The weekdays (0 = Monday) in the order the grid's columns show them, with their weekend class."""
    return [(weekday, WEEKENDS.get(weekday)) for weekday in calendar.Calendar(FIRST_WEEKDAY).iterweekdays()]
