"""Hypothesis strategies for captures and sessions inside the `.gscope` schema.

Every value drawn is one the writer accepts and `trace.load` reads back: the schema's limits
(string length, module path depth, list lengths, int and time ranges) are reached with
`at_limit=True`, and text is hostile on purpose (control characters, lone surrogates,
markup such as `<img src=/dev/zero>`, bidi overrides). Import as `tests.trace.strategies`
(`python -m pytest` from the repository root puts it on sys.path), or by path with
importlib.util.spec_from_file_location under that name (see tests/trace/test_store_*.py).

Example:
    @given(cap=strategies.captures())
    def test_export(cap): ...

Compare round trips by their encoding (`encoded(x)`): NaN never equals itself, and lone
surrogates come back as U+FFFD by design (see `autograd_core.trace.codec`).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from hypothesis import strategies as st

from autograd_core.trace import (
    BackwardRecord,
    Edge,
    Health,
    IterationCapture,
    ModuleSpan,
    NodeRecord,
    NonFiniteOrigin,
    Session,
    TensorMeta,
    TensorStats,
)
from autograd_core.trace.codec import (
    MAX_INT,
    MAX_PATH_DEPTH,
    MAX_STR,
    MAX_WALL,
    MAX_WINDOW,
    encode,
)
from autograd_core.trace.records import LEVELS, NODE_KINDS, PHASES
from autograd_core.trace.stats import THUMB_SIDE

HOSTILE = (
    "<img src=/dev/zero>", "<h1>SPOOF</h1>", "<b>bold</b>&amp;", "]]><!--", "\x00", "\x07\x08",
    "\x1b[31mred\x1b[0m", "\ud800", "a\udfffb", "\udc80\udcff", "\u202eevil\u202c", "\ufeff",
    '"quoted" \\ \'single\'', "{{}}[[]]", "%s%n%x", "\r\n\t\x0b\x0c", "\u2028\u2029",
    "ünïcødé ✓ 😀", "-> \"a\" [label=<b>]", "</text></svg>", "\\ud800",
)
_ANY_CHAR = st.characters(exclude_categories=())  # includes Cc and Cs (lone surrogates)


def hostile_text(max_size: int = 24) -> st.SearchStrategy[str]:
    """Short strings of any code point, or a known troublemaker."""
    return st.one_of(st.sampled_from(HOSTILE), st.text(_ANY_CHAR, max_size=max_size))


def _segment() -> st.SearchStrategy[str]:
    """One module-path level: hostile, but without the separators `.` and `/`."""
    return hostile_text(8).map(lambda s: s.replace(".", "_").replace("/", "_"))


@st.composite
def module_paths(draw: Any, at_limit: bool = False) -> str:
    """A dotted module path: a few levels, or (at_limit) exactly the deepest and longest
    path the schema takes."""
    if at_limit:
        levels = ["m"] * (MAX_PATH_DEPTH - 1) + [draw(_segment())]
        path = ".".join(levels)
        room = MAX_STR - len(path)
        return path[:-1] + "x" * room + path[-1:] if room > 0 else path[:MAX_STR]
    return ".".join(draw(st.lists(_segment(), max_size=4)))


def texts(at_limit: bool) -> st.SearchStrategy[str]:
    if at_limit:
        return hostile_text().map(lambda s: (s * MAX_STR)[:MAX_STR] if s else "x" * MAX_STR)
    return hostile_text()


def floats(finite: bool = False) -> st.SearchStrategy[float]:
    return st.floats(allow_nan=not finite, allow_infinity=not finite)


def _ints(lo: int, at_limit: bool) -> st.SearchStrategy[int]:
    return st.sampled_from([lo, MAX_INT]) if at_limit else st.integers(lo, MAX_INT)


@st.composite
def thumbs(draw: Any, at_limit: bool = False) -> np.ndarray:
    """A float32 2-D thumbnail (up to THUMB_SIDE square), NaN and Inf included sometimes."""
    side = st.just(THUMB_SIDE) if at_limit else st.integers(1, 6)
    shape = (draw(side), draw(side))
    seed = draw(st.integers(0, 2**32 - 1))
    values = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    if draw(st.booleans()):
        values.flat[0] = draw(st.sampled_from([np.nan, np.inf, -np.inf, 3e38]))
    return values


@st.composite
def tensor_stats(draw: Any, at_limit: bool = False) -> TensorStats:
    hist = draw(st.none() | st.lists(st.integers(0, MAX_INT), min_size=32 if at_limit else 0,
                                     max_size=32).map(tuple))
    return TensorStats(*(draw(floats()) for _ in range(5)), draw(_ints(0, at_limit)),
                       draw(_ints(0, at_limit)), hist, draw(floats()), draw(floats()),
                       draw(st.none() | thumbs(at_limit)))


@st.composite
def tensor_metas(draw: Any, tid: int, at_limit: bool = False) -> TensorMeta:
    if at_limit:
        shape = draw(st.sampled_from([(1,) * 64, (MAX_INT,), (2**31, 2**31 - 1)]))
    else:
        shape = tuple(draw(st.lists(st.integers(0, 2**12), max_size=4)))
    return TensorMeta(tid, shape, draw(hostile_text(32)), draw(hostile_text(32)),
                      draw(st.none() | tensor_stats(at_limit)))


@st.composite
def captures(draw: Any, max_nodes: int = 5, at_limit: bool = False) -> IterationCapture:
    """One consistent capture: node, edge and backward ids point at things that exist."""
    tids = draw(st.lists(st.integers(0, MAX_INT), unique=True, max_size=max_nodes + 2))
    tensors = {t: draw(tensor_metas(t, at_limit)) for t in tids}
    n_nodes = draw(st.integers(0, max_nodes))
    n_bwd = draw(st.integers(0, min(3, max_nodes)))
    tid_lists = st.lists(st.sampled_from(tids), max_size=3).map(tuple) if tids else \
        st.just(())
    path = module_paths(at_limit)
    text = texts(at_limit)
    nodes = [NodeRecord(i, draw(path), draw(st.sampled_from(NODE_KINDS)), draw(text),
                        draw(path), draw(text), draw(text), draw(st.sampled_from(PHASES)),
                        draw(tid_lists), draw(tid_lists), draw(st.integers(-MAX_INT, MAX_INT)),
                        draw(_ints(0, at_limit)), draw(st.none() | st.floats(0, MAX_INT)),
                        draw(_ints(0, at_limit)), draw(_ints(0, at_limit)),
                        draw(st.none() | st.integers(0, n_bwd - 1)) if n_bwd else None)
             for i in range(n_nodes)]
    grads = st.lists(st.none() | tensor_metas(-1, at_limit), max_size=2).map(tuple)
    backward = [BackwardRecord(i, draw(st.integers(-1, n_nodes - 1)), draw(text),
                               draw(st.integers(-MAX_INT, MAX_INT)), draw(_ints(0, at_limit)),
                               draw(grads), draw(st.none() | st.floats(0, MAX_INT)))
                for i in range(n_bwd)]
    edges = []
    if n_nodes and tids:
        node_ids = st.integers(0, n_nodes - 1)
        edges = draw(st.lists(st.builds(Edge, node_ids, node_ids, st.sampled_from(tids)),
                              max_size=4))
    modules = draw(st.lists(st.builds(ModuleSpan, path, st.integers(-MAX_INT, MAX_INT),
                                      _ints(0, at_limit), st.sampled_from(PHASES)),
                            max_size=3))
    phases = {p: (draw(st.integers(-MAX_INT, MAX_INT)), draw(st.integers(-MAX_INT, MAX_INT)))
              for p in draw(st.lists(st.sampled_from(PHASES), unique=True))}
    return IterationCapture(
        draw(_ints(0, at_limit)), draw(st.sampled_from(LEVELS)),
        draw(st.sampled_from([0.0, MAX_WALL]) if at_limit else st.floats(0, MAX_WALL)),
        nodes, edges, tensors, backward, modules, phases, draw(_ints(0, at_limit)),
        draw(st.none() | floats()), draw(healths(at_limit)))


@st.composite
def healths(draw: Any, at_limit: bool = False) -> Health:
    path = module_paths(at_limit)
    origin = st.none() | st.builds(NonFiniteOrigin, st.integers(-1, MAX_INT), path,
                                   st.sampled_from(PHASES), texts(at_limit),
                                   st.sampled_from(["output", "grad"]), _ints(0, at_limit),
                                   _ints(0, at_limit))
    norms = st.dictionaries(path, floats(), max_size=3)
    names = st.lists(path, max_size=3).map(tuple)
    return Health(draw(origin), draw(norms), draw(norms), draw(names), draw(names),
                  draw(floats()), draw(floats()))


@st.composite
def sessions(draw: Any, max_captures: int = 3, at_limit: bool = False) -> Session:
    """A session of 1..max_captures captures; window and dropped anywhere the format
    allows (window at least the number of captures)."""
    caps = draw(st.lists(captures(at_limit=at_limit), min_size=1, max_size=max_captures))
    window = draw(st.sampled_from([len(caps), MAX_WINDOW]) if at_limit else
                  st.integers(len(caps), MAX_WINDOW))
    return Session(script=draw(texts(at_limit)), device=draw(hostile_text(64)),
                   created=draw(st.floats(0, MAX_WALL)), window=window,
                   dropped=draw(_ints(0, at_limit)), captures=caps)


def encoded(obj: Any) -> tuple[str, dict[str, bytes]]:
    """A capture's (or session's captures') file encoding: JSON text plus thumbnail bytes,
    for comparing round trips."""
    arrays: dict[str, np.ndarray] = {}
    caps = [obj[i] for i in range(len(obj))] if isinstance(obj, Session) else [obj]
    text = json.dumps([encode(c, arrays) for c in caps], allow_nan=False, sort_keys=True)
    return text, {k: v.tobytes() + str(v.shape).encode() for k, v in arrays.items()}
