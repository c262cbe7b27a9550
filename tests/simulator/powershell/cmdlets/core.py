"""Pipeline cmdlets: Write-Output, Out-Null, Select-Object, ConvertTo-Json, Start-Sleep."""

from __future__ import annotations

import fnmatch
import time

from ..binding import CmdletSpec, ParamSpec
from ..psjson import convert_to_json
from ..values import PSObject, enumerate_output
from .context import CmdletContext

UTILITY = "Microsoft.PowerShell.Commands.{}Command"


def write_output(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    values = bound.get("InputObject", [])
    items = values if isinstance(values, list) else [values]
    if bound.get("NoEnumerate"):
        return list(items)
    output: list = []
    for item in items:
        output.extend(enumerate_output(item))
    return output + list(pipeline_input)


def out_null(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    return []


def _property_of(value: object, name: str) -> tuple[str, object]:
    if isinstance(value, PSObject):
        for key, item in value.properties.items():
            if key.lower() == name.lower():
                return key, item
        return name, None
    if isinstance(value, str) and name.lower() == "length":
        return "Length", len(value)
    return name, None


def _expand_names(value: object, patterns: list[str]) -> list[str]:
    names: list[str] = []
    available = list(value.properties) if isinstance(value, PSObject) else (["Length"] if isinstance(value, str) else [])
    for pattern in patterns:
        if any(char in pattern for char in "*?["):
            names.extend(name for name in available if fnmatch.fnmatchcase(name.lower(), pattern.lower()))
        else:
            names.append(_property_of(value, pattern)[0])
    return names


def select_object(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    items = list(pipeline_input)
    if "InputObject" in bound:
        items.append(bound["InputObject"])
    if "First" in bound:
        items = items[:bound["First"]]
    output: list = []
    if "ExpandProperty" in bound:
        for item in items:
            name = bound["ExpandProperty"]
            key, value = _property_of(item, name)
            if not (isinstance(item, PSObject) and item.get(name)[0]) and not isinstance(item, str):
                ctx.write_error(f'Property "{name}" cannot be found.', "InvalidArgument", f"{item}:PSObject",
                                "PSArgumentException", "ExpandPropertyNotFound")
                continue
            output.extend(enumerate_output(value))
        return output
    if "Property" not in bound:
        return items
    properties = bound["Property"]
    patterns = [str(pattern) for pattern in (properties if isinstance(properties, list) else [properties])]
    for item in items:
        names = _expand_names(item, patterns)
        output.append(PSObject({name: _property_of(item, name)[1] for name in names},
                               "Selected." + (item.type_name if isinstance(item, PSObject) else "System.String")))
    return output


def convert_to_json_cmdlet(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    items = list(pipeline_input)
    if "InputObject" in bound:
        items.append(bound["InputObject"])
    depth = bound.get("Depth", 2)
    if not 0 <= depth <= 100:
        raise ctx.fail(f"Cannot validate argument on parameter 'Depth'. The {depth} argument is greater than the "
                       "maximum allowed range of 100. Supply an argument that is less than or equal to 100 and then "
                       "try the command again.", "InvalidData", "", "ParameterBindingValidationException",
                       "ParameterArgumentValidationError")
    text = convert_to_json(items, compress=bool(bound.get("Compress")), depth=depth)
    return [] if text is None else [text]


def start_sleep(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    milliseconds = bound.get("Milliseconds", 0) + 1000 * bound.get("Seconds", 0)
    time.sleep(milliseconds / 1000)
    return []


SPECS = (
    CmdletSpec("Write-Output", (ParamSpec("InputObject", "objects", 0, remaining=True),
                                ParamSpec("NoEnumerate", "switch")), write_output,
               UTILITY.format("WriteOutput"), accepts_input=True),
    CmdletSpec("Out-Null", (ParamSpec("InputObject", "object"),), out_null, UTILITY.format("OutNull"),
               accepts_input=True),
    CmdletSpec("Select-Object", (ParamSpec("Property", "objects", 0), ParamSpec("First", "int"),
                                 ParamSpec("ExpandProperty", "string"), ParamSpec("InputObject", "object")),
               select_object, UTILITY.format("SelectObject"), accepts_input=True),
    CmdletSpec("ConvertTo-Json", (ParamSpec("InputObject", "object", 0), ParamSpec("Compress", "switch"),
                                  ParamSpec("Depth", "int")), convert_to_json_cmdlet,
               UTILITY.format("ConvertToJson"), accepts_input=True),
    CmdletSpec("Start-Sleep", (ParamSpec("Seconds", "int", 0), ParamSpec("Milliseconds", "int", aliases=("ms",))),
               start_sleep, UTILITY.format("StartSleep"), exclusive=(("Seconds", "Milliseconds"),)),
)
