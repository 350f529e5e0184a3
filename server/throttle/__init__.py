"""Throttling that behaves like the real service, on the app's clock.

Two regimes: the legacy API key's per-app token bucket with its held calls and thread-throttle fault
(legacy.py), and the gateway's quotas per OAuth client, per Keap API key and per app (windows.py, in the
profile the app picks, answers.py). State lives in a store (store.py): this process, or Redis for several
workers. ``Throttle`` (throttle.py) is what the others call: the gate its ``legacy`` and ``gateway``, the
control API its ``state`` and ``reset``.
"""
