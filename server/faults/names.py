"""The names fault-injection rules use, for the transports that name themselves to the injector: each protocol
a rule can match, and the kinds of action (server.faults.rules describes the rules themselves, with pydantic,
loaded when an app has rules)."""
from __future__ import annotations

XMLRPC_LEGACY = "xmlrpc-legacy"  # APPNAME.infusionsoft.com/api/xmlrpc
XMLRPC_GATEWAY = "xmlrpc-gateway"  # api.infusionsoft.com/crm/xmlrpc/v1
REST_V1 = "rest-v1"
REST_V2 = "rest-v2"
OAUTH_TOKEN = "oauth-token"  # POST /token
XMLRPC = (XMLRPC_LEGACY, XMLRPC_GATEWAY)

ERRORS = ("xmlrpc_fault", "http", "drop")  # actions that replace the answer
RESHAPES = ("truncate", "malformed")  # actions that spoil the call's own answer (so it always runs)
