"""What a DBA copying SQLite's files can read, turned into linker evidence.

The attacker copies the database file and any -wal, -journal and -shm files after every
request (a cron job, a backup agent, a snapshotting file system) and once more after the
close, then searches the bytes for each code's keyed hash, each response's answers and
each comment's text as stored in the final tables:

- between two copies, every changed page is compared; an item whose record changed on
  a page (appeared, vanished, or its bytes around it changed) was written by that request;
- WAL frames, if the database runs in WAL mode, are read in order: the frames of one
  commit are one transaction (an ATOMIC channel), their page versions are compared with
  the page's previous version;
- the byte offsets of the records (page order, cell order in a page) are kept as a
  rank-only order.
"""

from __future__ import annotations

import sqlite3
import struct
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field

from tests.attacks.linker import ATOMIC, RANK, TIMELINE, Evidence, Position
from tests.attacks.pg_storage import Signatures

SUFFIXES = ("", "-journal", "-wal", "-shm")


@dataclass
class Copy:
    label: str
    order: int
    answering: bool
    files: dict[str, bytes]


@dataclass
class SqliteFindings:
    codes: dict = field(default_factory=lambda: defaultdict(list))
    items: dict = field(default_factory=lambda: defaultdict(list))
    both: list[str] = field(default_factory=list)  # ATOMIC groups or pages holding both
    notes: list[str] = field(default_factory=list)


class SqliteAttacker:
    def __init__(self, path: str):
        self.path = path
        self.copies: list[Copy] = []

    def copy(self, label: str, answering: bool) -> None:
        """Copy the files from another process, as a DBA would. Not open() and close() here:
        closing any descriptor of a file drops every POSIX lock this process holds on it,
        including the pooled SQLite connections' WAL-index locks, which later surfaced as
        "disk I/O error" in unrelated tests."""
        files = {}
        for suffix in SUFFIXES:
            command = ["cat", self.path + suffix]  # our own test database's files
            copied = subprocess.run(command, capture_output=True, check=False)  # noqa: S603
            if copied.returncode == 0:
                files[suffix] = copied.stdout
        self.copies.append(Copy(label, len(self.copies), answering, files))

    def signatures(self, codes: dict[str, bytes]) -> Signatures:
        """Answers and comment texts as the final tables store them."""
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            responses = {
                key: _as_bytes(value)
                for key, value in connection.execute("SELECT key, answers FROM response")
            }
            comments = {
                key: _as_bytes(value)
                for key, value in connection.execute("SELECT key, text FROM comment")
            }
        finally:
            connection.close()
        return Signatures(codes, responses, comments)

    def analyse(self, signatures: Signatures, item_kind: str) -> SqliteFindings:
        findings = SqliteFindings()
        previous: dict[int, bytes] = {}
        seen_frames: set = set()
        frame_counter = [0]
        for copy in self.copies:
            database = copy.files.get("", b"")
            size = page_size(database)
            pages = split_pages(database, size)
            for number, page in pages.items():
                if previous.get(number) != page:
                    self._compare(
                        signatures,
                        item_kind,
                        previous.get(number, b""),
                        page,
                        Position("sqlite:request", copy.order, copy.order),
                        copy.answering,
                        findings,
                        f"page {number} of copy {copy.label}",
                    )
            if "-wal" in copy.files:
                self._read_wal(
                    signatures, item_kind, copy, pages, seen_frames, frame_counter, findings
                )
            previous = pages
        self._offsets(signatures, item_kind, findings)
        return findings

    def _compare(self, signatures, item_kind, old, new, position, answering, findings, where):
        """Record the items whose records changed between two versions of a page; return
        the kinds of item changed."""
        before, after = contexts(signatures, old), contexts(signatures, new)
        kinds = {kind for kind, _ in after}
        if "code" in kinds and kinds & {"response", "comment"}:
            findings.both.append(where)
        changed = set()
        for item in set(before) | set(after):
            if before.get(item) == after.get(item):
                continue
            kind, ident = item
            changed.add(kind)
            if kind == "code" and answering:
                findings.codes[ident].append(position)
            elif kind == item_kind:
                findings.items[ident].append(position)
        return changed

    def _read_wal(self, signatures, item_kind, copy, pages, seen, counter, findings):
        wal = copy.files["-wal"]
        if len(wal) < 32:
            return
        size = struct.unpack(">I", wal[8:12])[0]
        salts = wal[16:24]
        versions = dict(pages)
        commit, pending = 0, []
        offset = 32
        while offset + 24 + size <= len(wal):
            header = wal[offset : offset + 24]
            if header[8:16] != salts:
                break
            number, committed = struct.unpack(">II", header[:8])
            page = wal[offset + 24 : offset + 24 + size]
            key = (salts, offset)
            pending.append((key, number, page))
            offset += 24 + size
            if committed:
                commit += 1
                group = (salts, commit)
                touched = set()
                for frame_key, frame_number, frame_page in pending:
                    if frame_key in seen:
                        versions[frame_number] = frame_page
                        continue
                    seen.add(frame_key)
                    counter[0] += 1
                    position = Position("sqlite:wal", counter[0], group)
                    touched |= self._compare(
                        signatures,
                        item_kind,
                        versions.get(frame_number, b""),
                        frame_page,
                        position,
                        copy.answering,
                        findings,
                        f"WAL frame of page {frame_number}",
                    )
                    versions[frame_number] = frame_page
                if "code" in touched and touched & {"response", "comment"}:
                    findings.both.append(f"WAL commit {commit} seen in copy {copy.label}")
                pending = []
        findings.notes.append(f"WAL of copy {copy.label}: {commit} commits")

    def _offsets(self, signatures, item_kind, findings):
        """Where each record sits: codes in the last copy before close, items in the last."""
        answering = [c for c in self.copies if c.answering]
        if not answering:
            return
        before_close = answering[-1].files.get("", b"")
        final = self.copies[-1].files.get("", b"")
        for kind, ident, signature in signatures.all():
            if kind == "code" and ident in findings.codes:
                at = before_close.find(signature)
                if at >= 0:
                    findings.codes[ident].append(Position("sqlite:code-offset", at))
            elif kind == item_kind:
                at = final.find(signature)
                if at >= 0:
                    findings.items[ident].append(Position("sqlite:answer-offset", at))

    def final_residue(self, signatures: Signatures) -> dict[str, int]:
        """How many codes, responses and comments the files still hold after the close."""
        blob = b"".join(self.copies[-1].files.values())
        counts = defaultdict(int)
        for kind, _ident, signature in signatures.all():
            counts[kind] += blob.count(signature)
        return dict(counts)


def _as_bytes(value) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


def page_size(database: bytes) -> int:
    if len(database) < 100:
        return 4096
    size = struct.unpack(">H", database[16:18])[0]
    return 65536 if size == 1 else size


def split_pages(database: bytes, size: int) -> dict[int, bytes]:
    return {
        number + 1: database[offset : offset + size]
        for number, offset in enumerate(range(0, len(database), size))
    }


def contexts(signatures: Signatures, page: bytes) -> dict[tuple, tuple]:
    """For each item on the page, its records with a few bytes of record header before."""
    found = {}
    for kind, ident, signature in signatures.all():
        start = page.find(signature)
        if start < 0:
            continue
        copies = []
        while start >= 0:
            copies.append(page[max(0, start - 8) : start + len(signature) + 4])
            start = page.find(signature, start + 1)
        found[(kind, ident)] = tuple(sorted(copies))
    return found


def evidence_from(findings: SqliteFindings, code_ids, item_ids) -> Evidence:
    codes = {c: list(findings.codes.get(c, [])) for c in code_ids}
    # An offset alone is no spend: a code with no write during answering links to nothing.
    codes = {
        c: (ps if any(p.channel in ("sqlite:request", "sqlite:wal") for p in ps) else [])
        for c, ps in codes.items()
    }
    items = {i: list(findings.items.get(i, [])) for i in item_ids}
    kinds = {
        "sqlite:request": TIMELINE,
        "sqlite:wal": ATOMIC,
        "sqlite:code-offset": RANK,
        "sqlite:answer-offset": RANK,
    }
    return Evidence(codes, items, kinds)
