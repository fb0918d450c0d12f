"""The sign stage: pihak pertama certifies, then pihak kedua approves, PAdES up to B-LTA.

The stage (:mod:`.stage`) applies the rules (:mod:`.rules`) and the caller's audit around one
signature from a backend (:mod:`.backend`, the seam); local PAdES with PKCS#12 or PKCS#11 keys
(:mod:`.pades`, :mod:`.local`, :mod:`.keys`, :mod:`.stamp`) is the first backend. :mod:`.extend`
adds archival timestamps.
"""

from signer.sign.backend import Concurrency, DocumentSigner, Level, SignatureField, SignRequest
from signer.sign.local import KeySource, open_local
from signer.sign.rules import SignRefused
from signer.sign.stage import (
    SigningAudit,
    SignOptions,
    sign_document,
    sign_files,
    written_folders,
)

__all__ = [
    "Concurrency",
    "DocumentSigner",
    "KeySource",
    "Level",
    "SignOptions",
    "SignRefused",
    "SignRequest",
    "SignatureField",
    "SigningAudit",
    "open_local",
    "sign_document",
    "sign_files",
    "written_folders",
]
