"""Errors of the domain. Each carries its Infusionsoft fault code and tag; each transport turns them
into its own form in one place (XML-RPC faults in server.xmlrpc.faults, REST bodies in server.rest).

Codes 1-15 and their tags come from the Ruby gem's exception handler (spec xmlrpc-api.md §1.5.1). The
fault string is ``[Tag]message`` with no space after the bracket, as in every observed example.
"""
from __future__ import annotations


class SandboxError(Exception):
    """Base of every error the sandbox reports on purpose."""

    code: int = 3
    tag: str | None = "Unexpected"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    @property
    def fault_string(self) -> str:
        return f"[{self.tag}]{self.message}" if self.tag else self.message


class InvalidConfig(SandboxError):
    code, tag = 1, "InvalidConfig"

    def __init__(self, message: str = "Invalid Configuration: for help setting up your API, please contact "
                                      "Support (1-866-800-0004 ext. 2)"):  # the recorded string
        super().__init__(message)


class InvalidKey(SandboxError):
    code, tag = 2, "InvalidKey"

    def __init__(self, message: str = "Invalid Key"):
        super().__init__(message)


class Unexpected(SandboxError):
    code, tag = 3, "Unexpected"


class DatabaseError(SandboxError):
    code, tag = 4, "DatabaseError"  # the observed tag is [DatabaseError] (vendor sample), code 4


class RecordNotFound(SandboxError):
    code, tag = 5, "RecordNotFound"


def not_found(what: str, record_id) -> RecordNotFound:
    """The fault for an id that names nothing, in the style of the recorded
    ``Unable to perform update. Record not found for Id:48872``."""
    return RecordNotFound(f"Unable to load {what}. Record not found for Id:{record_id}")


class LoadingError(SandboxError):
    code, tag = 6, "Loading"  # observed: [Loading]Error loading follow-up sequence


class NoTableAccess(SandboxError):
    code, tag = 7, "NoTableAccess"


class NoFieldAccess(SandboxError):
    code, tag = 8, "NoFieldAccess"


class NoTableFound(SandboxError):
    code, tag = 9, "NoTableFound"


class NoFieldFound(SandboxError):
    code, tag = 10, "NoFieldFound"


class NoFields(SandboxError):
    code, tag = 11, "NoFields"


class InvalidParameter(SandboxError):
    code, tag = 12, "InvalidParameter"


class OutOfRange(InvalidParameter):
    """A whole number outside the 32-bit range of the real server's integer fields (java.lang.Integer)."""

    def __init__(self, message: str, sign: int):
        super().__init__(message)
        self.sign = sign  # +1 above the range, -1 below it


class FailedLoginAttempt(SandboxError):
    code, tag = 13, "FailedLoginAttempt"


class NoAccess(SandboxError):
    code, tag = 14, "NoAccess"


class FailedLoginAttemptPasswordExpired(SandboxError):
    code, tag = 15, "FailedLoginAttemptPasswordExpired"


class MethodFailed(SandboxError):
    """An exception inside a service method, reported by the real server as fault 0
    ``Failed to invoke method <m> in class com.infusionsoft.api.xmlrpc.XmlRpc<Service>: <message>``."""

    code, tag = 0, None


class ProtocolError(SandboxError):
    """The request could not be parsed or dispatched (Apache XML-RPC layer, fault 0, no tag)."""

    code, tag = 0, None


class ThrottledError(SandboxError):
    """The legacy key's thread throttle tripped (fault 500)."""

    code, tag = 500, None


FAULT_CLASSES = {cls.code: cls for cls in (
    InvalidConfig, InvalidKey, Unexpected, DatabaseError, RecordNotFound, LoadingError, NoTableAccess,
    NoFieldAccess, NoTableFound, NoFieldFound, NoFields, InvalidParameter, FailedLoginAttempt, NoAccess,
    FailedLoginAttemptPasswordExpired,
)}
