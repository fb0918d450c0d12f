"""pyHanko's map of every path to every object of a signed revision, built without copying.

pyHanko's difference analysis starts, for each signed revision, by walking every object of the
revision from the trailer and recording each path to each indirect object
(``HistoricalResolver._load_reverse_xref_cache``). Its walk reads each object through the
revision's resolver, which first copies the object so that the copy's references resolve in
that revision ("subsuming"): a third of the walk, for objects the walk only looks at. The walk
needs only their keys, items and references, which are the same in the reader's own object, so
:func:`load_reverse_xref_cache` does the same walk over the objects as the reader parsed them,
resolving every reference itself exactly as the resolver does (the object as of that revision),
and records the same paths. The map it leaves is equal to pyHanko's
(``tests/unit/test_pathmap.py`` compares them, every revision of signed agreements, and of
documents built to trip it: loops in the page and structure trees, references to references,
a /Type or /K held in an object changed later). An encrypted file takes pyHanko's own walk.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.reader import HistoricalResolver, RawPdfPath

original: Callable[[HistoricalResolver], None] = HistoricalResolver._load_reverse_xref_cache
logger = logging.getLogger("pyhanko.pdf_utils.reader")

_Cons = misc.ConsList
_MAX_HOPS = 256
_WALKED = (generic.IndirectObject, generic.DictionaryObject, generic.ArrayObject)
"""What the walk goes into (StreamObject is a DictionaryObject); anything else ends a path."""


def object_at(resolver: HistoricalResolver, ref: generic.Reference) -> Any:
    """What ``resolver(ref)`` returns, before the resolver copies it: the object as of the
    resolver's revision, as the reader parsed it (its references name objects, and resolve in
    the latest revision if followed through the object: resolve them with this function).
    Only for a file without encryption."""
    known = resolver.cache.get(ref)  # already copied by the resolver: the same structure
    if known is not None:
        return known
    reader = resolver.reader
    try:
        last_change = reader.xrefs.get_last_change(ref)
    except KeyError:
        logger.warning(f"Could not determine history of {ref} in xref sections")
        last_change = None
    if last_change is not None and last_change <= resolver.revision:
        return reader.get_object(ref, transparent_decrypt=False)
    return reader.get_object(ref, resolver.revision, transparent_decrypt=False)


def load_reverse_xref_cache(self: HistoricalResolver) -> None:
    """``HistoricalResolver._load_reverse_xref_cache``, reading the parsed objects in place."""
    if self._indirect_object_access_cache is not None:
        return
    reader = self.reader
    if reader.security_handler is not None:  # lazily decrypted proxies: pyHanko's own way
        original(self)
        return
    fetched: dict[generic.Reference, Any] = {}

    def fetch(ref: generic.Reference) -> Any:
        try:
            return fetched[ref]
        except KeyError:
            obj = fetched[ref] = object_at(self, ref)
            return obj

    def deref(obj: Any) -> Any:
        """``obj.get_object()`` as the resolver's copy would answer it (a loop of references
        to references fails as pyHanko's recursion does)."""
        for _ in range(_MAX_HOPS):
            if not isinstance(obj, generic.IndirectObject):
                return obj
            obj = fetch(obj.reference)
        raise RecursionError("a loop of references to references")

    def item(d: Any, key: str) -> Any:
        """``d[key]`` as on the resolver's copy (a null value is no value)."""
        value = deref(dict.__getitem__(d, key))
        if isinstance(value, generic.NullObject):
            raise KeyError(key)
        return value

    # each path is walked once, so a list holds each once: no path is hashed unless asked for
    collected: defaultdict[generic.Reference, list[Any]] = defaultdict(list)
    root_path = _Cons.sing("/Root")

    def paths_to_refs(
        obj: Any,
        cur_path: Any,
        seen_in_path: Any,
        page_tree_objs: dict[generic.Reference, Any],
        is_struct_tree: bool,
        struct_tree_objs: set[generic.Reference],
    ) -> None:
        if isinstance(obj, generic.IndirectObject):
            obj_ref = obj.reference
            if obj_ref in seen_in_path:
                return
            collected[obj_ref].append(cur_path)
            seen_in_path = seen_in_path.cons(obj_ref)
            obj = fetch(obj_ref)
            if isinstance(obj, generic.DecryptedObjectProxy):
                obj = obj.decrypted
            # the page tree only through its own path, the structure tree only from its root
            if cur_path != page_tree_objs.get(obj_ref, cur_path):
                return
            if not is_struct_tree and obj_ref in struct_tree_objs:
                return
        if isinstance(obj, generic.DictionaryObject):
            for k, v in obj.items():
                if k == "/Parent" or (is_struct_tree and k == "/P"):
                    continue
                if not isinstance(v, _WALKED):  # a number, name or string: no path goes on
                    continue
                paths_to_refs(
                    v,
                    cur_path.cons(k),
                    seen_in_path,
                    page_tree_objs,
                    is_struct_tree
                    or (
                        cur_path.head == "/StructTreeRoot"
                        and k == "/K"
                        and cur_path.tail == root_path
                    ),
                    struct_tree_objs,
                )
        elif isinstance(obj, generic.ArrayObject):
            for ix, v in enumerate(obj):
                if not isinstance(v, _WALKED):
                    continue
                paths_to_refs(
                    v,
                    cur_path.cons(ix),
                    seen_in_path,
                    page_tree_objs,
                    is_struct_tree,
                    struct_tree_objs,
                )

    def page_tree_refs(pages_obj: Any, path: Any) -> Any:
        for ix, kid in enumerate(item(pages_obj, "/Kids")):
            kid_path = path.cons("/Kids").cons(ix)
            if isinstance(kid, generic.IndirectObject):
                yield kid.reference, kid_path
            kid = deref(kid)
            if kid.get("/Type", None) == "/Pages":
                yield from page_tree_refs(kid, kid_path)

    def struct_tree_refs(struct_elem: Any) -> Any:
        try:
            children = item(struct_elem, "/K")
        except KeyError:
            return
        if not isinstance(children, generic.ArrayObject):
            children = (children,)
        for child in children:
            child_ref = None
            if isinstance(child, generic.IndirectObject):
                child_ref = child.reference
                child = deref(child)
            if not isinstance(child, generic.DictionaryObject):
                continue
            try:
                if item(child, "/Type") != "/StructElem":
                    continue
            except KeyError:
                pass
            if child_ref is not None:
                yield child_ref
            yield from struct_tree_refs(child)

    root = self.root
    pages_ref = root.raw_get("/Pages")
    pages_path = root_path.cons("/Pages")
    page_tree_nodes: dict[generic.Reference, Any] = {}
    if isinstance(pages_ref, generic.IndirectObject):
        page_tree_nodes[pages_ref.reference] = pages_path
    for ref, path in page_tree_refs(deref(pages_ref), pages_path):
        if ref in page_tree_nodes:
            raise misc.PdfReadError("Circular reference in page tree in mapping stage")
        page_tree_nodes[ref] = path
    struct_tree_nodes: set[generic.Reference] = set()
    try:
        struct_tree_root = deref(root.raw_get("/StructTreeRoot"))
        for ref in struct_tree_refs(struct_tree_root):
            if ref in struct_tree_nodes:
                raise misc.PdfReadError("Circular reference in structure tree in mapping stage")
            struct_tree_nodes.add(ref)
    except KeyError:
        pass
    paths_to_refs(
        self.trailer_view, _Cons.empty(), _Cons.empty(), page_tree_nodes, False, struct_tree_nodes
    )
    self._indirect_object_access_cache = Usages(collected)


class Usages(dict):  # type: ignore[type-arg]
    """The map pyHanko keeps (a reference to the set of its paths from the trailer), each set
    turned into pyHanko's paths when first asked for: the analysis asks for a few references
    of the hundreds mapped. pyHanko reads it only through ``map[ref]``."""

    def __init__(self, collected: dict[generic.Reference, list[Any]]) -> None:
        super().__init__(collected)
        self._paths: dict[generic.Reference, set[RawPdfPath]] = {}

    def __getitem__(self, ref: generic.Reference) -> set[RawPdfPath]:
        try:
            return self._paths[ref]
        except KeyError:
            pass
        paths = {RawPdfPath(*reversed(list(p))) for p in dict.__getitem__(self, ref)}
        self._paths[ref] = paths  # the same set each time, as pyHanko's own map gives
        return paths

    def get(self, ref: generic.Reference, default: Any = None) -> Any:
        return self[ref] if dict.__contains__(self, ref) else default

    def materialised(self) -> dict[generic.Reference, set[RawPdfPath]]:
        """Every set, as pyHanko's map holds it (tests)."""
        return {ref: self[ref] for ref in self}


def install() -> None:
    HistoricalResolver._load_reverse_xref_cache = load_reverse_xref_cache  # type: ignore[method-assign]
