"""One module per XML-RPC service; importing this package registers every method."""
from . import contact, data, email, funnel  # noqa: F401
from . import affiliate, file, search, service_call, webform, webtracking  # noqa: F401
from server.domain import contact_records, lead_sources  # noqa: F401  (writers of tables without a service)
