"""The sources stage: the project's Turtle files read strictly, and where each thing is written.

    ontology/*.ttl, graph/*.ttl ─▶ strict parse (pyoxigraph) ─▶ triples, with file:line for every node

Exports (modules):
- server.sources.turtle: `parse_turtle`, `parse_turtle_file`, `TurtleSyntaxError` (file:line:column);
- server.sources.lineindex: the file:line index of subjects and triples, for reports (neither rdflib nor
  pySHACL keeps source positions);
- server.sources.quotes: the article's sentences and the quotes that cite them, with their offsets
  (`python -m server.sources.quotes` prints them).
"""
