"""The direction of imports between the apps (import-linter contracts in pyproject.toml)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ["network", "events", "customers", "memberships", "payments", "sites"]
PACKAGES += ["switch", "deletion", "demo", "siteadmin"]


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy_of_the_code(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_code_keeps_every_import_contract():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_lower_app_importing_a_higher_one_breaks_the_layers(tmp_path):
    root = _copy_of_the_code(tmp_path)
    with open(root / "events" / "selectors.py", "a") as module:
        module.write("\nfrom payments.models import Payment  # noqa: E402, F401  planted\n")

    result = _lint_imports(root)

    assert result.returncode != 0
    assert "Apps import one way" in result.stdout and "BROKEN" in result.stdout
    assert "events.selectors -> payments.models" in result.stdout


def test_an_import_hidden_in_a_function_counts(tmp_path):
    root = _copy_of_the_code(tmp_path)
    with open(root / "customers" / "services.py", "a") as module:
        module.write("\n\ndef planted():\n    from switch import services  # noqa: F401\n")

    result = _lint_imports(root)

    assert result.returncode != 0
    assert "customers.services -> switch.services" in result.stdout


def test_the_network_toolbox_may_not_import_an_app(tmp_path):
    root = _copy_of_the_code(tmp_path)
    with open(root / "network" / "paging.py", "a") as module:
        module.write("\nfrom customers.models import Customer  # noqa: E402, F401  planted\n")

    result = _lint_imports(root)

    assert result.returncode != 0
    assert "The network toolbox" in result.stdout
    assert "network.paging -> customers.models" in result.stdout


def test_every_module_of_the_network_package_is_toolbox_or_composition_root():
    """A new module in network/ is either in the toolbox contract or one of the few that
    wire the apps together (the URL confs and the WSGI/ASGI entry points)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    toolbox = next(c for c in contracts if c["id"] == "toolbox")["source_modules"]
    roots = {"network.urls_public", "network.urls_tenants", "network.wsgi", "network.asgi"}
    modules = {
        f"network.{path.stem if path.is_file() else path.name}"
        for path in (ROOT / "network").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }
    assert modules - roots <= set(toolbox), sorted(modules - roots - set(toolbox))
