"""MNIST as the lesson's Keras example loads it: ``mnist.npz``, downloaded once, checked, cached.

The file and checksum are the ones ``keras.datasets.mnist.load_data()`` uses, so
the app trains on exactly the data the lesson's Keras code sees.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from core.i18n import Message

MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"


# keras/src/datasets/mnist.py passes this as get_file(file_hash=...).
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


MNIST_FILENAME = "mnist.npz"


Progress = Callable[[int, int], None]  # (bytes_done, bytes_total); total is 0 when the server does not say


Opener = Callable[..., Any]  # urllib.request.urlopen-like: opener(url, timeout=...) -> a readable response


_CHUNK_BYTES = 1 << 16


class MnistDownloadError(RuntimeError):
    """MNIST could not be downloaded or did not match its published checksum; says why in either language."""

    def __init__(self, key: str, **values: object) -> None:
        self.key = f"mnist.error.{key}"
        self.values = values
        super().__init__(self.as_message().text("en"))

    def as_message(self) -> Message:
        """The explanation as a translatable value (``core.i18n.error_message`` uses it)."""
        return Message(self.key, self.values)


def cache_dir() -> Path:
    """Where downloaded data sets live: ``$XDG_CACHE_HOME/batch-epoch-lab`` or ``~/.cache/batch-epoch-lab``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "batch-epoch-lab"


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_mnist(
    *,
    url: str = MNIST_URL,
    sha256: str = MNIST_SHA256,
    directory: Path | None = None,
    progress: Progress | None = None,
    opener: Opener = urllib.request.urlopen,
    timeout_s: float = 30.0,
) -> Path:
    """Path of a verified ``mnist.npz``, downloading it into the cache on first use."""
    target = (directory or cache_dir()) / MNIST_FILENAME
    if target.exists() and sha256_of(target) == sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # A unique partial name lets two sessions download at once; os.replace makes the finished file appear whole.
    partial = target.with_name(f"{MNIST_FILENAME}.{uuid.uuid4().hex}.part")
    try:
        digest = _download(url, partial, progress, opener, timeout_s)
        if digest != sha256:
            raise MnistDownloadError("damaged", digest=digest, expected=sha256)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _download(url: str, path: Path, progress: Progress | None, opener: Opener, timeout_s: float) -> str:
    digest = hashlib.sha256()
    try:
        with opener(url, timeout=timeout_s) as response, path.open("wb") as out:
            total = int(response.headers.get("Content-Length") or 0) if getattr(response, "headers", None) else 0
            done = 0
            if progress is not None:
                progress(done, total)
            for block in iter(lambda: response.read(_CHUNK_BYTES), b""):
                out.write(block)
                digest.update(block)
                done += len(block)
                if progress is not None:
                    progress(done, total)
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise MnistDownloadError("offline", url=url, reason=str(reason), folder=str(path.parent)) from exc
    return digest.hexdigest()


def load_mnist(
    n_samples: int | None = None,
    *,
    progress: Progress | None = None,
    **fetch_options: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n_samples`` MNIST training images (uint8, (N, 28, 28)) and labels (uint8, (N,))."""
    path = fetch_mnist(progress=progress, **fetch_options)
    with np.load(path, allow_pickle=False) as f:
        images, labels = f["x_train"], f["y_train"]
    if n_samples is not None:
        images, labels = images[:n_samples], labels[:n_samples]
    return images, labels
