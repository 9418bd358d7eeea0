"""Safe forms of values that may carry a credential, for logs and error messages."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_url(url: str) -> str:
    """Scheme, host and port only: a URL's user, password, path and query can hold a token
    (https://user:pass@bank/..., chat webhooks with the secret in the path)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<unparseable URL>"
    rest = "/…" if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{host}{port}{rest}" if parts.scheme else "<URL>"
