"""DataService.getAppointmentICal: an appointment (a ContactAction with IsAppointment) as an iCalendar file.

The vendor sample (spec §2.2) is a VCALENDAR with ``PRODID:-//Infusionsoft//iCal4j 1.0//EN`` and one VEVENT
carrying DTSTAMP, DTSTART and DTEND in UTC (``…Z``), SUMMARY, UID, DESCRIPTION and ORGANIZER.
"""
from __future__ import annotations

from datetime import timedelta

from server.domain.errors import RecordNotFound
from server.store import schema
from server.store.session import AppSession

DEFAULT_LENGTH = timedelta(hours=1)  # an appointment saved without an end


def ical(s: AppSession, appointment_id: int) -> str:
    from icalendar import Calendar, Event, vCalAddress  # noqa: PLC0415  (3 MiB resident: loaded by the first
    # iCal asked for, not by every idle server, issue 18 §8)

    row = s.get(schema.contact_action, appointment_id)
    if row is None or not (row.is_appointment or row.object_type == "Appointment"):
        raise RecordNotFound(f"Record not found for Id:{appointment_id}")
    clock = s.clock
    start_local = row.action_date or row.creation_date or s.now_local()
    end_local = row.end_date if row.end_date and row.end_date > start_local else start_local + DEFAULT_LENGTH
    cal = Calendar()
    cal.add("prodid", "-//Infusionsoft//iCal4j 1.0//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    event = Event()
    event.add("dtstamp", clock.now().replace(microsecond=0))
    event.add("dtstart", clock.to_utc(start_local))
    event.add("dtend", clock.to_utc(end_local))
    event.add("summary", row.action_description or "Appointment")
    event.add("uid", f"{appointment_id}@{s.app.name}.infusionsoft.com")
    event.add("description", row.creation_notes or "")
    user = s.get(schema.user, row.user_id) if row.user_id else None
    if user is not None and user.email:
        organizer = vCalAddress(f"mailto:{user.email}")
        name = " ".join(p for p in (user.first_name, user.last_name) if p)
        if name:
            organizer.params["cn"] = name
        event["organizer"] = organizer
    cal.add_component(event)
    return cal.to_ical().decode("utf-8")
