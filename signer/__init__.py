"""kinerja: Perjanjian Kinerja and Pakta Integritas for Indonesian local governments.

The library, one subpackage per stage of the data flow, in order::

    workbooks -> generate -> sign -> verify -> evaluate

``workbooks`` reads the ceremony workbook into the model; ``generate`` renders, converts (with
``office``, LibreOffice wrapped once) and prepares ready-to-sign PDF/A-3b files; ``sign`` adds
the parties' signatures through a backend; ``verify`` gives a fail-closed verdict; ``evaluate``
compares realisasi with the signed targets. Beside them the shared layer (``model``, ``kinds``,
``canonical``, ``embedded``, ``trust``, ``batch``, ``errors``, ``fsio``, ``formatting``,
``secret``), the demo PKI (``demo_pki``) and the example ceremony (``example``); ``demo`` runs
the whole ceremony. Data only moves forward: no stage imports a later one
(``tools/import_graph.py`` shows the graph; the tests enforce it).
"""

__version__ = "0.1.0"
