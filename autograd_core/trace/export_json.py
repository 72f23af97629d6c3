"""JSON export of a capture or a session: the same schema as the session file's members
(non-finite floats as "nan"/"inf"/"-inf"; thumbnails left out).

Names are kept as the session file keeps them: JSON's own escapes hold control characters
(the output is ASCII), and lone surrogates become U+FFFD in the codec."""

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
        return {**encode(obj.header(), None), "captures": [encode(c, None) for c in obj.captures]}
    return {"schema_version": SCHEMA_VERSION, "capture": encode(obj, None)}


def export_json(obj: IterationCapture | Session, path: str | os.PathLike) -> None:
    """Write `to_json(obj)` atomically (the old file stays if any write fails)."""
    text = json.dumps(to_json(obj), allow_nan=False)
    with atomic_write(path, "w", encoding="utf-8") as f:
        f.write(text)
