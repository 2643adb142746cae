"""The pipeline, built once and shared by the command line and the server:

    Turtle files → strict parse → the gate (server.checks.gate: literals, SHACL, ontology checks) → OWL RL reasoning
    → on-disk store

Two implementations of the checks and the reasoning, with the same results (tests/test_rules.py,
tests/test_fastshacl.py): reasoner="rules" (the default) keeps the triples in pyoxigraph terms, reasons
with server.reasoning.fast and validates with server.checks.shacl_fast; reasoner="owlrl" is the reference, rdflib graphs
with owlrl and pySHACL (inference "rdfs"), about 0.5 ms per triple for each of the two.

A build is cached under the project's cache directory by a digest of the source files, so a restart
with unchanged data only verifies and opens the store that is already there (server.build.cache: a
damaged entry is moved aside and built again, never served).
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib

from .. import __version__
from ..checks.gate import project_files
from ..checks.results import Report, Result
from ..namespaces import (
    GRAPH_ASSERTED,
    GRAPH_DERIVED,
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
    GRAPHS,
)
from ..project import Project, digest_files
from ..reasoning.fast import inferred_terms
from ..reasoning.reference import owlrl_inferred
from ..sources.files import SyntaxErrors, load_sources
from ..sources.turtle import parse_turtle_file
from ..terms import rdflib_graph, to_oxigraph
from . import cache
from .beside import Gate
from .derive import derive, rules

# Bump when the build's output changes for the same input, so old caches are not reused.
PIPELINE_VERSION = f"{__version__}/7"  # 2: dataset.nq beside the store; 3: blank nodes scoped per file;
#                                        4: build.json lists the size and checksum of every file;
#                                        5: the gate of server.checks.gate (literals and ontology checks too);
#                                        6: the store compacted (Store.optimize) before it is published
#                                        7: the gate beside the build, dataset.nq streamed from the graphs


class ValidationFailed(Exception):
    """The data does not pass validation (tskg validate); `report` says where and why."""

    def __init__(self, report: Report):
        super().__init__(f"{len(report.violations)} SHACL violation(s)")
        self.report = report

    def __reduce__(self):  # crosses from the build process (server.build.isolated) intact
        return (ValidationFailed, (self.report,))


@dataclass
class Build:
    """A finished build: an on-disk pyoxigraph store holding the named graphs of server.namespaces.GRAPHS."""

    digest: str
    directory: Path
    counts: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[Result] = field(default_factory=list)
    cached: bool = False

    @property
    def store_path(self) -> Path:
        return self.directory / "store"

    @property
    def dataset_path(self) -> Path:
        """The same quads as the store, as N-Quads with the terms as parsed. The store itself
        normalises literals (e.g. "5"^^xsd:nonNegativeInteger becomes "5"^^xsd:integer), so
        exports read this file to give the data back unchanged."""
        return self.directory / "dataset.nq"

    def open_store(self) -> ox.Store:
        """A read-only handle; any number of processes may hold one at once."""
        return ox.Store.read_only(str(self.store_path))


@dataclass
class ParsedSources:
    """The strictly parsed files, as rdflib graphs for pySHACL and owlrl."""

    ontology: rdflib.Graph
    shapes: rdflib.Graph
    data: rdflib.Graph


def source_files(project: Project) -> list[Path]:
    return project.ontology_files + project.shapes_files + project.graph_files


def parse_sources(project: Project) -> ParsedSources:
    """Parse every source file through the strict gate (raises TurtleSyntaxError)."""

    def graph_of(paths: list[Path]) -> rdflib.Graph:
        g = rdflib.Graph()
        for path in paths:
            rdflib_graph(scope_blank_nodes(parse_turtle_file(path, project.relative(path))), g)
        return g

    return ParsedSources(
        ontology=graph_of(project.ontology_files),
        shapes=graph_of(project.shapes_files),
        data=graph_of(project.graph_files),
    )


def scope_blank_nodes(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Blank node labels are local to their document: `_:x` in two files is two nodes.
    pyoxigraph keeps a label as written, so each file's labels get fresh identifiers."""
    fresh: dict[str, ox.BlankNode] = {}

    def scoped(term):
        return fresh.setdefault(term.value, ox.BlankNode()) if isinstance(term, ox.BlankNode) else term

    return [ox.Triple(scoped(t.subject), t.predicate, scoped(t.object)) for t in triples]


REASONERS = ("rules", "owlrl")


def build(project: Project | None = None, *, use_cache: bool = True, validate: bool = True,
          reasoner: str = "rules") -> Build:
    """Run the pipeline for `project`, or reuse the verified cache entry for the same sources.
    `reasoner`: "rules" (fast) or "owlrl" (the reference); see the module docstring.

    It opens the store (to build it, or to check a cached one): a process that forks afterwards must
    call server.build.isolated.build_isolated instead."""
    if reasoner not in REASONERS:
        raise ValueError(f"unknown reasoner {reasoner!r}: choose one of {', '.join(REASONERS)}")
    project = project or Project.locate()
    # The derivation rules are part of what a build depends on (server.build.derive).
    digest = digest_files(source_files(project) + rules(), salt=f"{PIPELINE_VERSION}/validate={validate}/{reasoner}")
    directory = project.cache_dir / digest
    with cache.locked(project.cache_dir):
        if use_cache and directory.exists():
            try:
                return _load_build(directory)
            except cache.CacheDamaged as damage:
                cache.move_aside(directory, str(damage))
        return _run_pipeline(project, directory, digest, validate=validate, reasoner=reasoner)


def _run_pipeline(project: Project, directory: Path, digest: str, *, validate: bool, reasoner: str) -> Build:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    try:  # each file parsed once, strictly; the gate and the reasoner share what it gives
        sources = load_sources(project_files(project))
    except SyntaxErrors as err:
        raise err.errors[0] from None
    timings["parse"] = time.perf_counter() - started

    # The same gate as `tskg validate` (server.checks.gate): literals, shapes, ontology checks, file:line;
    # beside the rest of the build for a large graph (server.build.beside), which is published only if it passes.
    gate = Gate(sources, engine="fast" if reasoner == "rules" else "pyshacl") if validate else None
    try:
        _refuse_early(gate, timings)
        started = time.perf_counter()
        ontology, data = sources.triples["ontology"], sources.triples["data"]
        if reasoner == "rules":
            inferred = inferred_terms(ontology + data)
        else:
            inferred = [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))
                        for s, p, o in owlrl_inferred(sources.ontology + sources.data)]
        graphs = {GRAPH_ONTOLOGY: ontology, GRAPH_ASSERTED: data, GRAPH_INFERRED: inferred}
        timings["reason"] = time.perf_counter() - started

        started = time.perf_counter()
        counts, warnings = _write_store(directory, graphs, timings, digest, gate)
        timings["store"] = time.perf_counter() - started
    finally:
        if gate is not None:
            gate.stop()
    return Build(digest=digest, directory=directory, counts=counts, timings=timings, warnings=warnings)


def _refuse_early(gate: Gate | None, timings: dict) -> None:
    """ValidationFailed now if the gate has already found that the data does not conform."""
    if gate is not None and gate.failed():
        _verdict(gate, timings)


def _verdict(gate: Gate | None, timings: dict) -> list[Result]:
    """The gate's findings (warnings only), or ValidationFailed; records how long it took and, when it ran
    beside the build, how long the build waited for it."""
    if gate is None:
        return []
    waited = time.perf_counter()
    report = gate.report()
    timings["validate"] = gate.seconds
    if gate.forked:
        timings["validate_wait"] = time.perf_counter() - waited
    if not report.conforms:
        raise ValidationFailed(report)
    return report.results


def _write_store(directory: Path, graphs: dict[str, list], timings, digest, gate: Gate | None
                 ) -> tuple[dict[str, int], list[Result]]:
    """Write the store and dataset.nq into a staging folder and publish it as the cache entry
    (server.build.cache) once the gate says the data conforms, so that a failed, refused or killed build
    never leaves an entry. Quads are made as they are written, never all held."""
    staging = Path(tempfile.mkdtemp(prefix=cache.STAGING_PREFIX, dir=directory.parent))
    store = quads = None
    try:
        store = ox.Store(str(staging / "store"))
        counts = {}
        for name, graph in graphs.items():
            g = ox.NamedNode(name)
            store.bulk_extend(ox.Quad(s, p, o, g) for s, p, o in graph)
            counts[name.rsplit("/", 1)[-1]] = len(graph)
        store.flush()
        _refuse_early(gate, timings)
        started = time.perf_counter()
        derived = derive(store)
        derived_graph = ox.NamedNode(GRAPH_DERIVED)
        if derived:
            counts["derived"] = derived
            store.flush()
        timings["derive"] = time.perf_counter() - started
        _refuse_early(gate, timings)
        # One batch per graph leaves many small files per index; compacted, queries read up to 2.5× faster
        # (measured on the curated graph: actor-offices, timelines, memberships), as fast as over a store
        # Oxigraph's bulk loader wrote. About 1 s per million quads. After the derivation, so that its
        # graph is compacted too (compacting before it did not make the rules faster at 1M: 33 s either way).
        started = time.perf_counter()
        store.optimize()
        timings["optimize"] = time.perf_counter() - started
        _refuse_early(gate, timings)
        started = time.perf_counter()
        quads = itertools.chain(
            (ox.Quad(s, p, o, ox.NamedNode(name)) for name, graph in graphs.items() for s, p, o in graph),
            store.quads_for_pattern(None, None, None, derived_graph) if derived else (),
        )
        ox.serialize(quads, str(staging / "dataset.nq"), ox.RdfFormat.N_QUADS)
        timings["dataset"] = time.perf_counter() - started
        store = quads = None  # closed (the iterator holds the store open too)
        warnings = _verdict(gate, timings)
        meta = {"digest": digest, "counts": counts, "timings": timings, "warnings": [vars(w) for w in warnings]}
        cache.publish(staging, directory, meta)
    except BaseException:
        store = quads = None  # closed first, or RocksDB writes into the folder again as it closes
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return counts, warnings


def _load_build(directory: Path) -> Build:
    """The cached build at `directory`, verified (cache.CacheDamaged if it is not whole)."""
    meta = cache.read_meta(directory)
    cache.check_store_opens(directory, [GRAPHS[name] for name, count in meta["counts"].items() if count])
    return Build(
        digest=meta["digest"],
        directory=directory,
        counts=meta["counts"],
        timings=meta["timings"],
        warnings=[Result(**w) for w in meta["warnings"]],
        cached=True,
    )
