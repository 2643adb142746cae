"""Measurement at scale: data shaped like the curated graph, and the benchmarks that run on it.

    tskg generate ─▶ a project of N triples ─▶ tskg bench (ours beside Oxigraph server, same client)

Exports (modules, run or imported):
- server.scale.generate: `generate(root, size, seed)`, deterministic data that conforms to the shapes;
- server.scale.benchmark: `run(Options)`, behind `tskg bench`;
- server.scale.workload: the saved queries as users send them (`saved_requests`), the text our server runs
  for each, variables renamed for distinct requests, and the comparison of two servers' answers;
- server.scale.compare_engines: the embedded engine, pyoxigraph in-process and rdflib on the saved queries
  (`python -m server.scale.compare_engines`);
- server.scale.reliability: `tskg serve` under load, faults and hostile inputs
  (`python -m server.scale.reliability`);
- server.scale.serving: `measure_serving(Options)`, the speed of answering on the curated graph beside
  Oxigraph server, repeated and distinct queries, and where a request's time goes
  (`python -m server.scale.serving`).
"""
