"""Test configuration: the library leaves JAX's global settings alone, so tests opt in to float64."""

import jax

jax.config.update("jax_enable_x64", True)
