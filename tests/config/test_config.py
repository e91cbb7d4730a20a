"""Configuration files: discovery, precedence, validation, and flags on top."""

from __future__ import annotations

from pathlib import Path

import pytest

from kerasfix.config import ConfigError, Overrides, Resolver, find_config, validate
from kerasfix.runner import lint_paths


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_nearest_config_wins_and_pyproject_without_table_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.kerasfix]\nignore = ["KF002"]\n')
    write(tmp_path / "pkg" / "pyproject.toml", '[project]\nname = "x"\n')  # no [tool.kerasfix]
    write(tmp_path / "pkg" / "sub" / "kerasfix.toml", 'select = ["KF002"]\n')
    resolver = Resolver()
    top = resolver.settings_for(tmp_path / "pkg" / "a.py")
    assert top.config_path == tmp_path / "pyproject.toml"
    assert top.enabled_rules() == ("KF001", "KF003")  # every rule but the ignored KF002
    deep = resolver.settings_for(tmp_path / "pkg" / "sub" / "b.py")
    assert deep.config_path == tmp_path / "pkg" / "sub" / "kerasfix.toml"
    assert deep.enabled_rules() == ("KF002",)  # no merging with the outer file


def test_kerasfix_toml_beats_pyproject_in_the_same_directory(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.kerasfix]\nselect = ["KF001"]\n')
    write(tmp_path / "kerasfix.toml", 'select = ["KF002"]\n')
    assert find_config(tmp_path) == tmp_path / "kerasfix.toml"
    assert Resolver().settings_for(tmp_path / "x.py").enabled_rules() == ("KF002",)


def test_rule_options_and_flags_override_the_file(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[tool.kerasfix]\nignore = ["KF002"]\nexclude = ["gen"]\n'
        "[tool.kerasfix.kf001]\nmin-params = 500\nwarning-params = 1000\n",
    )
    settings = Resolver().settings_for(tmp_path / "x.py")
    options = settings.options_for("kf001")
    assert (options.min_params, options.warning_params) == (500, 1000)
    assert options.error_params == 10_000_000  # default kept
    assert settings.exclude == ("gen",)
    flags = Overrides(select=("KF002",), exclude=("other",), options={"kf001": {"min_params": 7}})
    overridden = Resolver(flags).settings_for(tmp_path / "x.py")
    assert overridden.enabled_rules() == ("KF002",)  # a CLI selection starts afresh
    assert overridden.exclude == ("other",)
    options = overridden.options_for("kf001")
    assert options.min_params == 7 and options.warning_params == 1000
    added = Resolver(Overrides(ignore=("KF001",))).settings_for(tmp_path / "x.py")
    assert added.enabled_rules() == ("KF003",)  # --ignore adds to the file's ignore


def test_isolated_and_explicit_config(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.kerasfix]\nignore = ["KF001"]\n')
    other = write(tmp_path / "elsewhere" / "conf.toml", 'ignore = ["KF002"]\n')
    assert Resolver(isolated=True).settings_for(tmp_path / "x.py").enabled_rules() == (
        "KF001",
        "KF002",
        "KF003",
    )
    fixed = Resolver(config=other).settings_for(tmp_path / "x.py")
    assert fixed.enabled_rules() == ("KF001", "KF003") and fixed.config_path == other


def test_per_file_ignores_and_exclude_are_relative_to_the_config(tmp_path: Path) -> None:
    write(
        tmp_path / "kerasfix.toml",
        'extend-exclude = ["legacy/*.py"]\n[per-file-ignores]\n"tests/*" = ["KF001"]\n'
        '"conftest.py" = ["KF"]\n',
    )
    settings = Resolver().settings_for(tmp_path / "x.py")
    assert settings.enabled_rules(tmp_path / "tests" / "t.py") == ("KF002", "KF003")
    assert settings.enabled_rules(tmp_path / "src" / "conftest.py") == ()
    assert settings.enabled_rules(tmp_path / "src" / "tests.py") == ("KF001", "KF002", "KF003")
    assert settings.excludes(tmp_path / "legacy" / "old.py")
    assert not settings.excludes(tmp_path / "src" / "legacy" / "old.py")  # anchored


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("selct = []\n", "unknown key 'selct' in top level"),
        ('select = ["E501"]\n', "'select' has unknown rule selector 'E501'"),
        ('ignore = "KF001"\n', "'ignore' must be a list of strings"),
        ("respect-gitignore = 1\n", "'respect-gitignore' must be true or false"),
        ("[kf001]\nmin-params = -1\n", "'kf001.min-params' must be a non-negative integer"),
        ("[kf001]\nmax-params = 1\n", "unknown key 'kf001.max-params'"),
        ("[kf001]\nwarning-params = 20\nerror-params = 10\n", "must not exceed"),
        ("select = [\n", "invalid TOML"),
        ('[per-file-ignores]\n"a.py" = ["X1"]\n', "'per-file-ignores.a.py'"),
    ],
)
def test_bad_config_names_key_and_file(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "kerasfix.toml", text)
    with pytest.raises(ConfigError) as info:
        Resolver().settings_for(tmp_path / "x.py")
    assert message in str(info.value)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_pyproject_messages_name_the_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.kerasfix]\nfoo = 1\n")
    with pytest.raises(
        ConfigError, match=r"pyproject.toml: unknown key 'foo' in \[tool.kerasfix\]"
    ):
        Resolver().settings_for(tmp_path)


def test_validate_accepts_every_documented_key() -> None:
    table = {
        "select": ["ALL"], "ignore": ["kf002"], "exclude": ["a"], "extend-exclude": ["b"],
        "per-file-ignores": {"t/*": ["KF001"]}, "respect-gitignore": False,
        "kf001": {"min-params": 1, "warning-params": 2, "error-params": 3},
    }  # fmt: skip
    clean = validate(table, "kerasfix.toml")
    assert clean["ignore"] == ("KF002",)
    assert clean["kf001"] == {"min_params": 1, "warning_params": 2, "error_params": 3}


def test_nested_config_excludes_apply_while_walking(tmp_path: Path) -> None:
    write(tmp_path / "pkg" / "kerasfix.toml", 'extend-exclude = ["generated"]\n')
    write(tmp_path / "pkg" / "generated" / "g.py", "x = 1\n")
    write(tmp_path / "pkg" / "ok.py", "x = 1\n")
    write(tmp_path / "top.py", "x = 1\n")
    result = lint_paths([tmp_path], resolver=Resolver())
    names = sorted(Path(p).name for p in result.files)
    assert names == ["ok.py", "top.py"]
