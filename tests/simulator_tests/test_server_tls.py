"""HTTPS with a generated CA: clients validate the certificate (never switched off)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
import winrm
from cryptography import x509

from tests.simulator import tls
from tests.simulator.inventory import write_inventory

from .ansible_cli import run_adhoc
from .conftest import PASSWORD, USERNAME
from .test_wsman_protocol import PS_ARGS, encode


@pytest.fixture
def tls_files(tmp_path: Path) -> tls.TlsFiles:
    return tls.generate(tmp_path / "tls")


def test_pywinrm_validates_against_the_ca_file(start_server, tls_files):
    sim = start_server(tls_context=tls.server_context(tls_files))
    assert sim.url.startswith("https://127.0.0.1:")
    for host in ("127.0.0.1", "localhost"):
        url = sim.url.replace("127.0.0.1", host)
        proto = winrm.Protocol(url, transport="basic", username=USERNAME, password=PASSWORD,
                               server_cert_validation="validate", ca_trust_path=str(tls_files.ca_cert))
        shell_id = proto.open_shell()
        command_id = proto.run_command(shell_id, "PowerShell", PS_ARGS + [encode("out over-tls")])
        assert proto.get_command_output(shell_id, command_id) == (b"over-tls\r\n", b"", 0)
        proto.close_shell(shell_id)


def test_a_client_without_the_ca_rejects_the_certificate(start_server, tls_files, tmp_path):
    sim = start_server(tls_context=tls.server_context(tls_files))
    other_ca = tls.generate(tmp_path / "other").ca_cert
    with pytest.raises(requests.exceptions.SSLError):
        requests.post(sim.url, data=b"", verify=str(other_ca), timeout=10)


def test_server_certificate_is_issued_by_the_ca_for_loopback_names(tls_files):
    cert = x509.load_pem_x509_certificate(tls_files.server_cert.read_bytes())
    ca = x509.load_pem_x509_certificate(tls_files.ca_cert.read_bytes())
    cert.verify_directly_issued_by(ca)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert {str(ip) for ip in names.get_values_for_type(x509.IPAddress)} >= {"127.0.0.1"}
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_ansible_over_https_with_ca_trust_path(start_server, tls_files, tmp_path):
    sim = start_server(tls_context=tls.server_context(tls_files))
    inventory = tmp_path / "inventory.ini"
    write_inventory(inventory, host="127.0.0.1", port=sim.server.port, scheme="https", username=USERNAME,
                    password=PASSWORD, ca_path=tls_files.ca_cert)
    text = inventory.read_text()
    assert "ansible_winrm_ca_trust_path=" in text and "cert_validation" not in text
    rc, result, output = run_adhoc(inventory, "ansible.builtin.raw", "out secure")
    assert rc == 0 and result["stdout_lines"] == ["secure"], output
