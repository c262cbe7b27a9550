"""Cmdlet parameter binding: names (with unique prefixes), switches, positions and type conversion."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .errors import CmdletError, ErrorRecord
from .syntax import ScriptBlock
from .values import to_text

COMMON_PARAMETERS = frozenset(name.lower() for name in (
    "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ErrorVariable", "WarningVariable",
    "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "WhatIf", "Confirm",
))
NET_TYPES = {"string": "System.String", "int": "System.Int32", "uint": "System.UInt32", "bool": "System.Boolean",
             "strings": "System.String[]", "uints": "System.UInt32[]", "objects": "System.Object[]", "choice": "System.String",
             "switch": "System.Management.Automation.SwitchParameter", "object": "System.Object"}


@dataclass(frozen=True)
class ParamSpec:
    name: str
    kind: str                       # switch | string | int | uint | bool | strings | objects | object | choice
    position: int | None = None
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    remaining: bool = False         # ValueFromRemainingArguments


@dataclass(frozen=True)
class CmdletSpec:
    name: str
    params: tuple[ParamSpec, ...]
    handler: Callable
    fqid_suffix: str                # e.g. Microsoft.PowerShell.Commands.GetItemCommand
    accepts_input: bool = False
    exclusive: tuple[tuple[str, ...], ...] = field(default=())   # parameter names that exclude each other
    common: tuple[str, ...] = ()    # common parameters modelled for this cmdlet (only ErrorAction so far)


# -ErrorAction values the simulator models: Continue (the default) and SilentlyContinue (the error is not shown, $?
# is still false). Stop, Ignore, Inquire and Suspend change control flow or $Error and are not modelled.
ERROR_ACTION = ParamSpec("ErrorAction", "choice", aliases=("ea",),
                         choices=("SilentlyContinue", "Stop", "Continue", "Inquire", "Ignore", "Suspend"))
_MODELLED_ERROR_ACTIONS = ("Continue", "SilentlyContinue")


@dataclass
class RawParameter:
    """A parameter as written: `-Name` with its value (None for a bare switch) — built by the host."""

    name: str
    value: object
    has_value: bool
    text: str


def _binding_error(spec: CmdletSpec, message: str, error_id: str, category: str = "InvalidArgument",
                   target: str = "") -> CmdletError:
    return CmdletError(ErrorRecord(message, category, target, spec.name, "ParameterBindingException",
                                   f"{error_id},{spec.fqid_suffix}"))


def _find_param(spec: CmdletSpec, written: str) -> ParamSpec:
    lowered = written.lower()
    if "ErrorAction" in spec.common and lowered in ("erroraction", "ea"):
        return ERROR_ACTION
    for param in spec.params:
        if lowered == param.name.lower() or lowered in (alias.lower() for alias in param.aliases):
            return param
    matches = [param for param in spec.params if param.name.lower().startswith(lowered)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        names = " ".join(f"-{param.name}" for param in matches)
        raise _binding_error(spec, f"Parameter cannot be processed because the parameter name '{written}' is "
                             f"ambiguous. Possible matches include: {names}.", "AmbiguousParameter")
    if lowered in COMMON_PARAMETERS:
        raise _binding_error(spec, f"The common parameter '{written}' is not supported by the simulator.",
                             "NotSupportedBySimulator")
    raise _binding_error(spec, f"A parameter cannot be found that matches parameter name '{written}'.",
                         "NamedParameterNotFound")


def convert(spec: CmdletSpec, param: ParamSpec, value: object) -> object:
    kind = param.kind
    if isinstance(value, ScriptBlock):
        raise _binding_error(spec, f"Script block arguments are not supported by the simulator "
                             f"(parameter '{param.name}').", "NotSupportedBySimulator")
    if kind in ("objects", "object"):
        return value
    if kind == "strings":
        items = value if isinstance(value, list) else [value]
        return [to_text(item) for item in items]
    if kind == "uints":
        items = value if isinstance(value, list) else [value]
        return [convert(spec, ParamSpec(param.name, "uint"), item) for item in items]
    if isinstance(value, list):
        raise _binding_error(spec, f"Cannot convert 'System.Object[]' to the type '{NET_TYPES[kind]}' required by "
                             f"parameter '{param.name}'. Specified method is not supported.",
                             "CannotConvertArgument")
    if kind == "bool" or kind == "switch":
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        raise _binding_error(spec, f"Cannot process argument transformation on parameter '{param.name}'. Cannot "
                             f"convert value \"{type_name_of(value)}\" to type \"System.Boolean\". Boolean parameters "
                             "accept only Boolean values and numbers, such as $True, $False, 1 or 0.",
                             "ParameterArgumentTransformationError")
    if kind in ("int", "uint"):
        number: int | None = None
        if isinstance(value, bool):
            number = int(value)
        elif isinstance(value, int):
            number = value
        elif isinstance(value, str) and value.strip().lstrip("+-").isdigit():
            number = int(value.strip())
        if number is None or (kind == "uint" and number < 0):
            raise _binding_error(spec, f"Cannot process argument transformation on parameter '{param.name}'. "
                                 f"Cannot convert value \"{to_text(value)}\" to type \"{NET_TYPES[kind]}\". Error: "
                                 "\"Input string was not in a correct format.\"",
                                 "ParameterArgumentTransformationError")
        return number
    text = to_text(value)
    if kind == "choice":
        for choice in param.choices:
            if choice.lower() == text.lower():
                return choice
        raise _binding_error(spec, f"Cannot validate argument on parameter '{param.name}'. The argument \"{text}\" "
                             f"does not belong to the set \"{','.join(param.choices)}\" specified by the ValidateSet "
                             "attribute. Supply an argument that is in the set and then try the command again.",
                             "ParameterArgumentValidationError")
    return text


def type_name_of(value: object) -> str:
    if isinstance(value, str):
        return "System.String"
    if value is None:
        return ""
    return "System.Object"


def bind(spec: CmdletSpec, elements: list[RawParameter | object]) -> dict[str, object]:
    """Bind written parameters and positional values; return {parameter name: converted value}."""
    bound: dict[str, object] = {}
    positional: list[object] = []
    index = 0
    while index < len(elements):
        element = elements[index]
        index += 1
        if not isinstance(element, RawParameter):
            positional.append(element)
            continue
        param = _find_param(spec, element.name)
        if param.name in bound:
            raise _binding_error(spec, f"Cannot bind parameter because parameter '{param.name}' is specified more "
                                 "than once. To provide multiple values to parameters that can accept multiple "
                                 "values, use the array syntax. For example, \"-parameter value1,value2,value3\".",
                                 "ParameterAlreadyBound")
        if param.kind == "switch":
            bound[param.name] = convert(spec, param, element.value) if element.has_value else True
            continue
        if element.has_value:
            bound[param.name] = convert(spec, param, element.value)
            continue
        if index >= len(elements) or isinstance(elements[index], RawParameter):
            raise _binding_error(spec, f"Missing an argument for parameter '{param.name}'. Specify a parameter of "
                                 f"type '{NET_TYPES[param.kind]}' and try again.", "MissingArgument")
        bound[param.name] = convert(spec, param, elements[index])
        index += 1
    _bind_positional(spec, bound, positional)
    if bound.get("ErrorAction", "Continue") not in _MODELLED_ERROR_ACTIONS:
        raise _binding_error(spec, f"-ErrorAction {bound['ErrorAction']} is not supported by the simulator.",
                             "NotSupportedBySimulator")
    for group in spec.exclusive:
        if sum(1 for name in group if name in bound) > 1:
            raise _binding_error(spec, "Parameter set cannot be resolved using the specified named parameters.",
                                 "AmbiguousParameterSet")
    return bound


def _bind_positional(spec: CmdletSpec, bound: dict[str, object], positional: list[object]) -> None:
    slots = sorted((param for param in spec.params if param.position is not None and param.name not in bound),
                   key=lambda param: param.position or 0)
    remaining = next((param for param in spec.params if param.remaining), None)
    for value in positional:
        if slots and not slots[0].remaining:
            param = slots.pop(0)
            bound[param.name] = convert(spec, param, value)
            continue
        if remaining is not None:
            items = bound.setdefault(remaining.name, [])
            assert isinstance(items, list)
            items.extend(value if isinstance(value, list) else [value])
            continue
        raise _binding_error(spec, f"A positional parameter cannot be found that accepts argument "
                             f"'{to_text(value)}'.", "PositionalParameterNotFound")
