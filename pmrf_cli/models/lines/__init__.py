"""Transmission-line media: each module has a pure `(geometry, material, f) -> (zc, gamma)`
function and a `TEMLine` model built on it."""

from pmrf_cli.models.lines.coax import Coax, coax_zc_gamma
from pmrf_cli.models.lines.coupled import CoupledLine, DielectricCoupledLine
from pmrf_cli.models.lines.cpw import CPW, cpw_zc_gamma
from pmrf_cli.models.lines.microstrip import Microstrip, microstrip_zc_gamma
from pmrf_cli.models.lines.rlgc import RLGCLine, rlgc_zc_gamma
from pmrf_cli.models.lines.stripline import Stripline, stripline_zc_gamma

__all__ = [
    "Coax",
    "CoupledLine",
    "CPW",
    "DielectricCoupledLine",
    "Microstrip",
    "RLGCLine",
    "Stripline",
    "coax_zc_gamma",
    "cpw_zc_gamma",
    "microstrip_zc_gamma",
    "rlgc_zc_gamma",
    "stripline_zc_gamma",
]
