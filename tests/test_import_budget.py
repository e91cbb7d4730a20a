"""Each CLI path imports only what it needs (issue 22): start-up is most of a one-file run.

Every probe runs `kerasfix.cli.main` in a fresh interpreter and lists `sys.modules`
afterwards; a test fails when a path imports a module it has no use for (a framework, the
LibCST fixer, the source interpreter for a model file, the process pool for one file, another
subcommand's implementation). Nothing here is timed: `bench/bench_startup.py` measures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from tests.saved_model.handmade import keras3_cnn, write_h5, write_keras

ROOT = Path(__file__).resolve().parents[1]
ONE_SOURCE = ROOT / "fixtures" / "source" / "sequential_list.py"

PROBE = """
import json, sys
from kerasfix.cli import main
code = main(sys.argv[1:])
print("MODULES:" + json.dumps(sorted(sys.modules)))
"""

FRAMEWORKS = ("tensorflow", "keras", "jax", "torch")
# What no lint of one file needs: the LibCST fixer (only --fix/--diff), the process pool
# (only from parallel.MIN_FILES files), the other subcommands, the result cache under
# --no-cache.
NOT_FOR_LINT = (
    *FRAMEWORKS,
    "libcst",
    "multiprocessing",
    "concurrent.futures",
    "kerasfix.fixers",
    "kerasfix.cache",
    "kerasfix.commands.inspect",
    "kerasfix.commands.rewrite",
    "kerasfix.commands.rule",
    "kerasfix.commands.server",
    "kerasfix.model_rewrite",
    "kerasfix.inspection",
    "kerasfix.html_report",
    "kerasfix.server",
    "kerasfix.api",
)
# ... and a .py file needs no model-file reader (h5py pulls in numpy), no .gitignore
# matcher (a file named on the command line is not walked), no temporary files.
NOT_FOR_SOURCE = (
    *NOT_FOR_LINT,
    "h5py",
    "numpy",
    "pathspec",
    "tempfile",
    "kerasfix.frontends.saved_model",
    "kerasfix.kerasfile",
    "kerasfix.frontends.notebook",
)
# ... and a model file needs no source interpreter.
NOT_FOR_MODEL = (*NOT_FOR_LINT, "kerasfix.frontends.source", "pathspec", "tempfile")


def loaded_modules(*args: str, env: dict[str, str] | None = None) -> tuple[str, set[str]]:
    """(stdout before the module list, modules loaded) after `kerasfix ARGS` in a fresh process."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stderr
    output, _, modules = result.stdout.rpartition("MODULES:")
    return output, set(json.loads(modules))


def offenders(modules: set[str], forbidden: tuple[str, ...]) -> list[str]:
    """The forbidden packages (or any of their submodules) that were imported."""
    return sorted(
        name for name in forbidden if any(m == name or m.startswith(name + ".") for m in modules)
    )


def test_one_file_source_lint_imports_only_the_source_path() -> None:
    output, modules = loaded_modules("lint", "--no-cache", "--exit-zero", str(ONE_SOURCE))
    assert "KF001" in output  # the lint really ran
    assert "kerasfix.frontends.source.interpreter" in modules  # the probe sees imports
    assert offenders(modules, NOT_FOR_SOURCE) == []


def test_one_file_lint_starts_no_process_pool_even_with_many_jobs() -> None:
    args = ("lint", "--no-cache", "--exit-zero", str(ONE_SOURCE))
    output, modules = loaded_modules(*args, env={"KERASFIX_JOBS": "8"})
    assert "KF001" in output
    assert offenders(modules, ("multiprocessing", "concurrent.futures")) == []


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_saved_model_lint_imports_no_source_interpreter(tmp_path: Path, suffix: str) -> None:
    write = write_keras if suffix == ".keras" else write_h5
    model = write(tmp_path / f"cnn{suffix}", keras3_cnn())
    output, modules = loaded_modules("lint", "--no-cache", "--exit-zero", str(model))
    assert "KF001" in output
    assert "kerasfix.frontends.saved_model" in modules
    assert offenders(modules, NOT_FOR_MODEL) == []
    assert "kerasfix.frontends.source.interpreter" not in modules


def test_version_imports_no_command_implementation() -> None:
    output, modules = loaded_modules("--version")
    assert "kerasfix, version" in output
    kerasfix_modules = sorted(m for m in modules if m.startswith("kerasfix"))
    assert kerasfix_modules == ["kerasfix", "kerasfix.cli", "kerasfix.version"]


def test_lazy_group_lists_and_resolves_every_command_as_an_eager_group_would() -> None:
    from click.testing import CliRunner

    from kerasfix.cli import COMMANDS, LazyGroup, cli

    assert isinstance(cli, LazyGroup)
    fresh = LazyGroup("kerasfix", lazy_commands=COMMANDS)  # nothing looked up yet
    context = click.Context(fresh)
    assert fresh.list_commands(context) == sorted(COMMANDS)
    commands = [fresh.get_command(context, name) for name in sorted(COMMANDS)]
    assert [c.name if isinstance(c, click.Command) else c for c in commands] == sorted(COMMANDS)
    assert fresh.get_command(context, "nope") is None
    eager = click.Group("kerasfix", commands=[c for c in commands if c is not None])
    runner = CliRunner()
    table = runner.invoke(cli, ["--help"], prog_name="kerasfix").output.split("Commands:")[1]
    assert table == runner.invoke(eager, ["--help"]).output.split("Commands:")[1]
    for args in (["lin"], ["rul", "KF001"], ["nope"]):
        # A typo on a group that has loaded nothing: the same error as the eager group's,
        # "Did you mean ...?" included where this click offers one.
        lazy_run = runner.invoke(LazyGroup("kerasfix", lazy_commands=COMMANDS), args)
        eager_run = runner.invoke(eager, args)
        assert lazy_run.exit_code == eager_run.exit_code == 2
        assert lazy_run.output.splitlines()[-1] == eager_run.output.splitlines()[-1]
