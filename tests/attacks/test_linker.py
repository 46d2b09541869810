"""The linker itself, on synthetic evidence from designs whose answer is known: a spend in
the answers' transaction links for certain; separate transactions in arrival order link by
their order; whole batches of B leave sets of exactly B, and rank matching finds an
unshuffled batch."""

from __future__ import annotations

import random

from tests.attacks.linker import ATOMIC, RANK, TIMELINE, Evidence, Position, link, score

N, B = 40, 10


def codes_and_responses(n: int = N):
    rng = random.Random(7)
    codes = [f"c{rng.getrandbits(64):016x}" for _ in range(n)]
    responses = [f"r{rng.getrandbits(64):016x}" for _ in range(n)]
    return codes, responses, dict(zip(codes, responses, strict=True))


def test_one_transaction_for_spend_and_answers_links_every_code():
    codes, responses, truth = codes_and_responses()
    evidence = Evidence(
        codes={c: [Position("xid", 100 + i, 100 + i)] for i, c in enumerate(codes)},
        responses={r: [Position("xid", 100 + i, 100 + i)] for i, r in enumerate(responses)},
        kinds={"xid": ATOMIC},
    )
    figures = score(link(evidence), truth, N, B)
    assert figures.certain_links == figures.certain_correct == N
    assert figures.expected_success == 1.0


def test_separate_transactions_in_arrival_order_still_link():
    """Answers then spend, each in its own transaction: order alone pins every pair."""
    codes, responses, truth = codes_and_responses()
    evidence = Evidence(
        codes={c: [Position("wal", 2 * i + 1, f"s{i}")] for i, c in enumerate(codes)},
        responses={r: [Position("wal", 2 * i, f"a{i}")] for i, r in enumerate(responses)},
        kinds={"wal": ATOMIC},
    )
    figures = score(link(evidence), truth, N, B)
    assert figures.certain_links == figures.certain_correct == N
    assert figures.truth_missed == 0


def batch_evidence(shuffle: bool, pending: int = 0):
    """B answers, each in its own transaction, then one transaction spending all B."""
    codes, responses, truth = codes_and_responses(N + pending)
    rng = random.Random(3)
    code_positions = {c: [] for c in codes}
    response_positions = {}
    lsn = 0
    for start in range(0, N, B):
        for i in range(start, start + B):
            lsn += 1
            response_positions[responses[i]] = [Position("wal", lsn, f"a{i}")]
        batch = list(range(start, start + B))
        if shuffle:
            rng.shuffle(batch)
        for i in batch:
            lsn += 1
            code_positions[codes[i]] = [Position("wal", lsn, f"s{start}")]
    for i in range(N, N + pending):  # answered, spend discarded at close
        lsn += 1
        response_positions[responses[i]] = [Position("wal", lsn, f"a{i}")]
    return Evidence(code_positions, response_positions, {"wal": ATOMIC}), truth


def test_whole_shuffled_batches_leave_sets_of_b():
    evidence, truth = batch_evidence(shuffle=True, pending=3)
    links = link(evidence)
    figures = score(links, truth, N + 3, B)
    assert figures.certain_links == 0
    assert figures.smallest_set >= B
    assert figures.truth_missed == 0
    assert figures.expected_success <= 1 / B
    assert len(links.unlinked) == 3  # pending at close: never written


def test_rank_matching_finds_an_unshuffled_batch():
    evidence, truth = batch_evidence(shuffle=False)
    figures = score(link(evidence), truth, N, B)
    assert figures.smallest_set == B
    assert figures.best_rank[1] == N  # sets are fine, the order inside gives it away


def test_snapshots_per_request_link_a_spend_written_with_its_answers():
    """Coarse groups (one file copy per request) give no certainty by themselves, but
    a spend per request, ordered, still pins each code to its request's answers."""
    codes, responses, truth = codes_and_responses()
    evidence = Evidence(
        codes={c: [Position("req", i, i)] for i, c in enumerate(codes)},
        responses={r: [Position("req", i, i)] for i, r in enumerate(responses)},
        kinds={"req": TIMELINE},
    )
    figures = score(link(evidence), truth, N, B)
    assert figures.certain_correct == N


def test_rank_channels_alone_give_no_sets():
    codes, responses, truth = codes_and_responses()
    evidence = Evidence(
        codes={c: [Position("code-table", i)] for i, c in enumerate(codes)},
        responses={r: [Position("answer-table", i)] for i, r in enumerate(responses)},
        kinds={"code-table": RANK, "answer-table": RANK},
    )
    figures = score(link(evidence), truth, N, B)
    assert figures.smallest_set == N
    assert figures.rank_successes == {"code-table vs answer-table": N}
