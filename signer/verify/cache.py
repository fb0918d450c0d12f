"""What a verifying worker keeps from one document to the next, and why it cannot let one
document's evidence stand for another's.

A worker verifies many agreements of one archive: the same trust anchors, and often the same
CRLs, OCSP responses and certificates (one issuer's CRL of the day sits in every agreement
signed that day). Each cache here holds a *pure function of the exact bytes* it is keyed by
(their SHA-256) and of nothing else: parsing DER, building a trust manager from anchors. No
verdict, no chain validation result and no revocation status is cached: those depend on the
document (its signing time, its timestamps, the proofs it carries) and are worked out anew for
every document, from that document's own evidence.

Each cache is bounded (least recently used out), so a worker's memory stays flat however large
the archive.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from typing import Generic, TypeVar

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from asn1crypto.ocsp import OCSPResponse
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer

V = TypeVar("V")

MAX_ENTRIES = 512
"""Per cache: far more distinct CRLs, OCSP responses and certificates than one archive's
documents share, far less memory than a worker may use (each entry is a few kilobytes)."""


class ByDigest(Generic[V]):
    """``make(data)`` remembered by the SHA-256 of ``data``: only for a pure function of the
    bytes, whose answer is a value no caller changes."""

    def __init__(self, make: Callable[[bytes], V], size: int = MAX_ENTRIES) -> None:
        self._make = make
        self._size = size
        self._entries: OrderedDict[bytes, V] = OrderedDict()
        self.hits = 0

    def __call__(self, data: bytes) -> V:
        key = hashlib.sha256(data).digest()
        try:
            value = self._entries[key]
        except KeyError:
            value = self._make(data)  # may raise: nothing is remembered then
            self._entries[key] = value
            if len(self._entries) > self._size:
                self._entries.popitem(last=False)
            return value
        self._entries.move_to_end(key)
        self.hits += 1
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
        self.hits = 0


certificate: ByDigest[asn1_x509.Certificate] = ByDigest(asn1_x509.Certificate.load)
"""A DER certificate, parsed."""
crl: ByDigest[CRLContainer] = ByDigest(lambda d: CRLContainer(asn1_crl.CertificateList.load(d)))
"""A DER CRL, parsed, as pyHanko's validation takes it."""
ocsp: ByDigest[tuple[OCSPContainer, ...]] = ByDigest(
    lambda d: tuple(OCSPContainer.load_multi(OCSPResponse.load(d)))
)
"""A DER OCSP response, parsed: each single response in it, as pyHanko's validation takes it."""

_managers: OrderedDict[tuple[bytes, ...], SimpleTrustManager] = OrderedDict()
_last: tuple[Sequence[asn1_x509.Certificate], tuple[bytes, ...]] | None = None


def _anchors_key(anchors: Sequence[asn1_x509.Certificate]) -> tuple[bytes, ...]:
    global _last
    # the same sequence object again (a batch's trust): its digests are not worked out anew
    # for every signature and timestamp (an archive's verifier may trust hundreds of roots)
    if _last is not None and _last[0] is anchors:
        return _last[1]
    key = tuple(hashlib.sha256(a.dump()).digest() for a in anchors)
    if isinstance(anchors, tuple):  # a list may change under the same identity
        _last = (anchors, key)
    return key


def trust_manager(anchors: Sequence[asn1_x509.Certificate]) -> SimpleTrustManager:
    """pyHanko's trust manager for exactly these anchors (by their DER's digests, in order)."""
    key = _anchors_key(anchors)
    manager = _managers.get(key)
    if manager is None:
        manager = SimpleTrustManager.build(trust_roots=list(anchors))
        _managers[key] = manager
        if len(_managers) > 8:  # one per trust configuration a process uses
            _managers.popitem(last=False)
    return manager


def clear() -> None:
    """Forget everything (tests; a worker never needs to)."""
    global _last
    for cache in (certificate, crl, ocsp):
        cache.clear()
    _managers.clear()
    _last = None


def warm() -> None:
    """Before the workers are forked: what every worker would otherwise import on its first
    document (lxml for pyHanko's XMP check, which compiles its patterns on import; fontTools'
    tables for the glyph check; pyHanko's stream filters). Nothing of any document is read."""
    import gzip  # noqa: F401
    import importlib

    for module in (
        "lxml.etree",
        "pyhanko.pdf_utils.filters",
        "fontTools.unicode",
        "fontTools.ttLib.standardGlyphOrder",
        *(
            f"fontTools.ttLib.tables.{table}"
            for table in ("_c_m_a_p", "_g_l_y_f", "_h_e_a_d", "_h_h_e_a", "_h_m_t_x", "_l_o_c_a")
        ),
        "fontTools.ttLib.tables._m_a_x_p",
        "fontTools.ttLib.tables._p_o_s_t",
        "fontTools.ttLib.tables.ttProgram",
    ):
        importlib.import_module(module)


_settled_in = 0  # the process whose long-lived objects were last frozen


def settle_worker() -> None:
    """After a worker's first document: what stays (imported modules, the reference fonts, the
    caches above) is moved out of the garbage collector's way, so that the collections each
    document triggers stop walking it again. Once per process; the first document's garbage is
    collected first, so nothing of it is kept."""
    global _settled_in
    if _settled_in == os.getpid():
        return
    _settled_in = os.getpid()
    gc.collect()
    gc.freeze()


FULL_COLLECTION_EVERY = 100
"""Documents between two full collections in a worker: what the caches above let go of."""
_documents = 0
_open = 0  # documents being verified now (threads of one process may verify several)
_was_enabled = True
_lock = threading.Lock()


@contextlib.contextmanager
def one_document() -> Iterator[None]:
    """One document in a long-lived worker: Python's cyclic collector is off while it is
    verified, and its garbage is collected once, at its end.

    A document's parsed objects live through its whole verification, so the automatic collector
    moves them to the oldest generation, and then runs a full collection (over everything the
    worker holds, its caches included) every few documents: measured on the bench archive, 20 ms
    per document after 100 documents and 57 ms after 1,000. Here each document's garbage is
    collected in the youngest generation, where it still is, and the rest once every
    :data:`FULL_COLLECTION_EVERY` documents. Threads may overlap: the collector comes back on
    (if it was on) when the last of them ends."""
    global _documents, _open, _was_enabled
    with _lock:
        if _open == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _open += 1
    try:
        yield
    finally:
        with _lock:
            _open -= 1
            _documents += 1
            full = _documents % FULL_COLLECTION_EVERY == 0
            if _open == 0 and _was_enabled:
                gc.enable()
        gc.collect(2 if full else 0)
