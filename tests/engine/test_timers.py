"""Unit tests of the timer arithmetic (server/engine/timers.py): pure functions of a configuration, the moment
a contact reached the timer, the zone, and a date field. DST gaps and repeats, Feb 29, month ends, weekdays."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from server.engine.timers import PASSED, UNCONFIGURED, date_due, delay_due, field_due

NY = ZoneInfo("America/New_York")  # DST 2026: 8 March 02:00 -> 03:00, 1 November 02:00 -> 01:00


def ts(text: str, zone: ZoneInfo = NY) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=zone).timestamp()


def local(stamp: float, zone: ZoneInfo = NY) -> str:
    return datetime.fromtimestamp(stamp, zone).strftime("%Y-%m-%d %H:%M %Z")


def test_a_day_is_the_next_calendar_date_not_24_hours():
    due = delay_due({"wait": 1, "unit": "days"}, ts("2026-01-10T23:50"), NY)
    assert local(due) == "2026-01-11 00:00 EST"
    elapsed = delay_due({"wait": 1, "unit": "days"}, ts("2026-01-10T23:50"), NY, elapsed_days=True)
    assert local(elapsed) == "2026-01-11 23:50 EST"


def test_hours_are_real_hours_across_the_spring_forward_gap():
    reached = ts("2026-03-08T00:30")
    due = delay_due({"wait": 3, "unit": "hours"}, reached, NY)
    assert due - reached == 3 * 3600
    assert local(due) == "2026-03-08 04:30 EDT"


def test_hours_are_real_hours_across_the_fall_back_repeat():
    reached = datetime(2026, 11, 1, 0, 30, tzinfo=NY).timestamp()
    due = delay_due({"wait": 2, "unit": "hours"}, reached, NY)
    assert due - reached == 2 * 3600
    assert local(due) == "2026-11-01 01:30 EST"  # the second 01:30 of the night


def test_a_time_of_day_in_the_spring_forward_gap_resolves_forward():
    due = delay_due({"wait": 1, "unit": "days", "at": "02:30"}, ts("2026-03-07T12:00"), NY)
    assert local(due) == "2026-03-08 03:30 EDT"


def test_a_repeated_time_of_day_takes_its_first_occurrence():
    due = delay_due({"wait": 1, "unit": "days", "at": "01:30"}, ts("2026-10-31T12:00"), NY)
    assert local(due) == "2026-11-01 01:30 EDT"


def test_a_day_across_the_spring_forward_is_still_the_next_date():
    due = delay_due({"wait": 1, "unit": "days", "at": "09:00"}, ts("2026-03-07T09:00"), NY)
    assert local(due) == "2026-03-08 09:00 EDT"
    assert due - ts("2026-03-07T09:00") == 23 * 3600


def test_weekdays_skip_the_weekend():
    friday = ts("2026-01-09T15:00")
    due = delay_due({"wait": 1, "unit": "days", "weekdays": True}, friday, NY)
    assert local(due) == "2026-01-12 00:00 EST"
    due = delay_due({"wait": 0, "unit": "days", "weekdays": ["sat"], "between": ["10:00", "12:00"]}, friday, NY)
    assert local(due) == "2026-01-10 10:00 EST"


def test_a_window_holds_the_contact_until_it_opens_and_lets_it_through_inside():
    config = {"wait": 30, "unit": "minutes", "between": ["09:00", "17:00"]}
    assert local(delay_due(config, ts("2026-01-12T06:00"), NY)) == "2026-01-12 09:00 EST"
    assert local(delay_due(config, ts("2026-01-12T12:00"), NY)) == "2026-01-12 12:30 EST"
    assert local(delay_due(config, ts("2026-01-12T16:45"), NY)) == "2026-01-13 09:00 EST"


def test_a_window_across_midnight_is_the_night_not_the_day_between():
    """``between: ["22:00", "06:00"]`` is 22:00 to 06:00 (it was turned into 06:00 to 22:00)."""
    config = {"wait": 1, "unit": "hours", "between": ["22:00", "06:00"]}
    assert local(delay_due(config, ts("2026-01-30T10:00"), NY)) == "2026-01-30 22:00 EST"  # 11:00: not yet
    assert local(delay_due(config, ts("2026-01-30T22:30"), NY)) == "2026-01-30 23:30 EST"  # inside, before midnight
    assert local(delay_due(config, ts("2026-01-31T03:00"), NY)) == "2026-01-31 04:00 EST"  # inside, after it
    assert local(delay_due(config, ts("2026-01-31T05:30"), NY)) == "2026-01-31 22:00 EST"  # 06:30: closed
    days = {"wait": 1, "unit": "days", "between": ["22:00", "06:00"]}
    assert local(delay_due(days, ts("2026-01-30T10:00"), NY)) == "2026-01-31 00:00 EST"  # the next date's night
    dated = {"date": "2026-06-01", "between": ["22:00", "06:00"]}
    assert local(date_due(dated, ts("2026-06-01T12:00"), NY)) == "2026-06-01 22:00 EDT"
    assert date_due(dated, ts("2026-06-01T02:00"), NY) == ts("2026-06-01T02:00")  # inside: at once


def test_months_stop_at_the_end_of_a_shorter_month():
    assert local(delay_due({"wait": 1, "unit": "months"}, ts("2026-01-31T10:00"), NY)) == "2026-02-28 00:00 EST"
    assert local(delay_due({"wait": 1, "unit": "months"}, ts("2028-01-31T10:00"), NY)) == "2028-02-29 00:00 EST"


def test_an_unset_timer_is_unconfigured():
    assert delay_due({}, ts("2026-01-10T10:00"), NY) == UNCONFIGURED
    assert date_due({}, ts("2026-01-10T10:00"), NY) == UNCONFIGURED
    assert field_due({"field": "Birthday"}, ts("2026-01-10T10:00"), NY, date(1990, 1, 1)) == UNCONFIGURED


def test_a_date_timer_waits_for_its_date_and_passes_after_it():
    config = {"date": "2026-06-01", "at": "08:00"}
    assert local(date_due(config, ts("2026-05-20T10:00"), NY)) == "2026-06-01 08:00 EDT"
    assert date_due(config, ts("2026-06-02T10:00"), NY) == PASSED
    ranged = {"date": "2026-06-01", "until": "2026-06-03", "between": ["08:00", "09:00"]}
    reached = ts("2026-06-02T08:30")
    assert date_due(ranged, reached, NY) == reached  # inside the window: at once
    assert local(date_due(ranged, ts("2026-06-02T10:00"), NY)) == "2026-06-03 08:00 EDT"


def test_a_birthday_on_feb_29_falls_on_feb_28_in_other_years():
    config = {"field": "Birthday", "unit": "days", "offset": 0}
    born = date(2000, 2, 29)
    assert local(field_due(config, ts("2027-01-10T10:00"), NY, born)) == "2027-02-28 00:00 EST"
    assert local(field_due(config, ts("2028-01-10T10:00"), NY, born)) == "2028-02-29 00:00 EST"
    assert local(field_due(config, ts("2027-03-01T10:00"), NY, born)) == "2028-02-29 00:00 EST"


def test_a_field_timer_before_the_date_and_in_the_fields_own_year():
    config = {"field": "Anniversary", "unit": "weeks", "offset": 1, "direction": "before", "at": "07:00"}
    assert local(field_due(config, ts("2026-01-10T10:00"), NY, date(2015, 6, 20))) == "2026-06-13 07:00 EDT"
    own = {**config, "occurrence": "field_year"}
    assert local(field_due(own, ts("2026-01-10T10:00"), NY, date(2026, 6, 20))) == "2026-06-13 07:00 EDT"
    assert field_due(own, ts("2026-07-10T10:00"), NY, date(2026, 6, 20)) == PASSED
    assert field_due(config, ts("2026-01-10T10:00"), NY, None) == PASSED


@pytest.mark.parametrize("zone", ["Europe/London", "Australia/Lord_Howe", "Asia/Kathmandu"])
def test_a_day_is_the_next_local_midnight_in_any_zone(zone):
    tz = ZoneInfo(zone)
    due = delay_due({"wait": 1, "unit": "days"}, ts("2026-04-04T18:00", tz), tz)
    assert datetime.fromtimestamp(due, tz).strftime("%Y-%m-%d %H:%M") == "2026-04-05 00:00"
