"""meson install gives a package that /usr/bin/python3 imports with only
PYTHONPATH set (never LD_LIBRARY_PATH): the build is installed into a
temporary DESTDIR, and a clean interpreter imports it from there, classifies
a case, runs the command line, and loads libtriage from that tree through
the extension's relative rpath. With the default prefix the site directory
is one that /usr/bin/python3 searches by itself."""
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

import triage

BUILD = pathlib.Path(triage.__file__).resolve().parents[3]

pytestmark = pytest.mark.skipif(
    "asan" in os.environ.get("LD_PRELOAD", ""),
    reason="a sanitizer build's extension needs the ASan runtime preloaded")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    meson = shutil.which("meson")
    if not meson:
        pytest.skip("meson is not on PATH")
    dest = tmp_path_factory.mktemp("destdir")
    r = subprocess.run([meson, "install", "-C", str(BUILD), "--destdir", str(dest),
                        "--no-rebuild", "--quiet"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    options = json.loads(subprocess.run([meson, "introspect", "--buildoptions", str(BUILD)],
                                        capture_output=True, text=True, check=True).stdout)
    prefix = next(o["value"] for o in options if o["name"] == "prefix")
    pkgs = [p for p in dest.rglob("triage/__init__.py") if "-packages" in str(p)]
    assert len(pkgs) == 1, pkgs
    return dest, prefix, pkgs[0].parent.parent


def clean_python(site, *args):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(site), "HOME": "/nonexistent"}
    return subprocess.run(["/usr/bin/python3", *args], capture_output=True, text=True, env=env,
                          cwd="/", timeout=300)


def test_installed_package_imports_and_classifies(installed):
    dest, _, site = installed
    code = ("import triage, json; c = triage.classify(need={'housing': 3}, "
            "capacity={'psychiatric': 2}); "
            "libs = [l.split()[-1] for l in open('/proc/self/maps') if 'libtriage.so' in l]; "
            "print(json.dumps([triage.__file__, c.quadrant.name, libs[0], triage.version()]))")
    r = clean_python(site, "-c", code)
    assert r.returncode == 0, r.stderr
    path, quadrant, lib, version = json.loads(r.stdout)
    assert path.startswith(str(site)) and quadrant == "SPECIAL_SUPPORT"
    assert lib.startswith(str(dest)), lib      # the installed library, found by rpath
    assert version == triage.version()
    for f in ("__init__.pyi", "py.typed", "__main__.py", "_experiment.py", "_plot.py"):
        assert (site / "triage" / f).exists(), f


def test_installed_command_line(installed):
    _, _, site = installed
    r = clean_python(site, "-m", "triage", "classify", "--need", "housing=3")
    assert r.returncode == 0, r.stderr
    assert "quadrant:        social_guidance_work" in r.stdout.splitlines()
    r = clean_python(site, "-m", "triage", "deadlines", "--help")
    assert r.returncode == 0 and r.stdout.startswith("usage: triage deadlines")


def test_default_prefix_needs_no_pythonpath(installed):
    dest, prefix, site = installed
    if prefix != "/usr/local":
        pytest.skip(f"the build's prefix is {prefix}")
    target = "/" + str(site.relative_to(dest))
    r = subprocess.run(["/usr/bin/python3", "-c", "import sys; print('\\n'.join(sys.path))"],
                       capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}, check=True)
    assert target in r.stdout.splitlines(), (target, r.stdout)
