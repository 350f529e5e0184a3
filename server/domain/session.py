"""What the protocols (XML-RPC services, REST v1, REST v2) and the engine know of a session: the app-scoped
session every domain operation takes, and the app it belongs to. Protocol code imports them from here, never
from server.store (the domain is the only layer that reaches the store)."""
from server.store.session import AppRecord, AppSession, Event

__all__ = ["AppRecord", "AppSession", "Event"]
