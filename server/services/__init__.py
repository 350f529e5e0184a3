"""One module per XML-RPC service; importing this package registers every method."""
from . import contact, data, email, funnel  # noqa: F401
