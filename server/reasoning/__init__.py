"""The reasoning stage: the OWL 2 RL closure of the ontology and the data, kept apart from what was asserted.

    ontology + asserted data ─▶ OWL RL rules ─▶ the inferred graph (never written back into graph/)

Exports (modules):
- server.reasoning.fast: `inferred_triples(triples, profile="owlrl"|"rdfs")`, the closure in one pass over
  the data with a compiled schema (the build's reasoner; profile "rdfs" is the closure the SHACL checks use);
- server.reasoning.reference: `owlrl_inferred(graph)`, owlrl itself, which the fast path is shown equal to
  (tests/test_rules.py, tests/test_reasoner_differential.py), and `undo_owlrl_datatypes`.
"""
