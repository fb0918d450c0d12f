"""The chart of capaian per unit over the category bands (matplotlib, PNG)."""

from __future__ import annotations

import io

from matplotlib.typing import RcKeyType

from signer import formatting
from signer.evaluate.outputs.common import BAR_COLOUR, FONT, levels, pct
from signer.evaluate.results import Evaluation


def chart_png(
    evaluation: Evaluation, width_mm: float = 180, height_mm: float = 232, dpi: int = 170
) -> bytes:
    """A horizontal bar chart of each evaluated unit's capaian over the category bands (PNG)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, MultipleLocator
    from PIL import Image

    units = evaluation.evaluated
    labels = [r.unit_kode or r.file for r in units]
    values = [float(r.capaian) if r.capaian is not None else 0.0 for r in units]
    top = max(120.0, (int(max(values, default=0) + 10) // 10 + 1) * 10.0)
    rc: dict[RcKeyType, object] = {
        "font.family": "sans-serif",
        "font.sans-serif": [FONT, "Arial", "DejaVu Sans"],
        "font.size": 8,
    }
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(width_mm / 25.4, height_mm / 25.4), dpi=dpi, layout="constrained")
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        handles: list[object] = []
        for level in levels(evaluation.rules):
            lo = float(level.bawah) if level.bawah is not None else 0.0
            hi = float(level.atas) if level.atas is not None else top
            ax.axvspan(lo, hi, color=f"#{level.colour}", alpha=0.6, lw=0, zorder=0)
            handles.append(
                Patch(
                    facecolor=f"#{level.colour}",
                    alpha=0.6,
                    label=f"{level.nama} ({level.rentang} %)",
                )
            )
        ax.axvline(100, color="#404040", ls="--", lw=0.8, zorder=1)
        handles.append(Line2D([], [], color="#404040", ls="--", lw=0.8, label="100 % (target)"))
        y = list(range(len(units)))
        ax.barh(y, values, height=0.6, color=f"#{BAR_COLOUR}", zorder=2)
        for n, r in enumerate(units):
            text = pct(r.capaian) if r.capaian is not None else "belum ada capaian"
            if values[n] >= 15:  # inside the bar's end, clear of the 100 % line
                ax.text(
                    values[n] - 0.8,
                    n,
                    text,
                    va="center",
                    ha="right",
                    fontsize=6.5,
                    color="white",
                    fontweight="bold",
                    zorder=3,
                )
            else:
                ax.text(values[n] + 0.8, n, text, va="center", ha="left", fontsize=6.5, zorder=3)
        ax.set_yticks(y, labels, fontsize=7)
        ax.set_ylim(max(len(units), 1) - 0.5, -0.5)  # the first unit on top, as in the workbook
        ax.set_xlim(0, top)
        ax.xaxis.set_major_locator(MultipleLocator(10))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: formatting.angka(int(v))))
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel("Capaian unit (%): rata-rata capaian indikator")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        period = f"{evaluation.periode.label} {evaluation.tahun or ''}".strip()
        ax.set_title(f"Capaian per unit, {period}", fontsize=10, fontweight="bold", loc="left")
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.045),
            ncol=2,
            fontsize=7,
            frameon=False,
            title="Kategori capaian (Permendagri 86/2017)",
            title_fontsize=7,
        )
        canvas.draw()
        image = Image.frombuffer(
            "RGBA", canvas.get_width_height(), bytes(canvas.buffer_rgba()), "raw", "RGBA", 0, 1
        ).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, "PNG", dpi=(dpi, dpi))
    return buf.getvalue()
