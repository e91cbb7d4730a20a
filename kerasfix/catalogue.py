"""The rule catalogue: one Markdown page per rule, read by `kerasfix rule`, SARIF and tests.

Each page in `rules/` starts with TOML front matter between `+++` lines (id, name, summary,
default severity, fix availability, options) followed by the Ruff-style sections. Fenced
code blocks tagged ```` ```python invalid ````, ```` ```python valid ````, ```` ```toml expect ````
and ```` ```python fixed ```` are the rule's examples, run as tests, so the documentation
cannot drift from the behaviour. Installed wheels carry the pages as `kerasfix/_catalogue/`;
a source checkout reads the repository's `rules/`.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PACKAGE_DIR = Path(__file__).resolve().parent
FRONT_MATTER = re.compile(r"\A\+\+\+\n(?P<meta>.*?)\n\+\+\+\n", re.S)
FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$\n?", re.S | re.M)
SECTION = re.compile(r"^## (?P<title>.+)$", re.M)
UNKNOWN = "unknown"


class CatalogueError(Exception):
    """A malformed rule page (a packaging or authoring bug, not a user error)."""


@dataclass(frozen=True)
class Example:
    """One code example of a rule page; `expect` lists the findings an invalid one produces."""

    rule: str
    index: int  # 1-based among the page's examples
    kind: str  # "invalid" | "valid"
    code: str
    line: int  # where the code block starts in the page, for test ids and messages
    expect: tuple[dict[str, Any], ...] = ()
    fixed: str | None = None
    # `xfail=<tag>` in the fence: documented behaviour a frontend does not deliver yet.
    xfail: str | None = None

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.kind}-{self.index}"


@dataclass(frozen=True)
class RuleDoc:
    id: str
    name: str
    summary: str
    severity: str
    fix: str  # "always" | "sometimes" | "never"
    fix_safety: str  # "safe" | "unsafe" | "display-only"
    markdown: str  # the page without front matter, as written
    source: Path
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    precision: str = "high"
    examples: tuple[Example, ...] = ()
    severity_by_size: bool = False
    fix_applied_by: str = "--unsafe-fixes"  # or "--fix": the flag that applies the fix
    severity_exception: str | None = None  # when the severity departs from the rule above

    def severity_text(self) -> str:
        """How a finding's severity is chosen, as the rule page, README and SARIF say it."""
        if not self.severity_by_size:
            text = self.severity
        else:
            warning = self.options["warning-params"]["default"]
            error = self.options["error-params"]["default"]
            text = (
                f"by size: info below {warning:,} Dense parameters, warning below {error:,}, "
                f"error from {error:,} (options warning-params, error-params)"
            )
        return f"{text}; {self.severity_exception}" if self.severity_exception else text

    def fix_text(self) -> str:
        """When a fix exists and which flag applies it."""
        if self.fix == "never":
            return "none"
        how = (
            "applied by plain `--fix` (as if Ruff's extend-safe-fixes named it)"
            if self.fix_applied_by == "--fix"
            else "applied only with `--unsafe-fixes`"
        )
        return f"{self.fix} available, {self.fix_safety}; {how}"

    def section(self, title: str) -> str:
        """The text of one `## title` section (empty if absent)."""
        return _section(self.markdown, title)

    def help_markdown(self) -> str:
        """The page as users read it: expectation blocks dropped, fences plain Python."""
        text = FENCE.sub(_render_fence, self.markdown)
        return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"

    def help_text(self) -> str:
        """Plain text for consumers without Markdown (SARIF `help.text`)."""
        return self.help_markdown()

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.id,
            "name": self.name,
            "summary": self.summary,
            "severity": self.severity,
            "severity_by_size": self.severity_by_size,
            "severity_text": self.severity_text(),
            "fix": self.fix,
            "fix_safety": self.fix_safety,
            "fix_applied_by": self.fix_applied_by,
            "options": {
                key: {"default": spec.get("default"), "description": spec.get("description", "")}
                for key, spec in self.options.items()
            },
            "explanation": self.help_markdown(),
        }


def _render_fence(match: re.Match[str]) -> str:
    info = match.group("info").split()
    if info[:2] == ["toml", "expect"]:
        return ""
    language = info[0] if info else ""
    return f"```{language}\n{match.group('body')}```\n"


def _section(markdown: str, title: str) -> str:
    matches = list(SECTION.finditer(markdown))
    for i, match in enumerate(matches):
        if match.group("title").strip().lower() == title.lower():
            end = matches[i + 1].start() if i + 1 < len(matches) else len(markdown)
            return markdown[match.end() : end].strip()
    return ""


def catalogue_dir() -> Path:
    """`kerasfix/_catalogue` in an installed package, else the checkout's `rules/`."""
    for candidate in (PACKAGE_DIR / "_catalogue", PACKAGE_DIR.parent / "rules"):
        if candidate.is_dir() and any(candidate.glob("KF*.md")):
            return candidate
    raise CatalogueError("rule catalogue not found (expected kerasfix/_catalogue or rules/)")


def parse_page(path: Path) -> RuleDoc:
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    if match is None:
        raise CatalogueError(f"{path}: missing +++ front matter")
    try:
        meta = tomllib.loads(match.group("meta"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path}: front matter: {exc}") from exc
    body = text[match.end() :]
    offset = text[: match.end()].count("\n")
    rule_id = str(meta["id"])
    return RuleDoc(
        id=rule_id,
        name=str(meta["name"]),
        summary=str(meta["summary"]),
        severity=str(meta["default-severity"]),
        fix=str(meta.get("fix", "never")),
        fix_safety=str(meta.get("fix-safety", "unsafe")),
        markdown=body,
        source=path,
        options=dict(meta.get("options", {})),
        tags=tuple(meta.get("tags", ())),
        precision=str(meta.get("precision", "high")),
        examples=tuple(_examples(rule_id, body, offset, path)),
        severity_by_size=bool(meta.get("severity-by-size", False)),
        severity_exception=meta.get("severity-exception"),
        fix_applied_by=_flag(meta.get("fix-applied-by", "--unsafe-fixes"), path),
    )


def _flag(value: Any, path: Path) -> str:
    if value not in ("--fix", "--unsafe-fixes"):
        raise CatalogueError(f"{path}: fix-applied-by must be '--fix' or '--unsafe-fixes'")
    return str(value)


def _examples(rule: str, body: str, offset: int, path: Path) -> list[Example]:
    examples: list[Example] = []
    for match in FENCE.finditer(body):
        info = match.group("info").split()
        line = offset + body[: match.start()].count("\n") + 1
        if info[:2] in (["python", "invalid"], ["python", "valid"]):
            xfail = next((t.partition("=")[2] for t in info[2:] if t.startswith("xfail=")), None)
            examples.append(
                Example(rule, len(examples) + 1, info[1], match.group("body"), line, xfail=xfail)
            )
        elif info[:2] in (["toml", "expect"], ["python", "fixed"]):
            if not examples or examples[-1].kind != "invalid":
                raise CatalogueError(
                    f"{path}:{line}: '{' '.join(info)}' must follow an invalid example"
                )
            last = examples[-1]
            if info[0] == "toml":
                try:
                    findings = tomllib.loads(match.group("body")).get("finding", [])
                except tomllib.TOMLDecodeError as exc:
                    raise CatalogueError(f"{path}:{line}: {exc}") from exc
                examples[-1] = _replace(last, expect=tuple(findings))
            else:
                examples[-1] = _replace(last, fixed=match.group("body"))
    for example in examples:
        if example.kind == "invalid" and not example.expect:
            raise CatalogueError(f"{path}:{example.line}: invalid example without an expect block")
    return examples


def _replace(example: Example, **changes: Any) -> Example:
    from dataclasses import replace

    return replace(example, **changes)


@lru_cache(maxsize=4)
def load(directory: Path | None = None) -> dict[str, RuleDoc]:
    """Every rule page, keyed by code, in code order."""
    root = directory or catalogue_dir()
    rules = [parse_page(path) for path in sorted(root.glob("KF*.md"))]
    return {rule.id: rule for rule in rules}


def get(code: str) -> RuleDoc | None:
    """A rule by code (`KF001`, any case) or by name (`flatten-before-dense`)."""
    rules = load()
    wanted = code.strip()
    if wanted.upper() in rules:
        return rules[wanted.upper()]
    return next((rule for rule in rules.values() if rule.name == wanted.lower()), None)


def expected_value(value: Any) -> Any:
    """An expectation as compared with `Finding.to_dict()`: 'unknown'/'?' stand for None."""
    if value in (UNKNOWN, "?"):
        return None
    if isinstance(value, list):
        return [expected_value(item) for item in value]
    return value
