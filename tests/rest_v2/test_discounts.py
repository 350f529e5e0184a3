"""The five discount families through REST v2 (every answer checked against Keap's contract by the ``v2``
fixture): made here, read by XML-RPC's DiscountService, and applied at checkout by ``OrderService.placeOrder``
when their criteria are met."""
from __future__ import annotations

from tests.commerce.util import BANDS, BOTTLE, COACHING, MEMBERSHIP_PLAN, OLIVIA, rows

GEAR = 4  # the seeded "Gear" product category (Bands, Bottle and Roller are in it)


def _lines(app, result: dict) -> dict[int, list[float]]:
    by_type: dict[int, list[float]] = {}
    for line in rows(app, "OrderItem", {"OrderId": int(result["OrderId"])}, ["ItemType", "PPU"]):
        by_type.setdefault(line["ItemType"], []).append(line["PPU"])
    return by_type


def _order(app, products: list[int], plans: list[int] = (), codes: list[str] = ()) -> dict[int, list[float]]:
    result = app.call("OrderService.placeOrder", OLIVIA, 0, 0, products, list(plans), True, list(codes))
    return _lines(app, result)


def test_discounts_made_by_v2_apply_at_checkout_when_their_criteria_are_met(v2):
    app = v2.app
    product = v2.ok("POST", "/discounts/products", 201, json={
        "name": "Band deal", "product_id": str(BANDS), "discount_type": "AMOUNT", "discount_value": 5,
        "apply_to_commissions": False})
    assert product["discount_value"] == 5 and product["product_id"] == str(BANDS) and product["criteria"] == []
    # the same special, read by XML-RPC's DiscountService
    assert app.call("DiscountService.getProductTotalDiscount", int(product["id"]))["productId"] == str(BANDS)
    category = v2.ok("POST", "/discounts/productCategories", 201, json={
        "name": "Gear week", "discount_percent": 10, "apply_to_commissions": True, "product_category_ids": [str(GEAR)],
        "criteria": [{"type": "PROMO_CODE", "code": "GEAR10"}]})
    assert category["product_categories"] == [str(GEAR)] and category["criteria"][0]["code"] == "GEAR10"
    assert app.call("DiscountService.getCategoryAssignmentsForCategoryDiscount", int(category["id"]))[0][
        "productCategoryId"] == str(GEAR)

    # no code: the product discount applies, the category discount waits for its code
    assert _order(app, [BANDS, BOTTLE]).get(13) is None and _order(app, [BANDS])[12] == [-5.0]
    lines = _order(app, [BANDS, BOTTLE], codes=["gear10"])  # codes ignore case
    assert lines[12] == [-5.0] and lines[13] == [-6.4]  # 10% of 39.95 + 24.00 (the band deal is its own line)

    # an order total discount over $100, from now on
    total = v2.ok("POST", "/discounts/orderTotals", 201, json={
        "name": "Big basket", "discount_type": "PERCENT", "discount_value": 10, "discount_strategy": "NET",
        "criteria": [{"type": "ORDER_TOTAL", "total_amount": 100, "operator": "GREATER_THAN"},
                     {"type": "DATE_RANGE", "range_start_time": "2020-01-01T00:00:00Z"}]})
    assert total["discount_strategy"] == "NET" and [c["type"] for c in total["criteria"]] == [
        "ORDER_TOTAL", "DATE_RANGE"]
    assert app.call("DiscountService.getOrderTotalDiscount", int(total["id"]))["payType"] == "Net"
    assert 11 not in _order(app, [BOTTLE])
    assert _order(app, [COACHING])[11] == [-12.0]
    # a date range in the past: no longer applies
    v2.ok("PATCH", f"/discounts/orderTotals/{total['id']}", params={"update_mask": "criteria"}, json={"criteria": [
        {"criteria_id": total["criteria"][1]["criteria_id"], "range_end_time": "2021-01-01T00:00:00Z",
         "range_start_time": "2020-01-01T00:00:00Z"}]})
    again = v2.ok("GET", f"/discounts/orderTotals/{total['id']}")
    assert [c["type"] for c in again["criteria"]] == ["DATE_RANGE"] and again["criteria"][0]["range_end_time"] == \
        "2021-01-01T00:00:00Z"
    assert 11 not in _order(app, [COACHING])

    # a free trial on the membership plan, for orders carrying the plan and a code
    trial = v2.ok("POST", "/discounts/freeTrials", 201, json={
        "name": "Free week", "subscription_plan_id": str(MEMBERSHIP_PLAN), "free_trial_days": 7, "hide_price": True})
    assert app.call("DiscountService.getFreeTrial", int(trial["id"]))["freeTrialDays"] == "7"
    criterion = v2.ok("POST", f"/discounts/freeTrials/{trial['id']}/criteria", 201,
                      json={"type": "PROMO_CODE", "code": "TRYME"})
    assert 10 not in _order(app, [], [MEMBERSHIP_PLAN])
    assert _order(app, [], [MEMBERSHIP_PLAN], ["TRYME"])[10] == [0.0]
    assert v2.delete(f"/discounts/freeTrials/{trial['id']}/criteria/{criterion['criteria_id']}").status_code == 204
    assert v2.error("DELETE", f"/discounts/freeTrials/{trial['id']}/criteria/{criterion['criteria_id']}", 404)
    assert _order(app, [], [MEMBERSHIP_PLAN])[10] == [0.0]

    # a shipping discount, deleted: nothing left of it
    shipping = v2.ok("POST", "/discounts/shipping", 201, json={"name": "Ship free", "discount_type": "PERCENT",
                                                                 "discount_value": 100})
    assert v2.delete(f"/discounts/shipping/{shipping['id']}").status_code == 204
    assert v2.error("GET", f"/discounts/shipping/{shipping['id']}", 404)["details"] == [
        {"domain": "Shipping Discount", "resource": shipping["id"]}]
    # a discount of one family is not found through another
    assert v2.error("GET", f"/discounts/shipping/{product['id']}", 404)["code"] == 404


def test_lists_updates_and_bad_input_of_every_family(v2):
    for n in range(3):
        v2.ok("POST", "/discounts/products", 201, json={
            "name": f"P{n}", "product_id": str(BANDS if n else BOTTLE), "discount_type": "PERCENT",
            "discount_value": 10 * (n + 1), "apply_to_commissions": n == 2})
    listed = v2.ok("GET", "/discounts/products", params={"filter": f"product_id=={BANDS};discount_value>=20",
                                                         "order_by": "discount_value desc"})["discounts"]
    assert [d["name"] for d in listed] == ["P2", "P1"]
    assert [d["name"] for d in v2.walk("/discounts/products", "discounts", page_size=1,
                                       filter="apply_to_commissions==true")] == ["P2"]
    assert [d["name"] for d in v2.ok("GET", "/discounts/products", params={"filter": "discount_type==AMOUNT"})[
        "discounts"]] == []
    made = v2.ok("POST", "/discounts/productCategories", 201, json={
        "name": "Coaching", "discount_percent": 5, "apply_to_commissions": False, "product_category_ids": ["1"]})
    assert [d["id"] for d in v2.ok("GET", "/discounts/productCategories", params={"filter": "product_category_id==1"})[
        "discounts"]] == [made["id"]]
    changed = v2.ok("PATCH", f"/discounts/productCategories/{made['id']}",
                    json={"product_category_ids": [str(GEAR)], "description": "gear now"})
    assert changed["product_categories"] == [str(GEAR)] and changed["description"] == "gear now"
    assert v2.ok("GET", "/discounts/productCategories", params={"filter": "product_category_id==1"})[
        "discounts"] == []
    trial = v2.ok("POST", "/discounts/freeTrials", 201, json={"name": "T", "subscription_plan_id": "1"})
    assert trial["free_trial_days"] == 0 and trial["hide_price"] is False
    assert [d["id"] for d in v2.ok("GET", "/discounts/freeTrials", params={"filter": "hide_price==false"})[
        "discounts"]] == [trial["id"]]
    renamed = v2.ok("PATCH", f"/discounts/freeTrials/{trial['id']}", params={"update_mask": "name"},
                    json={"name": "Trial", "free_trial_days": 30})
    assert renamed["name"] == "Trial" and renamed["free_trial_days"] == 0

    def refused(path: str, body: dict, field: str, method: str = "POST") -> None:
        assert v2.error(method, path, 400, json=body)["details"] == [{"domain": "request", "resource": field}]

    refused("/discounts/products", {"name": "x", "product_id": "999999", "discount_type": "AMOUNT",
                                    "discount_value": 1}, "product_id")
    refused("/discounts/shipping", {"name": "x", "discount_type": "PERCENT", "discount_value": 101}, "discount_value")
    refused("/discounts/shipping", {"name": " ", "discount_type": "AMOUNT", "discount_value": 1}, "name")
    refused("/discounts/orderTotals", {"name": "x", "discount_type": "AMOUNT", "discount_value": 1,
                                       "criteria": [{"type": "ORDER_TOTAL", "total_amount": 5}]}, "criteria.0")
    refused("/discounts/productCategories", {"name": "x", "discount_percent": 1, "apply_to_commissions": False,
                                             "product_category_ids": ["999999"]}, "product_category_ids.0")
    refused(f"/discounts/freeTrials/{trial['id']}/criteria", {"type": "PROMO_CODE"}, "type")
    refused(f"/discounts/freeTrials/{trial['id']}/criteria", {"code": "X"}, "type")
    refused(f"/discounts/freeTrials/{trial['id']}", {"criteria": [{"criteria_id": "999", "code": "X"}]}, "criteria",
            method="PATCH")
    assert v2.error("GET", "/discounts/orderTotals", 400, params={"filter": "discount_strategy==SIDEWAYS"})


def test_the_sdk_reads_and_writes_discounts(sdk, v2):
    from keap_core_v2_client import OrderTotalDiscountsApi, ShippingDiscountsApi
    from keap_core_v2_client.models import (
        CreateOrderTotalDiscountCriteria,
        CreateOrderTotalDiscountRequest,
        CreateShippingDiscountRequest,
        UpdateShippingDiscountRequest,
    )

    totals = OrderTotalDiscountsApi(sdk)
    made = totals.create_order_total_discount(CreateOrderTotalDiscountRequest(
        name="SDK total", discount_type="AMOUNT", discount_value=5.0, discount_strategy="GROSS"))
    assert totals.get_order_total_discount(made.id).discount_value == 5.0
    criterion = totals.create_order_total_discount_criteria(made.id, CreateOrderTotalDiscountCriteria(
        type="PROMO_CODE", code="SDK"))
    assert criterion.code == "SDK"
    assert [d.id for d in totals.list_order_total_discounts().discounts] == [made.id]
    totals.delete_order_total_discount_criteria(made.id, criterion.criteria_id)
    shipping = ShippingDiscountsApi(sdk)
    ship = shipping.create_shipping_discount(CreateShippingDiscountRequest(name="SDK ship", discount_type="PERCENT",
                                                                           discount_value=50.0))
    updated = shipping.update_shipping_discount(ship.id, UpdateShippingDiscountRequest(discount_value=25.0),
                                                update_mask=["discount_value"])
    assert updated.discount_value == 25.0 and updated.name == "SDK ship"
    shipping.delete_shipping_discount(ship.id)
