"""ESP32 gates on the real firmware, and proof that each gate catches what it is there for."""

import textwrap

import pytest

from gates import (
    FIRMWARE,
    FIRMWARE_PYRIGHT,
    REPO,
    firmware_files,
    micropython_imports,
    module_names,
    mpy_cross,
    pyright,
    ruff,
)


def test_firmware_compiles_for_esp32():
    assert firmware_files(), "no firmware found"
    assert mpy_cross(firmware_files()) == []


def test_firmware_typechecks_against_esp32_stubs():
    assert pyright(FIRMWARE_PYRIGHT) == []


def test_host_typechecks():
    assert pyright(REPO / "pyproject.toml") == []


def test_ruff_clean():
    assert ruff([REPO / "firmware", REPO / "host_tools", REPO / "tests"]) == []


def test_every_firmware_module_imports_under_micropython():
    names = module_names()
    assert "fascia.detect.filters" in names
    assert micropython_imports(names) == []


# --- each gate fails on a deliberately broken firmware file -------------------------------------

BROKEN = {
    # MicroPython's compiler has no `match` statement
    "syntax.py": "def f(x):\n    match x:\n        case 1:\n            return 2\n",
    # CPython-only module: compiles fine, fails only on the real runtime
    "cpython_only.py": "from dataclasses import dataclass\n",
    # not in MicroPython's `time`: only the stub type-check sees it
    "no_such_api.py": "import time\n\nSTART = time.perf_counter()\n",
}


@pytest.fixture
def broken(tmp_path):
    pkg = tmp_path / "fw"
    pkg.mkdir()
    for name, src in BROKEN.items():
        (pkg / name).write_text(textwrap.dedent(src))
    return pkg


def test_gates_catch_broken_firmware(broken):
    compiled = mpy_cross(firmware_files(broken))
    assert len(compiled) == 1 and "syntax.py" in compiled[0]

    imports = micropython_imports(["cpython_only"], root=broken)
    assert len(imports) == 1 and "dataclasses" in imports[0]

    typed = pyright(FIRMWARE_PYRIGHT, [broken / "no_such_api.py"])
    assert len(typed) == 1 and "perf_counter" in typed[0]


def test_ruff_gate_catches_lint(tmp_path):
    bad = tmp_path / "lint.py"
    bad.write_text("import os\n")
    assert any("F401" in p for p in ruff([bad]))


def test_firmware_tree_is_where_gates_look():
    assert (FIRMWARE / "fascia" / "__init__.py").exists()
