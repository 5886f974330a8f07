"""Keyed sampling: invariances bit for bit, and the distributions' laws."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pmrf_cli.netlist import flatten, parse_netlist
from pmrf_cli.sampling.draws import parameter_function

BASE = """
frequency: {start: 1 GHz, stop: 2 GHz, points: 3}
parameters:
  Lnom: 8 nH
  L1: {value: Lnom, tolerance: 5%}
  C2: {value: 6 pF, distribution: normal, std: 2%}
  C3: {value: 6 pF, distribution: normal, std: 10%, min: 5.5 pF, max: 6.2 pF}
  C4: {value: 6 pF, distribution: lognormal, std: 20%}
  C5: {value: 6.8 pF, distribution: choice, values: [5.6 pF, 6.8 pF, 8.2 pF]}
  C6: {value: 6 pF, distribution: uniform, min: 5 pF, max: 7 pF}
  L3: "2 * L1"
EXTRA
components:
  L1: {type: inductor, nodes: [in, n1], L: L1}
  C2: {type: capacitor, nodes: [n1, gnd], C: C2}
  C3: {type: capacitor, nodes: [n1, gnd], C: C3}
  C4: {type: capacitor, nodes: [n1, gnd], C: C4}
  C5: {type: capacitor, nodes: [n1, gnd], C: C5}
  C6: {type: capacitor, nodes: [n1, gnd], C: C6}
  L3: {type: inductor, nodes: [n1, out], L: L3}
ports: [in, out]
"""


def _flat(extra: str = ""):
    return flatten(parse_netlist(BASE.replace("EXTRA", extra), "<test>"))


def _draw(flat, seed, indices):
    f = jax.jit(jax.vmap(parameter_function(flat, seed)))
    return {k: np.asarray(v) for k, v in f(jnp.asarray(indices)).items()}


@pytest.fixture(scope="module")
def big():
    return _draw(_flat(), 7, np.arange(20000))


def test_same_bits_whatever_the_batch_or_chunk(big):
    flat = _flat()
    part = _draw(flat, 7, np.arange(12345, 12345 + 37))
    one = _draw(flat, 7, np.array([19999]))
    for k in part:
        assert np.array_equal(part[k], big[k][12345:12345 + 37]), k
        assert np.array_equal(one[k], big[k][19999:]), k


def test_adding_a_parameter_leaves_the_others_unchanged(big):
    flat = _flat("  Cnew: {value: 1 pF, tolerance: 10%}\n  Aaa: {value: 3, distribution: normal, std: 1}")
    more = _draw(flat, 7, np.arange(100))
    for k in big:
        assert np.array_equal(more[k], big[k][:100]), k


def test_seed_changes_draws_and_is_reproducible(big):
    flat = _flat()
    again = _draw(flat, 7, np.arange(50))
    other = _draw(flat, 8, np.arange(50))
    assert np.array_equal(again["C2"], big["C2"][:50])
    assert not np.any(other["C2"] == big["C2"][:50])


def test_distribution_laws(big):
    n = big["L1"].size
    l1 = big["L1"]
    assert l1.min() >= 8e-9 * 0.95 and l1.max() <= 8e-9 * 1.05
    assert abs(l1.mean() - 8e-9) < 4 * (8e-9 * 0.05 / np.sqrt(3)) / np.sqrt(n)
    c2 = big["C2"]
    assert abs(c2.mean() - 6e-12) < 4 * 0.12e-12 / np.sqrt(n)
    assert abs(c2.std() / 0.12e-12 - 1) < 0.03
    c3 = big["C3"]  # truncated: never outside, never clipped (no mass piled at the bounds)
    assert c3.min() >= 5.5e-12 and c3.max() <= 6.2e-12
    assert np.mean(c3 == 5.5e-12) + np.mean(c3 == 6.2e-12) == 0
    from scipy import stats

    a, b = (5.5 - 6) / 0.6, (6.2 - 6) / 0.6
    ref = stats.truncnorm(a, b, loc=6e-12, scale=0.6e-12)
    assert stats.kstest(c3, ref.cdf).pvalue > 1e-3
    c4 = np.log(big["C4"])
    assert abs(c4.mean() - np.log(6e-12)) < 4 * 0.2 / np.sqrt(n)
    assert abs(c4.std() / 0.2 - 1) < 0.03
    c5 = big["C5"]
    assert set(np.unique(c5)) == {5.6e-12, 6.8e-12, 8.2e-12}
    assert all(abs(np.mean(c5 == v) - 1 / 3) < 0.02 for v in (5.6e-12, 6.8e-12, 8.2e-12))
    c6 = big["C6"]
    assert c6.min() >= 5e-12 and c6.max() <= 7e-12 and abs(c6.mean() - 6e-12) < 0.02e-12
    assert np.array_equal(big["L3"], 2 * big["L1"])  # derived per sample
    assert np.all(big["Lnom"] == 8e-9)


def test_nominal_without_seed():
    vals = _draw(_flat(), None, np.arange(3))
    assert np.all(vals["C5"] == 6.8e-12) and np.all(vals["L3"] == 16e-9)


def test_subcircuit_parameters_are_drawn_per_instance():
    text = """
frequency: {start: 1 GHz, stop: 2 GHz, points: 3}
parameters:
  G: {value: 1 pF, tolerance: 10%}
subcircuits:
  shunt:
    ports: [a]
    parameters: {C: {value: 2 pF, tolerance: 10%}, Cg: G}
    components:
      C1: {type: capacitor, nodes: [a, gnd], C: C}
      C2: {type: capacitor, nodes: [a, gnd], C: Cg}
components:
  X1: {type: shunt, nodes: [n]}
  X2: {type: shunt, nodes: [n]}
  R: {type: resistor, nodes: [n, m], R: 50}
ports: [n, m]
"""
    vals = _draw(flatten(parse_netlist(text, "<t>")), 3, np.arange(200))
    assert not np.array_equal(vals["X1.C"], vals["X2.C"])  # local variation
    assert np.array_equal(vals["X1.Cg"], vals["G"]) and np.array_equal(vals["X2.Cg"], vals["G"])  # global


def test_one_prng_computation_for_all_parameters_of_a_kind():
    """The variates of every random parameter of a kind come from one PRNG computation over a
    stack of their keys: the program does not grow with the number of parameters (a
    200-parameter sweep kernel held 400 threefry computations and compiled in 27 s)."""

    import re

    def prng_calls(k: int) -> int:
        params = "".join(f"  U{i}: {{value: 1 pF, tolerance: 5%}}\n  N{i}: {{value: 1 nH, distribution: normal, std: 2%}}\n"
                         for i in range(k))
        text = BASE.replace("EXTRA", params)
        f = jax.jit(jax.vmap(parameter_function(flatten(parse_netlist(text, "<test>")), 7)))
        return len(re.findall(r"call @_(?:threefry_fold_in|uniform|normal)\w*\(", f.lower(jnp.arange(4)).as_text()))

    assert prng_calls(1) == prng_calls(12) > 0


def test_many_parameters_of_a_kind_leave_the_others_unchanged(big):
    """Drawn together over a stack of keys, each parameter keeps its bits whatever the number
    of others of its kind (normal, lognormal and uniform stacks of 2 to 20)."""
    extra = "".join(f"  N{i}: {{value: 3, distribution: normal, std: 1}}\n  Q{i}: {{value: 2, distribution: lognormal, std: 10%}}\n"
                    f"  U{i}: {{value: 1 pF, tolerance: 5%}}\n" for i in range(9))
    more = _draw(_flat(extra), 7, np.arange(2000))
    for k in big:
        assert np.array_equal(more[k], big[k][:2000]), k
