"""A local S3-compatible server for the tests: moto's ThreadedMotoServer on a free port, with a bucket.

Import the fixture into a test module (``from s3_support import s3_endpoint``); it yields an :class:`S3Endpoint`
whose ``settings()`` are the Config overrides for the S3 storage backend.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class S3Endpoint:
    url: str
    bucket: str
    region: str = "eu-west-1"
    access_key: str = "casus-test"
    secret_key: str = "casus-test-secret"

    def settings(self) -> dict[str, str]:
        return {"storage_backend": "s3", "storage_s3_endpoint": self.url, "storage_s3_bucket": self.bucket,
                "storage_s3_region": self.region, "storage_s3_access_key": self.access_key,
                "storage_s3_secret_key": self.secret_key}

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.url, region_name=self.region,
                            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = S3Endpoint(url=f"http://127.0.0.1:{port}", bucket="casus-documents")
        endpoint.client().create_bucket(Bucket=endpoint.bucket,
                                        CreateBucketConfiguration={"LocationConstraint": endpoint.region})
        yield endpoint
    finally:
        server.stop()
