"""Every API's /docs works without internet: Swagger UI comes from the service itself."""

from __future__ import annotations

import re

import httpx


async def test_the_docs_load_nothing_from_elsewhere(service_api: httpx.AsyncClient) -> None:
    page = await service_api.get("/docs")
    assert page.status_code == 200
    assert "SwaggerUIBundle" in page.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources, "the page loads Swagger UI's files"
    for source in sources:
        assert source.startswith("/docs/assets/"), f"{source} is not served by the service"
        asset = await service_api.get(source)
        assert asset.status_code == 200, source
        assert len(asset.content) > 100, source
    assert re.search(r"url: '/openapi\.json'", page.text)
    assert "cdn" not in page.text.lower()
