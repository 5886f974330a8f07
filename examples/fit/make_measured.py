"""Make the synthetic "measured" file of this example: lpf_fit.yaml simulated with perturbed
values (Lnom 8.21 nH, C2 6.12 pF, Xp1.C 0.41 pF) plus complex Gaussian noise of 1e-4.

    python examples/fit/make_measured.py    # writes examples/fit/measured.s2p
"""

from pathlib import Path

import jax
import numpy as np

from pmrf_cli.cli.common import load
from pmrf_cli.fitting.parametrize import s_function
from pmrf_cli.io.touchstone import write_touchstone

TRUTH = {"Lnom": 8.21e-9, "C2": 6.12e-12, "Xp1.C": 0.41e-12}
NOISE = 1e-4

if __name__ == "__main__":
    jax.config.update("jax_enable_x64", True)
    here = Path(__file__).parent
    _, flat = load(str(here / "lpf_fit.yaml"))
    f = flat.frequency_hz
    s = np.asarray(s_function(flat, f, list(TRUTH))(TRUTH))
    rng = np.random.default_rng(10)
    s = s + NOISE * (rng.standard_normal(s.shape) + 1j * rng.standard_normal(s.shape)) / np.sqrt(2)
    with open(here / "measured.s2p", "w", newline="") as fh:
        write_touchstone(fh, f, s, 50.0, ["synthetic measurement of lpf_fit.yaml (make_measured.py)",
                                          "Lnom 8.21 nH, C2 6.12 pF, Xp1.C 0.41 pF, noise 1e-4"])
