"""Every error of an XML-RPC call becomes a fault here, and only here."""
from __future__ import annotations

import logging

from server.domain.errors import MethodFailed, SandboxError

log = logging.getLogger("sandbox.xmlrpc")

# The Java class behind each service, as the real server names it in "Failed to invoke method" faults.
JAVA_CLASSES = {
    "ContactService": "com.infusionsoft.api.xmlrpc.XmlRpcContactService",
    "DataService": "com.infusionsoft.api.xmlrpc.XmlRpcDataService",
    "APIEmailService": "com.infusionsoft.api.xmlrpc.XmlRpcAPIEmailService",
}


def fault_for(exc: BaseException, method_name: str | None) -> tuple[int, str]:
    """``(faultCode, faultString)`` for any exception raised while serving a call."""
    if isinstance(exc, MethodFailed) and method_name:
        service, _, name = method_name.partition(".")
        java = JAVA_CLASSES.get(service, f"com.infusionsoft.api.xmlrpc.XmlRpc{service}")
        return 0, f"Failed to invoke method {name} in class {java}: {exc.message}"
    if isinstance(exc, SandboxError):
        return exc.code, exc.fault_string
    # Never Python's message: log it, and answer like the real server's unexpected-error fault.
    log.exception("unexpected error in %s", method_name)
    return 3, "[Unexpected]An unexpected error occurred; the sandbox logged the details"
