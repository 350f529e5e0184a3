"""Custom-field filters on every v2 list whose contract offers them (tasks, appointments, notes, companies,
orders, subscriptions, opportunities; contacts and affiliates have tests of their own): a value written
through DataService is found by the field's name, case ignored, with or without DataService's underscore."""
from __future__ import annotations

import pytest

from tests.commerce.util import MEMBERSHIP_PLAN, OLIVIA, OLIVIA_VISA, TEST_GATEWAY

# list path, custom-field model path, DataService table, the list's key in the answer
LISTS = [
    ("/tasks", "/tasks/model", "ContactAction", "tasks"),
    ("/notes", "/notes/model", "ContactAction", "notes"),
    ("/companies", "/companies/model", "Company", "companies"),
    ("/orders", "/orders/model", "Job", "orders"),
    ("/subscriptions", "/subscriptions/model", "RecurringOrder", "subscriptions"),
    ("/opportunities", "/opportunities/model", "Lead", "opportunities"),
]


@pytest.mark.parametrize("path, model, table, key", LISTS, ids=[p for p, *_ in LISTS])
def test_a_list_filtered_on_a_custom_field(v2, path, model, table, key):
    for _ in range(2):  # two more than the seed may have
        _make(v2, key)
    listed = v2.ok("GET", path, params={"page_size": 2})[key]
    first, second = (int(item["id"]) for item in listed)
    name = _field(v2, model, "Rank Score", "WHOLE_NUMBER")
    assert v2.app.call("DataService.update", table, first, {f"_{name}": 7}) == first
    assert v2.app.call("DataService.update", table, second, {f"_{name}": 12}) == second

    def ids(text: str) -> list[int]:
        return [int(item["id"]) for item in v2.ok("GET", path, params={"filter": text})[key]]

    assert ids(f"{name}>10") == [second]
    assert ids(f"{name.lower()}<=7") == [first]
    assert ids(f"_{name}==7") == [first]  # DataService's spelling of the name
    assert v2.error("GET", path, 400, params={"filter": f"{name}==many"})["details"][0]["resource"] == \
        f"filter.{name}"


def _field(v2, model: str, label: str, field_type: str) -> str:
    made = v2.ok("POST", f"{model}/customFields", 201, json={"label": label, "field_type": field_type})
    return made.get("custom_field", made)["field_name"]  # createTaskCustomField wraps its answer


def _make(v2, key: str) -> None:
    if key == "tasks":
        v2.ok("POST", "/tasks", 201, json={"title": "Filter me", "contact_id": "6", "assigned_to_user_id": "1"})
    elif key == "subscriptions":
        v2.app.call("InvoiceService.addRecurringOrder", OLIVIA, True, MEMBERSHIP_PLAN, 1, 10.0, False,
                    TEST_GATEWAY, OLIVIA_VISA, 0, 0)


def test_dates_need_a_full_date_time(v2):
    name = _field(v2, "/tasks/model", "Renew On", "DATE")
    _make(v2, "tasks")
    task = int(v2.ok("GET", "/tasks", params={"page_size": 1})["tasks"][0]["id"])
    v2.app.call("DataService.update", "ContactAction", task, {f"_{name}": "2026-05-01"})
    found = v2.ok("GET", "/tasks", params={"filter": f"{name}>=2026-04-01T00:00:00.000Z"})["tasks"]
    assert [int(t["id"]) for t in found] == [task]
    assert v2.error("GET", "/tasks", 400, params={"filter": f"{name}>=2026-04-01"})["details"][0]["resource"] == \
        f"filter.{name}"
