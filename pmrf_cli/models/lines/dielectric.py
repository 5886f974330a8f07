"""Substrate dielectrics of the line media: frequency-invariant or wideband Djordjevic-Svensson.

A line's dielectric is given by `er` and `tand` at one frequency and a static choice of model:

* "frequency-invariant" (the default): the complex relative permittivity er (1 - j tan delta)
  at every frequency (scikit-rf's `diel='frequencyinvariant'`);
* "djordjevic-svensson": the wideband Debye model of A. R. Djordjevic, R. M. Biljic,
  V. D. Likar-Smiljanic and T. K. Sarkar ("Wideband frequency-domain characterization of FR-4
  and time-domain causality", IEEE Trans. EMC 43(4), 2001) in the form of C. Svensson and
  G. E. Dermer ("Time domain modeling of lossy interconnects", IEEE Trans. Adv. Packag. 24(2),
  2001): a continuum of Debye relaxations spread evenly in log frequency between `f_low` and
  `f_high`,

      eps(f) = eps_inf + eps_d ln((f_high + j f) / (f_low + j f)),

  with the two real constants fitted so that eps(f_er) = er (1 - j tan delta) exactly:
  eps_d = -er tan(delta) / Im k and eps_inf = er (1 + tan(delta) Re k / Im k), where
  k = ln((f_high + j f_er) / (f_low + j f_er)). The loss tangent is then nearly constant
  between f_low and f_high, Re eps falls slowly with frequency (causality: Kramers-Kronig),
  and the model is lossless at DC and above f_high. It is scikit-rf's default
  (`diel='djordjevicsvensson'`, with `f_epr_tand` for `f_er`).

`permittivity` returns what the media formulas take: the complex permittivity, its real part
and the loss tangent, each a scalar (frequency-invariant) or an (F,) array. Its normalised
shape eps(f)/er depends on tan delta and the three frequencies only. Re eps(f) falls towards
eps_inf as f grows, so the netlist asks eps_inf >= 1 (`formulas.ds_constants`) and f_low < f_high.
"""

from __future__ import annotations

from typing import NamedTuple

import jax.numpy as jnp
from jax import Array

from pmrf_cli.formulas import ds_constants, ds_log_ratio

FREQUENCY_INVARIANT = "frequency-invariant"
DJORDJEVIC_SVENSSON = "djordjevic-svensson"
DIELECTRICS = (FREQUENCY_INVARIANT, DJORDJEVIC_SVENSSON)

#: defaults of the wideband model: er and tan delta given at 1 GHz, relaxations from 1 kHz to 1 THz
F_ER, F_LOW, F_HIGH = 1e9, 1e3, 1e12


class Permittivity(NamedTuple):
    """A dielectric on the grid: complex relative permittivity er' (1 - j tan delta), er' and tan delta."""

    complex: Array
    real: Array
    tand: Array


class Wideband(NamedTuple):
    """The frequencies of a Djordjevic-Svensson dielectric: where er, tan delta are given, and the band."""

    f_er: Array
    f_low: Array
    f_high: Array


def check_dielectric(name: str) -> None:
    """Raise ValueError unless `name` is one of `DIELECTRICS`."""
    if name not in DIELECTRICS:
        raise ValueError(f"unknown dielectric {name!r}; use one of {DIELECTRICS}")


def djordjevic_svensson(er, tand, f, band: Wideband) -> Array:
    """Complex relative permittivity eps(f) of the wideband Debye model on the grid `f` (Hz)."""
    eps_inf, eps_d = ds_constants(er, tand, band.f_er, band.f_low, band.f_high, jnp)
    f = jnp.asarray(f)
    lr, li = ds_log_ratio(f, band.f_low, band.f_high, jnp)
    return (eps_inf + eps_d * lr) + 1j * (eps_d * li)


def permittivity(er, tand, f, band: Wideband | None = None) -> Permittivity:
    """The dielectric on the grid `f`: frequency-invariant when `band` is None (scalars, as given),
    else Djordjevic-Svensson through (er, tand) at band.f_er ((F,) arrays)."""
    if band is None:
        return Permittivity(er * (1 - 1j * tand), er, tand)
    eps = djordjevic_svensson(er, tand, f, band)
    re = jnp.real(eps)
    return Permittivity(eps, re, -jnp.imag(eps) / re)


def wideband_of(model) -> Wideband | None:
    """A line model's `Wideband` (None for the frequency-invariant dielectric)."""
    if model.dielectric == FREQUENCY_INVARIANT:
        return None
    return Wideband(model.f_er, model.f_low, model.f_high)
