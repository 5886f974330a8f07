"""Composition of models: circuits on named nodes, cascades of 2-ports, and their solvers."""

from pmrf_cli.circuit.cascade import Cascade
from pmrf_cli.circuit.circuit import Circuit

__all__ = ["Circuit", "Cascade"]
