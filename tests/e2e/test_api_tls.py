"""`payrun api --certfile --keyfile` serves HTTPS (with HSTS); one without the other is refused."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import uuid
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner

from payrun.entrypoints.cli import _register_subcommands, app
from tests.e2e.api_server import ApiServer


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


async def test_the_api_serves_https_with_hsts(
    payrun_home: Path, tmp_path: Path, temporal_cli_path: str
) -> None:
    cert, key = _self_signed(tmp_path)
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli_path, ip="127.0.0.1", dev_server_log_level="error"
    ) as env:
        target = env.client.service_client.config.target_host
        server = ApiServer(
            payrun_home,
            target,
            f"q-{uuid.uuid4()}",
            "--no-worker",
            "--certfile",
            str(cert),
            "--keyfile",
            str(key),
            scheme="https",
        )
        server.verify = ssl.create_default_context(cafile=str(cert))
        with server:
            response = httpx.get(f"{server.url}/readyz", verify=server.verify)
    assert response.status_code == 200
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_a_certificate_without_its_key_is_refused(payrun_home: Path, tmp_path: Path) -> None:
    cert, _ = _self_signed(tmp_path)
    _register_subcommands()
    result = CliRunner().invoke(app, ["api", "--certfile", str(cert)])
    assert result.exit_code != 0
    assert "--certfile" in str(result.exception)
