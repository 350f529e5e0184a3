"""Product options: what a product can be ordered with, a fixed list of values (``FixedList``, each value with
a price adjustment) or free text under rules (``Variable``: length, spaces, which characters it may start
with, contain and end with). ProductOption and ProductOptValue rows, written through DataService's writer
(``productOption.*`` events as ``product_option.added`` …); what DataService cannot write (the text rule's
error message) next to them.

Character rules are kept as Infusionsoft keeps them: ``CanContain`` and ``CanStartWith`` as text
(``Characters``, ``Numbers``, ``Both``; empty: no rule), ``CanEndWith`` as a number (1 characters, 2 numbers,
3 both; 0 no rule).
"""
from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa

from server.domain.data import records
from server.store import schema
from server.store.session import AppSession

from . import products

FIXED, VARIABLE = "FixedList", "Variable"
RULES = ("Characters", "Numbers", "Both")  # CanContain / CanStartWith; CanEndWith is the index + 1


class OptionValue(NamedTuple):
    id: int
    option_id: int
    label: str | None
    sku: str | None
    index: int
    price_adjustment: float
    is_default: bool


class Option(NamedTuple):
    id: int
    product_id: int
    label: str | None
    required: bool
    order: int
    type: str  # FIXED or VARIABLE
    min_chars: int | None
    max_chars: int | None
    allow_spaces: bool
    contains: str | None  # one of RULES, or None
    starts_with: str | None
    ends_with: str | None
    error_message: str | None
    values: tuple[OptionValue, ...]


_po, _pov = schema.product_option, schema.product_opt_value


def rule(text: str | None) -> str | None:
    """A stored CanContain / CanStartWith as one of RULES (older rows say ``char``, ``num``, ``both``)."""
    low = (text or "").strip().lower()
    if not low:
        return None
    if low.startswith("both"):
        return "Both"
    return "Characters" if low.startswith(("char", "letter")) else "Numbers" if low.startswith(("num", "digit")) \
        else None


def end_rule(code: int | None) -> str | None:
    return RULES[code - 1] if code in (1, 2, 3) else None


def end_code(value: str | None) -> int:
    return RULES.index(value) + 1 if value in RULES else 0


def _option(r, values) -> Option:
    kind = VARIABLE if (r.option_type or "").strip().lower().startswith("var") else FIXED
    return Option(r.id, r.product_id, r.label or r.name, bool(r.is_required), int(r.option_order or 0), kind,
                  r.min_chars, r.max_chars, bool(r.allow_spaces), rule(r.can_contain), rule(r.can_start_with),
                  end_rule(r.can_end_with), r.error_message, tuple(values))


def options_of(s: AppSession, product_ids) -> dict[int, list[Option]]:
    """Each product's options in display order, with their values in theirs."""
    ids = list(product_ids)
    if not ids:
        return {}
    rows = s.execute(s.select(_po).where(_po.c.product_id.in_(ids)).order_by(_po.c.option_order, _po.c.id)).all()
    values: dict[int, list[OptionValue]] = {}
    if rows:
        q = (s.select(_pov).where(_pov.c.product_option_id.in_([o.id for o in rows]))
             .order_by(sa.func.coalesce(_pov.c.option_index, 0), _pov.c.id))
        for v in s.execute(q):
            values.setdefault(v.product_option_id, []).append(OptionValue(
                v.id, v.product_option_id, v.label or v.name, v.sku, int(v.option_index or 0),
                float(v.price_adjustment or 0.0), bool(v.is_default)))
    out: dict[int, list[Option]] = {}
    for r in rows:
        out.setdefault(r.product_id, []).append(_option(r, values.get(r.id, ())))
    return out


def get(s: AppSession, product_id: int, option_id: int) -> Option | None:
    return next((o for o in options_of(s, [product_id]).get(product_id, []) if o.id == option_id), None)


def add(s: AppSession, product_id: int, values: dict, error_message: str | None = None) -> int:
    """An option of a product: ``values`` in ProductOption's field names."""
    products.require(s, product_id)
    option_id = records.add(s, "ProductOption", {**values, "ProductId": product_id})
    if error_message is not None:
        s.update(_po, _po.c.id == option_id, error_message=error_message)
    return option_id


def update(s: AppSession, option_id: int, values: dict, error_message: str | None = None,
           *, clear_message: bool = False) -> None:
    if values:
        records.update(s, "ProductOption", option_id, values)
    if error_message is not None or clear_message:
        s.update(_po, _po.c.id == option_id, error_message=error_message)
        if not values:
            s.emit("product_option.updated", "product_option", option_id, fields=["error_message"])


def delete(s: AppSession, option_id: int) -> None:
    for value_id in [r.id for r in s.execute(s.select(_pov, _pov.c.id).where(_pov.c.product_option_id == option_id))]:
        records.delete(s, "ProductOptValue", value_id)
    records.delete(s, "ProductOption", option_id)


def add_value(s: AppSession, option_id: int, values: dict) -> int:
    """A value of a list option: ``values`` in ProductOptValue's field names."""
    return records.add(s, "ProductOptValue", {**values, "ProductOptionId": option_id})


def update_value(s: AppSession, value_id: int, values: dict) -> None:
    if values:
        records.update(s, "ProductOptValue", value_id, values)


def delete_value(s: AppSession, value_id: int) -> None:
    records.delete(s, "ProductOptValue", value_id)
