"""Where FileService's bytes live: ``<data_dir>/files/<app id>/<2 hex>/<sha-256>``, content-addressed.

The metadata (FileBox rows) is in the database; a row names its bytes by ``storage_key``, the path below
``<data_dir>/files``. A blob is written once and never changed: replacing a file writes a new blob and
points the row at it, so rows copied into another app (snapshots) keep reading what they were copied with.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class FileStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    @staticmethod
    def key(app_id: int, data: bytes) -> str:
        """The storage key ``put`` gives ``data`` kept for ``app_id``."""
        digest = hashlib.sha256(data).hexdigest()
        return f"{int(app_id)}/{digest[:2]}/{digest}"

    def put(self, app_id: int, data: bytes) -> str:
        """Keep ``data`` for ``app_id``; returns its storage key."""
        key = self.key(app_id, data)
        path = self.root / key
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, path)  # atomic: a reader never sees half a file
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return key

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError("storage key outside the file store")
        return path

    def get(self, key: str) -> bytes | None:
        try:
            return self.path(key).read_bytes()
        except (FileNotFoundError, ValueError):
            return None
