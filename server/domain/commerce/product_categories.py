"""Product categories (ProductCategory: a display name, an order, a parent for subcategories, an image) and
which products are in them (ProductCategoryAssign). Written through DataService's writer, so the same
``product_category.*`` events fire whichever protocol writes."""
from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa

from server.domain.data import listing, records
from server.domain.errors import InvalidParameter
from server.store import schema
from server.store.session import AppSession

from . import products


class Category(NamedTuple):
    id: int
    name: str | None
    order: int | None
    parent_id: int | None


class Assigned(NamedTuple):
    category_id: int
    product_ids: tuple[int, ...]


_pc, _pca = schema.product_category, schema.product_category_assign
# a category's products, for the filter ``product_id==N`` (the categories product N is in)
_IN_CATEGORY = sa.select(_pca.c.product_id).where(_pca.c.app_id == _pc.c.app_id,
                                                   _pca.c.product_category_id == _pc.c.id)
FIELDS = listing.Fields({"id": _pc.c.id, "name": _pc.c.category_display_name}, text=frozenset({"name"}))
ASSIGNED_FIELDS = listing.Fields({"category_id": _pca.c.product_category_id, "product_id": _pca.c.product_id},
                                 key="category_id")


def _category(r) -> Category:
    return Category(r.id, r.category_display_name, r.category_order, r.parent_id or None)


def get(s: AppSession, category_id: int) -> Category | None:
    row = s.get(_pc, category_id)
    return None if row is None else _category(row)


def page(s: AppSession, q: listing.ListQuery, product_id: int | None = None) -> listing.Page[Category]:
    select = s.select(_pc)
    if product_id is not None:
        select = select.where(sa.literal(product_id).in_(_IN_CATEGORY.scalar_subquery()))
    return listing.page(s, select, FIELDS, q, _category)


def _check_parent(s: AppSession, category_id: int | None, parent_id: int | None) -> None:
    if parent_id is None:
        return
    seen = {category_id}
    while parent_id:
        if parent_id in seen:
            raise InvalidParameter("A category cannot be its own parent")
        parent = get(s, parent_id)
        if parent is None:
            raise InvalidParameter(f"No product category has the id {parent_id}")
        seen.add(parent_id)
        parent_id = parent.parent_id


def add(s: AppSession, values: dict) -> int:
    """``values`` in ProductCategory's field names."""
    _check_parent(s, None, values.get("ParentId"))
    return records.add(s, "ProductCategory", values)


def update(s: AppSession, category_id: int, values: dict) -> None:
    if "ParentId" in values:
        _check_parent(s, category_id, values["ParentId"])
    if values:
        records.update(s, "ProductCategory", category_id, values)


def delete(s: AppSession, category_id: int) -> None:
    """Delete a category: its products leave it, its subcategories move to the top, its category discounts
    stop covering it."""
    s.delete(_pca, _pca.c.product_category_id == category_id)
    for child in [r.id for r in s.execute(s.select(_pc, _pc.c.id).where(_pc.c.parent_id == category_id))]:
        records.update(s, "ProductCategory", child, {"ParentId": 0})
    dc = schema.discount_category
    s.delete(dc, dc.c.product_category_id == category_id)
    records.delete(s, "ProductCategory", category_id)


def set_image(s: AppSession, category_id: int, data: bytes | None) -> None:
    records.update(s, "ProductCategory", category_id, {"CategoryImage": data})


def assign(s: AppSession, category_id: int, product_ids: list[int]) -> list[int]:
    """Put products in a category (those already in it stay once); returns the products added."""
    missing = sorted(set(product_ids) - set(products.products_by_id(s, product_ids)))
    if missing:
        raise InvalidParameter(f"No product has the id {missing[0]}")
    have = {r.product_id for r in s.execute(s.select(_pca, _pca.c.product_id)
                                            .where(_pca.c.product_category_id == category_id))}
    fresh = [p for p in dict.fromkeys(product_ids) if p not in have]
    for product_id in fresh:
        records.add(s, "ProductCategoryAssign", {"ProductId": product_id, "ProductCategoryId": category_id})
    return fresh


def page_assigned(s: AppSession, q: listing.ListQuery) -> listing.Page[Assigned]:
    """Categories with the products in them (under ``q``'s product and category conditions), by category."""
    select = s.select(_pca, _pca.c.product_category_id).distinct()
    found = listing.page(s, select, ASSIGNED_FIELDS, q, lambda r: r.product_category_id)
    products_in: dict[int, list[int]] = {c: [] for c in found.items}
    if found.items:
        rows = s.execute(s.select(_pca, _pca.c.product_category_id, _pca.c.product_id)
                         .where(_pca.c.product_category_id.in_(found.items),
                                *(listing.condition(ASSIGNED_FIELDS, c) for c in q.where))
                         .order_by(_pca.c.product_id))
        for r in rows:
            if r.product_id not in products_in[r.product_category_id]:
                products_in[r.product_category_id].append(r.product_id)
    found.items = [Assigned(c, tuple(products_in[c])) for c in found.items]
    return found


def of_products(s: AppSession, product_ids) -> dict[int, list[int]]:
    """The categories each product is in."""
    ids = list(product_ids)
    out: dict[int, list[int]] = {}
    if ids:
        q = (s.select(_pca, _pca.c.product_id, _pca.c.product_category_id).where(_pca.c.product_id.in_(ids))
             .order_by(_pca.c.product_category_id))
        for r in s.execute(q):
            if r.product_category_id and r.product_category_id not in out.setdefault(r.product_id, []):
                out[r.product_id].append(r.product_category_id)
    return out
