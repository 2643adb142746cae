"""Validation reports in the formats people and CI systems read:

  text    for a terminal: results grouped by focus node, a summary line
  json    the same, for programs
  junit   JUnit XML, which CI systems render as test results
  github  GitHub Actions workflow commands (`::error file=…,line=…::…`): annotations on the PR
  sarif   SARIF 2.1.0, for GitHub code scanning (rules are the shapes and checks)

A syntax error in a source file is reported as a result of the rule `turtle-syntax`, so that
it reaches the pull request like any other finding.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from .results import Report, Result

FORMATS = ("text", "json", "junit", "github", "sarif")
SYNTAX_RULE = "turtle-syntax"
INFORMATION_URI = "https://w3id.org/tskg/"
CHECK_TAGS = {"ontology": "ontology", "literal": "literal", "shacl": "shacl"}  # Result.check → SARIF rule tag


@dataclass
class Outcome:
    """What a validation run found, as every format needs it."""

    report: Report
    seconds: float
    strict: bool = False
    syntax_errors: bool = False
    root: Path | None = None  # the project root; report paths are relative to it

    @property
    def passed(self) -> bool:
        if self.syntax_errors:
            return False
        if self.strict:
            return not self.report.results
        return self.report.conforms


def render(outcome: Outcome, fmt: str, color: bool = False) -> str:
    if fmt == "text":
        return render_text(outcome, color)
    renderers = {"json": render_json, "junit": render_junit, "github": render_github, "sarif": render_sarif}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}")
    return renderers[fmt](outcome)


def groups(results: list[Result]) -> list[tuple[Result, list[Result]]]:
    """Results grouped by focus node, in order of where the focus node is written."""
    by_focus: dict[str, list[Result]] = {}
    for r in results:
        by_focus.setdefault(r.focus or f"{r.file}:{r.line}", []).append(r)
    ordered = sorted(by_focus.values(), key=lambda rs: (rs[0].file or "~", rs[0].line or 0, rs[0].focus or ""))
    return [(rs[0], rs) for rs in ordered]


def summary(outcome: Outcome) -> str:
    r = outcome.report
    if outcome.syntax_errors:
        n = len(r.results)
        verdict = f"invalid Turtle: {n} file{'s' if n != 1 else ''} with a syntax error"
    else:
        counts = _counts(r.results)
        parts = [f"{counts['Violation']} violation{'s' if counts['Violation'] != 1 else ''}",
                 f"{counts['Warning']} warning{'s' if counts['Warning'] != 1 else ''}"]
        if counts["Info"]:
            parts.append(f"{counts['Info']} info")
        focus = len(groups(r.results))
        verdict = ("conforms" if outcome.passed else "does not conform") + ": " + ", ".join(parts)
        if focus:
            verdict += f" on {focus} focus node{'s' if focus != 1 else ''}"
        if outcome.strict and r.conforms and not outcome.passed:
            verdict += " (--strict: warnings fail)"
        if r.hidden:
            verdict += f" ({r.hidden} more in the files they were checked with: --all shows them)"
    files = len(r.files)
    size = f"{files} file{'s' if files != 1 else ''}"
    if not outcome.syntax_errors:
        size += f", {r.triples} triples"
    return f"{verdict}; {size}; {outcome.seconds:.2f} s"


def _counts(results: list[Result]) -> dict[str, int]:
    counts = {"Violation": 0, "Warning": 0, "Info": 0}
    for r in results:
        counts[r.severity] = counts.get(r.severity, 0) + 1
    return counts


def _node_shape_note(r: Result) -> str | None:
    """The node shape a property shape belongs to, when the rule name does not say it already."""
    if r.node_shape and not (r.rule or "").startswith(r.node_shape + "/"):
        return r.node_shape
    return None


def _where(file: str | None, line: int | None, column: int | None = None) -> str:
    if file is None:
        return "(not written in any file)"
    text = file
    if line is not None:
        text += f":{line}"
        if column is not None:
            text += f":{column}"
    return text


# --- text ------------------------------------------------------------------------------------------

_COLORS = {"Violation": "31", "Warning": "33", "Info": "36", "bold": "1", "dim": "2", "ok": "32"}


def render_text(outcome: Outcome, color: bool = False) -> str:
    def paint(text: str, what: str) -> str:
        return f"\033[{_COLORS[what]}m{text}\033[0m" if color else text

    lines: list[str] = []
    if outcome.syntax_errors:
        for r in outcome.report.results:
            lines.append(f"{_where(r.file, r.line, r.column)}: {paint('syntax error', 'Violation')}: {r.message}")
    else:
        for first, results in groups(outcome.report.results):
            lines.append(paint(f"{_where(first.file, first.line, first.column)}  {first.focus_label or first.focus}", "bold"))
            for r in results:
                lines.append(f"  {paint(r.severity.lower().ljust(9), r.severity)} {r.message}")
                note = _node_shape_note(r)
                detail = [f"rule {r.rule or r.shape}" + (f" (in {note})" if note else "")]
                if r.path:
                    detail.append(f"path {r.path}")
                if r.value:
                    detail.append(f"value {_short(r.value)}")
                if r.triple_file:
                    detail.append(f"at {_where(r.triple_file, r.triple_line, r.triple_column)}")
                lines.append("            " + paint(" · ".join(detail), "dim"))
            lines.append("")
    ok = outcome.passed
    lines.append(paint(("✓ " if ok else "✗ ") + summary(outcome), "ok" if ok else "Violation"))
    return "\n".join(lines) + "\n"


def _short(text: str, limit: int = 120) -> str:
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- json ------------------------------------------------------------------------------------------

def _result_dict(r: Result) -> dict:
    return {
        "severity": r.severity,
        "message": r.message,
        "rule": r.rule,
        "shape": r.shape,
        "node_shape": r.node_shape,
        "constraint": r.constraint,
        "check": r.check,
        "focus": r.focus,
        "focus_label": r.focus_label,
        "path": r.path,
        "value": r.value,
        "file": r.file,
        "line": r.line,
        "column": r.column,
        "triple": ({"file": r.triple_file, "line": r.triple_line, "column": r.triple_column}
                   if r.triple_file else None),
    }


def render_json(outcome: Outcome) -> str:
    r = outcome.report
    counts = _counts(r.results)
    document = {
        "tool": "tskg validate",
        "version": __version__,
        "conforms": outcome.passed,
        "strict": outcome.strict,
        "syntax_errors": outcome.syntax_errors,
        "summary": {
            "violations": counts["Violation"],
            "warnings": counts["Warning"],
            "infos": counts["Info"],
            "focus_nodes": 0 if outcome.syntax_errors else len(groups(r.results)),
            "not_shown": r.hidden,
            "files": len(r.files),
            "triples": r.triples,
            "seconds": round(outcome.seconds, 3),
            "timings": {k: round(v, 3) for k, v in r.timings.items()},
        },
        "files": r.files,
        "reported_files": r.only if r.only is not None else r.files,
        "focus_nodes": [
            {
                "focus": first.focus,
                "focus_label": first.focus_label,
                "file": first.file,
                "line": first.line,
                "column": first.column,
                "results": [_result_dict(x) for x in results],
            }
            for first, results in groups(r.results)
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- JUnit XML ---------------------------------------------------------------------------------------

def render_junit(outcome: Outcome) -> str:
    """One testsuite per source file; one testcase per result (a Violation fails, a Warning is
    shown as skipped unless --strict makes it fail, a syntax error is an error); a file
    without results has one passing testcase, so that a clean run shows as passed tests."""
    r = outcome.report
    by_file: dict[str, list[Result]] = {f: [] for f in (r.only if r.only is not None else r.files)}
    for result in r.results:
        by_file.setdefault(result.file or "(no file)", []).append(result)
    root = ET.Element("testsuites", name="tskg validate", time=f"{outcome.seconds:.3f}")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for file, results in by_file.items():
        suite = ET.SubElement(root, "testsuite", name=file)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        if not results:
            ET.SubElement(suite, "testcase", classname=_classname(file), name="conforms", file=file)
            counts["tests"] += 1
        for result in results:
            counts["tests"] += 1
            case = ET.SubElement(
                suite, "testcase", classname=_classname(file),
                name=f"{result.focus_label or result.focus or file} {result.rule or ''}".strip(), file=file,
            )
            if result.line is not None:
                case.set("line", str(result.triple_line or result.line))
            text = _detail(result)
            if result.rule == SYNTAX_RULE:
                ET.SubElement(case, "error", message=result.message, type="TurtleSyntaxError").text = text
                counts["errors"] += 1
            elif result.severity == "Violation" or outcome.strict:
                ET.SubElement(case, "failure", message=result.message, type=result.severity).text = text
                counts["failures"] += 1
            else:
                ET.SubElement(case, "skipped", message=f"{result.severity}: {result.message}").text = text
                counts["skipped"] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _classname(file: str) -> str:
    return "tskg.validate." + file.replace("/", ".").removesuffix(".ttl")


def _detail(r: Result) -> str:
    lines = [f"{r.severity}: {r.message}"]
    if r.rule != SYNTAX_RULE:
        lines.append(f"focus node: {r.focus_label or r.focus} ({r.focus})")
    lines.append(f"written at: {_where(r.file, r.line, r.column)}")
    if r.rule:
        lines.append(f"rule: {r.rule}" + (f" ({r.shape})" if r.shape and r.shape != r.rule else ""))
    if _node_shape_note(r):
        lines.append(f"node shape: {r.node_shape}")
    if r.path:
        lines.append(f"path: {r.path}")
    if r.value:
        lines.append(f"value: {r.value}")
    if r.triple_file:
        lines.append(f"offending triple at: {_where(r.triple_file, r.triple_line, r.triple_column)}")
    return "\n".join(lines)


# --- GitHub Actions workflow commands --------------------------------------------------------------

def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(outcome: Outcome) -> str:
    """`::error file=F,line=L,col=C,title=RULE::message`; a Warning is `::warning` (an
    `::error` with --strict), an Info `::notice`. The line is the offending triple's where
    there is one, else the focus node's."""
    lines = []
    fallback = _fallback_file(outcome)
    for r in outcome.report.results:
        command = {"Violation": "error", "Warning": "warning", "Info": "notice"}.get(r.severity, "error")
        if outcome.strict and command == "warning":
            command = "error"
        file, line, column = _primary_location(r, fallback)
        props = []
        if file:
            props.append(f"file={_escape_property(file)}")
            props.append(f"line={line}")
            if column:
                props.append(f"col={column}")
        props.append(f"title={_escape_property(r.rule or 'tskg validate')}")
        message = r.message
        if r.rule != SYNTAX_RULE:
            extra = _details(r, "focus")
            if r.triple_file and r.file and (r.triple_file, r.triple_line) != (r.file, r.line):
                extra.append(f"focus node written at {_where(r.file, r.line)}")
            message += " (" + "; ".join(extra) + ")"
        lines.append(f"::{command} {','.join(props)}::{_escape_data(message)}")
    return "".join(line + "\n" for line in lines)


def _primary_location(r: Result, fallback: str | None) -> tuple[str | None, int | None, int | None]:
    if r.triple_file:
        return r.triple_file, r.triple_line, r.triple_column
    if r.file:
        return r.file, r.line, r.column
    if fallback:
        return fallback, 1, None
    return None, None, None


def _fallback_file(outcome: Outcome) -> str | None:
    """Where a result whose focus node is written nowhere is shown (code scanning needs a
    location): the first ontology file, else the first file."""
    files = outcome.report.files
    for f in files:
        if f.startswith("ontology/"):
            return f
    return files[0] if files else None


# --- SARIF 2.1.0 --------------------------------------------------------------------------------------

def render_sarif(outcome: Outcome) -> str:
    results = outcome.report.results
    rules: dict[str, dict] = {}
    for r in results:
        rule_id = r.rule or r.shape or "tskg"
        if rule_id in rules:
            continue
        rule = {
            "id": rule_id,
            "name": rule_id,
            "shortDescription": {"text": r.message if r.rule != SYNTAX_RULE else "Invalid Turtle syntax"},
            "fullDescription": {"text": _rule_description(r)},
            "defaultConfiguration": {"level": _level(r.severity)},
            "properties": {"tags": ["rdf", "turtle" if r.rule == SYNTAX_RULE else CHECK_TAGS.get(r.check, "shacl")]},
        }
        if r.node_shape:
            rule["properties"]["nodeShape"] = r.node_shape
        if r.shape and r.shape.startswith("<"):
            rule["helpUri"] = r.shape[1:-1]
        rules[rule_id] = rule
    rule_index = {rule_id: i for i, rule_id in enumerate(rules)}
    fallback = _fallback_file(outcome)
    sarif_results = []
    for r in results:
        rule_id = r.rule or r.shape or "tskg"
        file, line, column = _primary_location(r, fallback)
        item: dict = {
            "ruleId": rule_id,
            "ruleIndex": rule_index[rule_id],
            "level": _level(r.severity),
            "message": {"text": _sarif_message(r)},
            "locations": [],
            "partialFingerprints": {"tskgFinding/v1": _fingerprint(r)},
        }
        if file:
            location: dict = {"physicalLocation": _physical(file, line, column, outcome.root)}
            if r.focus and r.rule != SYNTAX_RULE:
                location["logicalLocations"] = [{"fullyQualifiedName": r.focus.strip("<>"), "kind": "resource"}]
            item["locations"].append(location)
            if r.triple_file and r.file:
                item["relatedLocations"] = [{
                    "id": 1,
                    "physicalLocation": _physical(r.file, r.line, r.column, outcome.root),
                    "message": {"text": f"the focus node {r.focus_label or r.focus} is written here"},
                }]
        sarif_results.append(item)
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "tskg validate",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": list(rules.values()),
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": (outcome.root.as_uri() + "/") if outcome.root else "file:///"}},
            "columnKind": "unicodeCodePoints",
            "invocations": [{"executionSuccessful": True}],
            "results": sarif_results,
        }],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _level(severity: str) -> str:
    return {"Violation": "error", "Warning": "warning", "Info": "note"}.get(severity, "error")


def _physical(file: str, line: int | None, column: int | None, root: Path | None) -> dict:
    if Path(file).is_absolute():
        artifact = {"uri": Path(file).as_uri()}
    else:
        artifact = {"uri": Path(file).as_posix(), "uriBaseId": "%SRCROOT%"}
    region: dict = {"startLine": line or 1}
    if column:
        region["startColumn"] = column
    return {"artifactLocation": artifact, "region": region}


def _sarif_message(r: Result) -> str:
    if r.rule == SYNTAX_RULE:
        return r.message
    return f"{r.message} ({'; '.join(_details(r, 'focus node'))})"


def _details(r: Result, focus_word: str) -> list[str]:
    """What a one-line message adds to the shape's own words: focus node, path, value, node shape."""
    parts = [f"{focus_word} {r.focus_label or r.focus}"]
    if r.path:
        parts.append(f"path {r.path}")
    if r.value:
        parts.append(f"value {_short(r.value)}")
    if _node_shape_note(r):
        parts.append(f"node shape {r.node_shape}")
    return parts


def _rule_description(r: Result) -> str:
    if r.rule == SYNTAX_RULE:
        return "The file is not valid Turtle (checked by a strict parser, pyoxigraph)."
    what = {"ontology": "An ontology check", "literal": "A check of literals against their XSD datatype"}.get(
        r.check, "A SHACL shape")
    text = f"{what}: {r.rule or r.shape}"
    if r.node_shape:
        text += f", a property shape of {r.node_shape}"
    return text + "."


def _fingerprint(r: Result) -> str:
    """Stable across line moves: the same finding on the same node keeps its alert."""
    key = "\0".join(x or "" for x in (r.rule, r.focus, r.path, r.value, r.message if r.rule == SYNTAX_RULE else ""))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


# --- writing --------------------------------------------------------------------------------------------

def write_atomic(path: Path, content: str | bytes) -> None:
    """Write `content` to `path` through a temporary file in the same directory, so that a
    reader never sees half a file and a failure leaves the old file as it was."""
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def _mode_for(path: Path) -> int:
    """The existing file's mode, else what a plain open() would give (mkstemp makes 0600)."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
