"""Sphinx configuration of the docs site (built, not published):

    .venv/bin/pip install -e '.[docs]'
    .venv/bin/sphinx-build -W -b html docs build/docs      # warnings are errors (as in CI)

The pages are the Markdown files of docs/ (MyST); the API reference is numpydoc from the
docstrings (docs/api.rst).
"""
import os
import sys

sys.path.insert(0, os.path.abspath(".."))

import thermnet  # noqa: E402

project = "thermnet"
author = "thermnet developers"
copyright = "2026, thermnet developers"
release = version = thermnet.__version__

extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.autosummary", "numpydoc",
              "sphinx.ext.mathjax"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "validation/make_images.py"]
myst_heading_anchors = 3
# the Markdown pages are also read on GitHub, where a page may start its sections at any
# level; their links to repository files (netlists/, tests/) are not documents of the site
suppress_warnings = ["myst.header", "myst.xref_missing"]
numpydoc_show_class_members = False
numpydoc_validation_checks: set = set()
autodoc_default_options = {"members": True, "undoc-members": False}
autodoc_typehints = "none"
html_theme = "alabaster"
html_title = f"thermnet {release}"
