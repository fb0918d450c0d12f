"""`pip install .` gives a `kinerja` command that works from any folder, with the templates,
the schema and the example data inside the installed package."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# builds a wheel and installs it into a fresh venv: no LibreOffice, but tens of seconds
pytestmark = pytest.mark.slow


def library_packages() -> list[str]:
    """Every package of the library in the source tree."""
    return sorted(
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "signer").rglob("__init__.py")
    )


def library_modules() -> list[str]:
    """Every module of the library in the source tree."""
    out = []
    for p in sorted((ROOT / "signer").rglob("*.py")):
        parts = p.relative_to(ROOT).with_suffix("").parts
        out.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    # Alembic's environment script runs only inside Alembic (test below: the archive migrates)
    return [m for m in out if m != "signer.archive.migrations.env"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    [built] = out.glob("kinerja-*.whl")
    return built


def test_wheel_carries_package_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "cli.py" in names
    assert "signer/data/agreement-1.schema.json" in names
    assert "signer/py.typed" in names
    for package in library_packages():
        assert package.replace(".", "/") + "/__init__.py" in names, package
    templates = sorted(ROOT.glob("templates/*.docx"))
    for t in templates:
        assert f"signer/templates/{t.name}" in names
    css = ROOT / "signer/web/static/portal.css"
    portal = [*sorted(ROOT.glob("signer/web/templates/*.html")), css]
    for f in portal:  # the portal's pages and stylesheet, read from the installed package
        assert str(f.relative_to(ROOT)) in names, f.name
    assert "cli_serve.py" in names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "kinerja = cli:main" in zipfile.ZipFile(wheel).read(entry).decode()


def test_installed_command_works_from_any_folder(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    site = subprocess.run(
        [py, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", site, str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    # dependencies come from the test venv; the package itself only from the wheel
    (Path(site) / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    where = subprocess.run(
        [py, "-c", "import signer, cli; print(signer.__file__, cli.__file__)"],
        capture_output=True,
        text=True,
        cwd="/",
        check=True,
    ).stdout
    assert str(ROOT) not in where and site in where
    # every module imports from the installed wheel alone
    imported = subprocess.run(
        [
            py,
            "-c",
            "import importlib, sys\n"
            "for m in sys.argv[1:]:\n"
            "    f = importlib.import_module(m).__file__\n"
            f"    assert f.startswith({site!r}), (m, f)\n",
            *library_modules(),
        ],
        capture_output=True,
        text=True,
        cwd="/",
    )
    assert imported.returncode == 0, imported.stderr
    folder = tmp_path / "ws"
    result = subprocess.run(
        [py, "-m", "cli", "init", str(folder)], capture_output=True, text=True, cwd="/"
    )
    assert result.returncode == 0, result.stderr
    result = subprocess.run(
        [py, "-m", "cli", "check", str(folder / "kinerja.xlsx")],
        capture_output=True,
        text=True,
        cwd="/",
    )
    assert result.returncode == 0, result.stderr
    assert "no problems" in result.stdout
    # the archive's migrations ship in the wheel: a new archive gets its schema
    result = subprocess.run(
        [py, "-m", "cli", "archive", "list", "--db", str(folder)],
        capture_output=True,
        text=True,
        cwd="/",
    )
    assert result.returncode == 0, result.stderr
    assert (folder / "arsip.sqlite").stat().st_size > 0
