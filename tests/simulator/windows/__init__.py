"""The simulated Windows recovery VM: machine model, hive files, reg.exe and (elsewhere) bcdedit.exe."""
