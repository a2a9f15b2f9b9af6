"""The built wheel, installed away from the checkout, serves every page.

The wheel is built from a copy of the checkout (no build/ or egg-info left in it) and
installed with --no-deps into a fresh virtualenv in tmp_path; a .pth file lends that
virtualenv the running one's site-packages, so nothing is downloaded and the dependencies
are the ones the suite runs with. The running virtualenv's editable kispub stays out: a
path a .pth file adds is not scanned for further .pth files, so its editable finder never
loads. Every command runs in tmp_path with no PYTHONPATH, and the test checks that the
kispub it serves is the installed one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Left out of the copy the wheel is built from: environments, caches, local data.
SKIP_AT_ROOT = {".git", ".venv", "build", "dist", "instance", "media", "node_modules"}
SKIP_ANYWHERE = shutil.ignore_patterns(
    "__pycache__", "*.egg-info", ".pytest_cache", ".ruff_cache", ".mypy_cache"
)
# Serves the installed app on a free port and says what it runs.
SERVE = """
import json
import kispub
from werkzeug.serving import make_server

app = kispub.create_app()
server = make_server("127.0.0.1", 0, app, threaded=True)
print(json.dumps({
    "port": server.port,
    "package": kispub.__file__,
    "templates": app.template_folder,
    "media": app.config["MEDIA_ROOT"],
}), flush=True)
server.serve_forever()
"""

pytestmark = [pytest.mark.slow, pytest.mark.dialect_free]  # PostgreSQL run: skipped


def test_installed_wheel_serves_every_page(tmp_path: Path) -> None:
    assert not tmp_path.is_relative_to(ROOT), "the test must run outside the checkout"
    wheel = _build_wheel(tmp_path)
    _assert_wheel_carries_package_data(wheel)
    venv = _install_into_fresh_venv(wheel, tmp_path / "venv")
    python = str(venv / "bin" / "python")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    env = _clean_environment()
    env["KISPUB_SECRET_KEY"] = "wheel-test-secret"
    env["KISPUB_SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'kispub.sqlite3'}"
    # KISPUB_MEDIA_ROOT is left unset on purpose: its installed default (media/ in the
    # instance folder, which is inside the temporary venv) is part of what is tested.
    for command in ("init-db", "demo"):
        _run([python, "-m", "flask", "--app", "kispub", command], cwd=run_dir, env=env)

    with _serve(python, run_dir, env, tmp_path / "server.log") as (base, facts):
        for key in ("package", "templates", "media"):
            assert Path(facts[key]).is_relative_to(venv), f"{key} outside the venv: {facts}"
        instance = venv / "var" / "kispub-instance"
        assert Path(facts["media"]) == instance / "media"
        assert any(Path(facts["media"]).rglob("*.mp3")), "the demo's audio is not in MEDIA_ROOT"

        home = _page(base, "/")
        assert "<title>Home · KIS</title>" in home
        stylesheet = _one(r'<link rel="stylesheet" href="([^"]+)"', home)
        assert (
            _get(base, stylesheet) == (ROOT / "kispub" / "static" / "css" / "site.css").read_bytes()
        )

        podcast = _page(base, _one(r'href="(/podcast/)"', home))
        episode = _page(base, _one(r'href="(/podcast/[^/"]+/[^/".]+)"', podcast))
        assert "<audio" in episode
        audio = _one(r'<audio [^>]*src="([^"]+)"', episode)
        assert len(_get(base, audio, headers={"Range": "bytes=0-99"}, status=206)) == 100

        ateliers = _page(base, _one(r'href="(/kennisateliers/)"', home))
        atelier = _page(base, _one(r'href="(/kennisateliers/[a-z0-9-]+)"', ateliers))
        assert re.search(r'"@type":\s*"Event"', atelier), "no schema.org Event on the atelier page"


def _build_wheel(tmp_path: Path) -> Path:
    """Build from a copy, without build isolation: no index needed, and the checkout stays clean."""
    source = tmp_path / "source"

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = set(SKIP_ANYWHERE(folder, names))
        if Path(folder) == ROOT:
            skipped |= SKIP_AT_ROOT & set(names)
        return skipped

    shutil.copytree(ROOT, source, ignore=ignore)
    dist = tmp_path / "dist"
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index"]
    _run([*pip, "--wheel-dir", str(dist), str(source)], cwd=tmp_path)
    (wheel,) = dist.glob("kispub-*.whl")
    return wheel


def _assert_wheel_carries_package_data(wheel: Path) -> None:
    """Every template, static file, migration and demo file of the checkout is in the wheel."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    expected = {
        f"kispub/templates/{path.relative_to(ROOT / 'templates').as_posix()}"
        for path in (ROOT / "templates").rglob("*")
        if path.is_file()
    } | {
        path.relative_to(ROOT).as_posix()
        for folder in ("static", "migrations", "demo")
        for path in (ROOT / "kispub" / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    named = {
        "kispub/templates/base.html",
        "kispub/static/css/site.css",
        "kispub/migrations/alembic.ini",
        "kispub/migrations/script.py.mako",
        "kispub/migrations/env.py",
        "kispub/demo/media/podcast-cover.jpg",
        "kispub/demo/media/aflevering-1.mp3",
        "kispub/demo/media/aflevering-1.vtt",
        "kispub/demo/media/aflevering-6.vtt",
        "kispub/demo/media/aflevering-6.chapters.json",
    }
    assert named <= expected
    assert not expected - names, f"missing from the wheel: {sorted(expected - names)}"
    assert not [n for n in names if n.startswith("templates/")], "templates/ at the top level"
    # The demo's spoken episodes are most of the wheel: keep it a small download.
    assert wheel.stat().st_size < 6_000_000, wheel.stat().st_size


def _install_into_fresh_venv(wheel: Path, venv: Path) -> Path:
    """A venv with only kispub installed; the running venv's site-packages lend the rest."""
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=venv.parent)
    python = str(venv / "bin" / "python")
    purelib = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    # Every site-packages folder the suite imports from (venv, system, user), not the checkout.
    lent = [path for path in sys.path if Path(path).name in ("site-packages", "dist-packages")]
    (Path(purelib.strip()) / "_kispub_test_dependencies.pth").write_text("\n".join(lent) + "\n")
    install = ["install", "--no-deps", "--no-index", "--quiet", str(wheel)]
    _run([sys.executable, "-m", "pip", "--python", python, *install], cwd=venv.parent)
    return venv


def _clean_environment() -> dict[str, str]:
    """The caller's environment without anything that would point at the checkout."""
    prefixes = ("KISPUB_", "FLASK_", "PYTHON", "VIRTUAL_ENV")
    return {key: value for key, value in os.environ.items() if not key.startswith(prefixes)}


def _run(args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        args, cwd=cwd, env=env or _clean_environment(), capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@contextmanager
def _serve(python: str, cwd: Path, env: dict[str, str], log: Path) -> Iterator[tuple[str, Any]]:
    """Serve the installed app; yield its base URL and what it says about itself."""
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [python, "-c", SERVE],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    assert process.stdout is not None
    try:
        line = process.stdout.readline()
        assert line, "the server did not start"
        facts = json.loads(line)
        yield f"http://127.0.0.1:{facts['port']}", facts
    except BaseException:
        print(f"server log:\n{log.read_text()}")  # shown by pytest with the failure
        raise
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def _get(base: str, path: str, headers: dict[str, str] | None = None, status: int = 200) -> bytes:
    request = urllib.request.Request(base + path, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == status, f"{path}: {response.status}"
        return bytes(response.read())


def _page(base: str, path: str) -> str:
    """A page that rendered its own template: its <h1> is in its <title>, not an error page."""
    html = _get(base, path).decode()
    title = _one(r"<title>(.*?)</title>", html)
    heading = re.sub(r"<[^>]+>", "", _one(r"<h1[^>]*>(.*?)</h1>", html)).strip()
    assert heading and (heading in title or path == "/"), f"{path}: {title!r} / {heading!r}"
    return html


def _one(pattern: str, text: str) -> str:
    match = re.search(pattern, text, re.S)
    assert match, f"{pattern!r} not found"
    return match.group(1)
