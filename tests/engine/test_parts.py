"""A sweep's parts: one size per sweep (never the number of cores or the chunk), padding marked.

Every chunk is evaluated as calls of one executable on parts of `part_samples` indices, so a
sample's bits are those of that one program however the sweep is chunked or spread over cores
(on a 16-core server, parts of one tile against parts of sixteen differed in the last bits).
No compilation here: a stand-in for the compiled kernel records the parts it is given.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from pmrf_cli.engine.block_stats import STATS_BLOCK, valid_samples
from pmrf_cli.engine.kernel import CPU_TILE_POINTS, SweepPlan, padded_indices, padded_to, part_samples, tile_samples
from pmrf_cli.engine.parallel import ChunkRunner
from pmrf_cli.netlist import flatten, parse_netlist

NETLIST = """frequency: {start: 1 GHz, stop: 2 GHz, points: %d}
parameters:
  C: {value: 1 pF, tolerance: 5%%}
components:
  C1: {type: capacitor, nodes: [a, b], C: C}
ports: [a, b]
"""


def _plan(points: int, n: int) -> SweepPlan:
    flat = flatten(parse_netlist(NETLIST % points, "parts.yaml"))
    return SweepPlan(flat, flat.frequency_hz, seed=0, per_point=n)


@pytest.mark.parametrize("points", [21, 501, 1001])
def test_part_size_is_whole_tiles_from_the_sweep_alone(points):
    tile = tile_samples(_plan(points, 1), CPU_TILE_POINTS, STATS_BLOCK)
    for n in (1, 100, 1000, 10_000, 10**6):
        part = part_samples(_plan(points, n), CPU_TILE_POINTS, STATS_BLOCK)
        assert part % tile == 0 and part % STATS_BLOCK == 0
        tiles = part // tile
        assert 1 <= tiles <= 8
        assert tiles >= 2 or n <= tile  # one tile only where the sweep fills no more (2 ports)
        assert tiles <= -(-n // tile)  # never tiles of padding alone
    assert part_samples(_plan(points, 1000), None, STATS_BLOCK) is None  # a GPU: no tiles


def test_parts_of_many_ports_hold_one_tile():
    """16 ports on 1001 points: a tile's S is 262 MB, so a part is one tile, not two or more."""
    ports = [f"p{i}" for i in range(16)]
    parts = "".join(f"  R{i}: {{type: resistor, nodes: [p{i}, gnd], R: R}}\n" for i in range(16))
    text = ("frequency: {start: 1 GHz, stop: 2 GHz, points: 1001}\n"
            "parameters:\n  R: {value: 50, tolerance: 1%}\ncomponents:\n" + parts + f"ports: [{', '.join(ports)}]\n")
    flat = flatten(parse_netlist(text, "ports16.yaml"))
    plan = SweepPlan(flat, flat.frequency_hz, seed=0, per_point=10**5)
    assert part_samples(plan, CPU_TILE_POINTS, STATS_BLOCK) == tile_samples(plan, CPU_TILE_POINTS, STATS_BLOCK)


def test_padding_is_marked_and_evaluates_the_last_sample():
    idx = padded_indices(8, 2, 5)
    assert idx.tolist() == [8, 9, -10, -10, -10]
    assert np.asarray(valid_samples(idx)).tolist() == [True, True, False, False, False]
    assert padded_to(idx[:3], 6).tolist() == [8, 9, -10, -10, -10, -10]
    assert padded_to(np.arange(4, 7), 5).tolist() == [4, 5, 6, -7, -7]


@pytest.mark.parametrize("workers", [1, 3, 16])
def test_a_chunk_is_parts_of_one_size_on_any_number_of_cores(workers):
    seen, lock = [], threading.Lock()

    def kernel(indices):
        with lock:
            seen.append(np.array(indices))
        return {"i": np.asarray(indices)}

    runner = ChunkRunner(kernel, 64, workers)
    try:
        out = runner.result(runner.submit(padded_indices(128, 150, 320)))
    finally:
        runner.close()
    assert {len(p) for p in seen} == {64} and len(out) == 3  # 150 samples: 3 parts, none of padding only
    got = np.concatenate([o["i"] for o in out])
    assert got[:150].tolist() == list(range(128, 278)) and (got[150:] == -278).all()
