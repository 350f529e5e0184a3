"""What the gateway says about quotas: the headers on every call and the answer when a limit is hit, in each
profile's own words (spec rest-oauth-throttle.md §11, xmlrpc-api.md §5.3-5.4).

``current`` is the Apigee gateway since 2020 (renamed ``x-keap-*`` headers since 2022); ``classic`` is the
Mashery gateway before it (``X-Plan-*`` headers, 403 answers with ``X-Mashery-Error-Code``).
"""
from __future__ import annotations

import math
from datetime import datetime

from server.auth.gateway import GatewayRejection, apigee_fault
from server.clock import UTC

from .windows import Usage, Verdict

_UNITS = {"quota": ("day", "1"), "throttle": ("minute", "1"), "tenant-minute": ("minute", "1"),
          "tenant-day": ("day", "1")}


def _by_name(verdict: Verdict | None) -> dict[str, Usage]:
    return {u.limit.name: u for u in verdict.usage} if verdict else {}


# a product window's five header names (made once) and its time unit
_PARTS = ("limit", "time-unit", "interval", "available", "used")
_QUOTA = (tuple(f"x-keap-product-quota-{part}" for part in _PARTS), "day")
_THROTTLE = (tuple(f"x-keap-product-throttle-{part}" for part in _PARTS), "minute")


def _product_window(headers: dict[str, str], window: tuple, u: Usage) -> None:
    (limit_name, unit_name, interval_name, available_name, used_name), unit = window
    limit, used = u.limit, u.used
    headers[limit_name] = limit.text
    headers[unit_name] = unit
    headers[interval_name] = "1"
    headers[available_name] = str(limit.limit - used) if used < limit.limit else "0"
    headers[used_name] = str(used)


def current_headers(credential: Verdict, tenant: Verdict | None, tenant_id: str) -> dict[str, str]:
    """(On every gateway call: written out directly, the limits' own text made once.)"""
    quota = throttle = None
    for u in credential.usage:
        if u.limit.name == "quota":
            quota = u
        elif u.limit.name == "throttle":
            throttle = u
    headers: dict[str, str] = {}
    if quota:
        _product_window(headers, _QUOTA, quota)
        headers["x-keap-product-quota-expiry-time"] = str(int(quota.resets_at * 1000))  # epoch ms of 00:00 UTC
    if throttle:
        _product_window(headers, _THROTTLE, throttle)
    headers["x-keap-tenant-id"] = tenant_id
    if tenant and tenant.usage:
        # a 2026 third-party report: both tenant windows in one header, pipe-delimited
        usage = tenant.usage
        headers["x-keap-tenant-throttle-limit"] = "|".join([u.limit.text for u in usage])
        headers["x-keap-tenant-throttle-time-unit"] = "|".join([_UNITS[u.limit.name][0] for u in usage])
        headers["x-keap-tenant-throttle-interval"] = "|".join(["1"] * len(usage))
        headers["x-keap-tenant-throttle-available"] = "|".join([str(u.available) for u in usage])
        headers["x-keap-tenant-throttle-used"] = "|".join([str(u.used) for u in usage])
    return headers


def _mashery_date(ts: float) -> str:
    moment = datetime.fromtimestamp(ts, UTC)
    return moment.strftime("%A, %B %-d, %Y %-I:%M:%S %p GMT")


def classic_headers(credential: Verdict) -> dict[str, str]:
    usage = _by_name(credential)
    headers: dict[str, str] = {}
    spike = usage.get("spike")
    if spike:
        headers["X-Plan-QPS-Allotted"] = str(spike.limit.limit)
        headers["X-Plan-QPS-Current"] = str(spike.used)
    quota = usage.get("quota")
    if quota:
        headers["X-Plan-Quota-Allotted"] = str(quota.limit.limit)
        headers["X-Plan-Quota-Current"] = str(quota.used)
        headers["X-Plan-Quota-Reset"] = _mashery_date(quota.resets_at)
    return headers


def current_refusal(violated: Usage, now: float, retry_after: bool) -> GatewayRejection:
    if violated.limit.name == "spike":
        rejection = apigee_fault(
            429, "Spike arrest violation. Allowed rate : MessageRate{messagesPerPeriod="
                 f"{violated.limit.limit}, periodInMicroseconds=1000000, maxBurstMessageCount=1.0}}",
            "policies.ratelimit.SpikeArrestViolation")
    else:
        rejection = GatewayRejection(429, {"code": "429", "message": "Quota Exceeded",
                                           "status": "Request Throttled", "details": None})
    if retry_after:
        rejection.headers["Retry-After"] = str(max(1, math.ceil(violated.resets_at - now)))
    return rejection


def classic_refusal(violated: Usage, now: float, usage_headers: dict[str, str]) -> GatewayRejection:
    over_qps = violated.limit.name == "spike"
    code = "ERR_403_DEVELOPER_OVER_QPS" if over_qps else "ERR_403_DEVELOPER_OVER_RATE"
    detail = "Account Over Queries Per Second Limit" if over_qps else "Account Over Rate Limit"
    html = "<h1>Developer Over Qps</h1>" if over_qps else "<h1>Developer Over Rate</h1>"
    rejection = GatewayRejection(403, html, {
        **usage_headers, "X-Mashery-Error-Code": code, "X-Error-Detail-Header": detail,
        "Retry-After": str(max(1, math.ceil(violated.resets_at - now))), "Content-Type": "text/html",
    })
    return rejection
