"""The environment of one sandbox: what the code that serves and runs its apps shares, built once by
create_app (or by a command-line tool or a benchmark that works on a store without serving it).

It holds the database engine, the registry (server.registry: methods, routes, listeners, writers, due work),
the change log of the engine, the file store, the base URL of public links for work no request asked for,
and the senders of outside effects (server.senders). Sessions are made from it (``session``), so every
session of a sandbox sees that sandbox's listeners and nothing of another built in the same process.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from server.config import Config
from server.registry import Registry
from server.senders import Senders
from server.store.db import Transaction
from server.store.files import FileStore
from server.store.session import AppRecord, AppSession, ChangeLog, Listener


@dataclass(frozen=True, eq=False)
class Environment:
    engine: Engine
    registry: Registry
    change_log: ChangeLog
    files: FileStore | None
    base_url: str  # what public URLs start with when no request tells, e.g. http://127.0.0.1:8000
    senders: Senders

    @classmethod
    def build(cls, config: Config, engine: Engine, registry: Registry, senders: Senders | None = None) -> Environment:
        return cls(engine=engine, registry=registry, change_log=ChangeLog(engine, registry.log_listeners),
                   files=FileStore(Path(config.data_dir) / "files"), base_url=config.default_base_url,
                   senders=senders or Senders.from_config(config))

    @property
    def listeners(self) -> Mapping[str, Sequence[Listener]]:
        return self.registry.listeners

    def transaction(self, *, write: bool) -> Transaction:
        """A call's transaction on the engine, opened on first use (server.store.db.Transaction)."""
        return Transaction(self.engine, write=write)

    def session(self, conn, app: AppRecord, user_id: int | None = None, *, base_url: str | None = None,
                tally=None) -> AppSession:
        """A session on ``app`` in the transaction ``conn`` (a Connection, or a call's Transaction); ``tally``
        (server.tally) counts what due work does in it."""
        return AppSession(conn, app, user_id, env=self, base_url=base_url, tally=tally)

    def close(self) -> None:
        """Stop listening to the engine (a server being shut down, a tool done with its store)."""
        self.change_log.close()
