"""One module per XML-RPC service (``server/services/contact.py`` holds every ``ContactService.*``).

``install`` adds the methods the modules of ``MODULES`` declare (``@xmlrpc``) to the registry."""
from __future__ import annotations

from server.registry import Registry
from server.xmlrpc.methods import declared

from . import (
    affiliate,
    contact,
    credit_card_submission,
    data,
    discount,
    email,
    file,
    funnel,
    invoice,
    order,
    product,
    search,
    service_call,
    shipping,
    webform,
    webtracking,
)

MODULES = (affiliate, contact, credit_card_submission, data, discount, email, file, funnel, invoice, order, product,
           search, service_call, shipping, webform, webtracking)


def install(registry: Registry, config) -> None:
    for module in MODULES:
        registry.add_methods(declared(module))
