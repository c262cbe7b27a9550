"""The disk and file catalogues: command-line budget, quoting of values, and reading the answers."""

from __future__ import annotations

import base64

import pytest
from ansible.plugins.loader import shell_loader

from ansible_collections.vmrescue.windows.plugins.module_utils import _catalogue_disk as disk
from ansible_collections.vmrescue.windows.plugins.module_utils import _catalogue_files as files
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import RemoteScript, parse_output


def test_command_line_length_matches_ansible_core_encoding():
    script = disk.discovery_script()
    shell = shell_loader.get("powershell")
    real = shell._encode_script(script.render(), strict_mode=False, preserve_rc=False)
    assert files.command_line_length(script.render()) == len(real)


def test_every_fixed_command_fits_a_windows_command_line():
    for script in (disk.discovery_script(), disk.partitions_script(),
                   disk.volume_facts_script("F:", ["S:\\EFI\\Microsoft\\Boot\\BCD", "F:\\boot\\BCD"],
                                            disk.AccessPath(1, 1, "S")),
                   disk.prepare_disks_script([(1, True, True), (2, True, True)])):
        assert files.command_line_length(script.render()) <= files.MAX_COMMAND_LINE


def test_too_long_a_command_is_refused_before_it_is_sent():
    script = RemoteScript("too-long")
    script.cmdlet("x", files.leaf_exists("F:\\" + "a" * 4000))
    with pytest.raises(VmrescueError, match="command line"):
        files.ensure_fits(script)


def test_pack_spreads_steps_over_commands_that_each_fit():
    paths = [f"F:\\vmrescue-backup\\20250101T000000Z\\config\\HIVE{i:02d}.LOG1" for i in range(40)]
    scripts = files.hash_scripts("backup-verify", paths)
    assert len(scripts) > 1
    assert all(files.fits(s) for s in scripts)
    names = [step for s in scripts for step in s.step_names]
    assert names == [f"h.{i}" for i in range(40)]


def test_pack_repeats_the_opening_steps_in_every_command():
    adders = [lambda s, i=i: s.cmdlet(f"s.{i}", files.leaf_exists("F:\\" + "b" * 300 + str(i))) for i in range(12)]
    scripts = files.pack("packed", adders, first=[lambda s: s.cmdlet("head", "Get-Disk | ConvertTo-Json -Compress")])
    assert len(scripts) > 1 and all(s.step_names[0] == "head" for s in scripts)


def test_hostile_paths_stay_literals():
    hostile = "F:\\it's $(Remove-Item C:\\) `n {default}"
    text = files.file_probe(hostile)
    assert "'F:\\it''s $(Remove-Item C:\\) `n {default}'" in text


def test_discovery_probes_every_letter_from_c_in_order():
    script = disk.discovery_script()
    body = script.render()
    assert body.index("'C:\\Windows\\System32\\config\\SYSTEM'") < body.index("'Z:\\Windows\\System32\\config\\SYSTEM'")
    assert "'A:\\" not in body


def _answer(script: RemoteScript, outputs: dict[str, list[str]]) -> str:
    lines = []
    for step in script.step_names:
        lines.append(f"@@vmr:{script.nonce}:begin:{step}")
        lines += outputs.get(step, [])
        lines.append(f"@@vmr:{script.nonce}:end:{step}")
    lines.append(f"@@vmr:{script.nonce}:done")
    return "\r\n".join(lines) + "\r\n"


def test_reading_discovery_answers():
    script = disk.discovery_script()
    probe = ["False"] * 24
    probe[3] = "True"   # F:
    stdout = _answer(script, {"disks": ['{"Number":0,"IsSystem":true,"IsBoot":true,"PartitionStyle":2}'],
                              "partitions": ['{"DiskNumber":0,"PartitionNumber":1,"DriveLetter":"C"}'],
                              "volumes": [], "system-hive": probe})
    layout, found = disk.read_discovery(parse_output(script, stdout))
    assert [k for k, v in found.items() if v] == ["F"]
    assert layout.disks[0].recovery_vm_own


def test_file_probe_answers():
    probe = files.parse_file_probe("F:\\x.sys", [
        "True", '{"FullName":"F:\\\\x.sys","Length":12,"VersionInfo":{"FileVersion":"10.0.1 (x)","ProductVersion":"10.0.1"}}',
        '{"Algorithm":"SHA256","Hash":"' + "AB" * 32 + '","Path":"F:\\\\x.sys"}'])
    assert (probe.exists, probe.size, probe.sha256, probe.file_version) == (True, 12, "ab" * 32, "10.0.1 (x)")
    assert files.parse_file_probe("F:\\y", ["False"]).exists is False


def test_a_file_that_exists_but_cannot_be_read_is_an_error_not_absent():
    with pytest.raises(VmrescueError, match="could not be read"):
        files.parse_file_probe("F:\\x.sys", ["True"])
    with pytest.raises(VmrescueError):
        files.parse_file_probe("F:\\x.sys", [])


def test_hash_answers():
    assert files.parse_hash([], "x") is None
    with pytest.raises(VmrescueError):
        files.parse_hash(['{"Hash":"XYZ"}'], "x")


def test_manifest_text_is_written_as_one_literal():
    script = files.manifest_script("F:\\b\\r\\manifest.json", '{"a":"it\'s"}', "F:\\b\\latest.json")
    assert "-Value '{\"a\":\"it''s\"}' -Encoding UTF8 -NoNewline" in script.render()


def test_encoded_length_counts_utf16_code_units():
    text = "# vmrescue.windows x\n  Write-Output 'é'  \n\n"
    stripped = "# vmrescue.windows x\nWrite-Output 'é'"
    expected = len(files._ENCODED_PREFIX) + len(base64.b64encode(stripped.encode("utf-16-le")))
    assert files.command_line_length(text) == expected
