"""A contact's social network accounts (the SocialAccount table, read-only to DataService): written whole by
REST (v1's and v2's ``social_accounts``: any account not listed is removed), read by DataService and REST v2."""
from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from server.store import schema
from server.store.session import AppSession

# AccountType as the table keeps it (REST v1's names)
TYPES = ("Facebook", "Twitter", "LinkedIn", "Instagram", "Snapchat", "YouTube", "Pinterest")
MAX_NAME = 255


class SocialAccount(NamedTuple):
    name: str
    type: str  # one of TYPES


def replace(s: AppSession, contact_id: int, accounts: list[SocialAccount]) -> None:
    """The contact's accounts become ``accounts`` (ValueError for a type not in TYPES or a name too long)."""
    for account in accounts:
        if account.type not in TYPES:
            raise ValueError(f"'{account.type}' is not a social account type")
        if len(account.name) > MAX_NAME:
            raise ValueError(f"a social account name is at most {MAX_NAME} characters")
    sa_ = schema.social_account
    s.delete(sa_, sa_.c.contact_id == contact_id)
    now = s.now_local()
    if accounts:
        first = s.next_id("social_account", len(accounts))
        s.insert(sa_, [{"id": first + n, "contact_id": contact_id, "account_name": a.name, "account_type": a.type,
                        "date_created": now, "last_updated": now} for n, a in enumerate(accounts)])
    s.emit("contact.social_accounts_set", "contact", contact_id, count=len(accounts))


def of_contacts(s: AppSession, contact_ids: list[int]) -> dict[int, list[SocialAccount]]:
    if not contact_ids:
        return {}
    sa_ = schema.social_account
    rows = s.execute(s.select(sa_).where(sa_.c.contact_id.in_(contact_ids)).order_by(sa_.c.id)).all()
    out: dict[int, list[SocialAccount]] = defaultdict(list)
    for r in rows:
        out[r.contact_id].append(SocialAccount(r.account_name or "", r.account_type or ""))
    return out


def delete_of_contact(s: AppSession, contact_id: int) -> None:
    sa_ = schema.social_account
    s.delete(sa_, sa_.c.contact_id == contact_id)
