"""RF models: lumped parts, transmission lines and media, transformers, S-parameter blocks,
ideal non-reciprocal parts and controlled sources. (`Circuit` and `Cascade` live in
`pmrf_cli.circuit`.)"""

from pmrf_cli.models.base import Model
from pmrf_cli.models.combined import SeriesParallel
from pmrf_cli.models.lines import CPW, Coax, CoupledLine, DielectricCoupledLine, Microstrip, RLGCLine, Stripline
from pmrf_cli.models.lossy_lumped import CapacitorQ, InductorQ
from pmrf_cli.models.lumped import Capacitor, Inductor, Resistor, TwoTerminal
from pmrf_cli.models.sblock import SParameterBlock
from pmrf_cli.models.special import VCCS, Attenuator, Circulator, Isolator
from pmrf_cli.models.tline import TEMLine, TransmissionLine
from pmrf_cli.models.transformer import Transformer
from pmrf_cli.models.wrappers import Renormalized, Terminated

__all__ = [
    "Model",
    "TwoTerminal",
    "Resistor",
    "Inductor",
    "Capacitor",
    "SeriesParallel",
    "CapacitorQ",
    "InductorQ",
    "TEMLine",
    "TransmissionLine",
    "Coax",
    "Microstrip",
    "Stripline",
    "CPW",
    "RLGCLine",
    "CoupledLine",
    "DielectricCoupledLine",
    "Transformer",
    "SParameterBlock",
    "Renormalized",
    "Terminated",
    "Attenuator",
    "Isolator",
    "Circulator",
    "VCCS",
]
