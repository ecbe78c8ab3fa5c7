"""A multigraph reduced to what the circuit's checks need: nodes, edges that carry their
element, node degrees and connected components.

The electrical graph (its components are the photonic links and the biased networks,
``model/circuit.py``, ``model/bias.py``) and the thermal graph (every component needs a
temperature source) need nothing more.  Components come from a disjoint-set forest with
path halving and linking by index (Tarjan & van Leeuwen, "Worst-case analysis of set union
algorithms", J. ACM 31, 245 (1984)): O(m log n) at worst for m edges on n nodes.  This
replaces networkx, whose import was a third of the start-up of ``thermnet check`` (issue 9,
docs/performance.md).
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Dict, Iterable, List, NamedTuple, Tuple


class Edge(NamedTuple):
    a: str
    b: str
    element: Any = None          # the element that joins a and b (None: a bare connection)


class Component(NamedTuple):
    nodes: Tuple[str, ...]       # in the graph's node order
    edges: Tuple[Edge, ...]      # in the order they were added


class Graph:
    """An undirected multigraph: nodes in insertion order, parallel edges and self-loops
    kept (a self-loop adds 2 to its node's degree, as in graph theory and networkx)."""

    def __init__(self, nodes: Iterable[str] = ()):
        self.nodes: Dict[str, None] = dict.fromkeys(nodes)
        self.edges: List[Edge] = []

    def add_edge(self, a: str, b: str, element: Any = None) -> None:
        """An edge from ``a`` to ``b``; a node not yet in the graph is added."""
        self.nodes.setdefault(a)
        self.nodes.setdefault(b)
        self.edges.append(Edge(a, b, element))

    def degrees(self) -> Counter:
        """The number of edge ends at each node (0 for a node without edges)."""
        count: Counter = Counter({n: 0 for n in self.nodes})
        for e in self.edges:
            count[e.a] += 1
            count[e.b] += 1
        return count

    def without(self, drop: Callable[[Edge], bool]) -> "Graph":
        """A copy with the same nodes, without the edges for which ``drop`` is true."""
        g = Graph(self.nodes)
        g.edges = [e for e in self.edges if not drop(e)]
        return g

    def components(self) -> List[Component]:
        """The connected components, ordered by their first node in the graph's node order
        (the order networkx's connected_components gives); an isolated node is one."""
        index = {n: i for i, n in enumerate(self.nodes)}
        parent = list(range(len(index)))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]        # path halving
                i = parent[i]
            return i

        for e in self.edges:
            ra, rb = root(index[e.a]), root(index[e.b])
            if ra != rb:        # the smaller index is the root: each root is its
                parent[max(ra, rb)] = min(ra, rb)    # component's first node
        nodes: Dict[int, List[str]] = {}
        for n, i in index.items():       # a root comes before the rest of its component
            nodes.setdefault(root(i), []).append(n)
        edges: Dict[int, List[Edge]] = {r: [] for r in nodes}
        for e in self.edges:
            edges[root(index[e.a])].append(e)
        return [Component(tuple(ns), tuple(edges[r])) for r, ns in nodes.items()]
