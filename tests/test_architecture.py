"""The shape of the code, checked: no import cycles between the modules of server/ (lazy imports inside
functions count too: they are cycles that only wait for the right call), no private name imported from
another package, every package says in its docstring what stage it is and what it exports, and every
blueprint and command is registered by name."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from helpers import REPO_ROOT

SERVER = REPO_ROOT / "server"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(SERVER.rglob("*.py"))}


def imports_of(name: str, path: Path) -> list[tuple[str, str]]:
    """(module imported, names imported from it) for every import statement in the file, at any depth."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                found.append((target, alias.name))
    return found


def edges() -> dict[str, set[str]]:
    """Module → the modules of server/ it imports (a name imported from a package may be a submodule)."""
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for target, imported in imports_of(name, path):
            if f"{target}.{imported}" in MODULES:
                graph[name].add(f"{target}.{imported}")
            elif target in MODULES and target != name:
                graph[name].add(target)
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def test_no_import_cycles():
    cycles = find_cycles(edges())
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_checker_finds_a_planted_cycle():
    """Not vacuous: the service description importing the endpoint back (the cycle there was) is found."""
    graph = edges()
    assert "server.web.service_description" in graph["server.web.sparql"]
    graph["server.web.service_description"].add("server.web.sparql")
    assert ["server.web.service_description", "server.web.sparql", "server.web.service_description"] in \
        [c[-3:] for c in find_cycles(graph)] or any("server.web.sparql" in c for c in find_cycles(graph))


def package_of(module: str) -> str:
    path = MODULES[module]
    return module if path.name == "__init__.py" else module.rsplit(".", 1)[0]


def test_no_private_name_is_imported_from_another_package():
    found = []
    for name, path in MODULES.items():
        for target, imported in imports_of(name, path):
            if imported.startswith("_") and not imported.startswith("__") and target.startswith("server"):
                owner = target if target in MODULES and MODULES[target].name == "__init__.py" else target.rsplit(".", 1)[0]
                if owner != package_of(name):
                    found.append(f"{name} imports {target}.{imported}")
    assert not found, "\n".join(found)


PACKAGES = sorted(name for name, path in MODULES.items() if path.name == "__init__.py")


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_says_what_it_is(package):
    docstring = ast.get_docstring(ast.parse(MODULES[package].read_text(encoding="utf-8")))
    assert docstring and len(docstring) > 80, f"{package}: say what stage this is and what it holds"


@pytest.mark.parametrize("package", ["server.build", "server.store", "server.exports", "server.scale"])
def test_stage_packages_list_their_exports(package):
    docstring = ast.get_docstring(ast.parse(MODULES[package].read_text(encoding="utf-8")))
    assert "Exports" in docstring and "─▶" in docstring, package


def test_every_module_has_a_docstring():
    missing = [name for name, path in MODULES.items()
               if path.stat().st_size and not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))]
    assert not missing, missing


def test_blueprints_and_commands_are_registered_by_name():
    from server.cli import COMMANDS, make_parser
    from server.web.app import BLUEPRINTS

    blueprint_modules = {p.stem for p in (SERVER / "web").glob("*.py")} | {p.stem for p in (SERVER / "web" / "pages").glob("*.py")}
    with_routes = {m for m in blueprint_modules
                   if "Blueprint(" in ((SERVER / "web" / f"{m}.py") if (SERVER / "web" / f"{m}.py").exists()
                                       else (SERVER / "web" / "pages" / f"{m}.py")).read_text()}
    assert {bp.name for bp in BLUEPRINTS} == with_routes
    command_files = {p.stem for p in (SERVER / "commands").glob("*.py")} - {"__init__", "common"}
    assert {c.__name__.rsplit(".", 1)[1] for c in COMMANDS} == command_files
    listed = make_parser()._subparsers._group_actions[0].choices
    assert set(listed) == command_files
