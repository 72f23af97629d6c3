"""JSON export of a capture or a session: the same schema as the session file's members
(non-finite floats as "nan"/"inf"/"-inf"; thumbnails left out)."""

from __future__ import annotations

import json
import os
from typing import Any

from autograd_core.trace.atomic import atomic_write
from autograd_core.trace.codec import encode
from autograd_core.trace.records import IterationCapture
from autograd_core.trace.session import SCHEMA_VERSION, Session


def to_json(obj: IterationCapture | Session) -> dict[str, Any]:
    """A JSON-ready dict of a capture or of a whole session."""
    if isinstance(obj, Session):
        return {**obj.header(), "captures": [encode(c, None) for c in obj.captures]}
    return {"schema_version": SCHEMA_VERSION, "capture": encode(obj, None)}


def export_json(obj: IterationCapture | Session, path: str | os.PathLike) -> None:
    with atomic_write(path, "w", encoding="utf-8") as f:
        json.dump(to_json(obj), f, allow_nan=False)
