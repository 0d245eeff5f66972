"""The Qt-free contract for long work: cancel token, progress reports, throttling."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


class Cancelled(Exception):
    """Raised by long work when its token was cancelled."""


class CancelToken:
    """Set from any thread (a Cancel button, Ctrl-C); checked by the work between units."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled


@dataclass(frozen=True, slots=True)
class Progress:
    """One snapshot of long work. `total` is 0 while still unknown."""

    done: int
    total: int
    message: str = ""
    bytes_done: int = 0
    bytes_total: int = 0
    elapsed: float = 0.0
    current: str = ""
    extra: dict[str, int] = field(default_factory=dict)

    @property
    def files_per_second(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def bytes_per_second(self) -> float:
        return self.bytes_done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        """Remaining time by the scan model: files / file rate + bytes / byte rate."""
        if self.elapsed < 0.5 or self.done == 0:
            return None
        if self.total <= self.done:
            return 0.0
        rate_files = self.done / self.elapsed
        remaining = (self.total - self.done) / rate_files
        if self.bytes_total > self.bytes_done and self.bytes_done > 0:
            remaining_by_bytes = (self.bytes_total - self.bytes_done) / (
                self.bytes_done / self.elapsed
            )
            remaining = max(remaining, remaining_by_bytes)
        return remaining


ProgressSink = Callable[[Progress], None]


def ignore_progress(_: Progress) -> None:
    """A sink for callers that do not show progress."""


class Throttle:
    """Forwards at most `rate` progress reports per second; the final one always passes.

    `before` runs just before each forwarded report: long work commits its pending writes
    there, because a sink may block (the window pauses a scan inside it) and must not hold
    the project's write lock meanwhile.
    """

    def __init__(
        self, sink: ProgressSink, rate: float = 10.0, before: Callable[[], None] | None = None
    ) -> None:
        self._sink = sink
        self._interval = 1.0 / rate
        self._last = 0.0
        self._before = before

    def __call__(self, progress: Progress, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last >= self._interval:
            self._last = now
            if self._before is not None:
                self._before()
            self._sink(progress)
