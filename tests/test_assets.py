"""The vendored front-end files (server/web/static/vendor/) against package.json, package-lock.json and,
where `npm ci` has filled node_modules/ (make test does), the packages themselves; the copy script
(server/web/assets.py) on small packages made here; and a scan of everything the pages load for
addresses a browser would fetch from another host."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from server.web import assets

REPO_ROOT = Path(__file__).resolve().parent.parent
WEB = REPO_ROOT / "server" / "web"
STATIC = WEB / "static"
NODE_MODULES = REPO_ROOT / "node_modules"
LOCK = json.loads((REPO_ROOT / "package-lock.json").read_text(encoding="utf-8"))
PACKAGE = json.loads((REPO_ROOT / "package.json").read_text(encoding="utf-8"))
EXACT = re.compile(r"^\d+\.\d+\.\d+$")

needs_node_modules = pytest.mark.skipif(
    not (NODE_MODULES / ".package-lock.json").is_file(),
    reason="node_modules/ not installed: run `npm ci` (make test does) to compare the copies with the packages",
)


def manifest(item: assets.Vendored) -> dict:
    return json.loads((assets.VENDOR / item.folder / assets.MANIFEST).read_text(encoding="utf-8"))


# --- package.json and the lock file ---------------------------------------------------------------------


def test_every_package_is_pinned_to_one_version():
    declared = {**PACKAGE.get("dependencies", {}), **PACKAGE.get("devDependencies", {})}
    assert declared, "package.json declares the front-end packages"
    root = LOCK["packages"][""]
    for name, version in declared.items():
        assert EXACT.match(version), f"{name} is pinned as {version!r}: pin an exact version"
        assert LOCK["packages"][f"node_modules/{name}"]["version"] == version, f"{name}: lock and package.json differ"
    assert {**root.get("dependencies", {}), **root.get("devDependencies", {})} == declared
    assert all("resolved" not in entry for entry in LOCK["packages"].values()), "the lock file names no download host"


def test_axe_core_is_for_tests_only():
    assert "axe-core" in PACKAGE["devDependencies"]
    assert "axe-core" not in {item.package for item in assets.VENDORED}
    assert not list(STATIC.rglob("axe*.js")), "axe-core is never served"


# --- the committed copies -------------------------------------------------------------------------------


def test_vendor_holds_exactly_the_declared_packages():
    folders = {p.name for p in assets.VENDOR.iterdir() if p.is_dir()}
    assert folders == {item.folder for item in assets.VENDORED}
    assert {item.package for item in assets.VENDORED} <= set(PACKAGE["dependencies"])


@pytest.mark.parametrize("item", assets.VENDORED, ids=lambda i: i.package)
def test_manifest_matches_the_lock_file_and_the_files(item):
    m = manifest(item)
    entry = LOCK["packages"][f"node_modules/{item.package}"]
    assert (m["package"], m["version"], m["integrity"], m["license"]) == (
        item.package, entry["version"], entry["integrity"], entry.get("license"),
    )
    folder = assets.VENDOR / item.folder
    on_disk = {p.name for p in folder.iterdir()} - {assets.MANIFEST}
    assert on_disk == set(m["files"]), "the folder holds exactly the files the manifest lists"
    for name, info in m["files"].items():
        assert assets.sha256(folder / name) == info["sha256"], f"{item.folder}/{name} changed since it was copied"
    assert {Path(f).name for f in item.files} <= on_disk
    assert any(assets.LICENSE_NAME.match(n) for n in on_disk), f"{item.package} is served with its licence"


@needs_node_modules
@pytest.mark.parametrize("item", assets.VENDORED, ids=lambda i: i.package)
def test_copies_are_the_packages_bytes(item):
    installed = json.loads((NODE_MODULES / item.package / "package.json").read_text(encoding="utf-8"))
    assert installed["version"] == manifest(item)["version"]
    for inner in item.files:
        served = assets.VENDOR / item.folder / Path(inner).name
        assert served.read_bytes() == (NODE_MODULES / item.package / inner).read_bytes(), inner


@needs_node_modules
def test_make_assets_reproduces_the_committed_folder():
    """The script, run on node_modules/, writes byte for byte what is committed (licences and manifests too)."""
    assert assets.differences() == []


def test_package_data_ships_the_vendored_files():
    """`pip install .` must carry the copies: every one matches a package-data pattern of server.web."""
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["server.web"]
    shipped = {p for pattern in patterns for p in WEB.glob(pattern) if p.is_file()}
    vendored = {p for p in assets.VENDOR.rglob("*") if p.is_file()}
    assert vendored and vendored <= shipped, sorted(str(p) for p in vendored - shipped)


def test_the_server_serves_the_copies(client):
    for item in assets.VENDORED:
        for inner in item.files:
            name = Path(inner).name
            response = client.get(f"/static/vendor/{item.folder}/{name}")
            assert response.status_code == 200
            assert response.data == (assets.VENDOR / item.folder / name).read_bytes()


# --- the copy script on small packages made here --------------------------------------------------------


def make_package(root: Path, name: str, version: str, *, licence: str | None = "MIT text") -> None:
    package = root / "node_modules" / name
    (package / "dist").mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"name": name, "version": version}))
    (package / "dist" / "demo.min.js").write_text("window.demo = 1;\n")
    if licence is not None:
        (package / "LICENSE").write_text(licence)
    (package / "license-update.mjs").write_text("// a script, not a licence\n")


def write_lock(root: Path, packages: dict) -> None:
    (root / "package-lock.json").write_text(json.dumps({"lockfileVersion": 3, "packages": packages}))


DEMO = assets.Vendored("demo", "demo", ("dist/demo.min.js",), True)


def test_script_copies_files_licences_and_writes_the_manifest(tmp_path):
    make_package(tmp_path, "demo", "1.2.3")
    make_package(tmp_path, "inside", "0.1.0", licence="Inside's licence")
    write_lock(tmp_path, {
        "node_modules/demo": {"version": "1.2.3", "integrity": "sha512-demo", "license": "MIT",
                              "dependencies": {"inside": "^0.1.0"}},
        "node_modules/inside": {"version": "0.1.0", "integrity": "sha512-inside", "license": "ISC"},
    })
    out = tmp_path / "out"
    m = assets.write_package(DEMO, assets.read_lock(tmp_path), tmp_path / "node_modules", out)
    assert (m["package"], m["version"], m["integrity"]) == ("demo", "1.2.3", "sha512-demo")
    assert sorted(m["files"]) == ["LICENSE", assets.THIRD_PARTY, "demo.min.js"]
    assert (out / "demo.min.js").read_text() == "window.demo = 1;\n"
    assert "inside 0.1.0 (licence: ISC)" in (out / assets.THIRD_PARTY).read_text()
    assert "Inside's licence" in (out / assets.THIRD_PARTY).read_text()
    assert json.loads((out / assets.MANIFEST).read_text()) == m
    assert m["files"]["demo.min.js"]["sha256"] == assets.sha256(out / "demo.min.js")


def test_script_refuses_an_install_that_is_not_the_locked_one(tmp_path):
    make_package(tmp_path, "demo", "1.2.3")
    write_lock(tmp_path, {"node_modules/demo": {"version": "2.0.0", "integrity": "sha512-x"}})
    with pytest.raises(assets.AssetError, match=r"version 1\.2\.3 but package-lock.json pins 2\.0\.0: run `npm ci`"):
        assets.write_package(DEMO, assets.read_lock(tmp_path), tmp_path / "node_modules", tmp_path / "out")


def test_script_refuses_a_package_without_a_licence(tmp_path):
    make_package(tmp_path, "demo", "1.2.3", licence=None)
    write_lock(tmp_path, {"node_modules/demo": {"version": "1.2.3", "integrity": "sha512-x"}})
    with pytest.raises(assets.AssetError, match="demo ships no licence file"):
        assets.write_package(DEMO, assets.read_lock(tmp_path), tmp_path / "node_modules", tmp_path / "out")


def test_script_says_when_node_modules_is_missing(tmp_path):
    write_lock(tmp_path, {})
    with pytest.raises(assets.AssetError, match="run `npm ci`"):
        assets.build(tmp_path, tmp_path / "out")


# --- nothing fetched from another host ------------------------------------------------------------------

# Hosts of the outside services that SPARQL editors and chart or font libraries call by default.
SERVICES = re.compile(
    r"lov\.linkeddata\.es|prefix\.cc/(?:popular|context|[a-z0-9]+\.file)|google\.com/jsapi|gstatic\.com"
    r"|fonts\.googleapis|cdn\.jsdelivr|unpkg\.com|cdnjs\.|use\.fontawesome|code\.jquery\.com",
)
# What the scan finds in the vendored code, and why it is inert here. The browser tests prove it: every
# request the editor makes is recorded and must go to our server.
INERT = {
    ("yasgui/yasgui.min.js", "lov.linkeddata.es"):
        "YASQE's class and property completers query LOV; static/editor.js replaces both with ours "
        "(test_browser_editor.py's autocompletion test would record a request to LOV otherwise)",
}
# url(...) and @import in CSS, and the same inside JS strings that inject CSS.
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+(?:url\()?\s*['"]?([^'");\s]+)""")


def served_files():
    return sorted(p for p in STATIC.rglob("*") if p.suffix in (".js", ".css"))


@pytest.mark.parametrize("path", served_files(), ids=lambda p: str(p.relative_to(STATIC)))
def test_served_code_fetches_nothing_from_elsewhere(path):
    text = path.read_text(encoding="utf-8", errors="replace")
    where = str(path.relative_to(STATIC / "vendor")) if "vendor" in path.parts else str(path.relative_to(STATIC))
    for found in CSS_URL.finditer(text):
        target = found.group(1) or found.group(2)
        external = re.match(r"(?i)(https?:)?//", target)
        assert not external, f"{where} loads {target} from another host"
    for found in SERVICES.finditer(text):
        assert (where, found.group(0)) in INERT, f"{where} calls an outside service: {found.group(0)}"
    if path.parent == STATIC:  # our own code names no other host at all
        assert not re.search(r"(?i)https?://(?!www\.w3\.org/)", text), f"{where} names an outside address"

