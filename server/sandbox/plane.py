"""The control plane's Flask routes: the control API under /sandbox/ (server.sandbox.control) and the inspector at
/sandbox/ui/ and / (server.inspector), registered on an application of their own at the first request to one of
them (server.sandbox.front).

The health probes are registered here too, so the control API's OpenAPI document (server.sandbox.control.openapi,
last: it documents the routes registered before it) describes them as before, but the main application answers
them: they are polled before anything else is asked.
"""
from __future__ import annotations

from flask import Flask

from server.inspector import bp as inspector_bp
from server.inspector import root as inspector_root_bp
from server.sandbox.control.apps import bp as control_bp
from server.sandbox.control.broadcasts import bp as broadcasts_bp
from server.sandbox.control.campaigns import bp as campaigns_bp
from server.sandbox.control.clock import bp as clock_bp
from server.sandbox.control.contact_import import bp as contact_import_bp
from server.sandbox.control.credentials import bp as credentials_bp
from server.sandbox.control.email import bp as email_bp
from server.sandbox.control.exports import bp as exports_bp
from server.sandbox.control.faults import bp as faults_bp
from server.sandbox.control.health import bp as health_bp
from server.sandbox.control.hooks import bp as hooks_bp
from server.sandbox.control.journal import bp as journal_bp
from server.sandbox.control.migration import bp as migration_bp
from server.sandbox.control.openapi import bp as control_openapi_bp
from server.sandbox.control.saved_searches import bp as saved_searches_bp
from server.sandbox.control.snapshots import bp as snapshots_bp
from server.sandbox.control.vendor_keys import bp as vendor_keys_bp

BLUEPRINTS = (health_bp, control_bp, credentials_bp, campaigns_bp, vendor_keys_bp, hooks_bp, email_bp, broadcasts_bp,
              faults_bp, snapshots_bp, exports_bp, contact_import_bp, journal_bp, clock_bp, migration_bp,
              saved_searches_bp,
              inspector_bp,  # the pages at /sandbox/ui/
              inspector_root_bp,  # and the app list at /
              control_openapi_bp)  # last: it documents the routes registered before it


def register(app: Flask) -> None:
    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
