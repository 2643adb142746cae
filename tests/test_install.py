"""`pip install .` (not editable) from a fresh copy of the tree: building prints no setuptools warning about
packages or package data, and the wheel installed in a new virtual environment gives a working `tskg`:
`tskg --root CHECKOUT validate` conforms, and `tskg serve` serves its pages, templates and the vendored
static files from the installed package, not from the checkout.

The wheel is built as `pip install .` builds it (an isolated build with the setuptools pyproject.toml asks
for, from the package index) and installed without its dependencies, which the new environment takes from
this one's site-packages through a .pth line, so the test does not install them again; what is tested is
the wheel: the package, its templates and static files, its entry point.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
import requests

from checkout import copy_checkout
from helpers import free_port

PIP_WARNINGS = re.compile(r"is absent from the .packages. configuration|SetuptoolsDeprecationWarning|"
                          r"package_data|Installing .* as data is deprecated|^\s*!!\s*$", re.M | re.I)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("install")
    checkout = copy_checkout(work / "checkout")
    wheels = work / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--verbose", "--no-deps", "-w", str(wheels),
                            str(checkout)], capture_output=True, text=True, timeout=600, cwd=work)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    environment = work / "venv"
    venv.EnvBuilder(with_pip=True).create(environment)
    python = environment / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "tskg-test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next(wheels.glob("tskg-*.whl"))
    done = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return {"checkout": checkout, "venv": environment, "build_output": built.stdout + built.stderr, "work": work}


def env_without_root() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("TSKG_ROOT", "PYTHONPATH")}


def test_building_prints_no_setuptools_warnings(installed):
    found = [line for line in installed["build_output"].splitlines() if PIP_WARNINGS.search(line)]
    assert not found, found[:10]


def test_the_installed_package_is_the_wheel_not_the_checkout(installed):
    where = subprocess.run([str(installed["venv"] / "bin" / "python"), "-c",
                            "import server, server.web; print(server.__file__)"],
                           capture_output=True, text=True, cwd=installed["work"], env=env_without_root())
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(installed["venv"]), where.stdout


def test_validate_with_root(installed, tmp_path):
    tskg = installed["venv"] / "bin" / "tskg"
    env = {**env_without_root(), "TSKG_CACHE": str(tmp_path / "cache")}
    done = subprocess.run([str(tskg), "--root", str(installed["checkout"]), "validate"], capture_output=True,
                          text=True, timeout=600, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "conforms" in done.stdout + done.stderr
    # outside any checkout and without --root: one line that says how to give one
    lost = subprocess.run([str(tskg), "validate"], capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env)
    assert lost.returncode == 2 and "give --root DIR or $TSKG_ROOT" in lost.stderr, lost.stderr
    assert len(lost.stderr.strip().splitlines()) == 1


def test_serve_pages_templates_and_static_files(installed, tmp_path):
    tskg = installed["venv"] / "bin" / "tskg"
    port = free_port()
    env = {**env_without_root(), "TSKG_CACHE": str(tmp_path / "cache")}
    process = subprocess.Popen([str(tskg), "--root", str(installed["checkout"]), "serve", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env,
                               start_new_session=True)
    try:
        ready = process.stdout.readline()
        assert ready.startswith("tskg serve:"), ready + (process.stderr.read() if process.poll() is not None else "")
        base = f"http://127.0.0.1:{port}"
        home = requests.get(base + "/", timeout=60)
        assert home.status_code == 200 and "<html" in home.text
        editor = requests.get(base + "/query", timeout=60)
        assert editor.status_code == 200
        assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', home.text + editor.text)
        assert any("/vendor/" in a for a in assets), assets
        for asset in sorted(set(assets)):
            response = requests.get(base + asset.split("?")[0], timeout=60)
            assert response.status_code == 200 and response.content, asset
        page = requests.get(base + "/queries/agreements", headers={"Accept": "text/html"}, timeout=60)
        assert page.status_code == 200 and "<table" in page.text
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
