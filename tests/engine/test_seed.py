"""The ParamRF seed example of the engine issue, verbatim, checked against scikit-rf."""

import equinox as eqx
import jax
import numpy as np
import skrf as rf

import pmrf_cli as prf
from pmrf_cli.models.lumped import Capacitor


def test_seed_example_batched_capacitors():
    key = jax.random.key(42)
    C_values = jax.random.uniform(key, shape=(10,), minval=1.0e-12, maxval=5.0e-12)
    batched_capacitors = eqx.filter_vmap(Capacitor)(C_values)
    freq = prf.Frequency(100, 1000, 100, "MHz")

    @eqx.filter_jit
    @eqx.filter_vmap()
    def evaluate_batch(model):
        return model.s(freq)

    s = evaluate_batch(batched_capacitors)
    assert s.shape == (10, 100, 2, 2)
    assert s.dtype == np.complex128

    fsk = rf.Frequency(100, 1000, 100, "MHz")
    np.testing.assert_array_equal(fsk.f, freq.f)
    media = rf.media.DefinedGammaZ0(fsk, z0=50)
    s = np.asarray(s)
    for i, c in enumerate(np.asarray(C_values)):
        ref = media.capacitor(float(c)).s
        assert np.max(np.abs(s[i] - ref)) <= 1e-12
        # unbatched evaluation of the same part agrees with the batched one
        assert np.max(np.abs(np.asarray(Capacitor(c).s(freq)) - s[i])) <= 1e-15


def test_seed_names_are_exported():
    from pmrf_cli.models import Capacitor as C2

    assert C2 is Capacitor
    assert prf.Frequency(100, 1000, 100, "MHz").npoints == 100
