"""The checks stage: the one gate that both `tskg validate` and the build pass the data through.

    parsed sources ─▶ well-formed literals ─▶ SHACL shapes ─▶ ontology checks ─▶ findings at file:line

Exports (modules):
- server.checks.gate: `check(sources)`, `check_project(project)` — every check, the same verdict everywhere;
- server.checks.shacl_fast (the fast path, the default) and server.checks.shacl_reference (pySHACL, the
  reference it is shown equal to), side by side;
  server.checks.shacl_screen (decides in Python which focus nodes may have a result, so that pySHACL sees
  only those) and server.checks.shacl_targets (SPARQL-based targets), shared by both;
- server.checks.literals (every XSD datatype's lexical space), server.checks.ontology (our ontology
  checks), server.checks.locate (file:line of each finding), server.checks.results (`Result`, `Report`),
  server.checks.reports (text, JSON, JUnit, GitHub, SARIF).
"""
