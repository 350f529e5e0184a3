"""Links from contacts of other apps to this app's contacts: ContactService.linkContact, locateContactLink and
markLinkUpdated (undocumented; the Ruby gem and the Novak SDK send them, with the parameter names
``remoteApp, remoteId, localId`` and ``locateMapId``; no answer of the real service is recorded).

``linkContact`` records that contact ``remoteId`` of the app ``remoteApp`` is this app's contact ``localId`` and
answers the link's id, the ``locateMapId`` its two siblings take (the only place a client could learn one).
Linking the same remote contact again points the link at the new local contact and keeps its id.
``locateContactLink`` answers the local contact id, 0 when there is no such link (as ``locateExistingCard``
answers 0 for no card); ``markLinkUpdated`` stamps the link's last update and answers true, false when there is
no such link. The remote app is only a name: nothing of another app is read or written (tenancy). A merge
moves the duplicate's links to the contact kept; the link of a deleted contact locates nothing (0).
"""
from __future__ import annotations

from server.domain.errors import InvalidParameter, MethodFailed
from server.domain.mail import emails
from server.store import schema
from server.store.session import AppSession, Event


def link(s: AppSession, remote_app: str, remote_id: int, local_id: int) -> int:
    remote_app = remote_app.strip().lower()  # app names are host names: case does not matter
    if not remote_app:
        raise InvalidParameter("remoteApp must name an application")
    if remote_id <= 0:
        raise InvalidParameter("remoteId must be a contact id of the remote application")
    if not emails.contact_exists(s, local_id):
        raise MethodFailed("localId must be a valid id")  # the recorded addToGroup wording, for this parameter
    lm = schema.contact_locate_map
    now = s.now_local()
    row = s.execute(s.select(lm).where(lm.c.remote_app == remote_app, lm.c.remote_id == remote_id)).first()
    if row is None:
        link_id = s.next_id("contact_locate_map")
        s.insert(lm, dict(id=link_id, remote_app=remote_app, remote_id=remote_id, local_id=local_id,
                          date_created=now, last_updated=now))
    else:
        link_id = row.id
        s.update(lm, lm.c.id == link_id, local_id=local_id, last_updated=now)
    s.emit("contact_locate_map.linked", "contact_locate_map", link_id, contact_id=local_id, remote_app=remote_app,
           remote_id=remote_id)
    return link_id


def locate(s: AppSession, locate_map_id: int) -> int:
    row = s.get(schema.contact_locate_map, locate_map_id)
    return row.local_id if row is not None and emails.contact_exists(s, row.local_id) else 0


def mark_updated(s: AppSession, locate_map_id: int) -> bool:
    lm = schema.contact_locate_map
    row = s.get(lm, locate_map_id)
    if row is None:
        return False
    s.update(lm, lm.c.id == locate_map_id, last_updated=s.now_local())
    s.emit("contact_locate_map.updated", "contact_locate_map", locate_map_id, contact_id=row.local_id,
           remote_app=row.remote_app, remote_id=row.remote_id)
    return True


def follow_merge(s: AppSession, event: Event) -> None:
    """On ``contact.merged``: the duplicate's links to remote apps belong to the contact kept."""
    lm = schema.contact_locate_map
    s.update(lm, lm.c.local_id == event.payload["duplicate_id"], local_id=event.entity_id)
