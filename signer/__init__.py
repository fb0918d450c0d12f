"""kinerja: Perjanjian Kinerja and Pakta Integritas for Indonesian local governments.

The library, one module per stage of the data flow:
workbook -> model -> render -> convert -> prepare -> sign -> verify -> evaluate.
"""

__version__ = "0.1.0"
