"""LibreOffice, wrapped once: warm workers converting Word documents to PDF/A-3b (:mod:`.convert`,
run over UNO by :mod:`.worker`), and a probe that says whether it is installed (:mod:`.probe`).
Used by the generate stage and by the evaluation's PDF report.
"""

from signer.office.convert import ConversionError, OfficePool
from signer.office.probe import OfficeMissing, office_version, require_office

__all__ = ["ConversionError", "OfficeMissing", "OfficePool", "office_version", "require_office"]
