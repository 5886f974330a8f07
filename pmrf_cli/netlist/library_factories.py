"""Model factories of the component library's netlist types (see `netlist.build.FACTORIES`)."""
