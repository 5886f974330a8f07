"""Pictures of results: dB/phase/group-delay envelopes, Smith charts, histograms, yield curves.

matplotlib is imported only by the modules that draw (`lines`, `smith`, `hist`, `yield_curve`,
`figure`); reading and statistics (`source`, `traces`, `measures`, `masks`) are plain numpy.
Figures are `matplotlib.figure.Figure` objects: nothing here touches pyplot's global state.
"""

from __future__ import annotations


class PlotError(ValueError):
    """The file or the options cannot give the asked-for picture (a user error, one line)."""


KINDS = ("db", "phase", "gd", "smith", "hist", "yield")
