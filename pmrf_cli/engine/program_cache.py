"""Traced kernels kept on disk, so a warm run does not trace the netlist's models again.

JAX's persistent compilation cache skips XLA's compile, but every run still builds the models,
traces the kernel and lowers it: 0.3-0.6 s for circuits of line models, as long as the rest of a
warm run. Here the lowered program is stored (`jax.export`, StableHLO with its calling
convention), keyed by everything that defines it: the netlist text and `--set` overrides, the
content of its Touchstone files, the frequency grid and every setting that reaches the kernel,
pmrf's own source, the JAX and jaxlib versions, the XLA flags and the device. A warm run loads it
(milliseconds), lowers the small wrapper that calls it, and gets the executable from JAX's cache.
A changed input is a new key; an entry that fails to load is rebuilt.

Lowering a call of a stored program initialises JAX's LAPACK bindings on a CPU, which imports
scipy.linalg: 0.13-0.2 s of a warm run, for kernels that call no LAPACK routine (pmrf's solvers
eliminate in closed form). A program whose StableHLO names no LAPACK target is lowered without
that step (`StoredProgram.lower`); one that does (a model using `jnp.linalg`) is lowered as usual.
Which it is, is read from the program's text once, when it is stored: a marker file
`<key>.nolapack` next to it says it calls none.

Entries live in `$PMRF_CACHE_DIR/programs` (default ~/.cache/pmrf/programs); `PMRF_NO_CACHE=1`
turns this cache off with JAX's.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

FORMAT = 1


def cache_root() -> Path | None:
    """The folder of stored programs, or None when caching is off."""
    if os.environ.get("PMRF_NO_CACHE"):
        return None
    base = os.environ.get("PMRF_CACHE_DIR")
    return Path(base) / "programs" if base else Path.home() / ".cache" / "pmrf" / "programs"


@functools.lru_cache(maxsize=1)
def source_digest() -> str:
    """A digest of pmrf's own source: a changed engine never reuses an old program."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def program_key(*parts: Any) -> str:
    """The key of a program from the inputs that define it (plain values and bytes)."""
    import jax
    import jaxlib

    h = hashlib.sha256()
    env = (FORMAT, source_digest(), jax.__version__, jaxlib.__version__, os.environ.get("XLA_FLAGS", ""))
    for part in (*env, *parts):
        h.update(part if isinstance(part, bytes) else repr(part).encode())
        h.update(b"\0")
    return h.hexdigest()


def netlist_parts(flat, sets, frequency) -> tuple:
    """What a netlist contributes to a program's key: its text, the `--set` overrides, the
    content of its Touchstone files and the frequency grid."""
    import numpy as np

    blocks = tuple(
        (c.path, hashlib.sha256(Path(c.file).read_bytes()).hexdigest())
        for c in flat.components if c.type == "touchstone"
    )
    return (flat.spec.text, tuple(sets or ()), blocks, np.asarray(frequency, np.float64).tobytes())


def _load(path: Path):
    from jax import export

    try:
        return export.deserialize(bytearray(path.read_bytes()))
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a stale or foreign entry: rebuild it
        with contextlib.suppress(OSError):
            path.unlink()
        return None


def calls_lapack(exported) -> bool:
    """Whether an exported program calls a LAPACK routine, from its StableHLO text."""
    from pmrf_cli.engine.compiled import calls_lapack as text_calls_lapack

    return text_calls_lapack(exported.mlir_module())


def _store(path: Path, exported, lapack: bool) -> None:
    tmp = None
    try:
        data = exported.serialize()
        path.parent.mkdir(parents=True, exist_ok=True)
        marker = path.with_suffix(".nolapack")  # decided before the program is there to load
        if lapack:
            marker.unlink(missing_ok=True)
        else:
            marker.touch()
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except Exception:  # noqa: BLE001 - a failure to store costs only the next run's trace
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def export_platform(platform: str) -> str:
    """The concrete platform `jax.export` lowers for: a device's 'gpu' is 'cuda' or 'rocm'."""
    if platform != "gpu":
        return platform
    import jax

    for name in ("cuda", "rocm"):
        try:
            if jax.devices(name):
                return name
        except RuntimeError:
            continue
    return platform


def kernel(key: str, make: Callable[[], Any], example, platform: str) -> Callable:
    """A jitted kernel for inputs like `example`: the stored program under `key`, or `make()`
    exported (traced once) and stored. Without a cache, `make()` itself."""
    root = cache_root()
    if root is None:
        return make()
    from jax import export

    path = root / f"{key}.jaxexport"
    exported = _load(path)
    lapack = not path.with_suffix(".nolapack").exists()
    if exported is None:
        try:
            exported = export.export(make(), platforms=[export_platform(platform)])(example)
        except Exception:  # noqa: BLE001 - not exportable here: trace and compile as usual
            return make()
        lapack = calls_lapack(exported)
        _store(path, exported, lapack)
    return StoredProgram(exported, lapack or platform != "cpu")


class StoredProgram:
    """`jax.jit(exported.call)` for a stored program: call it, or `lower` it like a jitted
    function (without JAX's LAPACK initialisation where `calls_lapack` is False: only ever for a
    CPU program, the one platform that initialisation is for)."""

    def __init__(self, exported, calls_lapack: bool = True) -> None:
        import jax

        self._jitted = jax.jit(exported.call)
        self.calls_lapack = calls_lapack

    def __call__(self, *args):
        return self._jitted(*args)

    def lower(self, *args):
        """`jax.jit(exported.call).lower(*args)`."""
        if self.calls_lapack:
            return self._jitted.lower(*args)
        with _lapack_init_skipped():
            return self._jitted.lower(*args)


@contextlib.contextmanager
def _lapack_init_skipped():
    """While lowering a call of an exported program that calls no LAPACK routine: skip
    `jax.export`'s LAPACK initialisation (it imports scipy.linalg). A JAX without that hook
    lowers as it always does."""
    try:
        from jax._src.export import _export
    except ImportError:
        yield
        return
    original = getattr(_export, "_ensure_backends_initialized", None)
    if original is None:
        yield
        return
    _export._ensure_backends_initialized = lambda platforms: None
    try:
        yield
    finally:
        _export._ensure_backends_initialized = original
