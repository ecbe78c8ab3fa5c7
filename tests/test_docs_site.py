"""The docs site's pages that list the project (docs/gallery.md, docs/index.md): every shipped
netlist in the gallery with its figure, every page in a table of contents.  The site itself
is built with warnings as errors by .ci/run (sphinx-build -W)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_gallery_shows_every_shipped_netlist():
    text = (DOCS / "gallery.md").read_text()
    shown = re.findall(r"^## (\S+)$", text, re.M)
    assert shown == sorted(p.stem for p in (ROOT / "netlists").glob("*.net"))
    for name in shown:
        assert f"thermnet run {name}" in text
        image = re.search(rf"!\[{name}\]\((\S+)\)", text).group(1)
        assert (DOCS / image).is_file(), image


def test_every_page_is_in_a_table_of_contents():
    index = (DOCS / "index.md").read_text()
    listed = set(re.findall(r"^([a-z0-9_/-]+)$", index, re.M))
    pages = {str(p.relative_to(DOCS).with_suffix("")) for p in DOCS.rglob("*.md")
             } | {"api"}                                            # api.rst: autodoc
    pages -= {"index"}
    assert pages == listed
