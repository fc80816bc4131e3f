"""A progress bar on stderr, so that the figures on stdout stay clean."""

import sys
import time


class Progress:
    """Count up to `total` and redraw one line on stderr at most ten times a second."""

    def __init__(self, label, total, stream=None):
        self.label = label
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._drawn_at = 0.0

    def advance(self, count=1):
        self.done += count
        now = time.monotonic()
        if now - self._drawn_at >= 0.1 or self.done >= self.total:
            self._drawn_at = now
            self._draw(now)

    def close(self):
        self._draw(time.monotonic())
        self.stream.write("\n")
        self.stream.flush()

    def _draw(self, now):
        share = min(self.done / self.total, 1.0)
        filled = int(share * 30)
        elapsed = now - self.started
        bar = "#" * filled + "-" * (30 - filled)
        self.stream.write(f"\r{self.label:<36} [{bar}] {self.done:>10,}/{self.total:,} {elapsed:6.1f} s")
        self.stream.flush()
