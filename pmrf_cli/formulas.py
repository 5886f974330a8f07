"""Closed forms shared by the models (evaluated with jax.numpy) and the netlist's physical checks
(evaluated with numpy, before JAX is imported): each takes the array module as `xp`."""

from __future__ import annotations

import math


def ds_log_ratio(f, f_low, f_high, xp):
    """ln((f_high + j f) / (f_low + j f)) as its (real, imaginary) parts, from real functions."""
    re = 0.5 * (xp.log(f_high**2 + f**2) - xp.log(f_low**2 + f**2))
    im = xp.arctan2(f, f_high) - xp.arctan2(f, f_low)
    return re, im


def ds_constants(er, tand, f_er, f_low, f_high, xp):
    """(eps_inf, eps_d) of the Djordjevic-Svensson dielectric eps(f) = eps_inf + eps_d
    ln((f_high + j f)/(f_low + j f)) through er (1 - j tand) at f_er; eps_inf is the
    high-frequency limit of Re eps(f), its smallest value."""
    kr, ki = ds_log_ratio(f_er, f_low, f_high, xp)
    return er * (1 + tand * kr / ki), -er * tand / ki


def cpw_thickness_widening(w, t, xp):
    """Gupta et al.'s strip widening 1.25 t/pi (1 + ln(4 pi w/t)) of a CPW of metal thickness
    t (eq. 7.98 of "Microstrip Lines and Slotlines"); 0 for t = 0."""
    on = t > 0
    ts = xp.where(on, t, 1.0)
    return xp.where(on, 1.25 * ts / math.pi * (1 + xp.log(4 * math.pi * w / ts)), 0.0)
