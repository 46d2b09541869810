"""What a PostgreSQL superuser can read after the fact, turned into linker evidence.

Three sources, all through SQL on the test's own database:

- heap pages (pageinspect): every tuple of every table, live and dead, with t_xmin,
  t_xmax and t_data; and every raw page, free space included;
- index pages (pageinspect's bt_page_items and raw pages);
- the WAL (pg_walinspect lists the records; pg_read_binary_file reads the segment files,
  so record payloads, tuple data and full-page images are searched too). PostgreSQL 15's
  pg_walinspect gives record metadata only, so the records are decoded here, and each
  record is tied to a row by (relfilenode, block, offset), replayed in LSN order.

What is searched for: each code's keyed hash (the attacker holds SECRET_KEY and the
codes list) and each response's answers and each comment's text exactly as they are
stored in the final tables (read from the live rows after close).
"""

from __future__ import annotations

import struct
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import create_engine, text

from tests.attacks.linker import ATOMIC, RANK, TIMELINE, Evidence, Position

BLCKSZ = 8192
XLOG_BLCKSZ = 8192


@dataclass
class Signatures:
    """Byte strings that identify an item wherever they are stored."""

    codes: dict[str, bytes]  # code id (hash hex) -> code hash
    responses: dict[str, bytes]  # response key -> jsonb payload of its answers
    comments: dict[str, bytes]  # comment key -> UTF-8 text

    def all(self) -> list[tuple[str, str, bytes]]:
        return (
            [("code", i, b) for i, b in self.codes.items()]
            + [("response", i, b) for i, b in self.responses.items()]
            + [("comment", i, b) for i, b in self.comments.items()]
        )

    def find(self, blob: bytes | None) -> set[tuple[str, str]]:
        if not blob:
            return set()
        return {(kind, ident) for kind, ident, sig in self._all if sig in blob}

    def __post_init__(self):
        self._all = self.all()
        self._bytes = {(kind, ident): sig for kind, ident, sig in self._all}

    def bytes_of(self, item: tuple[str, str]) -> bytes:
        return self._bytes[item]


@dataclass
class Touch:
    """One sighting: item (kind, id) in a transaction, at an order, in a source."""

    source: str  # "heap" or "wal"
    kind: str
    ident: str
    xid: int
    order: object  # xid for heap sightings, LSN for WAL ones
    table: str
    place: tuple | None = None  # (block, line) in the table, if known


@dataclass
class Findings:
    touches: list[Touch] = field(default_factory=list)
    pages_with_both: list[str] = field(default_factory=list)  # "table blk N (phase)"
    leftovers: dict = field(default_factory=lambda: defaultdict(int))  # raw-only sightings
    hint_reads: list = field(default_factory=list)  # WAL images logged for hint bits
    notes: list[str] = field(default_factory=list)


class PostgresAttacker:
    def __init__(self, url):
        self.engine = create_engine(url, isolation_level="AUTOCOMMIT")
        self.marks: dict[str, tuple[int, int]] = {}

    def sql(self, query: str, **params):
        with self.engine.connect() as connection:
            result = connection.execute(text(query), params)
            return result.all() if result.returns_rows else []

    def is_superuser(self) -> bool:
        return self.sql("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")[0][0]

    def prepare(self) -> None:
        self.sql("CREATE EXTENSION IF NOT EXISTS pageinspect")
        self.sql("CREATE EXTENSION IF NOT EXISTS pg_walinspect")

    def mark(self, name: str) -> None:
        """Remember where the WAL and the transaction counter stand (a phase boundary)."""
        lsn, xid = self.sql(
            "SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn, "
            "txid_snapshot_xmax(txid_current_snapshot()) % 4294967296"
        )[0]
        self.marks[name] = (int(lsn), int(xid))

    def vacuum(self) -> None:
        self.sql("VACUUM")

    def close(self) -> None:
        self.engine.dispose()

    # --- what the tables hold ------------------------------------------------------------

    def relations(self) -> list[tuple[str, str, int, int]]:
        """(name, kind, relfilenode, blocks) of every table, TOAST table and index."""
        rows = self.sql(
            """
            SELECT c.oid::regclass::text, c.relkind, c.relfilenode,
                   pg_relation_size(c.oid) / current_setting('block_size')::int
            FROM pg_class c
            WHERE c.relkind IN ('r', 't', 'i')
              AND (c.relnamespace = 'public'::regnamespace
                   OR c.oid IN (SELECT reltoastrelid FROM pg_class
                                WHERE relnamespace = 'public'::regnamespace)
                   OR c.oid IN (SELECT i.indexrelid FROM pg_index i JOIN pg_class t
                                ON t.oid = i.indrelid
                                WHERE t.relnamespace = 'public'::regnamespace))
            """
        )
        return [(name, kind, int(node), int(blocks)) for name, kind, node, blocks in rows]

    def signatures(self, codes: dict[str, bytes]) -> Signatures:
        """Answers and comment texts as stored in the live rows of `response`/`comment`."""
        responses = self._column_payloads("response", "answers")
        comments = self._column_payloads("comment", "text")
        return Signatures(codes, responses, comments)

    def _column_payloads(self, table: str, column: str) -> dict[str, bytes]:
        names = [
            r[0]
            for r in self.sql(
                "SELECT attname FROM pg_attribute WHERE attrelid = CAST(:t AS regclass) "
                "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                t=table,
            )
        ]
        key_at, value_at = names.index("key"), names.index(column)
        blocks = self.sql("SELECT pg_relation_size(CAST(:t AS regclass)) / 8192", t=table)[0][0]
        live = {str(r[0]) for r in self.sql(f'SELECT ctid FROM "{table}"')}
        payloads = {}
        for block in range(int(blocks)):
            rows = self.sql(
                "SELECT t_ctid, t_attrs FROM heap_page_item_attrs("
                "get_raw_page(:t, :b), CAST(:t AS regclass)) WHERE lp_flags = 1",
                t=table,
                b=block,
            )
            for ctid, attrs in rows:
                if str(ctid) not in live or attrs is None:
                    continue
                key = varlena_payload(bytes(attrs[key_at])).decode()
                payloads[key] = varlena_payload(bytes(attrs[value_at]))
        return payloads

    def read_heap(self, signatures: Signatures, phase: str, findings: Findings) -> None:
        """Every tuple (live and dead) and every raw page of every table and index.

        Bytes of pruned tuples left in a page's free space are read too: the tuple
        header in front of them still gives their transaction ids."""
        xids = (
            self.marks["start"][1],
            self.sql("SELECT txid_snapshot_xmax(txid_current_snapshot()) % 4294967296")[0][0],
        )
        for name, kind, _node, blocks in self.relations():
            table = name.split(".")[-1].strip('"')
            for block in range(blocks):
                raw = bytes(self.sql("SELECT get_raw_page(:n, :b)", n=name, b=block)[0][0])
                on_page = signatures.find(raw)
                kinds = {k for k, _ in on_page}
                if "code" in kinds and kinds & {"response", "comment"}:
                    findings.pages_with_both.append(f"{table} blk {block} ({phase})")
                if kind == "i":
                    if block > 0 and _is_btree(self, name):
                        self._read_btree(name, block, signatures, findings)
                    continue
                in_tuples = set()
                for lp, _flags, xmin, xmax, data in self.sql(
                    "SELECT lp, lp_flags, t_xmin::text::bigint, t_xmax::text::bigint, t_data "
                    "FROM heap_page_items(get_raw_page(:n, :b))",
                    n=name,
                    b=block,
                ):
                    found = signatures.find(bytes(data) if data is not None else None)
                    in_tuples |= found
                    for item_kind, ident in found:
                        for xid in {xmin, xmax} - {None, 0}:
                            findings.touches.append(
                                Touch(
                                    "heap", item_kind, ident, int(xid), int(xid), table, (block, lp)
                                )
                            )
                for item in on_page - in_tuples:
                    findings.leftovers[(phase, table, item[0])] += 1
                    for xid in recovered_xids(raw, block, signatures.bytes_of(item), xids):
                        findings.touches.append(
                            Touch("heap", item[0], item[1], xid, xid, table, None)
                        )

    def _read_btree(self, name, block, signatures: Signatures, findings: Findings) -> None:
        rows = self.sql("SELECT data FROM bt_page_items(get_raw_page(:n, :b))", n=name, b=block)
        for (data,) in rows:
            if data:
                signatures.find(bytes.fromhex(data.replace(" ", "")))

    # --- the WAL ---------------------------------------------------------------------------

    def read_wal(self, signatures: Signatures, start: int, findings: Findings) -> None:
        """Replay every WAL record of this database from `start`, in LSN order."""
        dboid = self.sql("SELECT oid FROM pg_database WHERE datname = current_database()")[0][0]
        end = int(self.sql("SELECT pg_current_wal_flush_lsn() - '0/0'::pg_lsn")[0][0])
        nodes = {node: name.split(".")[-1].strip('"') for name, _k, node, _b in self.relations()}
        records = self.sql(
            "SELECT start_lsn - '0/0'::pg_lsn, xid::text::bigint, resource_manager, "
            "record_type FROM pg_get_wal_records_info(CAST(:s AS pg_lsn), CAST(:e AS pg_lsn))",
            s=format_lsn(start),
            e=format_lsn(end),
        )
        reader = WalReader(self)
        replay = WalReplay(signatures, nodes, int(dboid), findings)
        for lsn, xid, rmgr, rtype in records:
            record = reader.record(int(lsn))
            replay.apply(int(lsn), int(xid or 0), rmgr, rtype, record)
        findings.notes.append(
            f"WAL: {len(records)} records read, {replay.ours} of this database, "
            f"{replay.images} full-page images decoded, {len(replay.hint_reads)} of them "
            "logged for hint bits"
        )
        findings.hint_reads = replay.hint_reads
        for lsn, xid, table, codes in replay.hint_reads:
            for kind, ident in codes:
                findings.touches.append(Touch("wal-hint", kind, ident, xid, lsn, table))


def recovered_xids(page: bytes, block: int, signature: bytes, xids: tuple) -> set[int]:
    """xmin and xmax of the pruned tuple around each copy of `signature` in free space.

    A tuple starts at a MAXALIGNed offset with a 23-byte header: t_xmin, t_xmax, t_cid,
    t_ctid (block, line), t_infomask2, t_infomask, t_hoff. The nearest plausible header
    before the signature (t_ctid on this block, t_hoff a multiple of 8, xids of this
    run) is taken as the tuple's."""
    low, high = xids
    found = set()
    start = page.find(signature)
    while start >= 0:
        for head in range(start - start % 8, max(start - 600, 24) - 1, -8):
            xmin, xmax = struct.unpack_from("<II", page, head)
            hi, lo = struct.unpack_from("<HH", page, head + 12)
            hoff = page[head + 22]
            if (
                (hi << 16 | lo) == block
                and hoff >= 24
                and hoff % 8 == 0
                and head + hoff <= start
                and low <= xmin < high
            ):
                found.add(xmin)
                if low <= xmax < high:
                    found.add(xmax)
                break
        start = page.find(signature, start + 1)
    return found


def _is_btree(attacker: PostgresAttacker, name: str) -> bool:
    cache = attacker.__dict__.setdefault("_am", {})
    if name not in cache:
        cache[name] = (
            attacker.sql(
                "SELECT a.amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam "
                "WHERE c.oid = CAST(:n AS regclass)",
                n=name,
            )[0][0]
            == "btree"
        )
    return cache[name]


def format_lsn(value: int) -> str:
    return f"{value >> 32:X}/{value & 0xFFFFFFFF:X}"


def varlena_payload(value: bytes) -> bytes:
    """The data of a stored varlena without its 1- or 4-byte header (uncompressed only)."""
    if not value:
        return value
    if value[0] & 0x01:
        return value[1 : value[0] >> 1]
    header = struct.unpack_from("<I", value)[0]
    return value[4 : header >> 2]


class WalReader:
    """Reads records from the segment files, skipping the page headers in between."""

    def __init__(self, attacker: PostgresAttacker):
        self.attacker = attacker
        self.size = int(
            attacker.sql("SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'")[0][0]
        )
        self.timeline = int(attacker.sql("SELECT timeline_id FROM pg_control_checkpoint()")[0][0])
        self.segments: dict[int, bytes] = {}

    def _segment(self, number: int) -> bytes:
        if number not in self.segments:
            per_id = 0x100000000 // self.size
            name = f"{self.timeline:08X}{number // per_id:08X}{number % per_id:08X}"
            self.segments[number] = bytes(
                self.attacker.sql("SELECT pg_read_binary_file(:p)", p=f"pg_wal/{name}")[0][0]
            )
        return self.segments[number]

    def read(self, lsn: int, length: int) -> bytes:
        out = bytearray()
        while len(out) < length:
            if lsn % XLOG_BLCKSZ == 0:
                lsn += 40 if lsn % self.size == 0 else 24
            segment = self._segment(lsn // self.size)
            offset = lsn % self.size
            take = min(length - len(out), XLOG_BLCKSZ - offset % XLOG_BLCKSZ)
            out += segment[offset : offset + take]
            lsn += take
        return bytes(out)

    def record(self, lsn: int) -> WalRecord:
        total = struct.unpack("<I", self.read(lsn, 4))[0]
        return WalRecord.parse(self.read(lsn, total))


@dataclass
class Block:
    rnode: tuple[int, int, int]
    number: int
    image: bytes | None
    data: bytes


@dataclass
class WalRecord:
    xid: int
    info: int
    blocks: dict[int, Block]
    main: bytes

    @classmethod
    def parse(cls, raw: bytes) -> WalRecord:
        total, xid = struct.unpack_from("<II", raw)
        info = raw[16]
        position, datatotal, remaining = 24, 0, total - 24
        headers, main_length, rnode = [], 0, None
        while remaining > datatotal:
            block_id = raw[position]
            position += 1
            remaining -= 1
            if block_id == 255:  # XLR_BLOCK_ID_DATA_SHORT
                main_length = raw[position]
                position += 1
                remaining -= 1
                datatotal += main_length
                break
            if block_id == 254:  # XLR_BLOCK_ID_DATA_LONG
                main_length = struct.unpack_from("<I", raw, position)[0]
                position += 4
                remaining -= 4
                datatotal += main_length
                break
            if block_id == 253:  # origin
                position += 2
                remaining -= 2
                continue
            if block_id == 252:  # top-level xid
                position += 4
                remaining -= 4
                continue
            fork_flags = raw[position]
            data_length = struct.unpack_from("<H", raw, position + 1)[0]
            position += 3
            remaining -= 3
            datatotal += data_length
            image = None
            if fork_flags & 0x10:  # BKPBLOCK_HAS_IMAGE
                length, hole_offset, image_info = struct.unpack_from("<HHB", raw, position)
                position += 5
                remaining -= 5
                compressed = image_info & 0x1C
                if image_info & 0x01 and compressed:
                    hole_length = struct.unpack_from("<H", raw, position)[0]
                    position += 2
                    remaining -= 2
                elif image_info & 0x01:
                    hole_length = BLCKSZ - length
                else:
                    hole_length = 0
                image = (length, hole_offset, hole_length, compressed)
                datatotal += length
            if not fork_flags & 0x80:  # not BKPBLOCK_SAME_REL
                rnode = struct.unpack_from("<III", raw, position)
                position += 12
                remaining -= 12
            number = struct.unpack_from("<I", raw, position)[0]
            position += 4
            remaining -= 4
            headers.append((block_id, rnode, number, image, data_length))
        blocks = {}
        for block_id, block_rnode, number, image, data_length in headers:
            page = None
            if image is not None:
                length, hole_offset, hole_length, compressed = image
                chunk = raw[position : position + length]
                position += length
                if not compressed:
                    page = chunk[:hole_offset] + bytes(hole_length) + chunk[hole_offset:]
            data = raw[position : position + data_length]
            position += data_length
            blocks[block_id] = Block(block_rnode, number, page, data)
        main = raw[position : position + main_length]
        return cls(xid, info, blocks, main)


def page_tuples(page: bytes) -> dict[int, bytes]:
    """Line number -> tuple bytes of a heap page image."""
    lower = struct.unpack_from("<H", page, 12)[0]
    tuples = {}
    for line in range(1, (lower - 24) // 4 + 1):
        item = struct.unpack_from("<I", page, 24 + 4 * (line - 1))[0]
        offset, flags, length = item & 0x7FFF, (item >> 15) & 3, item >> 17
        if flags == 1 and length:
            tuples[line] = page[offset : offset + length]
    return tuples


class WalReplay:
    """Follows rows through heap records: which items each record writes or touches."""

    def __init__(self, signatures: Signatures, nodes: dict, dboid: int, findings: Findings):
        self.signatures = signatures
        self.nodes = nodes
        self.dboid = dboid
        self.findings = findings
        self.rows: dict[tuple, set] = {}  # (relfilenode, block, line) -> items
        self.headers: dict[tuple, bytes] = {}
        self.bodies: dict[tuple, bytes] = {}
        self.hint_reads: list[tuple] = []  # (lsn, xid, table, codes whose header changed)
        self.ours = 0
        self.images = 0

    def apply(self, lsn: int, xid: int, rmgr: str, rtype: str, record: WalRecord) -> None:
        blocks = {i: b for i, b in record.blocks.items() if b.rnode and b.rnode[1] == self.dboid}
        if not blocks:
            return
        self.ours += 1
        for block in blocks.values():
            if block.image is not None:
                self.images += 1
                hint = rmgr == "XLOG" and rtype.startswith("FPI")
                if rmgr in ("Heap", "Heap2") or hint:
                    self._image(lsn, xid, block, read=hint)
        touched = self._touched(rmgr, rtype.split("+")[0], record, blocks)
        for node, block, line, items in touched:
            table = self.nodes.get(node, str(node))
            for kind, ident in items:
                self.findings.touches.append(
                    Touch("wal", kind, ident, xid, lsn, table, (block, line))
                )

    def _image(self, lsn: int, xid: int, block: Block, read: bool) -> None:
        """Learn the rows of a page image. An image logged for hint bits (data checksums or
        wal_log_hints) shows which rows were read since the page's previous image: their
        tuple headers changed and nothing else did."""
        node = block.rnode[2]
        changed = set()
        for line, data in page_tuples(block.image).items():
            place = (node, block.number, line)
            items = self.signatures.find(data)
            if (
                read
                and place in self.headers
                and self.headers[place] != data[:24]
                and self.bodies.get(place) == data[24:]
            ):
                changed |= {item for item in items if item[0] == "code"}
            self.rows[place] = items
            self.headers[place], self.bodies[place] = data[:24], data[24:]
        if read:
            self.hint_reads.append((lsn, xid, self.nodes.get(node, str(node)), changed))

    def _touched(self, rmgr: str, rtype: str, record: WalRecord, blocks: dict) -> list:
        main = record.main
        if rmgr == "Heap" and 0 in blocks:
            block = blocks[0]
            node = block.rnode[2]
            if rtype == "INSERT":
                line = struct.unpack_from("<H", main)[0]
                items = self.signatures.find(block.data) | self.rows.get(
                    (node, block.number, line), set()
                )
                self.rows[(node, block.number, line)] = items
                return [(node, block.number, line, items)]
            if rtype in ("UPDATE", "HOT_UPDATE"):
                old_line, _, _flags, _, new_line = struct.unpack_from("<xxxxHBBIH", main)
                old_block = blocks.get(1, block)
                old = self.rows.get((old_block.rnode[2], old_block.number, old_line), set())
                new = (
                    old
                    | self.signatures.find(block.data)
                    | self.rows.get((node, block.number, new_line), set())
                )
                self.rows[(node, block.number, new_line)] = new
                return [(node, block.number, new_line, new)]
            if rtype in ("DELETE", "LOCK"):
                line = struct.unpack_from("<H", main, 4)[0]
                return [
                    (node, block.number, line, self.rows.get((node, block.number, line), set()))
                ]
            return []
        if rmgr == "Heap2" and rtype == "MULTI_INSERT" and 0 in blocks:
            block = blocks[0]
            return [(block.rnode[2], block.number, None, self.signatures.find(block.data))]
        if rmgr == "Btree" and rtype.startswith("INSERT") and 0 in blocks:
            block = blocks[0]
            return [(block.rnode[2], block.number, None, self.signatures.find(block.data))]
        return []


def evidence_from(
    findings: Findings,
    item_kind: str,
    code_ids: list[str],
    item_ids: list[str],
    answering: tuple[int, int, int, int],
    sources: set[str],
) -> Evidence:
    """Linker evidence: spends (code sightings in the answering phase) and item sightings.

    `answering` = (first xid, end xid, first LSN, end LSN) of the answering phase."""
    xid_low, xid_high, lsn_low, lsn_high = answering
    codes = {c: [] for c in code_ids}
    items = {i: [] for i in item_ids}
    for touch in findings.touches:
        if touch.source not in sources:
            continue
        if touch.kind == "code":
            in_phase = (
                xid_low <= touch.xid < xid_high
                if touch.source == "heap"
                else lsn_low <= touch.order < lsn_high
            )
            if not in_phase or touch.ident not in codes:
                continue
            target = codes[touch.ident]
        elif touch.kind == item_kind and touch.ident in items:
            target = items[touch.ident]
        else:
            continue
        channel = "pg:xid" if touch.source == "heap" else "pg:wal"
        target.append(Position(channel, touch.order, touch.xid))
        if touch.source == "heap" and touch.place:
            target.append(Position(f"pg:ctid:{touch.table}", touch.place))
    kinds = {"pg:xid": ATOMIC, "pg:wal": ATOMIC}
    for positions in [*codes.values(), *items.values()]:
        for p in positions:
            kinds.setdefault(p.channel, RANK)
    return Evidence(codes, items, kinds, partial={"pg:xid"})


def groups_holding_both(findings: Findings) -> dict[tuple[str, int], dict]:
    """Transactions (heap xids, WAL xids) in which a code and answers were both written."""
    seen: dict = defaultdict(lambda: defaultdict(set))
    for touch in findings.touches:
        if touch.xid:
            seen[(touch.source, touch.xid)][touch.kind].add(touch.ident)
    return {
        group: {k: len(v) for k, v in kinds.items()}
        for group, kinds in seen.items()
        if "code" in kinds and ("response" in kinds or "comment" in kinds)
    }


class PageCopies:
    """A superuser copying every page of every table and index (get_raw_page) after each
    request, as the SQLite attack copies the files: what changed between two copies was
    written by that request. PostgreSQL changes pages on reads too (hint bits)."""

    def __init__(self, attacker: PostgresAttacker):
        self.attacker = attacker
        self.copies: list[tuple[int, bool, dict]] = []

    def copy(self, answering: bool) -> None:
        pages = {}
        for name, _kind, _node, blocks in self.attacker.relations():
            for block in range(blocks):
                pages[(name, block)] = bytes(
                    self.attacker.sql("SELECT get_raw_page(:n, :b)", n=name, b=block)[0][0]
                )
        self.copies.append((len(self.copies), answering, pages))

    def evidence(self, signatures: Signatures, item_kind: str) -> tuple[Evidence, dict]:
        """Spends (a new row version of a code; pruning only removes) as evidence, and reads
        apart: a code tuple whose only change is in the header bytes before its hash
        (hint bits set by the first read after it was written) -> {copy: [codes]}."""
        from tests.attacks.sqlite_storage import contexts

        codes = {c: [] for c in signatures.codes}
        items = {i: [] for i in getattr(signatures, f"{item_kind}s")}
        reads: dict[int, list[str]] = defaultdict(list)
        previous: dict = {}
        for order, answering, pages in self.copies:
            # Compared per relation, not per page: a row moved by a page split or a
            # defragmentation is not a new row.
            before: dict = defaultdict(list)
            after: dict = defaultdict(list)
            for place, page in pages.items():
                old = previous.get(place, b"")
                if old == page:
                    continue
                for item, records in contexts(signatures, old).items():
                    before[(place[0], item)] += records
                for item, records in contexts(signatures, page).items():
                    after[(place[0], item)] += records
            position = Position("pg:request", order, order)
            for relation_item in set(before) | set(after):
                old_records = tuple(sorted(before.get(relation_item, ())))
                new_records = tuple(sorted(after.get(relation_item, ())))
                if old_records == new_records:
                    continue
                kind, ident = relation_item[1]
                if kind == "code" and answering:
                    if _header_only(old_records, new_records):
                        reads[order].append(ident)
                    elif len(new_records) > len(old_records):  # a new row version
                        codes[ident].append(position)
                elif kind == item_kind:
                    items[ident].append(position)
            previous = pages
        return Evidence(codes, items, {"pg:request": TIMELINE}), dict(reads)


def _header_only(before: tuple | None, after: tuple | None) -> bool:
    """Same records, changed only in the 8 bytes before the hash (the tuple header)."""
    if not before or not after or len(before) != len(after):
        return False
    return sorted(b[8:] for b in before) == sorted(a[8:] for a in after)


def hint_read_links(findings: Findings, item_kind: str = "response") -> dict[str, str]:
    """The attacker's guess from WAL images logged for hint bits: an image that shows
    exactly one code read for the first time links it to the next answers written."""
    inserts = sorted(
        (t.order, t.ident) for t in findings.touches if t.source == "wal" and t.kind == item_kind
    )
    guesses = {}
    for lsn, _xid, _table, codes in findings.hint_reads:
        if len(codes) != 1:
            continue
        later = [ident for order, ident in inserts if order > lsn]
        if later:
            guesses[next(iter(codes))[1]] = later[0]
    return guesses


def read_links(reads: dict[int, list[str]], evidence: Evidence) -> dict[str, str]:
    """The attacker's guess from reads: a request that read exactly one code (its first
    read) and wrote exactly one response links the two."""
    written = defaultdict(list)
    for item, positions in evidence.responses.items():
        first = min((p.order for p in positions), default=None)
        if first is not None:
            written[first].append(item)
    return {
        codes[0]: written[order][0]
        for order, codes in reads.items()
        if len(set(codes)) == 1 and len(written.get(order, [])) == 1
    }


def merge(*parts: Evidence) -> Evidence:
    codes, items, kinds, partial = defaultdict(list), defaultdict(list), {}, set()
    for part in parts:
        for c, ps in part.codes.items():
            codes[c] += ps
        for i, ps in part.responses.items():
            items[i] += ps
        kinds.update(part.kinds)
        partial |= part.partial
    return Evidence(dict(codes), dict(items), kinds, partial)
