"""`pmrf sweep`: keyed Monte Carlo and grid batches, chunked, streamed to HDF5, resumable."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path
from typing import Optional

import typer

from pmrf_cli.cli.common import Timer, UserError, grid_of, load, run_command


class _StopFlag:
    """Set by SIGINT/SIGTERM; the sweep stops cleanly after the chunk in flight."""

    def __init__(self) -> None:
        self.signum: int | None = None

    def __call__(self, signum, frame) -> None:
        if self.signum is not None:  # a second Ctrl-C: stop now (the file stays valid)
            raise KeyboardInterrupt
        self.signum = signum


def _progress(enabled: bool, total: int, done: int, label: str = "sweep"):
    if not enabled:
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
        console=Console(stderr=True), transient=True,
    )
    progress.start()
    progress.add_task("sweep", total=total, completed=done, rate="")
    return progress


class _RangeChecks:
    """Counts, chunk by chunk, the samples whose values fail a physical-range check."""

    def __init__(self, labels) -> None:
        self.labels = labels
        self.checked = 0
        self.bad_samples = 0
        self.counts = [0] * len(labels)
        self.first = [-1] * len(labels)

    def add(self, start: int, ok, np) -> None:
        """Take the `ok` (n, checks) of the chunk starting at sample `start`."""
        self.checked += ok.shape[0]
        if not ok.size or ok.all():
            return
        bad = ~ok
        self.bad_samples += int(bad.any(axis=1).sum())
        for j in np.nonzero(bad.any(axis=0))[0]:
            self.counts[j] += int(bad[:, j].sum())
            if self.first[j] < 0:
                self.first[j] = start + int(np.argmax(bad[:, j]))

    def error(self) -> str:
        """The lines naming each failing check at its netlist position, and the advice."""
        lines = [
            f"{loc}: error: {label} fails in {self.counts[j]} of {self.checked} samples (first: sample {self.first[j]})"
            for j, (label, loc) in enumerate(self.labels) if self.counts[j]
        ]
        lines.append(
            f"pmrf: {self.bad_samples} of the first {self.checked} samples draw non-physical values; narrow the "
            "distributions, truncate them with min/max, or pass --allow-unphysical"
        )
        return "\n".join(lines)


def sweep(
    netlist: str = typer.Argument(..., help="Netlist YAML file, or - for standard input."),
    output: Path = typer.Option(..., "-o", "--output", help="Results file (HDF5, see RESULTS.md)."),
    batch: Optional[int] = typer.Option(None, "--batch", "-n", help="Monte Carlo samples (per grid point with --vary)."),
    seed: int = typer.Option(0, "--seed", help="PRNG seed: sample i depends on (seed, i, parameter) only."),
    vary: Optional[list[str]] = typer.Option(None, "--vary", help="Grid axis NAME=START:STOP:POINTS[:log] (repeatable; Cartesian product)."),
    chunk: Optional[int] = typer.Option(None, "--chunk", help="Samples per chunk (default: from the memory budget)."),
    memory: Optional[str] = typer.Option(None, "--memory", help="Memory budget, e.g. 2G (default: a safe share of free memory)."),
    device: str = typer.Option("cpu", "--device", help="cpu or gpu."),
    cores: Optional[int] = typer.Option(None, "--cores", help="CPU cores to use (default: all this process may run on); the results are the same bits for any number."),
    precision: str = typer.Option("double", "--precision", help="double or single."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Evaluate on the Dask cluster of this scheduler: ADDRESS (tcp://host:8786) or a scheduler file (pip install 'pmrf-cli[cluster]')."),
    dask_workers: Optional[int] = typer.Option(None, "--workers", help="Evaluate on a local Dask cluster of N worker processes (pip install 'pmrf-cli[cluster]')."),
    sets: Optional[list[str]] = typer.Option(None, "--set", help="Override a parameter: NAME=VALUE (repeatable)."),
    freq: Optional[str] = typer.Option(None, "--freq", help="Frequency grid START:STOP:POINTS[:log]."),
    resume: bool = typer.Option(False, "--resume", help="Finish an interrupted sweep in --output."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --output file."),
    allow_unphysical: bool = typer.Option(False, "--allow-unphysical", help="Simulate samples with non-physical values (e.g. negative C) instead of refusing."),
    store: str = typer.Option("all", "--store", help="What to keep: all (S too) or specs (parameters, margins, pass, yield and statistics; no /s)."),
    confidence: float = typer.Option(0.95, "--confidence", help="Confidence level of the yield's Wilson interval."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no summary."),
) -> None:
    """Evaluate a batch of sampled variants of a netlist and stream S-parameters to HDF5."""

    def body():
        timer = Timer()
        t_start = time.perf_counter()
        if precision not in ("double", "single"):
            raise UserError(f"--precision {precision!r}: use double or single")
        if batch is None and not vary:
            raise UserError("give --batch N (Monte Carlo samples) and/or --vary NAME=START:STOP:POINTS")
        if batch is not None and batch < 1:
            raise UserError("--batch must be at least 1")
        if chunk is not None and chunk < 1:
            raise UserError("--chunk must be at least 1")
        if cores is not None and cores < 1:
            raise UserError("--cores must be at least 1")
        if dask_workers is not None and dask_workers < 1:
            raise UserError("--workers must be at least 1")
        if scheduler is not None and dask_workers is not None:
            raise UserError("give --scheduler ADDRESS (a running Dask cluster) or --workers N (a local one), not both")
        if cores is not None and (scheduler is not None or dask_workers is not None):
            raise UserError("--cores is for a one-process sweep; a Dask worker evaluates as many parts at once as it has threads")
        if not (0 <= seed < 2**32):
            raise UserError("--seed must be in 0 .. 4294967295")
        if store not in ("all", "specs"):
            raise UserError(f"--store {store!r}: use all or specs")
        if not 0.0 < confidence < 1.0:
            raise UserError("--confidence must be between 0 and 1 (e.g. 0.95)")
        if output.is_dir():
            raise UserError(f"{output}: is a directory")
        if output.exists() and not resume and not overwrite:
            raise UserError(f"{output}: exists; use --resume to finish it or --overwrite to replace it")
        if resume and not output.exists():
            raise UserError(f"{output}: no such file to resume")

        # everything about the input is checked before JAX is imported: bad input fails fast
        from pmrf_cli.cli.common import check_output_path
        from pmrf_cli.netlist.blocks import check_blocks
        from pmrf_cli.netlist.units import PARAMETER, parse_value
        from pmrf_cli.sampling.grid import Grid, parse_axis

        check_output_path(output)
        spec, flat = load(netlist, sets)
        frequency = grid_of(flat, freq)
        check_blocks(flat, frequency)
        from pmrf_cli.specs.bind import bind_specs

        specs = bind_specs(flat, frequency)
        if store == "specs" and not specs:
            raise UserError(f"--store specs keeps margins instead of S, but {flat.spec.source} has no specs")
        for w in flat.warnings:
            print(str(w), file=sys.stderr)
        timer.mark("load")
        from pmrf_cli.engine import runtime

        ncores = (cores or runtime.usable_cores()) if device.lower() == "cpu" else 1
        runtime.configure(precision)
        import jax
        import numpy as np

        from pmrf_cli import __version__
        from pmrf_cli.engine.block_stats import STATS_BLOCK
        from pmrf_cli.engine.kernel import (
            CPU_TILE_POINTS,
            SweepPlan,
            check_labels,
            compile_for,
            make_kernel,
            padded_indices,
            part_samples,
            sweep_points,
        )
        from pmrf_cli.engine import program_cache
        from pmrf_cli.engine.memory import (
            bytes_per_sample,
            choose_chunk,
            default_budget,
            parse_size,
            tile_bytes,
            tiled_bytes_per_sample,
        )
        from pmrf_cli.io.results import ResultsMeta, SweepWriter
        from pmrf_cli.io.scored import spec_attrs

        from pmrf_cli.engine.parallel import ChunkRunner

        dask = scheduler is not None or dask_workers is not None
        dev = runtime.select_device("cpu" if dask else device)  # with Dask, this process only writes
        timer.mark("import")
        paths = [p.path for p in flat.params]
        axes = []
        for text in vary or []:
            try:
                axis = parse_axis(text, lambda s: parse_value(s, PARAMETER))
            except ValueError as e:
                raise UserError(str(e)) from None
            if axis.name not in paths:
                raise UserError(f"--vary {text!r}: no parameter {axis.name!r} (parameters: {', '.join(paths) or 'none'})")
            axes.append(axis)
        grid = Grid(tuple(axes))
        plan = SweepPlan(flat, frequency, seed=seed if batch is not None else None, per_point=batch or 1, grid=grid,
                         specs=specs)
        n = plan.samples
        nports = len(flat.port_names)
        cluster = _connect(scheduler, dask_workers, device) if dask else None
        if cluster is not None:
            ncores = cluster.threads
            timer.mark("connect")
        budget = parse_size(memory) if memory else default_budget(dev)
        itemsize = 8 if precision == "single" else 16
        tile_points = CPU_TILE_POINTS if (cluster.platform if cluster else dev.platform) == "cpu" else None
        per_part = part_samples(plan, tile_points, STATS_BLOCK)
        if tile_points is not None:  # a chunk holds outputs; intermediates are a tile's per core
            per_sample = tiled_bytes_per_sample(frequency.size, nports, store == "all", itemsize)
            if cluster is None:  # a Dask worker's tiles are in its own memory
                budget = max(budget - ncores * tile_bytes(tile_points), budget // 4)
        else:  # a GPU evaluates the whole chunk at once
            per_sample = bytes_per_sample(frequency.size, nports, len(flat.nodes) + 2 * len(flat.components))
        chunk_size = chunk or choose_chunk(n, per_sample, budget)
        if cluster is not None and chunk is None:  # a chunk per worker, its results within the budget here
            chunk_size = cluster.chunk(chunk_size, budget, frequency.size * nports**2 * itemsize + 8 * len(paths))
        chunk_size = min(chunk_size, n)
        if chunk is None:
            chunk_size = balanced_chunk(n, chunk_size, (per_part or 1) * ncores)
        # statistics are reduced in blocks of samples aligned to sample 0: every chunk starts on one
        chunk_size = -(-chunk_size // STATS_BLOCK) * STATS_BLOCK
        z0 = np.array([float(parse_port_z0(flat)[i]) for i in range(nports)])
        extra = {"chunk": chunk_size, "per_point": plan.per_point}
        if sets:  # with the netlist text, what rebuilds the sweep's kernel (pmrf yield --specs)
            extra["sets"] = list(sets)
        if axes:
            extra["vary"] = np.array([a.spec for a in axes], dtype=object)
        meta = ResultsMeta(
            netlist_text=spec.text, port_names=tuple(flat.port_names), port_z0=z0, frequency=frequency,
            parameter_paths=tuple(paths), samples=n, seed=seed, precision=precision,
            pmrf_version=__version__, jax_version=jax.__version__, device=cluster.device if cluster else runtime.describe(dev),
            command=" ".join(sys.argv), extra_attrs=extra, grid=grid.coordinates() and _grid_datasets(grid, plan.per_point),
            specs=spec_attrs(specs), yield_groups=grid.size if axes else 0, confidence=confidence,
            store_s=store == "all",
        )
        if resume:
            import h5py

            with h5py.File(output, "r") as fh:
                stored_chunk = int(fh.attrs.get("chunk", chunk_size))
            if chunk is not None and chunk_size != stored_chunk:
                raise UserError(f"{output}: was written with --chunk {stored_chunk}; resume with the same chunk")
            chunk_size = stored_chunk
            meta = _with_chunk(meta, chunk_size)

        with jax.default_device(dev):
            dtype = np.complex64 if precision == "single" else None
            checks = None if allow_unphysical else _RangeChecks(check_labels(plan))
            # one executable for parts of `unit` samples (whole tiles on a CPU, whole statistics
            # blocks) evaluates every chunk, on any number of cores: the same bits for all. Without
            # tiles (GPUs) a part is the chunk, or with Dask an equal share per worker thread.
            if per_part is not None:
                unit = per_part
            else:
                unit = chunk_size // max(w for w in range(1, ncores + 1) if (chunk_size // STATS_BLOCK) % w == 0)
            workers = max(1, min(ncores, -(-chunk_size // unit)))
            # a Dask task is a chunk's share for one worker thread, in whole parts
            part = unit if cluster is None else -(-chunk_size // (workers * unit)) * unit
            kernel_options = {"stats_block": STATS_BLOCK, "keep_s": store == "all"}
            if cluster is not None:  # each worker builds the kernel from this recipe, once
                from pmrf_cli.engine.distributed import DaskRunner
                from pmrf_cli.engine.recipe import recipe_for

                runner = DaskRunner(
                    cluster, recipe_for(plan, sets, precision, checks is not None, tile_points, unit, device, **kernel_options),
                    piece=part,
                )
            else:
                key = program_cache.program_key(
                    "sweep", *program_cache.netlist_parts(flat, sets, frequency), plan.seed, plan.per_point,
                    tuple((k, np.asarray(v).tobytes()) for k, v in grid.coordinates().items()),
                    precision, tile_points, checks is not None, unit, runtime.describe(dev), tuple(kernel_options.items()),
                )
                kernel = program_cache.kernel(
                    key, lambda: make_kernel(plan, dtype=dtype, tile_points=tile_points, checks=checks is not None,
                                             **kernel_options),
                    padded_indices(0, unit, unit), dev.platform,
                )
                runner = ChunkRunner(compile_for(kernel, unit, dev.platform, sweep_points(plan)), unit, workers)
            timer.mark("compile")
            # a new file is created once the first chunk has passed its checks: a refused sweep
            # leaves no file, and an --overwrite-n file survives it
            sink = _Sink(
                SweepWriter.resume(output, meta) if resume
                else lambda: SweepWriter.create(output, meta, part, overwrite=overwrite)  # a write is a part
            )
            summary = None
            stop = _StopFlag()
            old = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
            progress = _progress(not quiet and sys.stderr.isatty(), n, sink.samples_done,
                                 f"sweep on {cluster.label}" if cluster else "sweep")
            t_compute = time.perf_counter()
            start_done = sink.samples_done
            try:
                pending = None
                for start in range(start_done, n, chunk_size):
                    count = min(chunk_size, n - start)
                    out = runner.submit(padded_indices(start, count, chunk_size))  # runs while we write
                    if pending is not None:
                        _write(sink, runner, pending, np, progress, t_compute, start_done, checks)
                    pending = (start, count, out)
                    if stop.signum is not None:
                        break
                if pending is not None:
                    _write(sink, runner, pending, np, progress, t_compute, start_done, checks)
            except UserError:
                if sink.created:  # bad draws found after the first chunk: remove what this run made
                    sink.close()
                    output.unlink(missing_ok=True)
                raise
            finally:
                for s, h in old.items():
                    signal.signal(s, h)
                if progress is not None:
                    progress.stop()
                done = sink.samples_done
                summary = sink.summary()
                sink.close()
                runner.close()
            timer.mark("compute+write")
        elapsed = time.perf_counter() - t_start
        if stop.signum is not None and done < n:
            print(
                f"pmrf: stopped after {done} of {n} samples; {output} is valid. Finish it with the same "
                f"command and --resume:\n  {_resume_hint()}",
                file=sys.stderr,
            )
            return 128 + stop.signum
        if not quiet:
            rate = (done - start_done) / max(time.perf_counter() - t_compute, 1e-9)
            print(
                f"pmrf: {done} samples x {frequency.size} frequencies in {elapsed:.2f} s "
                f"({rate:,.0f} samples/s{_where(runner, cluster)}) -> {output}",
                file=sys.stderr,
            )
            if specs and summary is not None:
                print(yield_report(summary, confidence, grid), file=sys.stderr)
        if summary is not None and summary["nonfinite"]:
            print(
                f"pmrf: warning: S is not finite in {summary['nonfinite']} of {summary['samples']} samples (first: "
                f"sample {summary['first_nonfinite']}): the circuit is singular there (at 0 Hz: a node floating at "
                "DC driving a controlled source); their margins fail, and the file's attribute nonfinite_samples "
                "counts them", file=sys.stderr,
            )
        timer.report()
        return 0

    run_command(body)


def balanced_chunk(n: int, limit: int, unit: int) -> int:
    """Samples per chunk: as many chunks as `limit` (the memory budget's chunk) needs, equal in
    size, each a whole number of `unit`s (tiles for every core) where that stays within n. The
    last chunk is then nearly full: padding costs less than one unit per chunk, not up to a
    whole chunk (1000 samples in chunks of 936 computed 1872)."""
    chunks = -(-n // max(limit, 1))
    size = -(-n // chunks)
    if size > unit:
        size = min(-(-size // unit) * unit, n)
    return size


class _Sink:
    """The results file: an open writer, or a factory that creates it at the first write."""

    def __init__(self, writer_or_factory) -> None:
        self._factory = writer_or_factory if callable(writer_or_factory) else None
        self._writer = None if self._factory else writer_or_factory
        self.created = False

    @property
    def samples_done(self) -> int:
        return self._writer.samples_done if self._writer is not None else 0

    def write(self, start: int, s, params, margins=None, blocks=None, finite=None) -> None:
        if self._writer is None:
            self._writer = self._factory()
            self.created = True
        self._writer.write(start, s, params, margins, blocks, finite)

    def summary(self) -> dict | None:
        """Pass counts of the samples written (None before the file exists)."""
        return self._writer.scoring.summary() if self._writer is not None else None

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


def _write(writer, runner, pending, np, progress, t0, done0, checks) -> None:
    """Check and write one chunk: one write of all its parts (each part is whole samples in
    order; S goes in part by part, without joining the parts)."""
    start, count, handle = pending
    first = writer.samples_done
    left = count - (first - start)
    parts = []
    for out in runner.result(handle):
        n = min(runner.part, left)
        if n <= 0:
            break
        parts.append((n, out))
        left -= n
    if not parts:
        return

    def joined(get):
        return np.concatenate([np.asarray(get(out))[:n] for n, out in parts])

    if checks is not None:
        checks.add(first, joined(lambda o: o["ok"]), np)
        if checks.bad_samples:
            raise UserError(checks.error())
    params = {k: joined(lambda o, k=k: o["values"][k]).astype(np.float64) for k in parts[0][1]["values"]}
    margins = joined(lambda o: o["margins"]) if "margins" in parts[0][1] else None
    s = [np.asarray(out["s"])[:n] for n, out in parts] if "s" in parts[0][1] else None
    blocks = {k: np.concatenate([np.asarray(out["blocks"][k]) for _, out in parts]) for k in parts[0][1]["blocks"]}
    writer.write(first, s, params, margins, blocks, joined(lambda o: o["finite"]))
    if progress is not None:
        rate = (writer.samples_done - done0) / max(time.perf_counter() - t0, 1e-9)
        progress.update(progress.task_ids[0], completed=writer.samples_done, rate=f"{rate:,.0f} samples/s")


def yield_report(summary: dict, confidence: float, grid) -> str:
    """The sweep's yield lines: overall with its Wilson interval, the spec that fails most,
    and with a grid the yield per grid point (up to 20 rows)."""
    from pmrf_cli.specs.yields import wilson_interval

    n, k = summary["samples"], summary["passed"]
    low, high = wilson_interval(k, n, confidence)
    lines = [f"pmrf: yield {k / n:.2%} ({k} of {n}), {confidence:.0%} interval [{low:.2%}, {high:.2%}]"]
    fails = {name: n - p for name, p in summary["spec_passed"].items()}
    worst = max(fails, key=lambda name: fails[name])
    if fails[worst]:
        lines.append(f"pmrf: most failed spec: {worst} ({fails[worst]} of {n} samples fail it)")
    per_point = summary.get("per_point")
    if per_point and grid.size > 1:
        coords = grid.coordinates()
        names = list(coords)
        rows = range(len(per_point)) if len(per_point) <= 20 else sorted(
            {0, len(per_point) - 1, int(max(range(len(per_point)), key=lambda i: per_point[i]))})
        lines.append("pmrf: yield per grid point" + (" (first, last, best)" if len(per_point) > 20 else "") + ":")
        for i in rows:
            where = ", ".join(f"{name}={coords[name][i]:.6g}" for name in names)
            y = per_point[i] / per_point_size(n, len(per_point))
            lines.append(f"  {where}: {y:.2%}")
    return "\n".join(lines)


def per_point_size(samples: int, groups: int) -> int:
    """Samples per grid point."""
    return max(samples // max(groups, 1), 1)


def _grid_datasets(grid, per_point: int):
    import numpy as np

    return {k: np.repeat(v, per_point) for k, v in grid.coordinates().items()}


def _with_chunk(meta, chunk: int):
    import dataclasses

    extra = dict(meta.extra_attrs)
    extra["chunk"] = chunk
    return dataclasses.replace(meta, extra_attrs=extra)


def parse_port_z0(flat):
    """Port reference impedances at nominal values."""
    from pmrf_cli.netlist.expressions import evaluate
    from pmrf_cli.netlist.flatten import nominal_values

    env = nominal_values(flat)
    return [float(evaluate(z, env, None)) for _, z in flat.ports]


def _connect(scheduler: str | None, workers: int | None, device: str):
    """The Dask cluster to evaluate on (pmrf_cli.engine.distributed)."""
    try:
        from pmrf_cli.engine.distributed import connect, stderr
    except ImportError as e:
        if (e.name or "").split(".")[0] not in ("dask", "distributed"):
            raise
        raise UserError("--scheduler and --workers need Dask: pip install 'pmrf-cli[cluster]'") from None
    return connect(scheduler, workers, device, say=stderr)


def _where(runner, cluster) -> str:
    """' on 2 Dask workers', ' on 4 cores', or nothing for one core."""
    if cluster is not None:
        return f" on {cluster.label}"
    return f" on {runner.workers} cores" if runner.workers > 1 else ""


def _resume_hint() -> str:
    args = [a for a in sys.argv[1:] if a not in ("--overwrite",)]
    if "--resume" not in args:
        args.append("--resume")
    return "pmrf " + " ".join(args)
