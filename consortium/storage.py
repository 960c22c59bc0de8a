"""Where the application keeps files: a local folder (the default) or S3-compatible object storage.

One setting chooses. With STORAGE_URL unset, each area is a folder of the instance folder (or the
folder its own setting names); with STORAGE_URL=s3://bucket/prefix, each area is a prefix in that
bucket, which every web machine and worker sees (S3_ENDPOINT_URL names a server other than AWS's;
credentials come from the environment as boto3 reads them). Both stores have the same verbs, so
the code that keeps materials, pending imports and rendered PDFs does not know which it has.
"""
from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from typing import BinaryIO, NamedTuple
from urllib.parse import urlsplit

from flask import current_app

from .files import instance_folder, read_cached, write_atomically

# Each area and the setting that may name its local folder.
AREAS = {
    "uploads": "UPLOAD_FOLDER",  # materials
    "imports": "ROSTER_IMPORT_FOLDER",  # roster files waiting for confirmation
    "pdf-cache": "PDF_CACHE_FOLDER",  # rendered PDFs, by content
    "ical-cache": "ICAL_CACHE_FOLDER",  # serialized calendar events, by version
    "open-data": "OPEN_DATA_FOLDER",  # the public bulk download, by the fingerprint of the public rows
}
# A key is a relative path of plain names: it can never climb out of its area.
KEY = re.compile(r"[0-9A-Za-z][0-9A-Za-z_.-]*(/[0-9A-Za-z][0-9A-Za-z_.-]*)*")
# A .part file this old belongs to a write that died: a live one is a few seconds old.
ABANDONED_PART = 3600


class Blob(NamedTuple):
    key: str
    size: int
    used: float  # seconds since the epoch: last use in a folder, last write in a bucket


def check_key(key: str) -> str:
    if not KEY.fullmatch(key or "") or ".." in key:
        raise ValueError(f"not a storage key: {key!r}")
    return key


def fanned_out(name: str) -> str:
    """A key under a sub-folder named by the name's first two characters (ab/abcdef…): hashes and
    random names spread evenly, so no folder grows past a few thousand files."""
    return f"{name[:2]}/{name}"


class LocalStore:
    """An area as a folder on this machine's disk."""

    def __init__(self, root: str):
        self.root = root

    def path(self, key: str) -> str:
        return os.path.join(self.root, *check_key(key).split("/"))

    def put(self, key: str, data: bytes) -> None:
        write_atomically(self.path(key), data)

    def get(self, key: str) -> bytes | None:
        """The bytes under the key, or None; marks a cached file as used, for prune()."""
        return read_cached(self.path(key))

    def open(self, key: str) -> BinaryIO:
        """The bytes to stream; FileNotFoundError when the key holds nothing."""
        return open(self.path(key), "rb")

    def exists(self, key: str) -> bool:
        return os.path.isfile(self.path(key))

    def delete(self, key: str) -> None:
        """Remove the key's bytes; a key already empty is not an error."""
        try:
            os.remove(self.path(key))
        except FileNotFoundError:
            pass

    def blobs(self) -> Iterator[Blob]:
        for parent, _folders, names in os.walk(self.root):
            for name in names:
                path = os.path.join(parent, name)
                try:
                    stat = os.stat(path)
                except FileNotFoundError:  # removed meanwhile
                    continue
                yield Blob(os.path.relpath(path, self.root).replace(os.sep, "/"), stat.st_size, stat.st_mtime)


class S3Store:
    """An area as a prefix in an S3-compatible bucket. Writes of a whole object are atomic there,
    so no reader sees half a file, as with the folder's rename."""

    def __init__(self, client, bucket: str, prefix: str):
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def open(self, key: str) -> BinaryIO:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except self.client.exceptions.NoSuchKey as exc:
            raise FileNotFoundError(key) from exc

    def get(self, key: str) -> bytes | None:
        try:
            with self.open(key) as body:
                return body.read()
        except FileNotFoundError:
            return None

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except self.client.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def blobs(self) -> Iterator[Blob]:
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                yield Blob(item["Key"][len(self.prefix):], item["Size"], item["LastModified"].timestamp())


Store = LocalStore | S3Store


def store(area: str) -> Store:
    """The store of an area, as the settings choose."""
    url = current_app.config.get("STORAGE_URL")
    if not url:
        return LocalStore(instance_folder(AREAS[area], area))
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise RuntimeError(f"STORAGE_URL must be s3://bucket/prefix, not {url!r}")
    prefix = parts.path.strip("/")
    return S3Store(_s3_client(), parts.netloc, f"{prefix}/{area}/" if prefix else f"{area}/")


def _s3_client():
    """One client per application: boto3's clients are safe to share between threads."""
    client = current_app.extensions.get("s3_client")
    if client is None:
        import boto3  # only deployments that store in S3 pay for importing it

        client = boto3.client("s3", endpoint_url=current_app.config.get("S3_ENDPOINT_URL") or None)
        current_app.extensions["s3_client"] = client
    return client


class Pruned(NamedTuple):
    removed: int
    freed: int  # bytes
    kept: int
    kept_bytes: int


def prune(area: Store, unused_days: int, max_bytes: int) -> Pruned:
    """Remove the blobs unused for that many days, then the least recently used ones until the
    area holds at most max_bytes. Safe while workers read and write: a file removed under a reader
    is read from its open handle, and one found missing is made again."""
    now = time.time()
    blobs = sorted(area.blobs(), key=lambda blob: blob.used)  # least recently used first
    total = sum(blob.size for blob in blobs)
    removed = freed = 0
    for blob in blobs:
        unused = now - blob.used > unused_days * 24 * 3600
        abandoned = blob.key.endswith(".part") and now - blob.used > ABANDONED_PART
        if not (unused or abandoned or total > max_bytes):
            continue
        area.delete(blob.key)
        total -= blob.size
        removed, freed = removed + 1, freed + blob.size
    return Pruned(removed, freed, len(blobs) - removed, total)
