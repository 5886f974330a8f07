"""Fitting a netlist's parameters: the log/linear maps, S over chosen parameters, least squares."""
