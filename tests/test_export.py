"""`tskg export`, run as a real process on the real data (ontology/ and graph/).

Every format is parsed back with pyoxigraph and compared with the build's graphs: isomorphic,
checked by RDFC-1.0 canonicalization of both sides. --canonical must give the same bytes from
two builds made from scratch (their blank node labels differ), with a checksum file that
sha256sum accepts. A failed export leaves no file behind, and bad input gets one clear line.

The data is copied to a temporary project first, so that edits made to the checkout while the
tests run do not change the data under them.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pyoxigraph as ox
import pytest

from helpers import tskg as run_tskg

from conftest import ONTOLOGY_HEADER
from server.build import Build, ValidationFailed, build
from server.exports.files import FORMATS, canonical_nquads
from server.namespaces import GRAPHS
from server.project import Project

REPO_ROOT = Path(__file__).resolve().parent.parent
ALL_GRAPHS = list(GRAPHS.values())


# --- helpers shared with test_other_stores.py and test_publish.py --------------------------------

@dataclass
class RealData:
    """A copy of the checkout's ontology/ and graph/, built into its own cache."""

    root: Path
    cache: Path
    build: Build
    dataset: ox.Dataset   # the build's quads, terms as parsed

    def env(self, **extra) -> dict[str, str]:
        env = dict(os.environ, TSKG_CACHE=str(self.cache))
        env.update(extra)
        env.pop("TSKG_ROOT", None)
        return env

    def quads(self, graphs=ALL_GRAPHS) -> list[ox.Quad]:
        return [q for g in graphs for q in self.dataset.quads_for_graph_name(ox.NamedNode(g))]

    def merged(self, graphs=ALL_GRAPHS) -> list[ox.Quad]:
        """The chosen graphs as one graph, in the default graph, each triple once."""
        return list({ox.Quad(q.subject, q.predicate, q.object): None for q in self.quads(graphs)})


def copy_project(source: Path, target: Path) -> Path:
    for sub in ("ontology", "graph"):
        (target / sub).mkdir(parents=True)
        for path in sorted((source / sub).glob("*.ttl")):
            shutil.copy2(path, target / sub / path.name)
    return target


_REAL: list[RealData] = []  # one copy and build per test session, whichever module asks first


def make_real_data(tmp_path_factory) -> RealData:
    if _REAL:
        return _REAL[0]
    project = Project.locate(REPO_ROOT)
    if not project.graph_files:
        pytest.skip("graph/ has no .ttl files yet: these tests run on the real data")
    root = copy_project(REPO_ROOT, tmp_path_factory.mktemp("real-data"))
    cache = root / ".cache"
    try:
        with mock.patch.dict(os.environ, {"TSKG_CACHE": str(cache)}):
            built = build(Project.locate(root))
    except ValidationFailed as failed:
        pytest.fail(f"the real data does not conform to the shapes ({len(failed.report.violations)} "
                    "violations): run `tskg validate`", pytrace=False)
    dataset = ox.Dataset(ox.parse(path=built.dataset_path, format=ox.RdfFormat.N_QUADS))
    _REAL.append(RealData(root, cache, built, dataset))
    return _REAL[0]


@pytest.fixture(scope="session")
def real(tmp_path_factory) -> RealData:
    """The real data (a copy, built once). Other test modules import this fixture; pytest then
    makes one fixture per module, so the copy and build are shared through _REAL."""
    return make_real_data(tmp_path_factory)


def tskg(root: Path, *args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Run the command line as a user would, in its own process (output as bytes)."""
    return run_tskg(*args, root=root, env=env, text=False, **kwargs)


def canonical(quads) -> set[str]:
    """The quads with blank nodes relabelled by RDFC-1.0: equal sets mean isomorphic datasets."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def assert_isomorphic(actual, expected, what: str) -> None:
    actual, expected = canonical(actual), canonical(expected)
    missing, extra = sorted(expected - actual), sorted(actual - expected)
    assert not missing and not extra, (
        f"{what}: {len(missing)} quads lost, {len(extra)} changed or added; "
        f"lost e.g. {missing[:3]}, added e.g. {extra[:3]}"
    )


def stderr_lines(process: subprocess.CompletedProcess) -> list[str]:
    return process.stderr.decode().splitlines()


# --- every format round-trips ----------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS, ids=[f.name for f in FORMATS])
def test_every_format_parses_back_to_the_build(real, tmp_path, fmt):
    out = tmp_path / f"tskg{fmt.extensions[0]}"
    done = tskg(real.root, "export", "--output", str(out), env=real.env())
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == b""

    parsed = list(ox.parse(path=out, format=fmt.rdf))
    if fmt.dataset:  # every graph the build wrote (the derived graph only when a rule derived something)
        expected = real.quads()
        assert {q.graph_name.value for q in parsed} == {q.graph_name.value for q in expected} >= set(ALL_GRAPHS[:3])
    else:
        assert all(q.graph_name == ox.DefaultGraph() for q in parsed)
        expected = real.merged()
    assert_isomorphic(parsed, expected, f"{out.name} against the build")
    # The summary line counts what was written.
    assert f" {len(expected)} {'quads' if fmt.dataset else 'triples'}, " in done.stderr.decode()


def test_no_inferred_leaves_the_inferred_graph_out(real, tmp_path):
    out = tmp_path / "tskg.trig"
    done = tskg(real.root, "export", "--no-inferred", "-o", str(out), env=real.env())
    assert done.returncode == 0, done.stderr.decode()
    parsed = list(ox.parse(path=out, format=ox.RdfFormat.TRIG))
    chosen = [GRAPHS["ontology"], GRAPHS["asserted"], GRAPHS["derived"]]  # every graph but the inferred one
    assert {q.graph_name.value for q in parsed} == set(chosen)
    assert_isomorphic(parsed, real.quads(chosen), "TriG without inferences")


def test_graphs_option_merges_only_the_chosen_graphs(real, tmp_path):
    out = tmp_path / "data.nt"
    done = tskg(real.root, "export", "--graphs", "asserted,inferred", "-o", str(out), env=real.env())
    assert done.returncode == 0, done.stderr.decode()
    chosen = [GRAPHS["asserted"], GRAPHS["inferred"]]
    assert_isomorphic(ox.parse(path=out, format=ox.RdfFormat.N_TRIPLES), real.merged(chosen), "asserted+inferred")
    ontology_only = {str(q.triple) for q in real.quads([GRAPHS["ontology"]])} - {str(q.triple) for q in real.merged(chosen)}
    assert ontology_only, "the ontology graph has triples of its own, so leaving it out must show"


def test_stdout_gets_the_same_graph(real):
    done = tskg(real.root, "export", "--format", "turtle", env=real.env())
    assert done.returncode == 0, done.stderr.decode()
    assert_isomorphic(ox.parse(done.stdout, format=ox.RdfFormat.TURTLE), real.merged(), "Turtle on stdout")


def test_turtle_uses_the_project_prefixes(real, tmp_path):
    out = tmp_path / "tskg.ttl"
    assert tskg(real.root, "export", "-o", str(out), env=real.env()).returncode == 0
    text = out.read_text(encoding="utf-8")
    assert "@prefix tsk: <https://w3id.org/tskg/ontology#> ." in text
    assert re.search(r"^tskr:[\w-]+ ", text, re.M), "subjects of the data are written as tskr: names"


def test_asserted_graph_is_the_source_files_unchanged(real):
    """No triple of graph/*.ttl lost or changed on the way through the build: compared with a
    fresh strict parse of the files (datatypes such as xsd:nonNegativeInteger included)."""
    source = []
    for number, path in enumerate(Project.locate(real.root).graph_files):

        def local(term):  # a blank node label is local to its file
            return ox.BlankNode(f"file{number}x{term.value}") if isinstance(term, ox.BlankNode) else term

        source += [ox.Quad(local(t.subject), t.predicate, local(t.object), ox.NamedNode(GRAPHS["asserted"]))
                   for t in ox.parse(path=path, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())]
    assert_isomorphic(real.quads([GRAPHS["asserted"]]), source, "asserted graph against graph/*.ttl")


# --- canonical N-Quads -------------------------------------------------------------------------

def blank_labels(dataset_path: Path) -> set[str]:
    labels = set()
    for q in ox.parse(path=dataset_path, format=ox.RdfFormat.N_QUADS):
        labels |= {t.value for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}
    return labels


def test_canonical_is_byte_identical_across_fresh_builds(real, tmp_path):
    runs = {}
    for run in ("first", "second"):  # two processes at once: each builds from scratch (reasoning takes a while)
        out_dir, cache = tmp_path / run, tmp_path / f"cache-{run}"
        out_dir.mkdir()
        runs[run] = (out_dir, cache, subprocess.Popen(
            [sys.executable, "-m", "server", "--root", str(real.root), "export", "--canonical", "-o", str(out_dir / "tskg.nq")],
            env=real.env(TSKG_CACHE=str(cache)), stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    outputs = []
    for out_dir, cache, process in runs.values():
        _, err = process.communicate(timeout=1200)
        assert process.returncode == 0, err.decode()
        builds = list(cache.glob("*/dataset.nq"))
        assert len(builds) == 1, "each run made its own build from scratch"
        outputs.append((out_dir / "tskg.nq", builds[0]))

    (first, first_build), (second, second_build) = outputs
    labels_first, labels_second = blank_labels(first_build), blank_labels(second_build)
    assert labels_first and not labels_first & labels_second, "the two builds label blank nodes differently"
    data = first.read_bytes()
    assert data == second.read_bytes()
    # and a third build, the session's own, gives the same bytes
    assert canonical_nquads(real.dataset, ALL_GRAPHS) == data

    # RDFC-1.0 form: sorted lines, canonical blank node labels, and the same graph as the build.
    lines = data.splitlines(keepends=True)
    assert lines == sorted(lines) and data.endswith(b"\n")
    assert set(re.findall(rb"_:(\S+)", data)) <= {b"c14n%d" % i for i in range(len(lines) * 2)}
    assert_isomorphic(ox.parse(data, format=ox.RdfFormat.N_QUADS), real.quads(), "canonical N-Quads")

    # The other formats are deterministic too: canonical blank node labels, sorted statements.
    for name in ("tskg.ttl", "tskg.trig", "tskg.rdf", "tskg.jsonld"):
        written = []
        for out, dataset_nq in outputs:
            path = out.with_name(name)
            done = tskg(real.root, "export", "-o", str(path), env=real.env(TSKG_CACHE=str(dataset_nq.parent.parent)))
            assert done.returncode == 0, done.stderr.decode()
            written.append(path.read_bytes())
        assert written[0] == written[1], f"{name} differs between two builds of the same data"

    # The checksum file is in sha256sum's format and verifies.
    for out in (first, second):
        checksum = out.with_name("tskg.nq.sha256").read_text()
        assert checksum == f"{hashlib.sha256(data).hexdigest()}  tskg.nq\n"
    if shutil.which("sha256sum"):
        check = subprocess.run(["sha256sum", "-c", "tskg.nq.sha256"], cwd=first.parent, capture_output=True, text=True)
        assert check.returncode == 0 and "tskg.nq: OK" in check.stdout, check.stdout + check.stderr


# --- atomic writes ------------------------------------------------------------------------------

def limit_file_size(limit: int):
    def apply():
        import resource
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # Python ignores SIGXFSZ: writes fail with EFBIG
    return apply


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses RLIMIT_FSIZE to make writing fail midway")
def test_a_write_failing_midway_leaves_no_file_and_the_old_one_intact(real, tmp_path):
    target = tmp_path / "tskg.nt"
    target.write_text("the previous export\n")
    done = tskg(real.root, "export", "-o", str(target), env=real.env(), preexec_fn=limit_file_size(64 * 1024))
    assert done.returncode == 2
    lines = stderr_lines(done)
    assert len(lines) == 1 and "cannot write" in lines[0] and "File too large" in lines[0], lines
    assert target.read_text() == "the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tskg.nt"], "no temporary file left behind"


def test_a_failing_canonical_export_writes_no_checksum(real, tmp_path):
    target = tmp_path / "release" / "tskg.nq"  # release/ is created, and removed again on failure
    done = tskg(real.root, "export", "--canonical", "-o", str(target), env=real.env(), preexec_fn=limit_file_size(64 * 1024))
    assert done.returncode == 2, done.stderr.decode()
    assert list(tmp_path.iterdir()) == []


def test_missing_folders_are_created(real, tmp_path):
    """As the README writes it on a fresh clone: `tskg export --canonical --output release/tskg.nq`."""
    done = tskg(real.root, "export", "--canonical", "--output", "release/tskg.nq", env=real.env(), cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    data = (tmp_path / "release" / "tskg.nq").read_bytes()
    assert (tmp_path / "release" / "tskg.nq.sha256").read_text() == f"{hashlib.sha256(data).hexdigest()}  tskg.nq\n"
    deeper = tmp_path / "a" / "b" / "tskg.ttl"
    assert tskg(real.root, "export", "-o", str(deeper), env=real.env()).returncode == 0 and deeper.stat().st_size


EDGE_ONTOLOGY = ONTOLOGY_HEADER
# A predicate IRI ending in '#' cannot be an XML element name, so RDF/XML cannot carry it.
EDGE_DATA = """\
<https://w3id.org/tskg/id/a> <http://example.org/vocab#> "no XML name for this predicate" .
<https://w3id.org/tskg/id/a> <http://www.w3.org/2000/01/rdf-schema#label> "a"@en .
"""


def test_serialization_failing_leaves_no_file(tmp_path):
    root = tmp_path / "project"
    (root / "ontology").mkdir(parents=True)
    (root / "graph").mkdir()
    (root / "ontology" / "tskg.ttl").write_text(EDGE_ONTOLOGY)
    (root / "graph" / "data.ttl").write_text(EDGE_DATA)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "tskg.rdf").write_text("old")
    env = dict(os.environ, TSKG_CACHE=str(tmp_path / "cache"))

    done = tskg(root, "export", "-o", str(out_dir / "tskg.rdf"), env=env)
    assert done.returncode == 2
    lines = stderr_lines(done)
    assert len(lines) == 1 and "<http://example.org/vocab#>" in lines[0] and "RDF/XML" in lines[0], lines
    assert [p.name for p in out_dir.iterdir()] == ["tskg.rdf"] and (out_dir / "tskg.rdf").read_text() == "old"
    # The same data in a format that can carry it is fine.
    assert tskg(root, "export", "-o", str(out_dir / "tskg.ttl"), env=env).returncode == 0


# --- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("args, expected", [
    (["--format", "xyz"], "unknown format 'xyz'; choose one of: nt (N-Triples), nq (N-Quads), trig (TriG), "
                          "ttl (Turtle), jsonld (JSON-LD), rdfxml (RDF/XML)"),
    (["--output", "{tmp}/tskg.txt"], "cannot tell the format of"),
    (["--output", "{tmp}/file/tskg.nt"], "{tmp}/file is not a directory"),
    (["--output", "{tmp}"], "it is a directory"),
    (["--graphs", "ontology,bogus"], "unknown graph 'bogus'"),
    (["--graphs", "inferred", "--no-inferred"], "no graph left to export"),
    (["--canonical", "--format", "ttl"], "--canonical writes N-Quads"),
], ids=["format", "extension", "file-as-folder", "directory", "graph", "no-graph", "canonical-format"])
def test_bad_input_gets_one_line_and_exit_2(tmp_path, args, expected):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if any("/file/" in a for a in args):
        (tmp_path / "file").write_text("a file where a folder should be")
    done = tskg(REPO_ROOT, "export", *args, env=dict(os.environ, TSKG_CACHE=str(tmp_path / "cache")))
    lines = stderr_lines(done)
    assert done.returncode == 2
    assert len(lines) == 1 and lines[0].startswith("tskg export: error: "), lines
    assert expected.replace("{tmp}", str(tmp_path)) in lines[0]
    assert done.stdout == b""
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "file") == [], "nothing written, not even a build"


def test_invalid_turtle_is_reported_with_file_and_line(tmp_path):
    root = tmp_path / "project"
    (root / "ontology").mkdir(parents=True)
    (root / "graph").mkdir()
    (root / "ontology" / "tskg.ttl").write_text(EDGE_ONTOLOGY)
    (root / "graph" / "bad.ttl").write_text('<https://w3id.org/tskg/id/a>\n  <http://example.org/p> "unclosed .\n')
    done = tskg(root, "export", "-o", str(tmp_path / "x.nt"), env=dict(os.environ, TSKG_CACHE=str(tmp_path / "cache")))
    lines = stderr_lines(done)
    assert done.returncode == 2 and len(lines) == 1, lines
    assert re.search(r"graph/bad\.ttl:2(:\d+)?: ", lines[0]), lines
    assert not (tmp_path / "x.nt").exists()
