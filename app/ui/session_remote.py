"""The session model's remote part: the source texts a remote worker sends (`Source` events:
the host's files are not on this machine, so the inspector shows these instead of reading the
local disk) and whether the link to the host was lost (`LinkLost`: what was received stays).
A mixin of `SessionModel` (its `link_lost` signal announces the loss once per connection)."""

from __future__ import annotations

from typing import Any

from app.present.inspect import MAX_SOURCE_BYTES

__all__ = ["MAX_SOURCES", "MAX_SOURCE_TOTAL", "RemoteTracking"]

# A worker is untrusted: what it may make the window keep stays bounded, per run.
MAX_SOURCES = 256                # files
MAX_SOURCE_TOTAL = 32 * 2**20    # characters of all of them together
MAX_PATH_CHARS = 4096


class RemoteTracking:
    """Mixin: `sources` (path on the host -> text, this run's) and `link_lost_reason` (why
    the link dropped, "" while it holds)."""

    sources: dict[str, str]
    _source_chars = 0  # characters held in `sources`
    link_lost_reason: str = ""
    remote_host: str = ""  # the host the open script runs on ("": this machine); set by the
                           # window before it starts the run, kept across its restarts
    link_lost: Any  # the model's Signal(str)

    def _reset_remote(self) -> None:
        """A new run: its sources come again with its captures."""
        self.sources = {}
        self._source_chars = 0
        self.link_lost_reason = ""

    @property
    def remote_run(self) -> bool:
        return bool(self.remote_host)

    def _apply_source(self, event: Any) -> None:
        path, text = getattr(event, "path", None), getattr(event, "text", None)
        if not (isinstance(path, str) and isinstance(text, str)) or not path:
            return  # not what the protocol says: ignored, like any unknown field
        sources = self.sources
        total = self._source_chars - len(sources.get(path, "")) + len(text)
        if (len(text) > MAX_SOURCE_BYTES or len(path) > MAX_PATH_CHARS
                or total > MAX_SOURCE_TOTAL
                or (path not in sources and len(sources) >= MAX_SOURCES)):
            return  # past the bounds: that file's lines show as not sent
        sources[path] = text
        self._source_chars = total

    def _apply_link_lost(self, event: Any) -> None:
        self.link_lost_reason = str(getattr(event, "reason", "") or "the link ended")
        self.link_lost.emit(self.link_lost_reason)

    def note_reconnect(self) -> None:
        """The user asked for a fresh worker over a new link (what was received stays)."""
        self.link_lost_reason = ""
