"""Check that the AWX surveys in awx/controller_config.yml still match the roles and the playbook.

Every survey variable must be an option of some role's meta/argument_specs.yml (with a compatible type and, for
multiple choice, only allowed choices) or a variable of playbooks/critical_service_repair.yml. Run by tools/test.sh.

    python awx/check_surveys.py [REPO_ROOT]
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

# Survey answer types and the argument-spec types that can take them unchanged.
COMPATIBLE_TYPES = {
    "text": {"str", "path", "raw"},
    "textarea": {"str", "raw"},
    "password": {"str", "raw"},
    "integer": {"int", "raw"},
    "float": {"float", "raw"},
    "multiplechoice": {"str", "raw", "int"},
    "multiselect": {"list", "raw"},
}
PLAYBOOK = Path("playbooks", "critical_service_repair.yml")
# List options whose role also takes a comma-separated string, so a text question can fill them.
COMMA_SEPARATED_LISTS = {"safeboot_driver_swap_drivers", "vmrescue_phases"}
# Playbook phases that need questions only template 3 asks (the drivers and their source).
DRIVER_PHASES = {"safeboot", "swap"}
DRIVER_QUESTIONS = {"safeboot_driver_swap_drivers", "safeboot_driver_swap_windbg_text"}


def role_options(repo_root: Path) -> dict[str, dict]:
    options: dict[str, dict] = {}
    for spec_file in sorted(repo_root.glob("roles/*/meta/argument_specs.yml")):
        specs = yaml.safe_load(spec_file.read_text(encoding="utf-8"))["argument_specs"]
        for entry_point in specs.values():
            for name, option in (entry_point.get("options") or {}).items():
                options.setdefault(name, option)
    return options


def known_phases(repo_root: Path) -> list[str]:
    plays = yaml.safe_load((repo_root / PLAYBOOK).read_text(encoding="utf-8"))
    return next(play["vars"]["_vmrescue_known_phases"] for play in plays
                if "_vmrescue_known_phases" in (play.get("vars") or {}))


def problems(repo_root: Path) -> list[str]:
    options = role_options(repo_root)
    # Variables the playbook itself reads, with the answers it accepts.
    playbook_variables = {
        "vmrescue_hosts": {"type": "str"},
        "vmrescue_phases": {"type": "list", "choices": known_phases(repo_root)},
        "vmrescue_run_id": {"type": "str"},
        "vmrescue_lock_wait": {"type": "int"},
        "vmrescue_lock_poll_interval": {"type": "int"},
        "vmrescue_lock_expiry": {"type": "int"},
    }
    config = yaml.safe_load((repo_root / "awx" / "controller_config.yml").read_text(encoding="utf-8"))
    found = []
    for template in config["controller_templates"]:
        for variable in (template.get("extra_vars") or {}):
            if variable not in options and variable not in playbook_variables:
                found.append(f"{template['name']}: extra variable {variable} is used by no role or playbook")
        if not template.get("survey_enabled"):
            continue
        for question in template["survey_spec"]["spec"]:
            where = f"{template['name']}: survey variable {question['variable']}"
            option = options.get(question["variable"]) or playbook_variables.get(question["variable"])
            if option is None:
                found.append(f"{where} is an option of no role and no variable of {PLAYBOOK}")
                continue
            spec_type = option.get("type", "str")
            comma_list = question["type"] == "text" and question["variable"] in COMMA_SEPARATED_LISTS
            if spec_type not in COMPATIBLE_TYPES[question["type"]] and not comma_list:
                found.append(f"{where}: survey type {question['type']} cannot fill argument type {spec_type}")
            allowed = option.get("choices")
            offered = question.get("choices")
            if allowed is not None and offered is None:
                found.append(f"{where}: the role accepts only {allowed}; offer them as multiple choice")
            if question["variable"] == "vmrescue_phases" and DRIVER_PHASES & set(offered or []):
                asked = {q["variable"] for q in template["survey_spec"]["spec"]}
                if not DRIVER_QUESTIONS & asked:
                    found.append(f"{where}: offers {sorted(DRIVER_PHASES)} without asking for the drivers")
            if allowed is not None and offered is not None:
                extra = [choice for choice in offered if choice not in [str(value) for value in allowed]]
                if extra:
                    found.append(f"{where}: choices {extra} are not accepted (allowed: {allowed})")
    return found


def main(argv: list[str]) -> int:
    repo_root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1]
    found = problems(repo_root)
    for problem in found:
        print(problem, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
