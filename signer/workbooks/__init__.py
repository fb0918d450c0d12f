"""The workbooks stage: the ceremony workbook (read into the model, or written from it) and the
realisasi workbook. Sheets and columns are found by their Indonesian names (:mod:`.columns`);
every problem is reported at once, located by sheet, row and column (:mod:`.sheet`).
"""

from signer.workbooks.ceremony_read import read_workbook
from signer.workbooks.ceremony_write import write_workbook
from signer.workbooks.realisasi import RealisasiData, read_realisasi, write_realisasi

__all__ = ["RealisasiData", "read_realisasi", "read_workbook", "write_realisasi", "write_workbook"]
