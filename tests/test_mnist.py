"""The MNIST download: checksum, cache, progress and a clear error offline; never the network."""

from __future__ import annotations

import hashlib
import io
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from core.i18n import error_message
from core.train.mnist import MNIST_SHA256, MNIST_URL, MnistDownloadError, cache_dir, fetch_mnist, load_mnist


@pytest.fixture
def small_npz(tmp_path: Path) -> tuple[str, str]:
    """A tiny mnist.npz with the real file's keys, as (file:// URL, sha256)."""
    source = tmp_path / "source" / "mnist.npz"
    source.parent.mkdir()
    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        x_train=rng.integers(0, 256, (30, 28, 28), dtype=np.uint8), y_train=np.arange(30, dtype=np.uint8) % 10,
        x_test=np.zeros((5, 28, 28), dtype=np.uint8), y_test=np.zeros(5, dtype=np.uint8),
    )
    source.write_bytes(buffer.getvalue())
    return source.as_uri(), hashlib.sha256(buffer.getvalue()).hexdigest()


def test_download_with_matching_checksum_is_cached(small_npz: tuple[str, str], tmp_path: Path) -> None:
    url, sha = small_npz
    path = fetch_mnist(url=url, sha256=sha, directory=tmp_path / "cache")
    assert path == tmp_path / "cache" / "mnist.npz" and path.exists()
    assert list((tmp_path / "cache").iterdir()) == [path]  # no partial file left behind


def test_cached_file_is_reused_without_downloading(small_npz: tuple[str, str], tmp_path: Path) -> None:
    url, sha = small_npz
    first = fetch_mnist(url=url, sha256=sha, directory=tmp_path)

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("downloaded again")

    assert fetch_mnist(url=url, sha256=sha, directory=tmp_path, opener=no_network) == first


def test_checksum_mismatch_raises_and_keeps_nothing(small_npz: tuple[str, str], tmp_path: Path) -> None:
    url, _ = small_npz
    with pytest.raises(MnistDownloadError, match="SHA-256"):
        fetch_mnist(url=url, sha256="0" * 64, directory=tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_damaged_cached_file_is_downloaded_again(small_npz: tuple[str, str], tmp_path: Path) -> None:
    url, sha = small_npz
    (tmp_path / "mnist.npz").write_bytes(b"truncated")
    path = fetch_mnist(url=url, sha256=sha, directory=tmp_path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha


def test_progress_reports_bytes_up_to_the_total(small_npz: tuple[str, str], tmp_path: Path) -> None:
    url, sha = small_npz
    calls: list[tuple[int, int]] = []
    path = fetch_mnist(url=url, sha256=sha, directory=tmp_path, progress=lambda *report: calls.append(report))
    size = path.stat().st_size
    assert calls[0] == (0, size) and calls[-1] == (size, size)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_offline_gives_a_clear_error(tmp_path: Path) -> None:
    def offline(url: str, timeout: float) -> None:
        raise urllib.error.URLError("Temporary failure in name resolution")

    with pytest.raises(MnistDownloadError, match="offline") as caught:
        fetch_mnist(directory=tmp_path, opener=offline)
    assert MNIST_URL in str(caught.value) and str(tmp_path) in str(caught.value)
    assert list(tmp_path.iterdir()) == []
    korean = error_message(caught.value).text("ko")  # what a Korean page shows when the run fails
    assert "내려받지 못했습니다" in korean and str(tmp_path) in korean and "may be offline" not in korean


def test_load_returns_the_first_training_images(small_npz: tuple[str, str], tmp_path: Path) -> None:
    url, sha = small_npz
    images, labels = load_mnist(12, url=url, sha256=sha, directory=tmp_path)
    assert images.shape == (12, 28, 28) and images.dtype == np.uint8
    assert labels.tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]


def test_cache_dir_follows_xdg_cache_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "batch-epoch-lab"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "batch-epoch-lab"


def test_published_checksum_is_the_keras_one() -> None:
    assert MNIST_SHA256 == "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
