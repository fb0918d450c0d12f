"""The web stage: the verification portal (``kinerja serve``) over the archive.

The page a document's QR code leads to (``/v/{code}``), an upload check (``/periksa``) and a JSON
API for other systems (``/api/v1``), with the archive read-only and every upload verified in a
bounded worker.
"""

from signer.web.app import PortalConfig, create_app
from signer.web.checker import CheckLimits
from signer.web.guard import Rate

__all__ = ["CheckLimits", "PortalConfig", "Rate", "create_app"]
