"""Product categories: list, get, create, update, delete, the category image, putting products in a category
and the categories with their products (the contract's ``Product Categories``).

Categories are the API's ProductCategory rows (``CategoryDisplayName``, ``CategoryOrder``, ``ParentId``) and
their products ProductCategoryAssign rows, written through DataService's writer, so XML-RPC and REST v1 read
the same rows and the same events fire. A parent must exist and may not be the category or one of its
subcategories (400); deleting a category takes its products out of it, moves its subcategories to the top
and takes it off category discounts.
"""
from __future__ import annotations

from dataclasses import replace

from server.domain.commerce import product_categories as domain
from server.domain.commerce import products
from server.domain.session import AppSession

from .api import Request, operation
from .errors import existing, invalid_field
from .filters import Id, Ids, Number, Text
from .paging import Listing
from .products import uploaded_file
from .wire import in_id, in_ids, out_id

CATEGORIES = Listing(filters={"name": Text(), "product_category_id": Number("id"), "product_id": Id()},
                     order_by={"id": "id"})
ASSIGNED = Listing(filters={"product_ids": Ids("product_id"), "product_category_ids": Ids("category_id")},
                   order_by={"product_category_id": "category_id"}, default_order=("category_id", False),
                   key="category_id")
PROPERTIES = ("name", "display_order_index", "parent_category_id")


def category_json(c: domain.Category) -> dict:
    return {"id": out_id(c.id), "name": c.name, "display_order_index": c.order or 0,
            "parent_category_id": out_id(c.parent_id)}


def _category(s: AppSession, category_id: int) -> domain.Category:
    return existing(domain.get(s, category_id), "Product Category", category_id)


def _values(s: AppSession, body: dict, props) -> dict:
    values = {}
    for prop in props:
        value = body.get(prop)
        if prop == "name":
            if not (value or "").strip():
                raise invalid_field("name", "a name is required")
            values["CategoryDisplayName"] = value.strip()
        elif prop == "display_order_index":
            values["CategoryOrder"] = value or 0
        elif prop == "parent_category_id":
            parent = in_id(value, "parent_category_id") if value is not None else 0
            if parent and domain.get(s, parent) is None:
                raise invalid_field("parent_category_id", f"no product category has the id {value}")
            values["ParentId"] = parent
    return values


@operation("listProductCategories")
def list_product_categories(r: Request) -> dict:
    q = r.list_query(CATEGORIES)
    # ``product_id==N``: the categories product N is in, answered by the domain's own condition
    product = next((c.value for c in q.where if c.field == "product_id"), None)
    page = domain.page(r.s, replace(q, where=tuple(c for c in q.where if c.field != "product_id")), product)
    return r.page("product_categories", [category_json(c) for c in page.items], page)


@operation("createProductCategory")
def create_product_category(r: Request) -> dict:
    category_id = domain.add(r.s, _values(r.s, r.body, [p for p in PROPERTIES if p in r.body or p == "name"]))
    return category_json(_category(r.s, category_id))


@operation("getProductCategory")
def get_product_category(r: Request, category_id: int) -> dict:
    return category_json(_category(r.s, category_id))


@operation("updateProductCategory")
def update_product_category(r: Request, category_id: int) -> dict:
    _category(r.s, category_id)
    domain.update(r.s, category_id, _values(r.s, r.body, [p for p in PROPERTIES if p in r.changed(PROPERTIES)]))
    return category_json(_category(r.s, category_id))


@operation("deleteProductCategory")
def delete_product_category(r: Request, category_id: int) -> None:
    _category(r.s, category_id)
    domain.delete(r.s, category_id)


@operation("createImageFile")
def create_image_file(r: Request, category_id: int) -> None:
    _category(r.s, category_id)
    name, data = uploaded_file(r)
    products.check_image(name, data)
    domain.set_image(r.s, category_id, data)


@operation("deleteImageFile")
def delete_image_file(r: Request, category_id: int) -> None:
    _category(r.s, category_id)
    domain.set_image(r.s, category_id, None)


@operation("assignProductsToCategory")
def assign_products_to_category(r: Request, category_id: int) -> None:
    _category(r.s, category_id)
    product_ids = in_ids(r.body["product_ids"], "product_ids")
    known = products.products_by_id(r.s, product_ids)
    for i, product_id in enumerate(product_ids):
        if product_id not in known:
            raise invalid_field(f"product_ids.{i}", f"no product has the id {r.body['product_ids'][i]}")
    domain.assign(r.s, category_id, product_ids)


@operation("listAssignedProducts")
def list_assigned_products(r: Request) -> dict:
    page = domain.page_assigned(r.s, r.list_query(ASSIGNED))
    items = [{"product_category_id": out_id(a.category_id), "product_ids": [out_id(p) for p in a.product_ids]}
             for a in page.items]
    return r.page("assigned_product_categories", items, page)
