"""A commission program's rates: its default commission, and the commissions of products and subscription
plans (the contract's ``defaultCommissionPrograms``, ``productCommissionPrograms``,
``subscriptionCommissionPrograms`` and the two ``:remove...Commission`` verbs), over
server.domain.affiliates.program_commissions. Every write answers the program with its rates
(GetRestCommissionProgram).

v2 wire rules of this family: rates come as text (the contract's CommissionItemRequest: ``"10.5"``), a
percentage from 0 to 100 and an amount 0 or more; the deprecated ``percentage`` and ``dollar_amount`` set
level 1's sale percentage and amount (the contract: "set for the Sale ... deprecated for level_1"); a PATCH
replaces each level it changes whole, and a masked level missing from the body is cleared. A program has one
default and one commission per product or plan: adding a second is a 409, changing or removing a missing one
a 404.
"""
from __future__ import annotations

from server.domain.affiliates import program_commissions as domain

from .affiliate_programs import program_detail_json, require_program
from .api import Request, operation
from .errors import ApiError, conflict, invalid_field
from .wire import in_id

_PROPERTIES = ("percentage", "dollar_amount", "payout_type", *domain.LEVELS)


def _rate(text, name: str, *, percent: bool) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        raise invalid_field(name, f"'{text}' is not a number") from None
    if not 0 <= value <= (100 if percent else float("inf")) or value == float("inf"):
        raise invalid_field(name, "must be from 0 to 100" if percent else "must be 0 or more")
    return value


def _rates(r: Request, changed: set[str], before: dict | None = None) -> dict:
    """The setting's rates after the properties ``changed`` (the rest kept from ``before``)."""
    rates = {level: dict(values) for level, values in (before or {}).items()}
    for level in domain.LEVELS:
        if level in changed:
            given = r.body.get(level) or {}
            rates[level] = {k: _rate(v, f"{level}.{k}", percent=k.endswith("percent"))
                            for k, v in given.items() if v not in (None, "")}
    for prop, rate in (("percentage", "sale_percent"), ("dollar_amount", "sale_amount")):
        if prop in changed:
            level_1 = rates.setdefault("level_1", {})
            if r.body.get(prop) in (None, ""):
                level_1.pop(rate, None)
            else:
                level_1[rate] = _rate(r.body[prop], prop, percent=prop == "percentage")
    return {level: values for level, values in rates.items() if values}


def _payout(r: Request, changed: set[str], before: domain.Setting | None) -> str:
    if "payout_type" in changed:
        return r.body.get("payout_type") or "UPFRONT"
    return before.payout_type if before else "UPFRONT"


def _reference(r: Request, name: str, exists) -> int:
    given = r.body.get(name)
    if not given:
        raise invalid_field(name, f"{name} is required")
    record_id = in_id(given, name)
    if not exists(r.s, record_id):
        raise invalid_field(name, f"no record has the id {given}")
    return record_id


def _missing(what: str, program_id: int, record_id=None) -> ApiError:
    resource = f"{program_id}/{record_id}" if record_id is not None else str(program_id)
    return ApiError(404, f"Commission program {program_id} has no {what}", domain="Commission Program",
                    resource=resource)


def _set(r: Request, program_id: int, kind: str, *, create: bool, **key) -> dict:
    require_program(r.s, program_id)
    before = domain.find(r.s, program_id, kind, **key)
    if create and before is not None:
        raise conflict(f"Commission program {program_id} already has this {kind} commission; PATCH it")
    if not create and before is None:
        raise _missing(f"{kind} commission", program_id, next(iter(key.values()), None))
    changed = set(_PROPERTIES) & set(r.body) if create else r.changed(_PROPERTIES)
    domain.put(r.s, program_id, kind, _payout(r, changed, before), _rates(r, changed, before and before.rates),
               **key)
    return program_detail_json(r.s, require_program(r.s, program_id))


@operation("createDefaultCommissionProgram")
def create_default_commission(r: Request, commission_program_id: int) -> dict:
    return _set(r, commission_program_id, domain.DEFAULT, create=True)


@operation("updateDefaultCommissionProgram")
def update_default_commission(r: Request, commission_program_id: int) -> dict:
    return _set(r, commission_program_id, domain.DEFAULT, create=False)


@operation("assignProductCommissionProgram")
def assign_product_commission(r: Request, commission_program_id: int) -> dict:
    product_id = _reference(r, "product_id", domain.product_exists)
    return _set(r, commission_program_id, domain.PRODUCT, create=True, product_id=product_id)


@operation("updateProductCommissionProgram")
def update_product_commission(r: Request, commission_program_id: int) -> dict:
    product_id = _reference(r, "product_id", domain.product_exists)
    return _set(r, commission_program_id, domain.PRODUCT, create=False, product_id=product_id)


@operation("assignSubscriptionCommissionProgram")
def assign_subscription_commission(r: Request, commission_program_id: int) -> dict:
    plan_id = _reference(r, "subscription_id", domain.plan_exists)
    return _set(r, commission_program_id, domain.SUBSCRIPTION, create=True, plan_id=plan_id)


@operation("updateSubscriptionCommissionProgram")
def update_subscription_commission(r: Request, commission_program_id: int) -> dict:
    plan_id = _reference(r, "subscription_id", domain.plan_exists)
    return _set(r, commission_program_id, domain.SUBSCRIPTION, create=False, plan_id=plan_id)


@operation("removeProductCommissionFromCommissions")
def remove_product_commission(r: Request, commission_id: int) -> None:
    require_program(r.s, commission_id)
    product_id = in_id(r.body.get("product_id") or "", "product_id")
    if not domain.remove(r.s, commission_id, domain.PRODUCT, product_id=product_id):
        raise _missing("product commission", commission_id, product_id)


@operation("removeSubscriptionPlanCommissionFromCommissions")
def remove_subscription_commission(r: Request, commission_id: int) -> None:
    require_program(r.s, commission_id)
    plan_id = in_id(r.body.get("subscription_plan_id") or "", "subscription_plan_id")
    if not domain.remove(r.s, commission_id, domain.SUBSCRIPTION, plan_id=plan_id):
        raise _missing("subscription commission", commission_id, plan_id)
