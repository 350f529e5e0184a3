"""One module per XML-RPC service; importing this package registers every method."""
# writers of tables without a service of their own
from server.domain.commerce import cards, orders, products, subscriptions  # noqa: F401
from server.domain.crm import lead_sources, opportunities  # noqa: F401
from server.domain.data import contact_records  # noqa: F401

from . import (  # noqa: F401
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
