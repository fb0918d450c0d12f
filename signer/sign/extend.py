"""Extending: a fresh archival timestamp over signed agreements (PAdES B-LTA renewal)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.validation import validate_pdf_timestamp

from signer import fsio
from signer.batch import Batch, InputFile, Outcome, Status
from signer.errors import InputError
from signer.sign.pades import COVERED_DSS
from signer.sign.rules import SignRefused, read_strict
from signer.sign.services import Services
from signer.trust import load_trust


def services_for_extend(
    keys: Path | None, tsa_url: str | None, trust: Sequence[Path] = ()
) -> Services:
    """The TSA and revocation services for `kinerja extend`."""
    from signer.demo_pki import pki

    if keys is not None and not tsa_url:
        if not pki.is_demo_store(keys):
            raise InputError(f"{keys}: not a demo key store; give --tsa-url for a real TSA")
        return Services.demo(pki.load_demo_pki(keys, pki.passphrase_from_env()))
    if not tsa_url:
        raise InputError("extend needs a timestamp authority: --tsa-url URL (or --keys DEMO)")
    return Services.online(tsa_url, load_trust(trust))


def extend_bytes(data: bytes, source: str, services: Services) -> bytes:
    """One revision with the revocation data for the newest timestamp and a new document
    timestamp over everything, the DSS update included.

    pyHanko's own update_archival_timestamp_chain appends its last DSS update after the new
    timestamp, where no signature covers it; here the timestamp is the last thing in the file.
    """
    from pyhanko.sign import validation
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper

    reader = read_strict(data, source)
    if not reader.embedded_signatures:
        raise InputError(f"{source}: has no signatures to extend")
    assert services.timestamper is not None and services.validation_context is not None
    vc = services.validation_context()
    timestamps = reader.embedded_timestamp_signatures
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=True)
    md_algorithm = "sha256"
    try:
        # the newest timestamp that validates gets its revocation data; one that does not (an
        # untrusted authority) proves nothing, and the new timestamp simply covers it too
        for last in reversed(timestamps):
            status = validate_pdf_timestamp(last, validation_context=vc, skip_diff=True)
            if not (status.intact and status.valid):
                raise SignRefused(f"{source}: document timestamp {last.field_name} is broken")
            if status.validation_path is None:
                continue
            md_algorithm = status.md_algorithm
            validation.DocumentSecurityStore.supply_dss_in_writer(
                writer, last.pkcs7_content, paths=(status.validation_path,), validation_context=vc
            )
            break
        out = io.BytesIO()
        PdfTimeStamper(services.timestamper).timestamp_pdf(
            writer, md_algorithm, vc, dss_settings=COVERED_DSS.get_settings_for_ts(), output=out
        )
    except SignRefused:
        raise
    except Exception as e:
        raise SignRefused(f"{source}: extending failed ({e.__class__.__name__}: {e})") from None
    return out.getvalue()


def extend_files(
    files: Sequence[InputFile], services: Services, jobs: int, progress: bool = True
) -> list[Outcome[None]]:
    """Add an archival timestamp to each file, in place, atomically."""

    def one(item: InputFile) -> Outcome[None]:
        path = item.path
        data = path.read_bytes()
        extended = extend_bytes(data, str(path), services)
        if path.read_bytes() != data:  # written meanwhile by a program that took no lock
            raise InputError(
                f"{path}: changed while it was being extended, not replaced; run again"
            )
        fsio.write_bytes(path, extended)
        return Outcome(path.name, Status.DONE, "archival timestamp added")

    batch: Batch[InputFile, None] = Batch(
        "extend", one, lambda f: f.path.name, jobs=jobs, progress=progress
    )
    return batch.run(files)
