"""Run control shared by the public entry points: progress display and user callbacks.

:func:`run` wraps :func:`gasp_graph._core.run`: it validates ``progress``, ``callback`` and
``callback_every``, builds the function the engine calls every ``callback_every`` merges (the
progress display and the user's callback, in that order), and closes the display however the
run ends (result, stop, exception or Ctrl-C).

The progress display only appears once a run has lasted :data:`PROGRESS_DELAY` seconds, so quick
calls print nothing.  It uses tqdm when installed and a plain line on stderr otherwise.
"""
from __future__ import annotations

import sys
import time

from . import _core
from ._validation import _as_bool, _as_int
from .exceptions import GaspTypeError, warn

# Seconds a run must last before the progress display appears.
PROGRESS_DELAY = 1.0

# The plain (no tqdm) display redraws at most this often on a terminal, and writes a new line
# at most this often elsewhere (log files), in seconds.
_PLAIN_TTY_INTERVAL = 0.2
_PLAIN_LOG_INTERVAL = 10.0


def _tqdm_class():
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm


class ProgressDisplay:
    """The engine callback behind ``progress=True``: merges done out of ``n_nodes - 1``.

    Nothing is shown during the first ``delay`` seconds.  Then a tqdm bar (or, without tqdm, a
    line on ``stream``) counts merges toward the largest possible number, ``n_nodes - 1`` (a run
    usually ends earlier: GASP stops when no positive linkage is left), with the clusters left
    and the linkage value of the latest merge.  Never asks the engine to stop.
    """

    def __init__(self, n_nodes, *, delay=None, desc="GASP", stream=None, use_tqdm=True):
        self.total = max(int(n_nodes) - 1, 0)
        self.delay = PROGRESS_DELAY if delay is None else delay
        self.desc = desc
        self.stream = stream
        self.use_tqdm = use_tqdm
        self.start = time.monotonic()
        self.bar = None  # the tqdm bar once shown
        self.shown = False  # True once anything was displayed
        self.last_draw = 0.0
        self.n_merges = 0

    def _stream(self):
        return self.stream if self.stream is not None else sys.stderr

    def __call__(self, n_merges, n_clusters, value):
        self.n_merges = n_merges
        now = time.monotonic()
        if not self.shown:
            tqdm = _tqdm_class() if self.use_tqdm else None
            if tqdm is not None:
                # tqdm's own delay hides the bar until the run has lasted self.delay seconds
                # (and close() then prints nothing), while its clock starts now.
                self.bar = tqdm(total=self.total, desc=self.desc, unit="merge",
                                unit_scale=True, file=self.stream, dynamic_ncols=True,
                                delay=max(self.delay - (now - self.start), 0.0))
            elif now - self.start < self.delay:
                return False
            self.shown = True
        if self.bar is not None:
            self.bar.update(n_merges - self.bar.n)
            self.bar.set_postfix(clusters=str(n_clusters), value=f"{value:.3g}", refresh=False)
            return False
        stream = self._stream()
        tty = getattr(stream, "isatty", lambda: False)()
        interval = _PLAIN_TTY_INTERVAL if tty else _PLAIN_LOG_INTERVAL
        if self.last_draw and now - self.last_draw < interval:
            return False
        self.last_draw = now
        self._plain_line(n_merges, n_clusters, value, end="" if tty else "\n", tty=tty)
        return False

    def _plain_line(self, n_merges, n_clusters, value, *, end, tty):
        pct = 100.0 * n_merges / self.total if self.total else 100.0
        text = (f"{self.desc}: {n_merges}/{self.total} merges ({pct:.0f}%), "
                f"{n_clusters} clusters, value {value:.3g}, "
                f"{time.monotonic() - self.start:.1f} s")
        stream = self._stream()
        stream.write(("\r" + text + "\x1b[K" if tty else text) + end)
        stream.flush()

    def close(self, n_merges=None, n_clusters=None, status="done"):
        """Show the final count (only if the display appeared) and release the terminal."""
        if not self.shown:
            return
        if n_merges is None:
            n_merges = self.n_merges
        if self.bar is not None:
            self.bar.update(n_merges - self.bar.n)
            if n_clusters is not None:
                self.bar.set_postfix(clusters=str(n_clusters), status=status, refresh=False)
            self.bar.close()
            return
        stream = self._stream()
        tty = getattr(stream, "isatty", lambda: False)()
        clusters = "?" if n_clusters is None else n_clusters
        pct = 100.0 * n_merges / self.total if self.total else 100.0
        text = (f"{self.desc}: {n_merges}/{self.total} merges ({pct:.0f}%), {clusters} "
                f"clusters, {status} in {time.monotonic() - self.start:.1f} s")
        stream.write(("\r" + text + "\x1b[K" if tty else text) + "\n")
        stream.flush()


def check_options(progress, callback, callback_every):
    """Validate the run-control arguments of a public function; return them normalised."""
    progress = _as_bool("progress", progress)
    if callback is not None and not callable(callback):
        raise GaspTypeError(
            f"callback must be a callable f(n_merges, n_clusters, value) or None, "
            f"got {callback!r} ({type(callback).__name__})"
        )
    callback_every = _as_int("callback_every", callback_every, minimum=1)
    return progress, callback, callback_every


def warn_short(problem, info) -> None:
    """Warn (GaspWarning) when ``n_clusters=k`` was asked for and more than k clusters remain.

    The completion pass merges through local edges only, so k is out of reach exactly when the
    local (non-lifted) edges have more than k connected components.  A run stopped by the
    callback is not short: the caller asked for the stop.
    """
    k = problem.n_clusters
    if k and not info["stopped"] and info["n_clusters"] > k:
        warn(
            f"n_clusters={k} cannot be reached: {info['n_clusters']} clusters remain and no "
            "local edge joins two of them (the local, non-lifted edges have "
            f"{info['n_clusters']} connected components); returning {info['n_clusters']} clusters"
        )


def run(problem, *, progress=False, callback=None, callback_every=1000, desc="GASP",
        **run_kwargs):
    """:func:`gasp_graph._core.run` with a progress display and a user callback.

    A user callback disables the connected-components shortcut of ``linkage="max"`` (which makes
    no ordered merges, so there would be nothing to report or to stop); the display alone does
    not: that shortcut is fast anyway.
    """
    progress, callback, callback_every = check_options(progress, callback, callback_every)
    display = ProgressDisplay(problem.n_nodes, desc=desc) if progress else None
    if display is not None and callback is not None:
        def combined(n_merges, n_clusters, value):
            display(n_merges, n_clusters, value)
            return callback(n_merges, n_clusters, value)
        engine_callback = combined
    else:
        engine_callback = display if display is not None else callback
    if callback is not None and problem.linkage == "max":
        run_kwargs.setdefault("fast_paths", False)
    status = "interrupted"
    info = None
    try:
        result = _core.run(problem, callback=engine_callback, callback_every=callback_every,
                           **run_kwargs)
        info = result[3]
        status = "stopped by callback" if info["stopped"] else "done"
        warn_short(problem, info)
        return result
    finally:
        if display is not None:
            if info is None:
                display.close(status=status)
            else:
                display.close(info["n_merges"], info["n_clusters"], status)
