"""DataService.*: generic reads and writes over every described table, custom fields, settings, users."""
from __future__ import annotations

from server.domain.account import settings, temporary_keys, users
from server.domain.crm import appointments
from server.domain.data import custom_fields, records
from server.domain.errors import InvalidKey
from server.domain.session import AppSession
from server.xmlrpc.methods import P, xmlrpc


@xmlrpc("DataService.query", P.STRING, P.INT, P.INT, P.STRUCT, P.ARRAY, writes=False, table=True)
def query(s: AppSession, table: str, limit: int, page: int, criteria: dict, fields: list) -> list:
    return records.query(s, table, limit, page, criteria, fields)


@xmlrpc("DataService.query", P.STRING, P.INT, P.INT, P.STRUCT, P.ARRAY, P.STRING, P.BOOL, writes=False,
        table=True)
def query_ordered(s: AppSession, table: str, limit: int, page: int, criteria: dict, fields: list,
                  order_by: str, ascending: bool) -> list:
    return records.query(s, table, limit, page, criteria, fields, order_by, ascending)


# Not a wire method of the real API: the client-side name (iSDK dsQueryOrderBy, Novak) of the 7-argument
# query. Answered as an alias so such clients work unchanged.
xmlrpc("DataService.queryWithOrderBy", P.STRING, P.INT, P.INT, P.STRUCT, P.ARRAY, P.STRING, P.BOOL,
       writes=False, table=True)(query_ordered)


@xmlrpc("DataService.findByField", P.STRING, P.INT, P.INT, P.STRING, P.ANY, P.ARRAY, writes=False, table=True)
def find_by_field(s: AppSession, table: str, limit: int, page: int, field: str, value, fields: list) -> list:
    return records.query(s, table, limit, page, {field: value}, fields)


@xmlrpc("DataService.load", P.STRING, P.INT, P.ARRAY, writes=False, table=True)
def load(s: AppSession, table: str, record_id: int, fields: list) -> dict:
    return records.load(s, table, record_id, fields)


@xmlrpc("DataService.count", P.STRING, P.STRUCT, writes=False, table=True)
def count(s: AppSession, table: str, criteria: dict) -> int:
    return records.count(s, table, criteria)


@xmlrpc("DataService.add", P.STRING, P.STRUCT, table=True)
def add(s: AppSession, table: str, values: dict) -> int:
    return records.add(s, table, values)


@xmlrpc("DataService.update", P.STRING, P.INT, P.STRUCT, table=True)
def update(s: AppSession, table: str, record_id: int, values: dict) -> int:
    return records.update(s, table, record_id, values)


@xmlrpc("DataService.delete", P.STRING, P.INT, table=True)
def delete(s: AppSession, table: str, record_id: int) -> bool:
    return records.delete(s, table, record_id)


@xmlrpc("DataService.addCustomField", P.STRING, P.STRING, P.STRING, P.INT)
def add_custom_field(s: AppSession, form: str, label: str, data_type: str, header_id: int) -> int:
    return custom_fields.add_custom_field(s, form, label, data_type, header_id)


@xmlrpc("DataService.updateCustomField", P.INT, P.STRUCT)
def update_custom_field(s: AppSession, field_id: int, values: dict) -> bool:
    return custom_fields.update_custom_field(s, field_id, values)


@xmlrpc("DataService.getAppSetting", P.STRING, P.STRING, writes=False)
def get_app_setting(s: AppSession, module: str, setting: str) -> str:
    return settings.app_setting(s, module, setting)


@xmlrpc("DataService.authenticateUser", P.STRING, P.STRING, writes=False)
def authenticate_user(s: AppSession, username: str, password_hash: str) -> int:
    return users.authenticate(s, username, password_hash)


@xmlrpc("DataService.getUserInfo", key=False, writes=False)
def get_user_info(s: AppSession | None) -> dict:
    """Called with no parameters at all, by OAuth clients only (spec §2.2)."""
    if s is None:
        raise InvalidKey()
    return users.user_info(s)


@xmlrpc("DataService.echo", P.STRING, writes=False)
def echo(s: AppSession, text: str) -> str:
    return text


# Clients send echo both with and without the key (spec §2.2): answer both arities.
@xmlrpc("DataService.echo", P.STRING, key=False, writes=False)
def echo_without_key(s: AppSession | None, text: str) -> str:
    return text


@xmlrpc("DataService.getAppointmentICal", P.INT, writes=False)
def get_appointment_ical(s: AppSession, appointment_id: int) -> str:
    return appointments.ical(s, appointment_id)


# The vendor's own pages use both names (the 2012 page is headed getAppointmentCal, its sample calls
# getAppointmentICal; the PHP SDK and yail send getAppointmentCal): both are served (spec §7 #8).
xmlrpc("DataService.getAppointmentCal", P.INT, writes=False)(get_appointment_ical)


def _app_of_vendor_key(conn, args):
    return temporary_keys.app_of_vendor_key(conn, args[0])


# No API key: the first parameter is the vendor's key, which selects the app (spec §1.2).
@xmlrpc("DataService.getTemporaryKey", P.STRING, P.STRING, P.STRING, key=False, app_from=_app_of_vendor_key)
def get_temporary_key(s: AppSession, vendor_key: str, username: str, password_hash: str) -> str:
    return temporary_keys.issue(s, vendor_key, username, password_hash)


# The 2024 PHP SDK prepends its key placeholder to getTemporaryKey (spec §2.2): that form is answered too.
@xmlrpc("DataService.getTemporaryKey", P.STRING, P.STRING, P.STRING, P.STRING, key=False,
        app_from=lambda conn, args: temporary_keys.app_of_vendor_key(conn, args[1]))
def get_temporary_key_with_placeholder(s: AppSession, _placeholder: str, vendor_key: str, username: str,
                                       password_hash: str) -> str:
    return temporary_keys.issue(s, vendor_key, username, password_hash)
