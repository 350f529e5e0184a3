"""XML-RPC calls of the CRM services (campaigns, app settings, DataService extras, email, files, saved searches)
translated to REST v2, for the side-by-side compare (issue 19 §3); see translate.py."""
from __future__ import annotations

from collections.abc import Callable

from .v2call import V2Call

CRM_TRANSLATORS: dict[str, Callable[[list], V2Call]] = {
}
