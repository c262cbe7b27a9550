"""A scripted stand-in for the recovery VM in action-plugin unit tests (no WinRM, no simulator).

It reads the catalogue's step bodies and answers the handful of cmdlet shapes the repair catalogues write, from an
in-memory disk layout and file table. Anything it does not recognise fails the test loudly.
"""

from __future__ import annotations

import hashlib
import json
import re
from unittest.mock import MagicMock

from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import shell_loader

from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import STDIN_BOOTSTRAP

_LITERAL = re.compile(r"'((?:[^']|'')*)'")
_GUARD = re.compile(r"^if \(\(Test-Path (.*?)\)\) \{ (.*) \}$")


def literals(text: str) -> list[str]:
    return [m.group(1).replace("''", "'") for m in _LITERAL.finditer(text)]


class FakeWindows:
    def __init__(self, disks=None, partitions=None, files=None, unreadable=()):
        self.disks = disks or []
        self.partitions = partitions or []
        self.files: dict[str, bytes] = {k.lower(): v for k, v in (files or {}).items()}
        self.names: dict[str, str] = {k.lower(): k for k in (files or {})}
        self.dirs: set[str] = set()
        self.unreadable = {p.lower() for p in unreadable}
        self.commands: list[str] = []
        self.versions: dict[str, str] = {}
        # Copy-Item to these (lower-case) paths lands damaged: a copy that does not match its source.
        self.corrupt_copies_to: set[str] = set()
        # Set-Disk -IsOffline $false succeeds but the disk stays offline (a policy or a failing disk).
        self.stuck_offline = False
        # Remove-PartitionAccessPath succeeds but the letter stays (a volume in use).
        self.letters_stick = False
        # Files (lower-case) Administrators may not write until takeown + icacls grant (TrustedInstaller's drivers).
        self.protected: set[str] = set()
        self.owners: dict[str, str] = {}     # SID; absent: Administrators
        self.dacls: dict[str, str] = {}      # SDDL "D:…"; absent: full control for SYSTEM and Administrators
        # Native steps that fail with this exit code: "takeown", "grant", "setowner", "save", "restore".
        self.native_failures: dict[str, int] = {}
        self.natives: list[list[str]] = []

    # --- file table -----------------------------------------------------------------------------------------------
    def _is_dir(self, path: str) -> bool:
        prefix = path.lower().rstrip("\\") + "\\"
        return path.lower().rstrip("\\") in self.dirs or any(name.startswith(prefix) for name in self.files)

    def exists(self, path: str, kind: str | None) -> bool:
        if kind == "Leaf":
            return path.lower() in self.files
        if kind == "Container":
            return self._is_dir(path)
        return path.lower() in self.files or self._is_dir(path)

    def write(self, path: str, data: bytes) -> None:
        self.files[path.lower()] = data
        self.names[path.lower()] = path

    # --- one statement ----------------------------------------------------------------------------------------------
    def statement(self, text: str) -> list[str]:
        guard = _GUARD.match(text)
        if guard:
            kind = "Leaf" if "-PathType Leaf" in guard.group(1) else "Container"
            if not self.exists(literals(guard.group(1))[0], kind):
                return []
            return [line for part in guard.group(2).split("; ") for line in self.statement(part)]
        args = literals(text)
        if text.startswith("Test-Path"):
            kind = "Leaf" if "-PathType Leaf" in text else "Container" if "-PathType Container" in text else None
            return [str(self.exists(args[0], kind))]
        if text.startswith("Get-Disk"):
            return [json.dumps(self.disks)] if self.disks else []
        if text.startswith("Get-Partition"):
            number = re.search(r"-DiskNumber (\d+)", text)
            parts = [p for p in self.partitions if number is None or p["DiskNumber"] == int(number.group(1))]
            return [json.dumps(parts)] if parts else []
        if text.startswith("Get-Volume"):
            return [json.dumps([{"DriveLetter": p["DriveLetter"], "FileSystem": "NTFS", "FileSystemLabel": ""}
                                for p in self.partitions if p["DriveLetter"] != "\u0000"])]
        if text.startswith("Set-Disk"):
            number = int(re.search(r"-Number (\d+)", text).group(1))
            disk = next(d for d in self.disks if d["Number"] == number)
            if "-IsOffline $false" in text and disk["IsOffline"] and not self.stuck_offline:
                disk["IsOffline"] = False
                for part in self.partitions:
                    if part["DiskNumber"] == number and part.get("_letter_when_online"):
                        part["DriveLetter"] = part.pop("_letter_when_online")
            if "-IsOffline $true" in text:
                disk["IsOffline"], disk["OfflineReason"] = True, 1
                for part in self.partitions:
                    if part["DiskNumber"] == number and part["DriveLetter"] != NONE:
                        part["_letter_when_online"], part["DriveLetter"] = part["DriveLetter"], NONE
            if "-IsReadOnly $false" in text:
                disk["IsReadOnly"] = False
            identity = re.search(r"-Signature (\d+)|-Guid '([^']+)'", text)
            if identity:
                disk["Signature" if identity.group(1) else "Guid"] = (
                    int(identity.group(1)) if identity.group(1) else identity.group(2))
            return []
        if text.startswith(("Add-PartitionAccessPath", "Remove-PartitionAccessPath")):
            disk = int(re.search(r"-DiskNumber (\d+)", text).group(1))
            number = int(re.search(r"-PartitionNumber (\d+)", text).group(1))
            part = next(p for p in self.partitions if p["DiskNumber"] == disk and p["PartitionNumber"] == number)
            if text.startswith("Add"):
                part["DriveLetter"] = args[0][0]
            elif not self.letters_stick:
                part["DriveLetter"] = "\u0000"
            return []
        if text.startswith("Get-FileHash"):
            if args[0].lower() in self.unreadable or args[0].lower() not in self.files:
                return []
            digest = hashlib.sha256(self.files[args[0].lower()]).hexdigest().upper()
            return [json.dumps({"Algorithm": "SHA256", "Hash": digest, "Path": args[0]})]
        if text.startswith("Get-Item"):
            if args[0].lower() in self.unreadable:
                return []
            info = {"FullName": args[0], "Length": len(self.files[args[0].lower()])}
            if "VersionInfo" in text:
                info["VersionInfo"] = {"FileVersion": self.versions.get(args[0].lower()), "ProductVersion": None}
            return [json.dumps(info)]
        if text.startswith("Get-ChildItem") and "-Directory" in text:
            prefix = args[0].lower().rstrip("\\") + "\\"
            children = set()
            for path in [*self.dirs, *self.files]:
                rest = self.names.get(path, path)[len(prefix):] if path.startswith(prefix) else ""
                if "\\" in rest or (rest and path in self.dirs):
                    children.add(rest.split("\\")[0])
            return [json.dumps([{"Name": name} for name in sorted(children)])] if children else []
        if text.startswith("Get-ChildItem"):
            prefix = args[0].lower().rstrip("\\") + "\\"
            found = [{"Name": self.names[k][len(prefix):], "FullName": self.names[k], "Length": len(v)}
                     for k, v in self.files.items() if k.startswith(prefix) and "\\" not in k[len(prefix):]]
            return [json.dumps(found)] if found else []
        if text.startswith("Get-Acl"):
            path = args[0].lower()
            owner = self.owners.get(path, "S-1-5-32-544")
            return [json.dumps({"Sddl": f"O:{owner}G:{owner}{self.dacls.get(path, 'D:(A;;FA;;;SY)(A;;FA;;;BA)')}"})]
        if text.startswith("Get-Content") and "-Raw" in text:
            return [self.files[args[0].lower()].decode("utf-8-sig")]
        if text.startswith("Get-Content"):
            count = int(re.search(r"-TotalCount (\d+)", text).group(1))
            return [str(b) for b in self.files[args[0].lower()][:count]]
        if text.startswith("Copy-Item"):
            if args[1].lower() in self.protected:
                return []  # "Access to the path … is denied.": nothing written
            data = self.files[args[0].lower()]
            self.write(args[1], data + b"!" if args[1].lower() in self.corrupt_copies_to else data)
            return []
        if text.startswith("New-Item"):
            self.dirs.add(args[0].lower().rstrip("\\"))
            return []
        if text.startswith("Remove-Item") and "-Recurse" in text:
            prefix = args[0].lower().rstrip("\\")
            self.files = {k: v for k, v in self.files.items() if not k.startswith(prefix + "\\")}
            self.dirs = {d for d in self.dirs if d != prefix and not d.startswith(prefix + "\\")}
            return []
        if text.startswith("Remove-Item"):
            self.files.pop(args[0].lower(), None)
            return []
        if text.startswith("Rename-Item"):
            old = args[0].lower().rstrip("\\")
            new = old.rsplit("\\", 1)[0] + "\\" + args[1].lower()
            assert not (self._is_dir(new) or new in self.files), f"Rename-Item onto an existing {new}"
            moved = {k: (new + k[len(old):] if k.startswith(old + "\\") else k) for k in self.files}
            self.files = {moved[k]: v for k, v in self.files.items()}
            self.names = {moved.get(k, k): (args[0].rstrip("\\").rsplit("\\", 1)[0] + "\\" + args[1]
                                            + n[len(old):] if k.startswith(old + "\\") else n)
                          for k, n in self.names.items()}
            self.dirs = {new + d[len(old):] if d == old or d.startswith(old + "\\") else d for d in self.dirs}
            return []
        if text.startswith("Set-Content"):
            self.write(args[0], b"\xef\xbb\xbf" + args[1].encode("utf-8"))
            return []
        raise AssertionError(f"the fake recovery VM does not know: {text}")

    # --- native programs (takeown, icacls) -------------------------------------------------------------------------
    def native(self, text: str) -> int:
        program, argv = text.split(" ", 1)[0], [arg.strip('"') for arg in literals(text)]
        self.natives.append([program] + argv)
        operation = "takeown" if program == "takeown.exe" else argv[1].lstrip("/")
        if operation in self.native_failures:
            return self.native_failures[operation]
        if operation == "restore":  # icacls <folder> /restore <aclfile>: "name\r\nDACL" lines as /save wrote them
            if argv[2].lower() not in self.files:
                return 2
            name, dacl = self.files[argv[2].lower()].decode("utf-16-le").split("\r\n")[:2]
            target = (argv[0].rstrip("\\") + "\\" + name).lower()
            if self.owners.get(target, "S-1-5-32-544") != "S-1-5-32-544":
                return 5
            self.dacls[target] = dacl
            self.protected.discard(target) if "(A;;FA;;;BA)" in dacl else self.protected.add(target)
            return 0
        target = (argv[1] if program == "takeown.exe" else argv[0]).lower()
        if target not in self.files:
            return 1 if program == "takeown.exe" else 2
        if operation == "takeown":
            self.owners[target] = "S-1-5-32-544"
        elif operation == "grant":
            if self.owners.get(target, "S-1-5-32-544") != "S-1-5-32-544" and target in self.protected:
                return 1
            self.protected.discard(target)
            self.dacls[target] = self.dacls.get(target, "D:(A;;FA;;;SY)(A;;FA;;;BA)") + "(A;;FA;;;BA)"
        elif operation == "setowner":
            self.owners[target] = argv[2].lstrip("*")  # SeRestorePrivilege: whatever the DACL says
        else:
            name = self.names[target].rsplit("\\", 1)[-1]
            dacl = self.dacls.get(target, "D:(A;;FA;;;SY)(A;;FA;;;BA)")
            self.write(argv[2], f"{name}\r\n{dacl}\r\n".encode("utf-16-le"))
        return 0

    # --- one script ----------------------------------------------------------------------------------------------
    def run(self, script: str) -> dict:
        name = script.splitlines()[0].split()[-1]
        self.commands.append(name)
        out = []
        last_exit_code, skipping = 0, False
        for line in script.splitlines()[1:]:
            if line == "if ($LASTEXITCODE -eq 0) {":
                skipping = last_exit_code != 0
                continue
            if line == "}":
                skipping = False
                continue
            if skipping:
                continue
            if line.startswith('"@@vmr:') and line.endswith(':$LASTEXITCODE"'):
                out.append(line[1:-len('$LASTEXITCODE"')] + str(last_exit_code))
                continue
            if line.startswith("if (-not $?) {"):
                continue  # every cmdlet here succeeds or prints nothing: never an abort
            if line.startswith(("takeown.exe ", "icacls.exe ")):
                last_exit_code = self.native(line)
                continue
            if line.startswith("if (-not $?) {"):
                continue            # the fake's cmdlets never fail
            if line.startswith("Write-Output '@@vmr:") or line in ("exit 0",):
                if line.startswith("Write-Output"):
                    out.append(literals(line)[0])
                continue
            out += self.statement(line)
        return {"rc": 0, "stdout": "\r\n".join(out) + "\r\n", "stderr": ""}


def make_plugin(action_class, windows: FakeWindows, args: dict, *, check: bool = False, diff: bool = False):
    task = MagicMock()
    task.args = args
    task.check_mode = check
    task.diff = diff
    task.async_val = 0
    connection = MagicMock()
    connection._shell = shell_loader.get("powershell")
    plugin = action_class(task, connection, PlayContext(), loader=MagicMock(), templar=None, shared_loader_obj=None)
    plugin._low_level_execute_command = lambda cmd, in_data=None, **kwargs: windows.run(stdin_script(cmd, in_data))
    return plugin


# --- layouts --------------------------------------------------------------------------------------------------------
ESP = "{c12a7328-f81f-11d2-ba4b-00a0c93ec93b}"
DATA = "{ebd0a0a2-b9e5-4433-87c0-68b6b72699c7}"
NONE = "\u0000"
SYSTEM = "\\Windows\\System32\\config\\SYSTEM"


def disk(number, own=False, offline=False, style=2, identity=None, reason=1):
    """A Get-Disk object; ``identity`` is the MBR signature or GPT GUID (default: one of its own), ``reason`` the
    OfflineReason of an offline disk (1 Policy, 4 Collision)."""
    if identity is None:
        identity = 0x1000 + number if style == 1 else "{00000000-0000-4000-8000-%012X}" % number
    return {"Number": number, "FriendlyName": "Virtual HD", "IsOffline": offline,
            "OfflineReason": reason if offline else None, "IsReadOnly": offline, "IsSystem": own, "IsBoot": own,
            "PartitionStyle": style, "Signature": identity if style == 1 else None,
            "Guid": identity if style == 2 else None, "Size": 1}


def part(disk_number, number, letter=NONE, gpt=DATA, active=False, system=False, boot=False, mbr=None):
    return {"DiskNumber": disk_number, "PartitionNumber": number, "DriveLetter": letter, "GptType": gpt,
            "MbrType": mbr, "IsActive": active, "IsSystem": system, "IsBoot": boot, "Size": 1}


def gen2_machine(offline=False, extra_files=None) -> FakeWindows:
    parts = [part(0, 1, gpt=ESP, system=True), part(0, 3, "C", boot=True),
             part(1, 1, gpt=ESP), part(1, 3, NONE if offline else "F")]
    if offline:
        parts[3]["_letter_when_online"] = "F"
    files = {"C:" + SYSTEM: b"live", "F:" + SYSTEM: b"regf-system", "F:\\Windows\\System32\\config\\SOFTWARE": b"sw",
             "F:\\Windows\\MEMORY.DMP": b"PAGEDU64", "F:\\Windows\\Minidump\\071924-9875-01.dmp": b"PAGEDU64",
             "Z:\\EFI\\Microsoft\\Boot\\BCD": b"regf-bcd", **(extra_files or {})}
    windows = FakeWindows([disk(0, own=True), disk(1, offline=offline)], parts, files)
    return windows


def stdin_script(command: str, in_data: bytes | None) -> str:
    """The catalogue script of one remote command: it travels on stdin behind the fixed bootstrap command line."""
    assert command == STDIN_BOOTSTRAP and in_data, "catalogue scripts travel on stdin"
    return in_data.decode("utf-8")
