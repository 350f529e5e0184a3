"""Every service and method of the real XML-RPC API, read from the spec's own method tables (a copy of
``xmlrpc-api.md`` §2 in ``server/xmlrpc/spec/``; ``tests/test_docs.py`` checks the copy against ``../shared/spec``
when that is there), never typed again here: what docs/api-coverage.md lists, each method marked served or not.

A row of §2 is ``| tier | `method` | …``: tiers ★ are documented (DOCUMENTED), ☆ seen only in client libraries
(UNDOCUMENTED). A section may hold several services (``### 2.9 APIAffiliateService, AffiliateService, …``), whose
rows then name the service (```AffiliateService.getRedirectLinksForAffiliate```).

Two lists are ours, each entry with its reason: ALIASES, names the sandbox also answers that §2's tables do not
list as rows (the spec's notes ask for them), and NOT_EXPOSED, names a client library calls but the real server
does not answer (``No such handler``), which the sandbox does not serve either.
"""
from __future__ import annotations

import re
from pathlib import Path

SPEC = Path(__file__).resolve().parent / "spec" / "xmlrpc-api.md"

_SECTION = re.compile(r"### 2\.\d+ ([A-Za-z]+)")
_ROW = re.compile(r"\|\s*([★☆]+)\s*\|\s*(.+?)\s*\|")
_NAME = re.compile(r"`([A-Za-z][A-Za-z.]*)[^`]*`")


def _read(text: str) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    documented: dict[str, list[str]] = {}
    undocumented: dict[str, list[str]] = {}
    methods = text[text.index("## 2. Services and methods"):text.index("## 3. DataService tables")]
    service = None
    for line in methods.splitlines():
        heading = _SECTION.match(line)
        if heading:
            service = heading.group(1)
            continue
        row = _ROW.match(line)
        if row is None or service is None:
            continue
        into = undocumented if "☆" in row.group(1) else documented
        for name in _NAME.findall(row.group(2)):
            owner, _, method = name.rpartition(".")
            listed = into.setdefault(owner or service, [])
            if method not in listed:
                listed.append(method)
    return ({s: tuple(ms) for s, ms in documented.items()}, {s: tuple(ms) for s, ms in undocumented.items()})


DOCUMENTED, UNDOCUMENTED = _read(SPEC.read_text(encoding="utf-8"))

ALIASES: dict[str, str] = {
    "DataService.getAppointmentCal": "§2.2's note on getAppointmentICal: the PHP SDK and yail call it this; "
                                     "register both",
    "APIAffiliateService.updatePhoneStats": "§2.9 lists AffiliateService.updatePhoneStats; Novak sends it to "
                                            "APIAffiliateService too",
}

NOT_EXPOSED: dict[str, str] = {
    # Novak's DataService.php keeps its wrapper commented out: "This is in the DataService.java file, but not
    # exposed..."; its generated DataServiceBase, made from the served methods, has no getMetaData.
    "DataService.getMetaData": 'Novak SDK: "in the DataService.java file, but not exposed"',
}


def names() -> set[str]:
    """Every method name the spec's tables list, documented or not."""
    return {f"{s}.{m}" for catalog in (DOCUMENTED, UNDOCUMENTED) for s, ms in catalog.items() for m in ms}
