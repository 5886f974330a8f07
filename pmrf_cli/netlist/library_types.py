"""Netlist types of the component library (issue 5), registered with `netlist.types.register`."""
