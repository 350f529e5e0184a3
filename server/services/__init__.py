"""One module per XML-RPC service; importing this package registers every method."""
from . import (contact, credit_card_submission, data, discount, email, invoice, order, product,  # noqa: F401
               shipping)
