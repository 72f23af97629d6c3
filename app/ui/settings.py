"""Settings kept between launches with QSettings: recent files, recent remote hosts, last
device, theme, recording level, the worker's BLAS/OpenMP threads and the window's geometry
and dock layout."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 8


class Settings:
    """Typed access to the app's QSettings (organisation 'Gradscope', application 'gradscope')."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self.q = qsettings or QSettings("Gradscope", "gradscope")

    def _get(self, key: str, default):
        value = self.q.value(key, default)
        return default if value is None else value

    @property
    def recent_files(self) -> list[str]:
        value = self._get("recent_files", [])
        return [value] if isinstance(value, str) else list(value)

    def add_recent(self, path: str) -> None:
        files = [path] + [f for f in self.recent_files if f != path]
        self.q.setValue("recent_files", files[:MAX_RECENT])

    @property
    def recent_hosts(self) -> list[str]:
        """The ssh destinations of File > Open remote, newest first."""
        value = self._get("recent_hosts", [])
        hosts = [value] if isinstance(value, str) else list(value)
        return [h for h in hosts if isinstance(h, str) and h]

    def add_recent_host(self, host: str) -> None:
        hosts = [host] + [h for h in self.recent_hosts if h != host]
        self.q.setValue("recent_hosts", hosts[:MAX_RECENT])

    @property
    def device(self) -> str:
        return str(self._get("device", "cpu"))

    @device.setter
    def device(self, value: str) -> None:
        self.q.setValue("device", value)

    @property
    def theme(self) -> str:
        return str(self._get("theme", "dark"))

    @theme.setter
    def theme(self, value: str) -> None:
        self.q.setValue("theme", value)

    @property
    def recording(self) -> str:
        return str(self._get("recording", "basic"))

    @recording.setter
    def recording(self, value: str) -> None:
        self.q.setValue("recording", value)

    @property
    def threads(self) -> int | None:
        """BLAS/OpenMP threads for new workers; None (unset or unreadable): the runner's
        default."""
        try:
            value = int(self._get("threads", 0))
        except (TypeError, ValueError):
            return None
        return value if value > 0 else None

    @threads.setter
    def threads(self, value: int | None) -> None:
        self.q.setValue("threads", int(value or 0))

    def window_state(self) -> tuple[QByteArray | None, QByteArray | None]:
        return self.q.value("geometry"), self.q.value("window_state")

    def save_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        self.q.setValue("geometry", geometry)
        self.q.setValue("window_state", state)

    def sync(self) -> None:
        self.q.sync()
