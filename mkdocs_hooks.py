"""MkDocs hook: the "Rules" section of the site, one page per rule, generated at build time.

The pages come from the rule catalogue (`rules/*.md` through kerasfix.catalogue), the same
source `kerasfix rule`, SARIF and the fix policy read, so the site cannot drift from them and
adding a page to `rules/` adds it to the site and its navigation (mkdocs.yml names the hook).
"""

from __future__ import annotations

from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from kerasfix import catalogue
from kerasfix.catalogue import RuleDoc

SECTION = "Rules"
INDEX = "rules.md"  # written by hand; its TABLE marker becomes the table of rules
TABLE = "<!-- rules-table -->"


def rule_path(doc: RuleDoc) -> str:
    return f"rules/{doc.id}.md"


def rule_page(doc: RuleDoc) -> str:
    """The page `kerasfix rule CODE` prints, with its Severity and Fix lines under the title."""
    title, _, body = doc.help_markdown().partition("\n")
    facts = f"**Severity:** {doc.severity_text()}.\n\n**Fix:** {doc.fix_text()}.\n"
    source = f"*Generated from `rules/{doc.source.name}`; `kerasfix rule {doc.id}` prints it.*\n"
    return f"{title}\n\n{facts}\n{source}\n{body.lstrip()}"


def rules_table(docs: list[RuleDoc]) -> str:
    rows = "".join(
        f"| [{doc.id}](rules/{doc.id}.md) | {doc.name} | {doc.summary} | {doc.severity_text()} "
        f"| {doc.fix_text()} |\n"
        for doc in docs
    )
    return "| code | name | what it finds | severity | fix |\n|---|---|---|---|---|\n" + rows


def on_config(config: MkDocsConfig, **_: Any) -> MkDocsConfig:
    """Expand nav's "Rules" entry into the index and one entry per rule."""
    docs = list(catalogue.load().values())
    pages = [{f"{doc.id} {doc.name}": rule_path(doc)} for doc in docs]
    children: list[Any] = [{"All rules": INDEX}, *pages]
    nav = config.nav or []
    for i, item in enumerate(nav):
        if isinstance(item, dict) and SECTION in item:
            nav[i] = {SECTION: children}
    return config


def on_files(files: Files, config: MkDocsConfig, **_: Any) -> Files:
    docs = list(catalogue.load().values())
    for doc in docs:
        files.append(File.generated(config, rule_path(doc), content=rule_page(doc)))
    return files


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if page.file.src_uri != INDEX:
        return markdown
    assert TABLE in markdown, f"docs/{INDEX} lost its {TABLE} marker"
    return markdown.replace(TABLE, rules_table(list(catalogue.load().values())))
