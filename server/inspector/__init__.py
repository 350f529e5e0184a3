"""The inspector: server-rendered pages at ``/`` and ``/sandbox/ui/`` that show an app and drive it through the
control API's own functions (docs/inspector.md). ``bp`` is the pages, ``root`` the app list at ``/``."""
from . import apps, campaigns, contacts, journal, mail, migration, outbox, tools, users  # noqa: F401 (each module adds its pages to bp)
from .apps import root
from .web import bp

__all__ = ["bp", "root"]
