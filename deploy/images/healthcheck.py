"""Container health check: exit 0 when GET <url> answers 200, 1 otherwise.

Used by the image's HEALTHCHECK (Docker, Compose); Kubernetes uses its own probes. The
URL defaults to /health/live of the process in this container (HTTP_PORT, default 8000);
the development identity provider of compose passes its own URL as the only argument.
Standard library only, so the image needs no curl.
"""

import os
import sys
import urllib.request


def main(argv: list[str]) -> int:
    port = os.environ.get("HTTP_PORT", "8000")
    url = argv[1] if len(argv) > 1 else f"http://127.0.0.1:{port}/health/live"
    if not url.startswith("http://127.0.0.1:"):
        print(
            f"refusing to probe {url}: only http://127.0.0.1:<port>/... is checked", file=sys.stderr
        )
        return 2
    try:
        with urllib.request.urlopen(url, timeout=4) as response:  # noqa: S310 (loopback only)
            return 0 if response.status == 200 else 1
    except OSError as error:
        print(f"{url}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
