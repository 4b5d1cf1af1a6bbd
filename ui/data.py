"""Data sets shared by every session: loaded once per setting, never copied per session."""

from __future__ import annotations

import streamlit as st
import torch

from core.maths.catalog import DATASETS
from core.train.datasets import load_dataset


@st.cache_resource(max_entries=16, show_spinner=False)
def cached_dataset(dataset: str, n: int, noise: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The data set's tensors (read-only by convention: runs index them, never write to them)."""
    return load_dataset(dataset, n, noise=noise, seed=seed)


def preloaded(dataset: str, n: int, noise: float, seed: int) -> tuple[torch.Tensor, torch.Tensor] | None:
    """The tensors for a run, or None for a data set the run must download itself (with progress)."""
    return None if DATASETS[dataset].needs_download else cached_dataset(dataset, n, noise, seed)
