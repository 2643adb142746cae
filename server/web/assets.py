"""The front-end files the server serves, copied from the npm packages of package-lock.json.

`make assets` runs `npm ci` (package.json and package-lock.json at the repository root) and then this
module, `python -m server.web.assets`, which copies the built, minified files listed in VENDORED from
node_modules/ into server/web/static/vendor/<name>/, each folder with the package's licence files and a
manifest.json: package, version, the lock file's integrity hash, and the sha256 of every file written.
The copies are committed, so installing or serving the project needs no npm; tests/test_assets.py checks
them against the lock file and, where node_modules/ exists, byte for byte against the packages.

    python -m server.web.assets            # rewrite static/vendor/ from node_modules/
    python -m server.web.assets --check    # exit 1 and list the differences if they are out of date
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

WEB = Path(__file__).resolve().parent
VENDOR = WEB / "static" / "vendor"
REPO_ROOT = WEB.parent.parent
MANIFEST = "manifest.json"
THIRD_PARTY = "THIRD-PARTY-LICENSES.txt"


@dataclass(frozen=True)
class Vendored:
    package: str             # npm name, as in package-lock.json
    folder: str              # static/vendor/<folder>/
    files: tuple[str, ...]   # paths inside the package, copied under their base names
    bundles_dependencies: bool  # a standalone build: its dependencies' licences go along


VENDORED = (
    # The query editor: YASQE (editor) and YASR (results) with CodeMirror, jQuery and DataTables inside.
    Vendored("@zazuko/yasgui", "yasgui", ("build/yasgui.min.js", "build/yasgui.min.css"), True),
    # The network view.
    Vendored("cytoscape", "cytoscape", ("dist/cytoscape.min.js",), False),
    # The timeline view: the standalone build (moment, vis-data, Hammer inside), with Graph2d for charts.
    Vendored(
        "vis-timeline", "vis-timeline",
        ("standalone/umd/vis-timeline-graph2d.min.js", "styles/vis-timeline-graph2d.min.css"), True,
    ),
)

# Licence texts for packages whose npm tarball ships none, kept in the project (server/web/licenses/).
# zazuko-yasgui.LICENSE is the LICENSE file of the package's repository (github.com/rdfjs/Yasgui), the
# MIT licence that the package's package.json names.
PROJECT_LICENSES = {"@zazuko/yasgui": "licenses/zazuko-yasgui.LICENSE"}

LICENSE_NAME = re.compile(r"(?i)^(licen[cs]e|copying)")
NOT_LICENSE_SUFFIXES = {".js", ".mjs", ".cjs", ".ts", ".json"}


class AssetError(Exception):
    """node_modules/ or package-lock.json is missing or does not match: said in a person's words."""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_lock(root: Path = REPO_ROOT) -> dict:
    path = root / "package-lock.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AssetError(f"{path} not found: the front-end packages are pinned there") from None
    except json.JSONDecodeError as err:
        raise AssetError(f"{path}: not valid JSON ({err})") from None


def locked(lock: dict, package: str) -> dict:
    """The lock file's entry for an installed package (version, integrity, licence, dependencies)."""
    entry = lock.get("packages", {}).get(f"node_modules/{package}")
    if entry is None:
        raise AssetError(f"package-lock.json does not list {package}; add it to package.json and run npm install")
    return entry


def license_files(package_dir: Path) -> list[Path]:
    return sorted(
        p for p in package_dir.iterdir()
        if p.is_file() and LICENSE_NAME.match(p.name) and p.suffix.lower() not in NOT_LICENSE_SUFFIXES
    )


def bundled_packages(lock: dict, package: str) -> list[str]:
    """The packages a standalone build is made from: its dependencies and peer dependencies, transitively,
    as package-lock.json resolves them (type declarations, @types/*, hold no code and are left out)."""
    seen: set[str] = set()
    todo = [package]
    while todo:
        entry = locked(lock, todo.pop())
        for name in {**entry.get("dependencies", {}), **entry.get("peerDependencies", {})}:
            if name not in seen and name != package and not name.startswith("@types/"):
                seen.add(name)
                todo.append(name)
    return sorted(seen)


def third_party_notice(lock: dict, node_modules: Path, package: str) -> str:
    parts = [
        f"The licences of the packages bundled into the minified files of {package}, as package-lock.json\n"
        f"resolves them. Written by `python -m server.web.assets` from each package's own licence files.\n"
    ]
    for name in bundled_packages(lock, package):
        entry = locked(lock, name)
        head = f"{name} {entry.get('version', '?')} (licence: {entry.get('license', 'not stated')})"
        parts.append("=" * 78 + f"\n{head}\n" + "=" * 78 + "\n")
        files = license_files(node_modules / name)
        if not files:
            parts.append("The package ships no licence file; its package.json names the licence above.\n")
        for f in files:
            text = f.read_text(encoding="utf-8", errors="replace").rstrip("\n")
            parts.append(f"--- {f.name}\n{text}\n")
    return "\n".join(parts)


def write_package(item: Vendored, lock: dict, node_modules: Path, out: Path) -> dict:
    """Copy one package's files and licences into `out` (created); return its manifest."""
    entry = locked(lock, item.package)
    source = node_modules / item.package
    meta_path = source / "package.json"
    if not meta_path.is_file():
        raise AssetError(f"{source} is not installed: run `npm ci` first (make assets does both steps)")
    installed = json.loads(meta_path.read_text(encoding="utf-8"))["version"]
    if installed != entry["version"]:
        raise AssetError(
            f"{source} is version {installed} but package-lock.json pins {entry['version']}: run `npm ci`"
        )
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict] = {}

    def record(name: str, origin: str) -> None:
        files[name] = {"from": origin, "sha256": sha256(out / name)}

    for inner in item.files:
        path = source / inner
        if not path.is_file():
            raise AssetError(f"{item.package} {installed} has no file {inner}; update VENDORED in {__file__}")
        name = Path(inner).name
        shutil.copyfile(path, out / name)
        record(name, inner)
    licences = license_files(source)
    for path in licences:
        shutil.copyfile(path, out / path.name)
        record(path.name, path.name)
    if not licences:
        kept = PROJECT_LICENSES.get(item.package)
        if kept is None:
            raise AssetError(f"{item.package} ships no licence file; keep its licence text in server/web/licenses/ "
                             f"and name it in PROJECT_LICENSES")
        shutil.copyfile(WEB / kept, out / "LICENSE")
        record("LICENSE", f"server/web/{kept} (the package ships no licence file)")
    if item.bundles_dependencies:
        (out / THIRD_PARTY).write_text(third_party_notice(lock, node_modules, item.package), encoding="utf-8")
        record(THIRD_PARTY, "the licence files of the packages it bundles (see the file's first lines)")
    manifest = {
        "package": item.package,
        "version": entry["version"],
        "license": entry.get("license"),
        "integrity": entry["integrity"],
        "files": dict(sorted(files.items())),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def build(root: Path, out: Path) -> list[dict]:
    """Write every vendored package from root/node_modules into out/<folder>/; the manifests."""
    lock = read_lock(root)
    node_modules = root / "node_modules"
    if not node_modules.is_dir():
        raise AssetError(f"{node_modules} not found: run `npm ci` in {root} first (or `make assets`)")
    return [write_package(item, lock, node_modules, out / item.folder) for item in VENDORED]


def tree(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def differences(root: Path = REPO_ROOT, vendor: Path = VENDOR) -> list[str]:
    """What `build` would change in `vendor`: files missing, different or left over."""
    with tempfile.TemporaryDirectory() as tmp:
        build(root, Path(tmp))
        fresh = tree(Path(tmp))
    current = tree(vendor)
    out = [f"missing: {name}" for name in sorted(fresh.keys() - current.keys())]
    out += [f"left over: {name}" for name in sorted(current.keys() - fresh.keys())]
    out += [f"differs: {name}" for name in sorted(fresh.keys() & current.keys()) if fresh[name] != current[name]]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.web.assets", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare static/vendor/ with node_modules/, change nothing")
    args = parser.parse_args(argv)
    try:
        if args.check:
            found = differences()
            for line in found:
                print(line)
            print("static/vendor/ is out of date: run `make assets`" if found else "static/vendor/ matches node_modules/")
            return 1 if found else 0
        fresh = VENDOR.with_name("vendor.new")  # all or nothing: a failure leaves vendor/ as it was
        shutil.rmtree(fresh, ignore_errors=True)
        try:
            manifests = build(REPO_ROOT, fresh)
        except BaseException:
            shutil.rmtree(fresh, ignore_errors=True)
            raise
        shutil.rmtree(VENDOR, ignore_errors=True)
        fresh.rename(VENDOR)
    except AssetError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for m in manifests:
        print(f"{m['package']} {m['version']}: {', '.join(m['files'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
