"""The inbox journal: what was accepted comes back after a stop until it is applied."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage.journal import Journal, JournalLockedError, Pending


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "inbox"


@pytest.fixture
def journal(folder: Path) -> Iterator[Journal]:
    opened = Journal(folder)
    assert opened.open() == []
    yield opened
    opened.close()


def reopen(folder: Path, **options: int) -> list[Pending]:
    """What a new run would find in `folder`; the journal is closed again afterwards."""
    again = Journal(folder, **options)
    try:
        return again.open()
    finally:
        again.close()


def segments(folder: Path) -> list[Path]:
    return sorted(folder.glob("inbox-*.log"))


def test_entries_accepted_and_not_applied_come_back_from_the_next_open(journal: Journal, folder: Path) -> None:
    first = journal.append(b'{"n":1}')
    second = journal.append(b'{"n":2}')
    journal.close()

    assert reopen(folder) == [Pending(first, b'{"n":1}'), Pending(second, b'{"n":2}')]


def test_applied_entries_do_not_come_back(journal: Journal, folder: Path) -> None:
    first = journal.append(b"one")
    second = journal.append(b"two")
    journal.append(b"three")
    journal.applied(second)
    journal.close()

    assert [pending.entry for pending in reopen(folder)] == [b"three"]
    assert first < second


def test_an_applied_watermark_covers_every_earlier_entry(journal: Journal, folder: Path) -> None:
    journal.append(b"one")
    journal.append(b"two")
    last = journal.append(b"three")
    journal.applied(last)
    journal.close()

    assert reopen(folder) == []


def test_sequence_numbers_continue_after_a_reopen(journal: Journal, folder: Path) -> None:
    journal.append(b"one")
    before = journal.append(b"two")
    journal.close()

    again = Journal(folder)
    try:
        again.open()
        after = again.append(b"three")
    finally:
        again.close()

    assert after == before + 1


def test_sequence_numbers_continue_after_a_reopen_even_when_everything_was_applied(
    journal: Journal, folder: Path
) -> None:
    journal.append(b"one")
    before = journal.append(b"two")
    journal.applied(before)
    journal.close()

    again = Journal(folder)
    try:
        assert again.open() == []
        after = again.append(b"three")
    finally:
        again.close()

    assert after > before


def test_sequence_numbers_continue_across_several_reopens_and_applications(folder: Path) -> None:
    seen: list[int] = []
    for run in range(4):
        journal = Journal(folder)
        try:
            journal.open()
            seen.append(journal.append(b"run %d" % run))
            journal.applied(seen[-1])
        finally:
            journal.close()

    assert seen == sorted(set(seen))
    assert reopen(folder) == []


def test_a_line_torn_by_a_crash_mid_write_is_ignored(journal: Journal, folder: Path) -> None:
    journal.append(b"whole")
    journal.close()
    [segment] = segments(folder)
    with segment.open("ab") as torn:
        torn.write(b'+2 {"half of an ev')  # the crash came before the newline

    assert [pending.entry for pending in reopen(folder)] == [b"whole"]


def test_a_torn_line_does_not_spoil_what_is_written_after_the_restart(journal: Journal, folder: Path) -> None:
    journal.append(b"whole")
    journal.close()
    [segment] = segments(folder)
    with segment.open("ab") as torn:
        torn.write(b"+2 half")

    again = Journal(folder)
    try:
        again.open()
        again.append(b"after")
    finally:
        again.close()

    assert [pending.entry for pending in reopen(folder)] == [b"whole", b"after"]


def test_a_second_journal_on_the_same_folder_is_refused_while_the_first_is_open(journal: Journal, folder: Path) -> None:
    with pytest.raises(JournalLockedError):
        Journal(folder).open()


def test_a_second_journal_on_the_same_folder_is_allowed_after_the_first_is_closed(
    journal: Journal, folder: Path
) -> None:
    journal.append(b"one")
    journal.close()

    assert [pending.entry for pending in reopen(folder)] == [b"one"]


def test_a_journal_refused_for_the_lock_can_open_once_the_folder_is_free(journal: Journal, folder: Path) -> None:
    second = Journal(folder)
    with pytest.raises(JournalLockedError):
        second.open()
    journal.close()

    try:
        assert second.open() == []
    finally:
        second.close()


def test_a_journal_cannot_be_opened_twice() -> None:
    journal = Journal(None)
    journal.open()

    with pytest.raises(RuntimeError):
        journal.open()


def test_appending_to_a_journal_that_is_not_open_is_refused(folder: Path) -> None:
    with pytest.raises(RuntimeError):
        Journal(folder).append(b"too early")


def test_fully_applied_segments_are_deleted_while_the_one_being_written_stays(folder: Path) -> None:
    journal = Journal(folder, segment_bytes=64)
    try:
        journal.open()
        last = 0
        for n in range(20):
            last = journal.append(b"entry number %02d" % n)
        assert len(segments(folder)) > 2
        journal.applied(last)
        left = segments(folder)
    finally:
        journal.close()

    assert len(left) == 1
    assert reopen(folder) == []


def test_a_segment_holding_an_entry_not_yet_applied_is_kept(folder: Path) -> None:
    journal = Journal(folder, segment_bytes=64)
    try:
        journal.open()
        seqs = [journal.append(b"entry number %02d" % n) for n in range(20)]
        journal.applied(seqs[-2])
    finally:
        journal.close()

    assert reopen(folder) == [Pending(seqs[-1], b"entry number 19")]


def test_what_is_left_after_deleting_segments_is_still_replayed_in_order(folder: Path) -> None:
    journal = Journal(folder, segment_bytes=64)
    try:
        journal.open()
        seqs = [journal.append(b"entry number %02d" % n) for n in range(20)]
        journal.applied(seqs[9])
    finally:
        journal.close()

    assert [pending.seq for pending in reopen(folder, segment_bytes=64)] == seqs[10:]


def test_opening_a_folder_whose_segments_are_all_applied_leaves_one_segment(folder: Path) -> None:
    for run in range(3):
        journal = Journal(folder)
        try:
            journal.open()
            journal.applied(journal.append(b"run %d" % run))
        finally:
            journal.close()

    assert reopen(folder) == []
    assert len(segments(folder)) == 1


def test_an_entry_set_aside_is_written_with_its_reason_to_set_aside_log(journal: Journal, folder: Path) -> None:
    seq = journal.append(b'{"bad":true}')
    journal.set_aside(b'{"bad":true}', "ValueError('no such\ncase')")
    journal.applied(seq)

    lines = (folder / "set-aside.log").read_bytes().splitlines()

    assert lines == [b"{\"bad\":true}\tValueError('no such case')"]


def test_an_entry_set_aside_and_applied_is_not_replayed(journal: Journal, folder: Path) -> None:
    seq = journal.append(b"cannot be applied")
    journal.set_aside(b"cannot be applied", "it broke")
    journal.applied(seq)
    journal.close()

    assert reopen(folder) == []


def test_a_journal_without_a_folder_returns_nothing_and_writes_no_files(tmp_path: Path) -> None:
    journal = Journal(None)

    assert journal.open() == []
    journal.close()
    assert journal.folder is None
    assert list(tmp_path.iterdir()) == []


def test_a_journal_without_a_folder_takes_entries_and_keeps_none_of_them(tmp_path: Path) -> None:
    journal = Journal(None)
    journal.open()
    seq = journal.append(b"kept nowhere")
    journal.set_aside(b"kept nowhere", "nothing")
    journal.applied(seq)
    journal.close()

    assert journal.open() == []
    assert list(tmp_path.iterdir()) == []


def test_an_entry_containing_a_newline_is_refused(journal: Journal, folder: Path) -> None:
    with pytest.raises(ValueError, match="one line"):
        journal.append(b"two\nlines")
    journal.close()

    assert reopen(folder) == []
