"""What the tests of `tskg validate` share: the command run as users run it, and the five report formats
read back into one shape, a list of findings."""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path


from helpers import REPO_ROOT
from helpers import tskg as run_tskg


FIXTURES = REPO_ROOT / "tests" / "fixtures" / "invalid"
FORMATS = ["text", "json", "junit", "github", "sarif"]


def tskg(*args: str, cwd: Path = REPO_ROOT, timeout: float = 600) -> subprocess.CompletedProcess:
    """The command line as a user runs it, the project found from the working directory."""
    return run_tskg(*args, root=None, cwd=cwd, timeout=timeout)


def no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr


# --- parsing the five formats into one shape: a list of findings ------------------------------------

def findings(fmt: str, text: str) -> list[dict]:
    """Each result as {severity, rule, focus, file, line, message}, from any format; `line` is
    the line the format points at (the offending triple's where there is one)."""
    out = []
    if fmt == "json":
        doc = json.loads(text)
        for group in doc["focus_nodes"]:
            for r in group["results"]:
                assert r["focus"] == group["focus"] and r["file"] == group["file"] and r["line"] == group["line"]
                out.append({"severity": r["severity"], "rule": r["rule"], "focus": r["focus"],
                            "focus_label": r["focus_label"], "file": r["file"], "focus_line": r["line"],
                            "line": (r["triple"] or {}).get("line") or r["line"], "message": r["message"],
                            "shape": r["shape"], "node_shape": r["node_shape"]})
    elif fmt == "sarif":
        doc = json.loads(text)
        assert doc["version"] == "2.1.0"
        run = doc["runs"][0]
        rules = run["tool"]["driver"]["rules"]
        for r in run["results"]:
            assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
            location = r["locations"][0]
            physical = location["physicalLocation"]
            logical = location.get("logicalLocations", [{}])[0].get("fullyQualifiedName")
            related = r.get("relatedLocations", [{}])[0].get("physicalLocation", physical)
            out.append({"severity": {"error": "Violation", "warning": "Warning", "note": "Info"}[r["level"]],
                        "rule": r["ruleId"], "focus": f"<{logical}>" if logical else None,
                        "file": physical["artifactLocation"]["uri"], "line": physical["region"]["startLine"],
                        "focus_line": related["region"]["startLine"], "message": r["message"]["text"]})
    elif fmt == "junit":
        root = ET.fromstring(text)
        assert root.tag == "testsuites"
        for case in root.iter("testcase"):
            for kind in ("failure", "error", "skipped"):
                element = case.find(kind)
                if element is not None:
                    detail = element.text or ""
                    focus_line = re.search(r"written at: .*?:(\d+)", detail)
                    out.append({"severity": element.get("type") or element.get("message", "").split(":")[0],
                                "rule": case.get("name").rsplit(" ", 1)[-1], "focus": None,
                                "file": case.get("file"), "line": int(case.get("line", 0)),
                                "focus_line": int(focus_line.group(1)) if focus_line else None,
                                "message": element.get("message"), "detail": detail})
    elif fmt == "github":
        for line in text.splitlines():
            m = re.match(r"^::(error|warning|notice) (.*?)::(.*)$", line)
            if not m:
                continue
            props = dict(p.split("=", 1) for p in m.group(2).split(","))
            unescape = lambda s: s.replace("%3A", ":").replace("%2C", ",").replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")  # noqa: E731
            out.append({"severity": {"error": "Violation", "warning": "Warning", "notice": "Info"}[m.group(1)],
                        "rule": unescape(props.get("title", "")), "focus": None,
                        "file": unescape(props["file"]) if "file" in props else None,
                        "line": int(props["line"]) if "line" in props else None,
                        "focus_line": None, "message": unescape(m.group(3))})
    elif fmt == "text":
        current = None
        for line in text.splitlines():
            head = re.match(r"^(\S+?):(\d+):(\d+)  (.+)$", line)
            if head:
                current = (head.group(1), int(head.group(2)), head.group(4))
                continue
            result = re.match(r"^  (violation|warning|info)\s+(.*)$", line)
            if result and current:
                out.append({"severity": result.group(1).capitalize(), "message": result.group(2),
                            "file": current[0], "focus_line": current[1], "line": current[1],
                            "focus_label": current[2], "rule": None, "focus": None})
            rule = re.match(r"^\s+rule (\S+)(?: \(in (\S+)\))?", line)
            if rule and out:
                out[-1]["rule"], out[-1]["node_shape"] = rule.group(1), rule.group(2)
                at = re.search(r"at (\S+?):(\d+):\d+", line)
                if at:
                    out[-1]["line"] = int(at.group(2))
    return out


