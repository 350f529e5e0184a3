"""InvoiceService.getPluginStatus and InvoiceService.hello (undocumented; iSDK and Novak)."""
from __future__ import annotations

import xmlrpc.client

import pytest

from tests.conftest import fault_of


def test_plugin_status_follows_the_app_option(app):
    name = "com.infusionsoft.plugin.ecommerce.EcommercePlugin"
    assert app.call("InvoiceService.getPluginStatus", name) is True
    r = app.live.control("PATCH", f"/apps/{app.name}/options", json={"ecommerce_plugin_enabled": False})
    assert r.status_code == 200, r.text
    assert app.call("InvoiceService.getPluginStatus", name) is False


def test_hello_greets(app):
    assert app.call("InvoiceService.hello") == "Hello World"
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("InvoiceService.hello", "extra")
    assert fault_of(exc) == (0, "No method matching arguments: java.lang.String, java.lang.String")
