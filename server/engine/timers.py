"""When a timer lets a contact through: delay, date and field timers (spec campaign-engine.md §1.5).

Pure functions of the timer's configuration, the moment the contact reached it (app time, seconds since the
epoch), the time zone it runs in and, for field timers, the contact's date field. They answer a due time, or
``PASSED`` (a date or field timer whose moment is over: the contact jumps ahead to the next live timer), or
``UNCONFIGURED`` (a timer that was never set up: nothing behind it ever runs, seed 001).

Rules:
- Delay timer: wait at least N minutes or hours (elapsed time: 3 hours across a DST change are 3 hours), then
  (optionally) run at a time of day or within a window, on any day or on weekdays only (Monday to Friday) or on
  given weekdays. N days or weeks count calendar dates:
  "A delay timer of 1 day will not wait a full 24 hours, it will occur on the next calendar date" (vendor KB);
  the app option ``delay_days_semantics`` = ``elapsed`` counts full 24-hour days instead.
- Date timer: a date (or a range of dates) and a time or window or any time; once it has passed, PASSED.
- Field timer: N days, weeks or months before or after a contact date field, on its next occurrence still to
  come (month and day, yearly; Feb 29 falls on Feb 28 in other years) or in the field's own year (PASSED once
  over); the value read when the contact reaches the timer. An empty field cannot be scheduled: PASSED.
Local times that do not exist (a spring-forward gap) resolve forward; repeated ones take the first.
"""
from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PASSED = "passed"
UNCONFIGURED = "unconfigured"

_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_UNIT_SECONDS = {"minutes": 60, "hours": 3600}


def _local(ts: float, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(ts, zone).replace(tzinfo=None)


def _ts(local: datetime, zone: ZoneInfo) -> float:
    """Seconds since the epoch of a local wall time. zoneinfo reads a time in a spring-forward gap with the
    offset before it (so it lands after the gap) and a repeated time as its first occurrence (fold 0)."""
    return local.replace(tzinfo=zone, fold=0).timestamp()


def _parse_time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _window(config: dict) -> tuple[time, time] | None:
    """``(start, end)`` of the time of day a timer may fire in; a start later than the end is a window across
    midnight (22:00 to 06:00), never the daytime between them."""
    if config.get("between"):
        start, end = (_parse_time(t) for t in config["between"])
        return start, end
    if config.get("at"):
        at = _parse_time(config["at"])
        return at, at
    return None


def _allowed_days(config: dict) -> set[int] | None:
    weekdays = config.get("weekdays")
    if weekdays is True:
        return {0, 1, 2, 3, 4}  # "The Week Day(s) option does not include Saturday or Sundays"
    if isinstance(weekdays, list):
        return {_WEEKDAYS[d] for d in weekdays}
    return None


def _fit_on_day(moment: datetime, window: tuple[time, time]) -> datetime | None:
    """The first moment at or after ``moment``, on its day, inside the window; None once the day's is over. A
    window across midnight (22:00 to 06:00) is a day's first hours and its last."""
    start, end = window
    now = moment.time()
    if start <= end:
        if now <= start:
            return datetime.combine(moment.date(), start)
        return moment if now <= end else None
    if now <= end or now >= start:
        return moment
    return datetime.combine(moment.date(), start)


def _first_fit(candidate: datetime, window: tuple[time, time] | None, days: set[int] | None) -> datetime:
    """The first local moment at or after ``candidate`` on an allowed day and inside the window."""
    moment = candidate
    for _ in range(800):  # at most a couple of years of days, even with odd day sets
        if days is None or moment.weekday() in days:
            fit = moment if window is None else _fit_on_day(moment, window)
            if fit is not None:
                return fit
        moment = datetime.combine(moment.date() + timedelta(days=1), time(0, 0))
    return moment


def delay_due(config: dict, reached_at: float, zone: ZoneInfo, *, elapsed_days: bool = False) -> float | str:
    wait, unit = config.get("wait"), config.get("unit")
    if wait is None or unit not in ("minutes", "hours", "days", "weeks", "months"):
        return UNCONFIGURED
    start = _local(reached_at, zone)
    window, days = _window(config), _allowed_days(config)
    if unit in _UNIT_SECONDS:  # real minutes and hours: across a DST change too
        due = reached_at + wait * _UNIT_SECONDS[unit]
        candidate = _local(due, zone)
        fit = _first_fit(candidate, window, days)
        return due if fit == candidate else _ts(fit, zone)
    if unit == "months":
        target = _add_months(start.date(), wait)
        n_days = (target - start.date()).days
    else:
        n_days = wait * (7 if unit == "weeks" else 1)
    if elapsed_days:
        candidate = start + timedelta(days=n_days)
    elif n_days == 0:
        candidate = start
    else:
        candidate = datetime.combine(start.date() + timedelta(days=n_days), time(0, 0))
    return _ts(_first_fit(candidate, window, days), zone)


def date_due(config: dict, reached_at: float, zone: ZoneInfo) -> float | str:
    if not config.get("date"):
        return UNCONFIGURED
    first = date.fromisoformat(config["date"])
    last = date.fromisoformat(config["until"]) if config.get("until") else first
    now = _local(reached_at, zone)
    window = _window(config)
    for day in _days(max(first, now.date()), last):
        moment = now if day == now.date() else datetime.combine(day, time(0, 0))
        fit = moment if window is None else _fit_on_day(moment, window)
        if fit is None:
            continue
        # inside the window, or "any time" on the day: as soon as the contact lands
        return reached_at if fit == now else _ts(fit, zone)
    return PASSED


def field_due(config: dict, reached_at: float, zone: ZoneInfo, value: datetime | date | None) -> float | str:
    if not config.get("field") or config.get("unit") not in ("days", "weeks", "months"):
        return UNCONFIGURED
    if value is None:
        return PASSED
    base = value.date() if isinstance(value, datetime) else value
    now = _local(reached_at, zone)
    offset = config.get("offset", 0) * (-1 if config.get("direction", "after") == "before" else 1)
    at = _parse_time(config["at"]) if config.get("at") else time(0, 0)

    def shifted(day: date) -> date:
        if config["unit"] == "months":
            return _add_months(day, offset)
        return day + timedelta(days=offset * (7 if config["unit"] == "weeks" else 1))

    if config.get("occurrence", "next") == "field_year":
        moment = datetime.combine(shifted(base), at)
        if moment < now:
            return PASSED
        return _ts(moment, zone)
    # the next occurrence still to come (strictly: a sequence that starts itself again on the day gets next
    # year's, not the same moment again)
    for year in (now.year - 1, now.year, now.year + 1, now.year + 2):
        moment = datetime.combine(shifted(_on_year(base, year)), at)
        if moment > now:
            return _ts(moment, zone)
    return PASSED


def _on_year(day: date, year: int) -> date:
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return day.replace(year=year)


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
