"""The netlist front end: YAML text -> validated NetlistSpec -> FlatNetlist (see NETLIST.md)."""

from .errors import Loc, NetlistError, NetlistErrors, NetlistWarning
from .expressions import (
    Binary,
    Call,
    Expr,
    Name,
    Num,
    Unary,
    evaluate,
    free_names,
    is_constant,
    parse_expression,
    rename,
    to_text,
)
from .flatten import (
    FlatComponent,
    FlatNetlist,
    FlatParam,
    apply_overrides,
    flatten,
    frequency_grid,
    nominal_values,
)
from .parse import is_ground, load_netlist, parse_netlist
from .schema import schema_text, validate_against_schema
from .spec import (
    Bound,
    ComponentSpec,
    DistSpec,
    FieldValue,
    FrequencySpec,
    NetlistSpec,
    ParamSpec,
    PortSpec,
    SubcircuitSpec,
)
from .types import ComponentType, FieldGroup, FieldSpec, get_type, register, type_names
from .units import FieldKind, UnitError, parse_value

__all__ = [
    "Binary", "Bound", "Call", "ComponentSpec", "ComponentType", "DistSpec", "Expr", "FieldGroup",
    "FieldKind", "FieldSpec", "FieldValue", "FlatComponent", "FlatNetlist", "FlatParam",
    "FrequencySpec", "Loc", "Name", "NetlistError", "NetlistErrors", "NetlistSpec", "NetlistWarning",
    "Num", "ParamSpec", "PortSpec", "SubcircuitSpec", "Unary", "UnitError", "apply_overrides",
    "evaluate", "flatten", "free_names", "frequency_grid", "get_type", "is_constant", "is_ground",
    "load_netlist", "nominal_values", "parse_expression", "parse_netlist", "parse_value", "register",
    "rename", "schema_text", "to_text", "type_names", "validate_against_schema",
]
