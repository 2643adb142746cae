"""server.reasoning.fast against its references on seeded random ontologies with data (tests/random_owl.py).

For each seed, random_owl.random_graph draws a small ontology with data; server.reasoning.fast reasons over it,
in eight orders of the input triples (the closure must not depend on the order), and so does the
reference (tests/reasoner_reference.py): owlrl for profile "owl-rl" (less the short list of what
server.reasoning.fast leaves out on purpose, written there), the RDFS closure pySHACL computes for
inference="rdfs" for profile "rdfs". The sets of triples must be equal.

How many: TSKG_DIFF_CASES seeds per profile, from TSKG_DIFF_SEED on (default 0). Without it, 80 seeds
for owl-rl (owlrl takes ~0.2 s a case) and 400 for rdfs, so the file runs in well under a minute. Many
more on demand, for example:

    TSKG_DIFF_CASES=5000 .venv/bin/python -m pytest tests/test_reasoner_differential.py -q
    TSKG_DIFF_CASES=1 TSKG_DIFF_SEED=1234 .venv/bin/python -m pytest tests/test_reasoner_differential.py

A failure gives the number of seeds that differ and, for the first, the input shrunk to the triples
that still make the difference (as N-Triples) with the triples missing and extra: a regression case to
add to tests/test_rules.py once fixed.
"""

from __future__ import annotations

import os
import random
from collections import Counter

import pyoxigraph as ox
import pytest

from random_owl import KINDS, random_graph, shrink, turtle_lines
from reasoner_reference import as_tuples, owlrl_closure, pyshacl_rdfs_closure
from server.reasoning.fast import inferred_triples

DEFAULT_CASES = {"owl-rl": 80, "rdfs": 400}


def cases(profile: str) -> range:
    start = int(os.environ.get("TSKG_DIFF_SEED", "0"))
    return range(start, start + int(os.environ.get("TSKG_DIFF_CASES", DEFAULT_CASES[profile])))


def orders(triples: list[ox.Triple], shuffles: int = 6) -> list[list[ox.Triple]]:
    """The input as drawn, reversed and shuffled: the order decides the terms' ids and so the order in
    which the worklist meets the triples, and the closure must not depend on it. (server.reasoning.fast takes a
    few milliseconds here, the reference a few hundred.)"""
    rng = random.Random(len(triples))
    shuffled = [rng.sample(triples, len(triples)) for _ in range(shuffles)]
    return [triples, triples[::-1], *shuffled]


def expected_and_ours(profile: str, triples: list[ox.Triple]) -> tuple[set, set]:
    """(the reference's triples, server.reasoning.fast' when they agree over all `orders`, else the first that
    differs from the reference)."""
    if profile == "owl-rl":
        expected, _ = owlrl_closure(triples)
    else:
        expected = pyshacl_rdfs_closure(triples)
    for ordered in orders(triples):
        ours = as_tuples(inferred_triples(ordered, profile=profile))
        if ours != expected:
            break
    return expected, ours


def differs(profile: str, triples: list[ox.Triple]) -> bool:
    expected, ours = expected_and_ours(profile, triples)
    return expected != ours


def reproduction(profile: str, seed: int) -> str:
    triples, _ = random_graph(seed)
    small = shrink(triples, lambda ts: differs(profile, ts))
    expected, ours = expected_and_ours(profile, small)

    def listed(ts):
        return "\n".join(f"  {ox.Triple(*t)}" for t in sorted(ts, key=str)) or "  (none)"

    return (f"seed {seed}, profile {profile}: {len(triples)} triples, shrunk to {len(small)}:\n"
            f"{turtle_lines(small)}\nmissing (the reference has them, server.reasoning.fast not):\n{listed(expected - ours)}\n"
            f"extra (server.reasoning.fast has them, the reference not):\n{listed(ours - expected)}")


@pytest.mark.parametrize("profile", ["owl-rl", "rdfs"])
def test_random_ontologies_equal_the_reference(profile):
    failing, derived = [], 0
    for seed in cases(profile):
        triples, _ = random_graph(seed)
        expected, ours = expected_and_ours(profile, triples)
        derived += len(expected)
        if expected != ours:
            failing.append(seed)
    assert derived > 0, "the references derived nothing: the comparison would be empty"
    if failing:
        pytest.fail(f"{len(failing)} of {len(cases(profile))} seeds differ ({failing[:20]}); the first, "
                    f"shrunk:\n{reproduction(profile, failing[0])}", pytrace=False)


def test_the_random_graphs_draw_every_statement_kind():
    """Every construct has its statement kind (random_owl.KINDS); the default seeds draw each many times,
    and the graphs are not trivial: owlrl's closure adds more than the input on average."""
    drawn: Counter = Counter()
    for seed in cases("owl-rl"):
        drawn.update(random_graph(seed)[1])
    assert {kind.__name__ for kind, _ in KINDS} == set(drawn)
    assert min(drawn.values()) >= 10, drawn


def test_shrinking_keeps_the_difference_and_drops_the_rest():
    """The reproduction a failure prints: here for a made-up difference (the input holds both the first
    and the last triple drawn), shrinking leaves exactly those two."""
    triples, _ = random_graph(7, statements=(40, 40))
    first, last = triples[0], triples[-1]
    assert len(triples) > 40

    small = shrink(triples, lambda ts: first in ts and last in ts)
    assert small == [first, last]
