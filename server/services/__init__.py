"""One module per XML-RPC service; importing this package registers every method."""
from server.domain import cards, contact_records, lead_sources, opportunities, orders, products  # noqa: F401
from server.domain import subscriptions  # noqa: F401  (writers of tables without a service of their own)

from . import (affiliate, contact, credit_card_submission, data, discount, email, file, funnel,  # noqa: F401
               invoice, order, product, search, service_call, shipping, webform, webtracking)
