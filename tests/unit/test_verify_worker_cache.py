"""What a verifying worker keeps between documents: only pure functions of exact bytes."""

from __future__ import annotations

import gc

import pytest
from asn1crypto import x509

from signer.verify import cache


def _certificate(name: str) -> bytes:
    """A self-signed-looking certificate's DER (never verified here; only parsed)."""
    import datetime as dt

    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = cx509.Name([cx509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = (
        cx509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


def test_entries_are_keyed_by_the_exact_bytes() -> None:
    cache.clear()
    a, b = _certificate("Andi Pratama"), _certificate("Andi Pratama")  # same name, other key
    first = cache.certificate(a)
    assert cache.certificate(a) is first and cache.certificate.hits == 1
    other = cache.certificate(b)
    assert other is not first and other.dump() == b and first.dump() == a
    assert isinstance(first, x509.Certificate)


def test_bounded_and_failures_not_remembered() -> None:
    calls: list[bytes] = []

    def make(data: bytes) -> bytes:
        calls.append(data)
        if data == b"bad":
            raise ValueError("not DER")
        return data

    small = cache.ByDigest(make, size=2)
    for data in (b"1", b"2", b"3"):
        small(data)
    assert len(small) == 2
    small(b"1")  # the oldest went out: made again
    assert calls == [b"1", b"2", b"3", b"1"]
    for _ in range(2):
        with pytest.raises(ValueError):
            small(b"bad")
    assert calls.count(b"bad") == 2


def test_trust_manager_per_set_of_anchors() -> None:
    cache.clear()
    a = x509.Certificate.load(_certificate("Akar Demo A"))
    b = x509.Certificate.load(_certificate("Akar Demo B"))
    assert cache.trust_manager([a]) is cache.trust_manager([x509.Certificate.load(a.dump())])
    assert cache.trust_manager([a]) is not cache.trust_manager([b])
    assert cache.trust_manager([a, b]) is not cache.trust_manager([a])
    trusted = (a, b)  # a batch's trust, asked for again and again
    assert cache.trust_manager(trusted) is cache.trust_manager(trusted)
    assert cache.trust_manager(trusted) is cache.trust_manager([a, b])
    assert cache.trust_manager((b,)) is cache.trust_manager([b]) is not cache.trust_manager(trusted)


def test_settle_worker_freezes_once_per_process() -> None:
    before = gc.get_freeze_count()
    try:
        cache._settled_in = 0
        cache.settle_worker()
        frozen = gc.get_freeze_count()
        assert frozen >= before
        cache.settle_worker()  # once: the next document changes nothing
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


def test_one_document_collects_its_own_garbage_at_its_end() -> None:
    import weakref

    before = gc.isenabled()
    gc.enable()
    try:
        with cache.one_document():
            assert not gc.isenabled()  # no automatic collection while the document is verified
            node = _Node()
            gone = weakref.ref(node)
            del node
            # kept alive: enough tracked objects to trigger a collection were the collector on
            survivors = [[] for _ in range(20_000)]
            assert gone() is not None
            del survivors
        assert gone() is None
        assert gc.isenabled()
        gc.disable()
        with pytest.raises(ValueError), cache.one_document():
            node = _Node()
            gone = weakref.ref(node)
            del node
            raise ValueError("a document that fails")
        assert gone() is None and not gc.isenabled()  # its caller's setting comes back
    finally:
        (gc.enable if before else gc.disable)()


def test_overlapping_documents_in_threads_leave_the_collector_as_it_was() -> None:
    import threading

    before = gc.isenabled()
    gc.enable()
    try:
        first_in, second_done = threading.Event(), threading.Event()
        seen: list[bool] = []

        def first() -> None:
            with cache.one_document():
                first_in.set()
                second_done.wait(10)
                seen.append(gc.isenabled())

        thread = threading.Thread(target=first)
        thread.start()
        first_in.wait(10)
        with cache.one_document():
            pass
        second_done.set()
        thread.join()
        assert seen == [False]  # the other's end did not turn it back on under the first
        assert gc.isenabled()
    finally:
        (gc.enable if before else gc.disable)()
