"""A WS-Management endpoint that plays a Windows recovery VM for vmrescue.windows tests.

Run ``python -m tests.simulator --help`` from the collection root. The protocol side lives in ``wsman.py`` /
``server.py``, the simulated machine in ``windows/`` and the PowerShell subset in ``powershell/``.
"""
