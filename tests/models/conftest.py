"""Shared by the line-media tests: scikit-rf's warnings silenced, and a relative error."""

import warnings

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-rf's skin-depth warnings
        yield


def rel(a, b) -> float:
    """Largest relative difference of `a` from the reference `b`."""
    return float(np.max(np.abs(np.asarray(a) - b) / np.abs(b)))
