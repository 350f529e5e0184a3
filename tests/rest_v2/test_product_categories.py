"""Product categories and product interest bundles through REST v2 (every answer checked against Keap's
contract by the ``v2`` fixture), read back through XML-RPC's DataService."""
from __future__ import annotations

from tests.rest_v2.test_products import PNG, _product


def test_categories_crud_assignment_and_listing(v2):
    parent = v2.ok("POST", "/productCategories", 201, json={"name": "Gear", "display_order_index": 2})
    child = v2.ok("POST", "/productCategories", 201, json={"name": "Bottles", "parent_category_id": parent["id"]})
    assert child["parent_category_id"] == parent["id"] and parent["display_order_index"] == 2
    assert v2.ok("GET", f"/productCategories/{child['id']}") == child
    assert v2.app.call("DataService.load", "ProductCategory", int(child["id"]),
                       ["CategoryDisplayName", "ParentId"]) == {"CategoryDisplayName": "Bottles",
                                                                "ParentId": int(parent["id"])}
    # a category may not sit under itself, nor under a category that does not exist
    assert v2.error("PATCH", f"/productCategories/{parent['id']}", 400,
                    json={"parent_category_id": child["id"]})["code"] == 400
    assert v2.error("POST", "/productCategories", 400, json={"name": "x", "parent_category_id": "999999"})[
        "details"] == [{"domain": "request", "resource": "parent_category_id"}]
    renamed = v2.ok("PATCH", f"/productCategories/{child['id']}", params={"update_mask": "name"},
                    json={"name": "Water bottles", "display_order_index": 9})
    assert renamed["name"] == "Water bottles" and renamed["display_order_index"] == 0

    a, b = _product(v2, "Bottle A"), _product(v2, "Bottle B")
    assert v2.post(f"/productCategories/{child['id']}:assignProducts",
                   json={"product_ids": [a["id"], b["id"]]}).status_code == 204
    assert v2.post(f"/productCategories/{parent['id']}:assignProducts", json={"product_ids": [a["id"]]}).status_code \
        == 204
    assert v2.error("POST", f"/productCategories/{child['id']}:assignProducts", 400,
                    json={"product_ids": ["999999"]})["details"] == [{"domain": "request", "resource": "product_ids.0"}]
    assert sorted(v2.ok("GET", f"/products/{a['id']}")["categories"], key=int) == sorted(
        [parent["id"], child["id"]], key=int)
    assert v2.app.call("DataService.count", "ProductCategoryAssign", {"ProductId": int(a["id"])}) == 2

    in_a = v2.ok("GET", "/productCategories", params={"filter": f"product_id=={a['id']}"})["product_categories"]
    assert [c["id"] for c in in_a] == [parent["id"], child["id"]]
    assert [c["name"] for c in v2.ok("GET", "/productCategories", params={"filter": "name==water*"})[
        "product_categories"]] == ["Water bottles"]
    assigned = v2.ok("GET", "/productCategories/assignedProducts",
                     params={"filter": f"product_category_ids=={parent['id']},{child['id']}"})
    assert assigned["assigned_product_categories"] == [
        {"product_category_id": parent["id"], "product_ids": [a["id"]]},
        {"product_category_id": child["id"], "product_ids": [a["id"], b["id"]]}]
    by_product = v2.walk("/productCategories/assignedProducts", "assigned_product_categories", page_size=1,
                         filter=f"product_ids=={b['id']}")
    assert by_product == [{"product_category_id": child["id"], "product_ids": [b["id"]]}]

    # the image
    assert v2.post(f"/productCategories/{child['id']}/images",
                   files={"file": ("gear.png", PNG, "image/png")}).status_code == 201
    assert v2.delete(f"/productCategories/{child['id']}/images").status_code == 204

    # deleting a category: its products leave it, its subcategories move to the top
    assert v2.delete(f"/productCategories/{parent['id']}").status_code == 204
    assert v2.error("GET", f"/productCategories/{parent['id']}", 404)["code"] == 404
    assert "parent_category_id" not in v2.ok("GET", f"/productCategories/{child['id']}")
    assert v2.ok("GET", f"/products/{a['id']}")["categories"] == [child["id"]]


def test_interest_bundles_with_products_and_plans(v2):
    product = _product(v2, "Foam roller")
    plan = v2.ok("POST", f"/products/{product['id']}/subscriptions", 201,
                 json={"cycle_type": "MONTHLY", "plan_price": 900})
    bundle = v2.ok("POST", "/productInterestBundles", 201, json={"name": "Home gym", "description": "Starter set"})
    assert bundle["product_interests"] == [] and bundle["subscription_plan_interests"] == []
    item = v2.ok("POST", f"/productInterestBundles/{bundle['id']}/interests", 201, json={
        "type": "PRODUCT", "entity_id": product["id"], "price": 2500, "quantity": 2, "discount_percent": 10})
    assert item["interest_id"] == product["id"] and item["price"]["amount"] == 2500 and item["quantity"] == 2
    sub = v2.ok("POST", f"/productInterestBundles/{bundle['id']}/interests", 201, json={
        "type": "SUBSCRIPTION_PLAN", "entity_id": plan["id"], "price": 900})
    assert sub["type"] == "SUBSCRIPTION_PLAN" and sub["quantity"] == 1 and sub["discount_percent"] == 0
    got = v2.ok("GET", f"/productInterestBundles/{bundle['id']}")
    assert [i["id"] for i in got["product_interests"]] == [item["id"]]
    assert [i["id"] for i in got["subscription_plan_interests"]] == [sub["id"]]
    # the same rows through XML-RPC
    assert v2.app.call("DataService.query", "ProductInterest", 10, 0, {"ObjectId": int(bundle["id"])},
                       ["ProductId", "Qty", "DiscountPercent"], "Id", True)[0] == {
        "ProductId": int(product["id"]), "Qty": 2, "DiscountPercent": 10.0}

    changed = v2.ok("PATCH", f"/productInterestBundles/{bundle['id']}/interests/{item['id']}",
                    params={"update_mask": "quantity"}, json={"quantity": 3, "price": 1})
    assert changed["quantity"] == 3 and changed["price"]["amount"] == 2500
    refused = v2.error("PATCH", f"/productInterestBundles/{bundle['id']}/interests/{item['id']}", 400,
                       json={"discount_percent": 101})
    assert refused["details"] == [{"domain": "request", "resource": "discount_percent"}]
    assert v2.error("POST", f"/productInterestBundles/{bundle['id']}/interests", 404, json={
        "type": "PRODUCT", "entity_id": "999999", "price": 1})["code"] == 404
    assert v2.delete(f"/productInterestBundles/{bundle['id']}/interests/{sub['id']}").status_code == 204

    renamed = v2.ok("PATCH", f"/productInterestBundles/{bundle['id']}", json={"name": "Home gym+"})
    assert renamed["name"] == "Home gym+" and renamed["description"] == "Starter set"
    other = v2.ok("POST", "/productInterestBundles", 201, json={"name": "Travel kit", "description": ""})
    assert [b["id"] for b in v2.ok("GET", "/productInterestBundles", params={"filter": "name==home*"})[
        "product_interest_bundles"]] == [bundle["id"]]
    assert [b["name"] for b in v2.walk("/productInterestBundles", "product_interest_bundles", page_size=1,
                                       order_by="name desc")] == ["Travel kit", "Home gym+"]
    assert v2.delete(f"/productInterestBundles/{bundle['id']}").status_code == 204
    assert v2.error("GET", f"/productInterestBundles/{bundle['id']}", 404)["code"] == 404
    assert v2.app.call("DataService.count", "ProductInterest", {"ObjectId": int(bundle["id"])}) == 0
    assert other["id"] != bundle["id"]


def test_the_sdk_reads_and_writes_categories_and_bundles(sdk, v2):
    from keap_core_v2_client import ProductCategoriesApi, ProductInterestBundlesApi
    from keap_core_v2_client.models import (
        AddProductInterestRequest,
        CreateProductCategoryRequest,
        CreateProductInterestBundleRequest,
    )

    categories = ProductCategoriesApi(sdk)
    made = categories.create_product_category(CreateProductCategoryRequest(name="SDK category"))
    assert categories.get_product_category(made.id).name == "SDK category"
    assert [c.id for c in categories.list_product_categories(filter="name==SDK*").product_categories] == [made.id]
    bundles = ProductInterestBundlesApi(sdk)
    bundle = bundles.create_product_interest_bundle(CreateProductInterestBundleRequest(name="SDK", description="d"))
    product = _product(v2, "SDK bundle product")
    bundles.add_product_interest(bundle.id, AddProductInterestRequest(type="PRODUCT", entity_id=product["id"],
                                                                      price=100))
    assert len(bundles.get_product_interest_bundle(bundle.id).product_interests) == 1
