"""Fault injection (issue 16 §2): per-app rules that break chosen calls on purpose, so that a client's handling
of a fault, a 429, a slow or dropped connection, a garbled answer or a write whose answer was lost can be
rehearsed. ``rules`` describes a rule and decides matches; ``injector`` picks a call's fault from the stored
rules; ``actions`` does it; ``http`` wraps the HTTP transports (REST v1, REST v2, the token endpoint). The gate
(server.gate) applies them to XML-RPC calls; the control API is server.sandbox.control.faults.
"""
