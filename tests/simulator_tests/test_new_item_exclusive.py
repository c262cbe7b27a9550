"""New-Item without -Force creates a file only when none is there (the run lock relies on it); with -Force it
replaces it. The simulator runs one script at a time per machine, so the create is atomic across WinRM shells."""

from __future__ import annotations

import threading

from tests.simulator.launcher import KIND_CATALOGUE, Launcher, Process
from tests.simulator.powershell import run_powershell
from tests.simulator.windows.machine import Machine
from tests.simulator_tests.pshost import run

CREATE = "New-Item -ItemType Directory -Path 'F:\\vmrescue' -Force | Out-Null\n" \
         "New-Item -ItemType File -Path 'F:\\vmrescue\\lock.json' -Value '{0}' | Out-Null\n" \
         "if (-not $?) {{ Write-Output 'refused' }}"


def test_an_existing_file_is_not_replaced_without_force(machine: Machine) -> None:
    assert run(machine, CREATE.format('{"run_id": "a"}')) == (0, "", "")
    code, out, err = run(machine, CREATE.format('{"run_id": "b"}'))
    assert out.strip() == "refused" and "already exists" in err, (code, out, err)
    assert machine.resolve_path("F:\\vmrescue\\lock.json").read_bytes() == b'{"run_id": "a"}'
    code, _out, err = run(machine,
                          "New-Item -ItemType File -Path 'F:\\vmrescue\\lock.json' -Value 'c' -Force | Out-Null")
    assert (code, err) == (0, "") and machine.resolve_path("F:\\vmrescue\\lock.json").read_bytes() == b"c"


def test_of_concurrent_creates_from_several_shells_exactly_one_wins(machine: Machine) -> None:
    launcher = Launcher(machine, run_powershell=run_powershell)
    outcomes: dict[str, str] = {}

    def create(run_id: str) -> None:
        script = "# vmrescue.windows lock-create\n" + CREATE.format(run_id)
        process = Process(f"shell-{run_id}", script, None, KIND_CATALOGUE, "lock-create")
        outcomes[run_id] = launcher.execute(process, b"").stdout.decode("utf-8").strip()

    threads = [threading.Thread(target=create, args=(f"run-{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [run_id for run_id, out in outcomes.items() if out != "refused"]
    assert len(winners) == 1
    assert machine.resolve_path("F:\\vmrescue\\lock.json").read_text() == winners[0]
