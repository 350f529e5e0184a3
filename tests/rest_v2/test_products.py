"""Products, options, images and subscription plans through REST v2, end to end on a live server (every answer
checked against Keap's contract by the ``v2`` fixture); writes are read back through v2, REST v1 and XML-RPC."""
from __future__ import annotations

import base64

from tests.commerce.util import events, last_seq
from tests.rest.conftest import rest_for

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5Er"
                       "kJggg==")


def _product(v2, name: str = "Kettlebell (16 kg)", **body) -> dict:
    return v2.ok("POST", "/products", 201, json={"name": name, "price": 5400, "short_description": "Cast iron",
                                                 **body})


def test_create_read_update_delete_a_product_seen_by_every_protocol(v2):
    seq = last_seq(v2.app)
    made = _product(v2, sku="SPC-KB16", shippable=True, weight=16.0, subscription_only=False,
                    inventory={"inventory_count": 5, "inventory_limit": 2,
                               "email_for_inventory_notifications": "stock@example.com"})
    assert made["price"] == {"amount": 5400, "currency_code": "USD", "formatted_amount": "$54.00"}
    assert made["active"] is True and made["shippable"] is True and made["inventory"]["inventory_count"] == 5
    assert made["create_time"].endswith("Z") and made["options"] == [] and made["subscription_plans"] == []
    product_id = int(made["id"])
    assert v2.ok("GET", f"/products/{product_id}") == made
    # DataService's event, then the REST-only settings' (REST hooks product.add, product.edit)
    assert [(e["type"], e["entity_id"]) for e in events(v2.app, seq, ("product.added", "product.updated"))] == [
        ("product.added", product_id), ("product.updated", product_id)]

    # the same row, read by XML-RPC and REST v1
    assert v2.app.call("DataService.load", "Product", product_id, ["ProductName", "ProductPrice", "Sku", "Weight"]) \
        == {"ProductName": "Kettlebell (16 kg)", "ProductPrice": 54.0, "Sku": "SPC-KB16", "Weight": 16.0}
    assert v2.app.call("ProductService.getInventory", product_id) == 5
    v1 = rest_for(v2.app)
    assert v1.ok("GET", f"/products/{product_id}")["product_price"] == 54.0

    # PATCH with a mask: only the masked properties; a masked property missing from the body is cleared
    changed = v2.ok("PATCH", f"/products/{product_id}", params={"update_mask": "price,sku,subscription_only"},
                    json={"price": 4999, "name": "ignored", "subscription_only": True})
    assert changed["price"]["amount"] == 4999 and changed["name"] == "Kettlebell (16 kg)"
    assert "sku" not in changed and changed["subscription_only"] is True
    assert v1.ok("GET", f"/products/{product_id}")["subscription_only"] is True
    changed = v2.ok("PATCH", f"/products/{product_id}", json={"active": False, "storefront_hidden": True})
    assert changed["active"] is False and changed["storefront_hidden"] is True
    assert v2.app.call("DataService.load", "Product", product_id, ["Status", "HideInStore"]) == {
        "Status": 0, "HideInStore": 1}

    # inventory
    adjusted = v2.ok("POST", f"/products/{product_id}:adjustInventory", json={"type": "DECREASE", "quantity": 4})
    assert adjusted["inventory"]["inventory_count"] == 1
    assert v2.app.call("ProductService.getInventory", product_id) == 1
    refused = v2.error("POST", f"/products/{product_id}:adjustInventory", 400, json={"type": "INCREASE", "quantity": 0})
    assert refused["details"] == [{"domain": "request", "resource": "quantity"}]

    # listing: filters, order and paging
    listed = v2.ok("GET", "/products", params={"filter": "name==kettle*"})["products"]
    assert [p["id"] for p in listed] == [made["id"]] and "inventory_count" not in listed[0]["inventory"]
    assert [p["id"] for p in v2.ok("GET", "/products", params={"filter": f"product_id>={product_id}"})["products"]] \
        == [made["id"]]
    walked = v2.walk("/products", "products", page_size=3, order_by="name desc")
    names = [p["name"] for p in walked]
    assert len(names) == len({p["id"] for p in walked}) > 3 and names == sorted(names, reverse=True)

    # bad input
    assert v2.error("POST", "/products", 400, json={"name": " ", "price": 1, "short_description": "x"})["details"] == [
        {"domain": "request", "resource": "name"}]
    assert v2.error("POST", "/products", 400, json={"name": "x", "price": -1, "short_description": "x"})["code"] == 400
    assert v2.error("GET", "/products", 400, params={"filter": "colour==red"})["code"] == 400

    assert v2.delete(f"/products/{product_id}").status_code == 204
    assert v2.error("GET", f"/products/{product_id}", 404)["details"] == [
        {"domain": "Product", "resource": str(product_id)}]
    assert v2.app.call("DataService.query", "Product", 10, 0, {"Id": product_id}, ["Id"]) == []


def test_options_images_and_plans_of_a_product(v2):
    product = _product(v2, "Engraved bottle")
    pid = product["id"]
    colour = v2.ok("POST", f"/products/{pid}/options", 201, json={
        "option_type": "LIST", "option_label": "Colour", "required": True, "display_order": 1,
        "list_items": [{"item_label": "Black", "item_code": "BLK"},
                       {"item_label": "Steel", "item_code": "STL", "price_adjustment": 2.5, "item_display_order": 1}]})
    assert colour["option_type"] == "LIST" and [i["item_label"] for i in colour["list_items"]] == ["Black", "Steel"]
    text = v2.ok("POST", f"/products/{pid}/options", 201, json={
        "option_type": "TEXT", "option_label": "Engraving", "display_order": 2,
        "text_rules": {"maximum_characters": 12, "minimum_characters": 1, "only_starts_with": "LETTER",
                       "error_message": "Letters first"}})
    assert text["text_rules"]["only_starts_with"] == "LETTER" and text["text_rules"]["error_message"] == "Letters first"
    assert [o["id"] for o in v2.ok("GET", f"/products/{pid}/options")["product_options"]] == [colour["id"], text["id"]]
    # the product shows its options in the product's own form
    shown = v2.ok("GET", f"/products/{pid}")["options"]
    assert shown[0]["type"] == "FIXED" and shown[0]["fixed_options"][1] == {"value": "Steel", "code": "STL",
                                                                            "price_adjustment": 2.5}
    assert shown[1]["variable_setting"]["start_with"] == "LETTER"
    # the same rows through XML-RPC
    assert v2.app.call("DataService.load", "ProductOption", int(colour["id"]), ["Label", "OptionType", "IsRequired"]) \
        == {"Label": "Colour", "OptionType": "FixedList", "IsRequired": 1}

    more = v2.ok("POST", f"/products/{pid}/options/{colour['id']}/listItems", 201, json=[{"item_label": "Red"}])
    red = next(i for i in more["list_items"] if i["item_label"] == "Red")
    updated = v2.ok("PATCH", f"/products/{pid}/options/{colour['id']}/listItems/{red['item_id']}",
                    json={"price_adjustment": 1.0})
    assert next(i for i in updated["list_items"] if i["item_id"] == red["item_id"])["price_adjustment"] == 1.0
    assert v2.delete(f"/products/{pid}/options/{colour['id']}/listItems/{red['item_id']}").status_code == 204
    renamed = v2.ok("PATCH", f"/products/{pid}/options/{text['id']}", params={"update_mask": "option_label"},
                    json={"option_label": "Name to engrave"})
    assert renamed["option_label"] == "Name to engrave" and renamed["text_rules"]["maximum_characters"] == 12
    assert v2.error("PATCH", f"/products/{pid}/options/{colour['id']}", 400, json={"allow_spaces": True})["code"] == 400
    assert v2.delete(f"/products/{pid}/options/{text['id']}").status_code == 204
    assert v2.error("GET", f"/products/{pid}/options/{text['id']}", 404)["code"] == 404

    # the image: multipart upload, read back as base64, deleted
    assert v2.post(f"/products/{pid}/images", files={"file": ("bottle.png", PNG, "image/png")}).status_code == 201
    assert v2.ok("GET", f"/products/{pid}/images/legacyImageData") == base64.b64encode(PNG).decode()
    assert v2.ok("GET", f"/products/{pid}")["has_legacy_image"] is True
    assert v2.delete(f"/products/{pid}/images").status_code == 204
    assert v2.error("GET", f"/products/{pid}/images/legacyImageData", 404)["code"] == 404
    assert v2.error("POST", f"/products/{pid}/images", 400, files={"file": ("bottle.txt", b"x", "text/plain")})

    # subscription plans
    plan = v2.ok("POST", f"/products/{pid}/subscriptions", 201, json={
        "cycle_type": "MONTHLY", "plan_price": 1999, "frequency": 1, "total_cycles": 12})
    assert plan["cycle_type"] == "MONTHLY" and plan["plan_price"]["amount"] == 1999 and plan["total_cycles"] == 12
    assert plan["subscription_plan_name"] == "Engraved bottle" and plan["active"] is True
    yearly = v2.ok("POST", f"/products/{pid}/subscriptions", 201, json={"cycle_type": "YEARLY", "plan_price": 19900,
                                                                          "active": False})
    assert v2.ok("GET", f"/products/{pid}/subscriptions/{plan['id']}") == plan
    listed = v2.ok("GET", f"/products/{pid}/subscriptions", params={"filter": "active==true"})["subscriptions"]
    assert [p["id"] for p in listed] == [plan["id"]]
    assert [p["id"] for p in v2.ok("GET", f"/products/{pid}/subscriptions",
                                   params={"filter": "cycle_type==YEARLY"})["subscriptions"]] == [yearly["id"]]
    # the same plan through XML-RPC (CProgram) and the product's own answer
    assert v2.app.call("DataService.load", "SubscriptionPlan", int(plan["id"]), ["Cycle", "PlanPrice", "ProductId"]) \
        == {"Cycle": "2", "PlanPrice": 19.99, "ProductId": int(pid)}
    changed = v2.ok("PATCH", f"/products/{pid}/subscriptions/{plan['id']}",
                    json={"cycle_type": "WEEKLY", "plan_price": 599, "display_order_index": 3})
    assert changed["cycle_type"] == "WEEKLY" and changed["display_order_index"] == 3
    assert [p["billing_cycle"] for p in v2.ok("GET", f"/products/{pid}")["subscription_plans"]] == ["YEARLY", "WEEKLY"]
    assert v2.delete(f"/products/{pid}/subscriptions/{yearly['id']}").status_code == 204
    assert v2.error("GET", f"/products/{pid}/subscriptions/{yearly['id']}", 404)["code"] == 404
    other = _product(v2, "Other")
    assert v2.error("GET", f"/products/{other['id']}/subscriptions/{plan['id']}", 404)["code"] == 404


def test_the_sdk_reads_and_writes_products(sdk, v2):
    from keap_core_v2_client import ProductsApi
    from keap_core_v2_client.models import (
        CreateProductRequestDetail,
        UpdateProductInventoryRequestDetail,
        UpdateProductRequestDetail,
    )

    api = ProductsApi(sdk)
    made = api.create_product(CreateProductRequestDetail(name="SDK product", price=1250, short_description="sdk",
                                                         sku="SDK-1"))
    assert made.price.amount == 1250 and made.name == "SDK product"
    assert api.get_product(made.id).sku == "SDK-1"
    updated = api.update_product(made.id, UpdateProductRequestDetail(description="from the SDK"),
                                 update_mask=["description"])
    assert updated.description == "from the SDK" and updated.sku == "SDK-1"
    api.adjust_inventory(made.id, UpdateProductInventoryRequestDetail(type="INCREASE", quantity=3))
    assert api.get_product(made.id).inventory.inventory_count == 3
    assert [p.id for p in api.list_products(filter="sku==SDK*").products] == [made.id]
    api.delete_product(made.id)
