"""The inbox journal: what was acknowledged to a platform before it was applied.

Append-only segment files in one folder, one line per record:
- `+<seq> <entry>`: an event accepted (written before the platform hears "got it");
- `-<seq>`: every event up to `seq` applied (the inbox applies in order, so one watermark says it).

A write reaches the operating system before `append` returns, so a crash of the bot loses
nothing acknowledged; on the next start `open` returns what was accepted and not yet applied.
Like SQLite's default, nothing is forced to disk per record: a power cut can lose the last
instant. A segment is deleted once everything in it is applied. One process owns a folder at a
time (an exclusive lock), so two bots never replay the same events.

`Journal(None)` keeps nothing on disk: for an in-memory database, whose state a restart loses too.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path

SEGMENT_BYTES = 4 * 1024 * 1024
_PREFIX = "inbox-"
_SUFFIX = ".log"
_LOCK = "inbox.lock"
_FAILED = "set-aside.log"


class JournalLockedError(Exception):
    """Another process (or another inbox in this one) owns the journal folder."""


@dataclass(frozen=True, slots=True)
class Pending:
    seq: int
    entry: bytes


@dataclass(slots=True)
class _Segment:
    path: Path
    last_seq: int  # the highest sequence number accepted into it (0: none yet)


class Journal:
    def __init__(self, folder: Path | None, *, segment_bytes: int = SEGMENT_BYTES) -> None:
        self._folder = folder
        self._segment_bytes = segment_bytes
        self._lock_fd: int | None = None
        self._fd: int | None = None
        self._written = 0
        self._segments: list[_Segment] = []
        self._next_seq = 1
        self._applied = 0
        self._opened = False
        self._generation = 0  # segments are numbered in the order they were started

    @property
    def folder(self) -> Path | None:
        return self._folder

    def open(self) -> list[Pending]:
        """Lock the folder, read it, and start a fresh segment; returns what is left to apply."""
        if self._opened:
            raise RuntimeError("the journal is already open")
        self._opened = True
        if self._folder is None:
            return []
        self._folder.mkdir(parents=True, exist_ok=True)
        self._lock_fd = os.open(self._folder / _LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            self._lock_fd = None
            self._opened = False
            raise JournalLockedError(f"the inbox journal {self._folder} is in use by another Codev process") from None
        accepted: dict[int, bytes] = {}
        applied = 0
        for path in sorted(self._folder.glob(f"{_PREFIX}*{_SUFFIX}")):
            self._generation = max(self._generation, _generation(path))
            last = 0
            for seq, entry in _records(path.read_bytes()):
                if entry is None:
                    applied = max(applied, seq)
                else:
                    accepted[seq] = entry
                    last = max(last, seq)
            self._segments.append(_Segment(path, last))
        self._applied = applied
        self._next_seq = max([applied, *accepted]) + 1
        self._start_segment()
        self._forget_applied_segments()
        return [Pending(seq, accepted[seq]) for seq in sorted(accepted) if seq > applied]

    def append(self, entry: bytes) -> int:
        """Record an accepted event; it is on its way to disk when this returns."""
        if b"\n" in entry:
            raise ValueError("a journal entry is one line")
        seq = self._take_seq()
        self._write(b"+%d %s\n" % (seq, entry))
        if self._segments:
            self._segments[-1].last_seq = seq
        return seq

    def applied(self, seq: int) -> None:
        """Everything up to `seq` is applied; segments holding nothing newer go."""
        if seq <= self._applied:
            return
        self._applied = seq
        self._write(b"-%d\n" % seq)
        self._forget_applied_segments()

    def set_aside(self, entry: bytes, reason: str) -> None:
        """Keep an event that cannot be applied where a person can find it: `set-aside.log`,
        one event per line with the reason."""
        if self._folder is None:
            return
        reason_line = " ".join(reason.split())
        with (self._folder / _FAILED).open("ab") as failed:
            failed.write(b"%s\t%s\n" % (entry, reason_line.encode("utf-8", "replace")))

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor releases the lock
            self._lock_fd = None
        self._segments.clear()
        self._opened = False

    # --- inside ------------------------------------------------------------------------

    def _take_seq(self) -> int:
        if not self._opened:
            raise RuntimeError("the journal is not open")
        seq = self._next_seq
        self._next_seq += 1
        return seq

    def _write(self, record: bytes) -> None:
        if self._folder is None:
            return
        if self._written + len(record) > self._segment_bytes and self._written:
            self._start_segment()
        assert self._fd is not None
        view = memoryview(record)
        while view:
            view = view[os.write(self._fd, view) :]
        self._written += len(record)

    def _start_segment(self) -> None:
        assert self._folder is not None
        if self._fd is not None:
            os.close(self._fd)
        self._generation += 1
        path = self._folder / f"{_PREFIX}{self._generation:09d}{_SUFFIX}"
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._written = path.stat().st_size
        self._segments.append(_Segment(path, 0))
        if self._applied:  # the new segment carries the watermark, so older ones may go
            self._write(b"-%d\n" % self._applied)

    def _forget_applied_segments(self) -> None:
        # Oldest first and never the one being written: a later segment's watermark covers it.
        while len(self._segments) > 1 and self._segments[0].last_seq <= self._applied:
            self._segments.pop(0).path.unlink(missing_ok=True)


def _records(data: bytes) -> list[tuple[int, bytes | None]]:
    """The complete records of a segment; a line torn by a crash mid-write is skipped."""
    records: list[tuple[int, bytes | None]] = []
    for line in data.split(b"\n")[:-1]:  # the part after the last newline is incomplete
        try:
            if line.startswith(b"+"):
                seq, _, entry = line[1:].partition(b" ")
                records.append((int(seq), entry))
            elif line.startswith(b"-"):
                records.append((int(line[1:]), None))
        except ValueError:
            continue
    return records


def _generation(path: Path) -> int:
    try:
        return int(path.name.removeprefix(_PREFIX).removesuffix(_SUFFIX))
    except ValueError:
        return 0
