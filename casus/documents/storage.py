"""Where stored documents' bytes live, outside the database: a small interface and two backends.

Objects are named by the SHA-256 (hex) of their plain content; what is stored is already encrypted
(casus.documents.crypto). ``LocalStorage`` keeps them in a directory (``CASUS_STORAGE_DIR``, else
``<instance>/documents``), sharded by the first hex characters, written atomically (temporary file, fsync,
rename) and readable by the owner only. ``S3Storage`` keeps them in a bucket of an S3-compatible service
(boto3 against ``CASUS_STORAGE_S3_ENDPOINT``). Back them up together with the database (docs/OPERATIONS.md).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

SHA256 = re.compile(r"[0-9a-f]{64}")


class ObjectMissing(Exception):
    """No stored object has that name."""


class StorageUnavailable(Exception):
    """The backend could not be reached or refused the operation."""


def _checked(name: str) -> str:
    if not SHA256.fullmatch(name):  # names become paths and keys: never anything but a hex digest
        raise ValueError("a stored object is named by a lower-case hex SHA-256")
    return name


class Storage(Protocol):
    def put(self, name: str, data: bytes) -> None: ...
    def get(self, name: str) -> bytes: ...  # ObjectMissing when absent
    def delete(self, name: str) -> None: ...  # absent is fine
    def exists(self, name: str) -> bool: ...
    def names(self) -> Iterator[str]: ...


class LocalStorage:
    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def path(self, name: str) -> Path:
        name = _checked(name)
        return self.root / name[:2] / name[2:4] / name

    def put(self, name: str, data: bytes) -> None:
        target = self.path(name)
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            target.parent.parent.mkdir(mode=0o700, exist_ok=True)
            target.parent.mkdir(mode=0o700, exist_ok=True)
            # mkstemp creates the file with mode 0600: never world-readable, not even for a moment.
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(data)
                    file.flush()
                    os.fsync(file.fileno())
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StorageUnavailable(f"cannot write to the storage directory: {type(exc).__name__}") from exc

    def get(self, name: str) -> bytes:
        try:
            return self.path(name).read_bytes()
        except FileNotFoundError as exc:
            raise ObjectMissing(name) from exc
        except OSError as exc:
            raise StorageUnavailable(f"cannot read the storage directory: {type(exc).__name__}") from exc

    def delete(self, name: str) -> None:
        try:
            self.path(name).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageUnavailable(f"cannot delete from the storage directory: {type(exc).__name__}") from exc

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def names(self) -> Iterator[str]:
        for path in sorted(self.root.glob("??/??/*")):
            if SHA256.fullmatch(path.name):
                yield path.name


class S3Storage:
    def __init__(self, *, endpoint: str, bucket: str, region: str, access_key: str = "", secret_key: str = "",
                 timeout: float = 30) -> None:
        import boto3
        from botocore.config import Config as BotoConfig

        credentials = {"aws_access_key_id": access_key, "aws_secret_access_key": secret_key} if access_key else {}
        self.bucket = bucket
        self.client = boto3.client(
            "s3", endpoint_url=endpoint or None, region_name=region, **credentials,
            config=BotoConfig(connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 3}))

    @staticmethod
    def key(name: str) -> str:
        name = _checked(name)
        return f"{name[:2]}/{name}"

    def _call(self, operation: str, **params):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, operation)(Bucket=self.bucket, **params)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchKey", "404", "NotFound"):
                raise ObjectMissing(params.get("Key", "")) from exc
            raise StorageUnavailable(f"S3 refused {operation}: {code}") from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(f"S3 unreachable: {type(exc).__name__}") from exc

    def put(self, name: str, data: bytes) -> None:
        self._call("put_object", Key=self.key(name), Body=data, ContentType="application/octet-stream")

    def get(self, name: str) -> bytes:
        from botocore.exceptions import BotoCoreError

        body = self._call("get_object", Key=self.key(name))["Body"]
        try:
            return body.read()
        except (BotoCoreError, OSError) as exc:
            raise StorageUnavailable(f"S3 read failed: {type(exc).__name__}") from exc

    def delete(self, name: str) -> None:
        self._call("delete_object", Key=self.key(name))

    def exists(self, name: str) -> bool:
        try:
            self._call("head_object", Key=self.key(name))
        except ObjectMissing:
            return False
        return True

    def names(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket):
            for item in page.get("Contents", ()):
                name = item["Key"].rpartition("/")[2]
                if SHA256.fullmatch(name):
                    yield name


def storage_for(config) -> Storage:
    """The backend ``config`` (casus.config.Config) names."""
    if config.storage_backend == "s3":
        return S3Storage(endpoint=config.storage_s3_endpoint, bucket=config.storage_s3_bucket,
                         region=config.storage_s3_region, access_key=config.storage_s3_access_key,
                         secret_key=config.storage_s3_secret_key)
    return LocalStorage(config.storage_dir or Path(config.instance_path) / "documents")
