"""Figures without pyplot's global state, and the axis conventions every picture shares."""

from __future__ import annotations

from typing import Any

import numpy as np

from pmrf_cli.plot.measures import engineering

#: Colours of the bands, the median and the masks.
BAND_COLOUR = "tab:blue"
NOMINAL_COLOUR = "black"
MASK_COLOUR = "tab:red"
PASS_COLOUR = "tab:green"


def new_figure(width: float, height: float, interactive: bool = False) -> Any:
    """A Figure of `width` x `height` inches: a plain Figure (Agg when saved) unless it is to be
    shown in a window, where pyplot must own it."""
    if interactive:
        import matplotlib.pyplot as plt

        return plt.figure(figsize=(width, height), layout="constrained")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def frequency_axis(frequency: np.ndarray) -> tuple[float, str]:
    """(scale, unit) of the frequency axis: Hz, kHz, MHz or GHz."""
    scale, unit = engineering(frequency, "Hz")
    return (scale, unit) if scale >= 1.0 else (1.0, "Hz")


def note(fig: Any, text: str | None) -> None:
    """A small remark at the figure's foot (e.g. that percentiles used a subsample)."""
    if text:
        fig.supxlabel(text, fontsize="small", color="dimgray")
