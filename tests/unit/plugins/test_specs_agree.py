"""What each action plugin validates and what its module documents are the same options; each role's defaults and
its meta/argument_specs.yml give the same defaults.

The action's ``ARGUMENT_SPEC`` is what ansible-core's ArgumentSpecValidator enforces (plugin_utils/_action.py); the
module's DOCUMENTATION (with its doc fragments) is what ansible-doc and the rendered reference show. Both are written
by hand, so nothing but this test keeps them from drifting apart.
"""

from __future__ import annotations

import importlib
import typing as t
from pathlib import Path

import pytest
import yaml

COLLECTION = Path(__file__).resolve().parents[3]
PACKAGE = "ansible_collections.vmrescue.windows"
MODULES = sorted(p.stem for p in (COLLECTION / "plugins" / "modules").glob("*.py") if p.stem != "__init__")
ROLES = sorted(p.name for p in (COLLECTION / "roles").iterdir() if (p / "meta" / "argument_specs.yml").exists())
# What the validator acts on; description and version_added are documentation only.
_COMPARED = ("type", "elements", "default", "choices", "required", "aliases", "no_log")


def _documented_options(module: str) -> dict[str, t.Any]:
    """The module's options with those of its doc fragments (this collection's only: plugins/doc_fragments)."""
    doc = yaml.safe_load(importlib.import_module(f"{PACKAGE}.plugins.modules.{module}").DOCUMENTATION)
    options = dict(doc.get("options") or {})
    for fragment in doc.get("extends_documentation_fragment") or []:
        collection, _dot, rest = fragment.partition("._")
        assert collection == "vmrescue.windows", f"{module}: fragment {fragment} of another collection"
        file_name, _dot, section = rest.partition(".")
        holder = importlib.import_module(f"{PACKAGE}.plugins.doc_fragments._{file_name}").ModuleDocFragment
        options.update(yaml.safe_load(getattr(holder, (section or "documentation").upper())).get("options") or {})
    return options


def _normalised(option: dict[str, t.Any], field: str) -> t.Any:
    value = option.get(field)
    if field == "type":
        return value or "str"
    if field == "required":
        return bool(value)
    if field in ("aliases", "choices") and value is not None:
        return list(value)
    return value


def _differences(spec: dict[str, t.Any], documented: dict[str, t.Any], where: str) -> list[str]:
    found = [f"{where}{name}: validated but not documented" for name in sorted(set(spec) - set(documented))]
    found += [f"{where}{name}: documented but not validated" for name in sorted(set(documented) - set(spec))]
    for name in sorted(set(spec) & set(documented)):
        for field in _COMPARED:
            validated, shown = _normalised(spec[name], field), _normalised(documented[name], field)
            if validated != shown:
                found.append(f"{where}{name}.{field}: validated {validated!r}, documented {shown!r}")
        found += _differences(spec[name].get("options") or {}, documented[name].get("suboptions") or {},
                              f"{where}{name}.")
    return found


def _action_spec(module: str) -> dict[str, t.Any]:
    action = importlib.import_module(f"{PACKAGE}.plugins.action.{module}").ActionModule
    return action.ARGUMENT_SPEC


@pytest.mark.parametrize("module", MODULES)
def test_the_action_validates_exactly_what_the_module_documents(module: str) -> None:
    assert _differences(_action_spec(module), _documented_options(module), "") == []


def test_a_drifted_option_is_found() -> None:
    # The comparison itself must be able to fail: a changed default, a lost suboption, an undocumented option.
    spec = {"a": {"type": "int", "default": 1}, "b": {"type": "list", "elements": "dict", "options": {
        "c": {"type": "str", "required": True}}}, "d": {"type": "str"}}
    documented = {"a": {"type": "int", "default": 2}, "b": {"type": "list", "elements": "dict", "suboptions": {}}}
    assert _differences(spec, documented, "") == [
        "d: validated but not documented", "a.default: validated 1, documented 2", "b.c: validated but not documented"]


def _role_defaults(role: str) -> dict[str, t.Any]:
    path = COLLECTION / "roles" / role / "defaults" / "main.yml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else {}


def _entry_points(role: str) -> dict[str, t.Any]:
    path = COLLECTION / "roles" / role / "meta" / "argument_specs.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["argument_specs"]


@pytest.mark.parametrize("role", ROLES)
def test_role_defaults_and_argument_specs_agree(role: str) -> None:
    defaults, entry_points = _role_defaults(role), _entry_points(role)
    problems = [f"main: {name} has a default but no argument spec"
                for name in sorted(set(defaults) - set(entry_points["main"].get("options") or {}))]
    for entry, spec in entry_points.items():
        for name, option in (spec.get("options") or {}).items():
            if name in defaults and option.get("default") != defaults[name]:
                problems.append(f"{entry}: {name} defaults to {defaults[name]!r}, its spec says "
                                f"{option.get('default')!r}")
            elif name not in defaults and option.get("default") is not None:
                problems.append(f"{entry}: {name}'s spec gives a default {option['default']!r} that defaults/main.yml "
                                "does not set")
            if name in defaults and option.get("required"):
                problems.append(f"{entry}: {name} is required but has a default")
    assert problems == []
