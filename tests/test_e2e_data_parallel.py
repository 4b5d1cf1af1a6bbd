"""The Data-parallel page in real headless Chromium: a shared URL, Start, real worker processes, the proof."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.maths.batching import plan

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
URL = "/data-parallel?devices=2&n=100&batch_size=8&epochs=1&lang={lang}"
TEXT = {
    "en": {"start": "Start data-parallel run", "finished": "Finished: every rank made",
           "global": "Effective batch size", "iterations": "Iterations per epoch", "updates": "Total updates",
           "gradient": "Gradient difference", "figure": "Epoch 1: the sample indices each of 2 ranks draws"},
    "ko": {"start": "데이터 병렬 학습 시작", "finished": "완료: 모든 랭크가", "global": "실질 배치 사이즈",
           "iterations": "에폭당 반복 수", "updates": "총 가중치 업데이트 수", "gradient": "그래디언트 차이",
           "figure": "에폭 1: 랭크 2개가 각각 뽑은 샘플 인덱스"},
}


def _metric(page, label: str) -> str:  # type: ignore[no-untyped-def]
    metric = page.locator('[data-testid="stMetric"]', has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_shared_url_runs_two_real_ranks_and_shows_counts_and_the_gradient_proof(page, server_url, lang):
    text = TEXT[lang]
    p = plan(100, 8, 1, world_size=2)
    page.goto(server_url + URL.format(lang=lang))
    page.get_by_role("button", name=text["start"]).wait_for(timeout=30_000)
    assert _metric(page, text["global"]) == str(p.effective_batch_size)
    page.get_by_role("button", name=text["start"]).click()
    page.get_by_text(text["finished"]).wait_for(timeout=180_000)
    page.locator('[data-testid="stMetric"]', has_text=text["gradient"]).wait_for(timeout=30_000)
    assert _metric(page, text["iterations"]) == str(p.iterations_per_epoch)
    assert _metric(page, text["updates"]) == str(p.total_updates)
    assert float(_metric(page, text["gradient"])) <= 1e-6
    expect(page.locator(".js-plotly-plot").first).to_contain_text(text["figure"], timeout=30_000)
    if os.environ.get("BEL_SCREENSHOTS") and lang == "en":  # refresh the README's picture
        page.set_viewport_size({"width": 1400, "height": 1500})
        page.wait_for_timeout(2_000)
        page.screenshot(path=ROOT / "assets" / "data-parallel-en.png")
    assert page.locator('[data-testid="stException"]').count() == 0
