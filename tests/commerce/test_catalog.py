"""ProductService (inventory), DiscountService, ShippingService, and the product tables through DataService."""
from __future__ import annotations

import xmlrpc.client

import pytest

from tests.conftest import fault_of

from .util import BANDS, COACHING, MEMBERSHIP, MEMBERSHIP_PLAN, events, last_seq, row, rows


def _fault(app, method, *args):
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call(method, *args)
    return fault_of(exc)


def test_inventory(app):
    assert app.call("ProductService.getInventory", BANDS) == 39  # 40 seeded, one sold in a seeded order
    seq = last_seq(app)
    assert app.call("ProductService.incrementInventory", BANDS) is True
    assert app.call("ProductService.increaseInventory", BANDS, 10) is True
    assert app.call("ProductService.decrementInventory", str(BANDS)) is True  # the 2017 docs send a string
    assert app.call("ProductService.decreaseInventory", BANDS, 45) is True
    assert app.call("ProductService.getInventory", BANDS) == 4
    log = events(app, seq)
    assert [e["payload"]["inventory"] for e in log if e["type"] == "product.updated"] == [40, 50, 49, 4]
    assert [e["payload"]["limit"] for e in log if e["type"] == "product.inventory_low"] == [5]
    assert app.call("ProductService.getInventory", COACHING) == 0  # a service: inventory never tracked
    assert _fault(app, "ProductService.getInventory", 999)[0] == 5
    assert _fault(app, "ProductService.increaseInventory", BANDS, -1)[0] == 12
    assert _fault(app, "ProductService.incrementInventory", 999)[0] == 5


def test_product_tables(app):
    product_id = app.call("DataService.add", "Product", {"ProductName": "Kettlebell (16 kg)", "ProductPrice": 54.0,
                                                         "Sku": "SPC-GEAR-KB16", "Taxable": 1, "Shippable": 1})
    assert app.call("DataService.update", "Product", product_id, {"ProductPrice": 49.0}) == product_id
    product = row(app, "Product", product_id, ["ProductName", "ProductPrice", "DateCreated", "LastUpdated"])
    assert product["ProductPrice"] == 49.0 and product["DateCreated"] and product["LastUpdated"]
    assert _fault(app, "DataService.delete", "Product", product_id)[0] == 7
    category = app.call("DataService.add", "ProductCategory", {"CategoryDisplayName": "Strength", "ParentId": 4})
    app.call("DataService.add", "ProductCategoryAssign", {"ProductId": product_id, "ProductCategoryId": category})
    assert rows(app, "ProductCategoryAssign", {"ProductId": product_id}, ["ProductCategoryId"]) == [
        {"ProductCategoryId": category}]
    assert app.call("DataService.delete", "ProductCategory", category) is True
    option = app.call("DataService.add", "ProductOption", {"ProductId": product_id, "Label": "Colour", "Order": 1,
                                                           "OptionType": "FixedList"})
    app.call("DataService.add", "ProductOptValue", {"ProductOptionId": option, "Label": "Black",
                                                    "PriceAdjustment": 0.0})
    assert row(app, "ProductOption", option, ["Label", "Order"]) == {"Label": "Colour", "Order": 1}
    bundle = app.call("DataService.add", "ProductInterestBundle", {"BundleName": "Home gym"})
    app.call("DataService.add", "ProductInterest", {"ObjectId": bundle, "ObjType": "Bundle", "ProductId": product_id,
                                                    "ProductType": "Product", "Qty": 1})
    assert app.call("DataService.count", "ProductInterest", {"ObjectId": bundle}) == 1

    # CProgram and SubscriptionPlan are two views of the same plans
    assert row(app, "CProgram", MEMBERSHIP_PLAN, ["ProgramName", "DefaultPrice", "DefaultCycle", "ProductId",
                                                  "Active"]) == {
        "ProgramName": "Monthly Coaching Membership", "DefaultPrice": 89.0, "DefaultCycle": "2",
        "ProductId": MEMBERSHIP, "Active": True}
    plan = app.call("DataService.add", "SubscriptionPlan", {"ProductId": product_id, "Cycle": "Year", "Frequency": 1,
                                                            "PlanPrice": 499.0})
    assert row(app, "CProgram", plan, ["ProgramName", "DefaultCycle", "Active"]) == {
        "ProgramName": "Kettlebell (16 kg)", "DefaultCycle": "1", "Active": True}


def test_discounts(app):
    trial = app.call("DiscountService.addFreeTrial", "Free week", "Try it first", 7, 1, MEMBERSHIP_PLAN)
    assert app.call("DiscountService.getFreeTrial", trial) == {
        "name": "Free week", "description": "Try it first", "freeTrialDays": "7", "hidePrice": "1",
        "subscriptionPlanId": str(MEMBERSHIP_PLAN), "applyDiscountToCommission": "0"}
    order = app.call("DiscountService.addOrderTotalDiscount", "Ten off", "Ten percent", 1, 1, 10, "Gross")
    assert app.call("DiscountService.getOrderTotalDiscount", order) == {
        "name": "Ten off", "description": "Ten percent", "amount": "10.0", "pctOrAmt": "1", "payType": "Gross",
        "applyDiscountToCommission": "1"}
    short = app.call("DiscountService.addOrderTotalDiscount", "Short form", 0, 0, "Net")  # the 2017 docs' form
    assert app.call("DiscountService.getOrderTotalDiscount", short)["payType"] == "Net"
    category = app.call("DiscountService.addCategoryDiscount", "Gear week", "15% off gear", 0, 15.0)
    assert app.call("DiscountService.getCategoryDiscount", category) == {
        "name": "Gear week", "description": "15% off gear", "applyDiscountToCommission": "0"}
    assignment = app.call("DiscountService.addCategoryAssignmentToCategoryDiscount", category, 4)
    assert app.call("DiscountService.getCategoryAssignmentsForCategoryDiscount", category) == [
        {"id": str(assignment), "specialItemId": str(category), "productCategoryId": "4"}]
    product = app.call("DiscountService.addProductTotalDiscount", "Band deal", "", 0, BANDS, 0, 5.0)
    assert app.call("DiscountService.getProductTotalDiscount", product) == {
        "name": "Band deal", "description": "", "productId": str(BANDS), "applyDiscountToCommission": "0"}
    shipping = app.call("DiscountService.addShippingTotalDiscount", "Half shipping", "", 0, 1, 50.0)
    assert app.call("DiscountService.getShippingTotalDiscount", shipping) == {
        "name": "Half shipping", "description": "", "amount": "50.0", "pctOrAmt": "1",
        "applyDiscountToCommission": "0"}

    assert _fault(app, "DiscountService.getFreeTrial", order)[0] == 5  # an id of another kind
    assert _fault(app, "DiscountService.getShippingTotalDiscount", 999)[0] == 5
    assert _fault(app, "DiscountService.addFreeTrial", "x", "", 7, 0, 999)[0] == 5
    assert _fault(app, "DiscountService.addFreeTrial", "x", "", 0, 0, MEMBERSHIP_PLAN)[0] == 12
    assert _fault(app, "DiscountService.addOrderTotalDiscount", "x", "", 0, 1, 10.0, "Sometimes")[0] == 12
    assert _fault(app, "DiscountService.addOrderTotalDiscount", "x", "", 0, 1, 150.0, "Gross")[0] == 12
    assert _fault(app, "DiscountService.addProductTotalDiscount", "x", "", 0, 999, 0, 5.0)[0] == 5
    assert _fault(app, "DiscountService.addProductTotalDiscount", "x", "", 0, BANDS, 2, 5.0)[0] == 12
    assert _fault(app, "DiscountService.addCategoryAssignmentToCategoryDiscount", category, 999)[0] == 5
    assert _fault(app, "DiscountService.addCategoryAssignmentToCategoryDiscount", order, 4)[0] == 5
    assert _fault(app, "DiscountService.getCategoryAssignmentsForCategoryDiscount", trial)[0] == 5


def test_shipping_options(app):
    for service in ("ShippingService", "InvoiceService"):
        options = app.call(f"{service}.getAllShippingOptions")
        assert [o["type"] for o in options] == ["Flat", "Quantity", "Weight", "Total", "Product", "UPS"]
        assert all(isinstance(v, str) for o in options for v in o.values())
    assert app.call("ShippingService.getFlatRateShippingOption", "1") == {
        "id": "1", "name": "Standard Shipping", "description": "3-5 business days", "type": "Flat",
        "active": "true", "international": "false", "orderBased": "false", "price": "6.95"}
    assert app.call("ShippingService.getOrderQuantityShippingOption", 2)["pricePerItem"] == "1.5"
    assert app.call("ShippingService.getWeightBasedShippingOption", 3)["pricePerPound"] == "0.85"
    assert app.call("ShippingService.getWeightBasedShippingRanges", 3)[0] == {
        "id": "1", "min": "0.0", "max": "5.0", "price": "5.95"}
    assert app.call("ShippingService.getOrderTotalShippingOption", 4)["orderBased"] == "true"
    assert [r["price"] for r in app.call("ShippingService.getOrderTotalShippingRanges", 4)] == ["6.95", "0.0"]
    assert app.call("ShippingService.getProductBasedShippingOption", 5) == {
        "id": "5", "name": "Product-Based Shipping", "description": "Each product ships at its own rate"}
    assert app.call("ShippingService.getProductShippingPricesForProductShippingOption", 5)[0] == {
        "productId": str(BANDS), "price": "4.5"}
    ups = app.call("ShippingService.getUpsShippingOption", 6)
    assert (ups["active"], ups["deliveryType"], ups["accessPassword"]) == ("false", "03", "")
    assert _fault(app, "ShippingService.getFlatRateShippingOption", 2)[0] == 5  # not a flat-rate option
    assert _fault(app, "ShippingService.getUpsShippingOption", 999)[0] == 5
