"""How payrun connects to a Temporal cluster: plain, TLS with an API key (Cloud), or mTLS."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.service import TLSConfig

from payrun.config import Settings
from payrun.domain.errors import InvalidInput
from payrun.entrypoints.runner import _tls


@pytest.fixture(autouse=True)
def _no_temporal_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "TEMPORAL_API_KEY",
        "TEMPORAL_TLS_CLIENT_CERT_PATH",
        "TEMPORAL_TLS_CLIENT_KEY_PATH",
    ):
        monkeypatch.delenv(name, raising=False)


def test_a_local_cluster_is_reached_without_tls() -> None:
    assert _tls(Settings()) is False


def test_an_api_key_turns_tls_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMPORAL_API_KEY", "secret-key")
    settings = Settings()
    assert settings.temporal_api_key == "secret-key"
    assert _tls(settings) is True


def test_a_client_certificate_and_key_give_mutual_tls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = tmp_path / "client.pem", tmp_path / "client.key"
    cert.write_bytes(b"CERT")
    key.write_bytes(b"KEY")
    monkeypatch.setenv("TEMPORAL_TLS_CLIENT_CERT_PATH", str(cert))
    monkeypatch.setenv("TEMPORAL_TLS_CLIENT_KEY_PATH", str(key))
    tls = _tls(Settings())
    assert isinstance(tls, TLSConfig)
    assert (tls.client_cert, tls.client_private_key) == (b"CERT", b"KEY")


def test_a_certificate_without_its_key_is_refused_naming_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEMPORAL_TLS_CLIENT_CERT_PATH", str(tmp_path / "client.pem"))
    with pytest.raises(InvalidInput, match="TEMPORAL_TLS_CLIENT_CERT_PATH"):
        _tls(Settings())
