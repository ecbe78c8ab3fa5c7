"""Start-up of ``thermnet check`` (issue 9): the circuit's graphs without networkx
(model/graph.py), the LALR parser from thermnet's cache (netlist/parser_cache.py), and a
check that imports neither networkx nor scipy."""
from __future__ import annotations

import hashlib
import os
import random
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from thermnet.model.graph import Graph
from thermnet.netlist import parser_cache
from thermnet.netlist.parser_cache import cached_lark, read_parser

ROOT = Path(__file__).resolve().parents[1]
GRAMMAR = (ROOT / "thermnet" / "netlist" / "grammar.lark").read_text()
OPTIONS = {"propagate_positions": True, "maybe_placeholders": False}
LINES = ["RS a b 10ohm temp=S", ".sweep P1 10f 5p 200 log", ".print T(S) {Q(S,D)/2}",
         ".param w={2*x+1}", ".model cu eph(sigma=3e9 n=5)"]


# ---- graph.py against a breadth-first search written here --------------------------------

def bfs_components(nodes, edges):
    """Connected components by breadth-first search from each unvisited node in order."""
    adjacent = {n: [] for n in nodes}
    for a, b in edges:
        adjacent[a].append(b)
        adjacent[b].append(a)
    seen, out = set(), []
    for start in nodes:
        if start in seen:
            continue
        comp, queue = {start}, [start]
        while queue:
            for m in adjacent[queue.pop()]:
                if m not in comp:
                    comp.add(m)
                    queue.append(m)
        seen |= comp
        out.append(comp)
    return out


@pytest.mark.parametrize("seed", range(40))
def test_components_match_breadth_first_search(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 30)
    nodes = [f"n{k}" for k in rng.sample(range(100), n)]
    edges = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(rng.randint(0, 2 * n))]
    g = Graph(nodes)
    for k, (a, b) in enumerate(edges):        # parallel edges and self-loops included
        g.add_edge(a, b, k)
    comps = g.components()
    expected = bfs_components(nodes, edges)
    assert [set(c.nodes) for c in comps] == expected          # same sets, same order
    for c in comps:
        assert list(c.nodes) == [x for x in nodes if x in set(c.nodes)]
        assert sorted(e.element for e in c.edges) == sorted(
            k for k, (a, b) in enumerate(edges) if a in set(c.nodes))
    degree = g.degrees()
    for x in nodes:
        assert degree[x] == sum((a == x) + (b == x) for a, b in edges)


def test_graph_adds_nodes_of_edges_and_drops_edges():
    g = Graph(["a"])
    g.add_edge("b", "c", "x")
    g.add_edge("c", "a", "y")
    assert list(g.nodes) == ["a", "b", "c"]
    assert [c.nodes for c in g.components()] == [("a", "b", "c")]
    h = g.without(lambda e: e.element == "y")
    assert [c.nodes for c in h.components()] == [("a",), ("b", "c")]
    assert len(g.edges) == 2                                   # the original is unchanged


# ---- the cached LALR parser ---------------------------------------------------------------

@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("THERMNET_CACHE_DIR", str(folder))
    return folder


def trees(parser):
    return [parser.parse(line) for line in LINES]


def test_cached_parser_is_written_once_and_parses_the_same(cache):
    from lark import Lark
    fresh = Lark(GRAMMAR, parser="lalr", **OPTIONS)
    first = cached_lark(GRAMMAR, **OPTIONS)
    files = list(cache.iterdir())
    assert len(files) == 1 and files[0].name.startswith("grammar-")   # no temporary left
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    loaded = read_parser(files[0])
    assert loaded is not None
    assert trees(loaded) == trees(first) == trees(fresh)
    # positions (propagate_positions) survive the cache: the parser's spans use them
    tree = loaded.parse(LINES[0])
    assert tree.meta.start_pos == 0 and tree.meta.end_pos == len(LINES[0])
    mtime = files[0].stat().st_mtime_ns
    cached_lark(GRAMMAR, **OPTIONS)
    assert files[0].stat().st_mtime_ns == mtime                     # read, not rebuilt


def test_changed_grammar_options_or_version_use_another_file(cache, monkeypatch):
    path = parser_cache.cache_path(GRAMMAR, {"parser": "lalr", **OPTIONS})
    assert parser_cache.cache_path(GRAMMAR + "\n// changed\n",
                                   {"parser": "lalr", **OPTIONS}) != path
    assert parser_cache.cache_path(GRAMMAR, {"parser": "lalr"}) != path
    monkeypatch.setattr(parser_cache, "__version__", "999.0")
    assert parser_cache.cache_path(GRAMMAR, {"parser": "lalr", **OPTIONS}) != path


@pytest.mark.parametrize("damage", ["empty", "truncated", "garbled", "not lark's"])
def test_damaged_cache_file_is_rebuilt(cache, damage):
    cached_lark(GRAMMAR, **OPTIONS)
    (path,) = cache.iterdir()
    data = path.read_bytes()
    head, _, payload = data.partition(b"\n")
    bad = b"not a pickle"                       # under a valid checksum
    path.write_bytes({
        "empty": b"",
        "truncated": data[: len(data) // 2],
        "garbled": head + b"\n" + payload[:100] + b"\x00" * 50 + payload[150:],
        "not lark's": parser_cache.MAGIC + hashlib.sha256(bad).hexdigest().encode()
        + b"\n" + bad}[damage])
    assert read_parser(path) is None
    parser = cached_lark(GRAMMAR, **OPTIONS)
    assert trees(parser) == trees(read_parser(path))           # rewritten whole


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="no file owners on this platform")
def test_cache_file_others_may_write_is_not_loaded(cache):
    cached_lark(GRAMMAR, **OPTIONS)
    (path,) = cache.iterdir()
    os.chmod(path, 0o664)
    assert read_parser(path) is None
    os.chmod(path, 0o644)
    assert read_parser(path) is not None


def test_oversized_cache_file_is_not_read(cache, monkeypatch):
    cached_lark(GRAMMAR, **OPTIONS)
    (path,) = cache.iterdir()
    assert read_parser(path) is not None
    monkeypatch.setattr(parser_cache, "MAX_BYTES", path.stat().st_size - 1)
    assert read_parser(path) is None              # not read at all, whatever it holds


def test_parser_with_callbacks_is_not_cached(cache):
    seen = []
    parser = cached_lark(GRAMMAR, lexer_callbacks={"WORD": lambda t: seen.append(t) or t},
                         **OPTIONS)
    parser.parse(LINES[0])
    assert seen and not cache.exists()


def test_unwritable_cache_is_not_an_error(tmp_path, monkeypatch):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("THERMNET_CACHE_DIR", str(blocker / "cache"))
    parser = cached_lark(GRAMMAR, **OPTIONS)
    assert trees(parser)[0].data == "element"


# ---- what check imports -------------------------------------------------------------------

def test_check_imports_neither_networkx_nor_scipy(tmp_path):
    code = ("import sys\nfrom thermnet.cli import main\n"
            "code = main(['check', sys.argv[1]])\n"
            "heavy = sorted(m for m in ('networkx', 'scipy', 'matplotlib', 'pandas') "
            "if m in sys.modules)\n"
            "print('HEAVY', heavy, code)\n")
    env = dict(os.environ, THERMNET_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=str(ROOT))
    for _ in range(2):                          # cache cold, then warm
        out = subprocess.run([sys.executable, "-c", code,
                              str(ROOT / "netlists" / "two_islands_rlc.net")],
                             capture_output=True, text=True, env=env, timeout=60)
        assert out.returncode == 0, out.stderr
        assert "photonic links (1):" in out.stdout
        assert out.stdout.strip().splitlines()[-1] == "HEAVY [] 0"
    assert len(list((tmp_path / "cache").iterdir())) == 1
