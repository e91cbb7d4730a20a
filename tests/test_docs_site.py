"""The documentation site builds in strict mode, its rule pages are `rules/`, and README's
links are its pages (issue 23, "A documentation site").

The build is the real `mkdocs build --strict` in a child process, as a contributor runs it;
one more build of a copy proves that strict mode fails on a broken link and on a page left
out of the navigation. One worker runs the module (the builds share nothing else).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mkdocs", reason="the docs extra is not installed: pip install -e '.[docs]'")
pytest.importorskip("material", reason="the docs extra is not installed: pip install -e '.[docs]'")

from kerasfix import catalogue

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
# What the site build reads: its configuration, the hook, the pages, README's shared blocks
# (copied, to be broken), and what it only reads or watches (linked).
SITE_SOURCES = ("mkdocs.yml", "mkdocs_hooks.py", "docs", "README.md")
SITE_READS = ("rules", "kerasfix")
LINK = re.compile(r"\]\(([^)\s]+)\)")

# Slow: full MkDocs builds (not in the quick loop).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("docs-site")]


def build(root: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` of the project at `root` into `site` (no network needed).
    Not `-q`: it drops the warnings that strict mode counts, and the build then passes."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # Material's end-of-life banner
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    run = build(REPO, out)
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def page_text(site: Path, page: str) -> str:
    """The text of the built page for `page` (a docs path such as `lint.md`), tags dropped."""
    stem = page.removesuffix(".md").removesuffix("index").rstrip("/")
    built = site / stem / "index.html" if stem else site / "index.html"
    assert built.is_file(), f"{page} was not built"
    return html.unescape(re.sub(r"<[^>]+>", "", built.read_text(encoding="utf-8")))


def test_every_rule_page_is_generated_from_rules(site: Path) -> None:
    """One page per `rules/*.md`, holding what `kerasfix rule CODE` prints, and no other."""
    docs = catalogue.load()
    assert {p.stem for p in (REPO / "rules").glob("KF*.md")} == set(docs)
    built = {p.name for p in (site / "rules").iterdir() if p.is_dir()}
    assert built == set(docs)
    for doc in docs.values():
        text = page_text(site, f"rules/{doc.id}.md")
        assert f"Severity: {doc.severity_text()}." in text.replace("`", "")
        assert f"Fix: {doc.fix_text()}.".replace("`", "") in text.replace("`", "")
        for title in re.findall(r"^## (.+)$", doc.markdown, re.M):
            assert title.strip() in text, (doc.id, title)
        for example in doc.examples:
            first = next(line for line in example.code.splitlines() if line.strip())
            assert first.strip() in text, (doc.id, first)
        index = page_text(site, "rules/index.md")
        assert doc.id in index and doc.summary in index


def readme_links() -> list[str]:
    return [link for link in LINK.findall(README.read_text(encoding="utf-8"))]


def test_readme_links_point_to_pages_that_exist(site: Path) -> None:
    """Every relative README link is a file of the repository; links into docs/ are built
    pages, and every page of the site's navigation is linked from README."""
    docs_pages = set()
    for link in readme_links():
        if re.match(r"[a-z]+:", link) or link.startswith("#"):
            continue
        path = link.split("#")[0]
        assert (REPO / path).exists(), f"README links to {link}, which does not exist"
        if path.startswith("docs/") and path.endswith(".md"):
            page = path.removeprefix("docs/")
            page_text(site, page)
            docs_pages.add(page)
    nav = re.findall(r"^  - [^:]+: (\S+\.md)$", (REPO / "mkdocs.yml").read_text(), re.M)
    assert nav and set(nav) <= docs_pages, f"README does not link {set(nav) - docs_pages}"


def test_readme_is_a_short_front_page() -> None:
    """At most 250 lines, a quickstart of at most 5 commands, on fixtures that exist (the
    longer quickstart of getting-started.md too)."""
    readme = README.read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    quickstart = re.search(r"^## Quickstart\n.*?^```bash\n(.*?)^```", readme, re.M | re.S)
    assert quickstart, "README has no Quickstart bash block"
    assert 0 < len([line for line in quickstart.group(1).splitlines() if line.strip()]) <= 5
    started = (REPO / "docs" / "getting-started.md").read_text(encoding="utf-8")
    paths = set(re.findall(r"\bfixtures/[\w./-]+", quickstart.group(1) + started))
    assert paths and all((REPO / path).exists() for path in paths), paths


def test_blocks_shared_with_readme_are_included(site: Path) -> None:
    """getting-started shows README's install commands, integrations its pre-commit config."""
    readme = README.read_text(encoding="utf-8")
    install = page_text(site, "getting-started.md")
    for line in ("python3 -m venv .venv", "python -m pip install --upgrade pip", "pip install ."):
        assert line in readme and line in install
    rev = re.search(r"^\s+rev: (\S+)$", readme, re.M)
    assert rev and f"rev: {rev.group(1)}" in page_text(site, "integrations.md")


def test_no_request_leaves_the_site(site: Path) -> None:
    """No web font, script or stylesheet from another host: the site works offline."""
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text, page
        assert not re.search(r"<(script|img)[^>]+src=\"(https?:)?//", text), page
        assert not re.search(r"<link[^>]+href=\"(https?:)?//", text), page


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    for name in SITE_SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy2(source, root / name)
    for name in SITE_READS:
        (root / name).symlink_to(REPO / name)
    return root


def test_strict_build_fails_on_a_broken_link_and_a_page_missing_from_nav(
    copy: Path, tmp_path: Path
) -> None:
    """One build of a copy with both faults: strict mode reports each and fails."""
    with (copy / "docs" / "lint.md").open("a", encoding="utf-8") as page:
        page.write("\nSee [the missing page](no-such-page.md).\n")
    (copy / "docs" / "orphan.md").write_text("# Orphan\n", encoding="utf-8")
    run = build(copy, tmp_path / "site")
    assert run.returncode != 0
    assert "no-such-page.md" in run.stdout + run.stderr
    assert "orphan.md" in run.stdout + run.stderr
