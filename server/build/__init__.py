"""The build stage: the pipeline from the source files to a verified, cached on-disk store.

    Turtle files ─▶ strict parse ─▶ SHACL and ontology checks ─▶ OWL RL reasoning ─▶ store + dataset.nq

Exports:
- `build(project)`: run the pipeline, or reuse the verified cache entry for the same sources
  (server.build.pipeline); `Build`: the result; `ValidationFailed`: the data does not pass the gate;
- `build_isolated(project)`: the same in a child process, for a parent that forks afterwards
  (server.build.isolated);
- server.build.beside: `Gate`, the checks run in a forked child beside reasoning and store writing for a
  large graph (the build is published only when the gate passes);
- `parse_sources`, `source_files`, `scope_blank_nodes`: the parsing step on its own;
- server.build.cache: how a cache entry is written, verified and moved aside when damaged.
"""

from .isolated import build_isolated
from .pipeline import (
    PIPELINE_VERSION, REASONERS, Build, ParsedSources, ValidationFailed, build, parse_sources, scope_blank_nodes,
    source_files,
)

__all__ = [
    "PIPELINE_VERSION", "REASONERS", "Build", "ParsedSources", "ValidationFailed", "build", "build_isolated",
    "parse_sources", "scope_blank_nodes", "source_files",
]
