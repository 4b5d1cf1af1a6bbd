"""Korean strings. Wording follows the seed lesson (배치 사이즈, 에폭, 반복, 가중치 업데이트)."""

STRINGS: dict[str, str] = {
    # app shell
    "app.title": "Batch & Epoch Lab",
    "app.tagline": "배치 사이즈와 에폭이 반복(이터레이션) 수와 가중치 업데이트 수로 어떻게 바뀌는지 직접 확인하세요.",
    "nav.calculator": "계산기",
    "sidebar.language": "언어",
    "sidebar.about": "모든 숫자는 PyTorch(random_split, DataLoader, DistributedSampler)와 Keras(model.fit)의 "
    "동작과 정확히 일치합니다.",
    "lang.en": "English (영어)",
    "lang.ko": "한국어",
    # units
    "unit.ms": "{value}밀리초",
    "unit.s": "{value}초",
    "unit.min": "{value}분",
    "unit.h": "{value}시간",
    "unit.d": "{value}일",
    # setting names, used inside error messages
    "field.n_samples": "데이터셋 크기",
    "field.batch_size": "배치 사이즈",
    "field.epochs": "에폭 수",
    "field.grad_accum_steps": "그래디언트 누적 단계",
    "field.world_size": "장치 수",
    "field.target_updates": "목표 업데이트 수",
    "field.updates_per_epoch": "에폭당 업데이트 수",
    "field.train_samples": "학습 샘플 수",
    "field.iterations_per_epoch": "에폭당 반복 수",
    "field.epoch": "에폭",
    "field.samples": "샘플 수",
    # errors raised by core.batching
    "error.not_whole": "{field}는(은) 정수여야 합니다. 입력값: {value}",
    "error.too_small": "{field}는(은) {minimum} 이상이어야 합니다. 입력값: {value}",
    "error.split_not_number": "검증 데이터 비율은 숫자여야 합니다. 입력값: {value}",
    "error.split_range": "검증 데이터 비율은 0 이상 1 미만이어야 합니다. 입력값: {value}",
    "error.framework": "프레임워크는 {choices} 중 하나여야 합니다. 입력값: {value}",
    "error.keras_split_empty": "Keras는 {n}개의 샘플을 validation_split={split}로 나눌 수 없습니다. 학습 또는 검증 "
    "데이터가 비게 됩니다(model.fit도 여기서 오류를 냅니다).",
    "error.no_train": "검증 데이터 비율 {split}로는 {n}개 중 학습 샘플이 하나도 남지 않습니다.",
    "error.keras_drop_last": "Keras model.fit은 마지막의 작은 배치를 항상 사용합니다. drop_last는 PyTorch에만 "
    "해당합니다.",
    "error.keras_devices": "여기서 Keras 방식은 단일 장치 model.fit입니다. 장치 수를 1로 설정하세요.",
    "error.throughput": "처리량은 초당 샘플 수로 0보다 커야 합니다. 입력값: {value}",
    # URL parameters that could not be used
    "param.malformed": "링크의 `{name}={raw}` 값이 올바르지 않아 {used}을(를) 대신 사용합니다.",
    "param.out_of_range": "링크의 `{name}={raw}` 값이 허용 범위를 벗어나 {used}을(를) 대신 사용합니다.",
    "param.conflict.batch_size": "링크의 배치 사이즈 {raw}이(가) 데이터셋보다 커서 {used}을(를) 대신 사용합니다.",
    "param.conflict.drop_last": "Keras model.fit에는 drop_last가 없어 링크의 `drop_last=true`를 무시합니다.",
    "param.conflict.devices": "여기서 Keras 방식은 단일 장치이므로 링크의 `devices={raw}`를 무시합니다.",
    # presets
    "preset.seed_200": "샘플 200개 · 배치 20 · 10 에폭",
    "preset.seed_1000": "샘플 1,000개 · 배치 50 · 20 에폭",
    "preset.mnist": "MNIST 60,000개 · 배치 32 · 10 에폭 · 검증 0.2 (Keras)",
    # calculator page
    "calc.title": "배치 · 에폭 계산기",
    "calc.intro": "데이터셋 크기, 배치 사이즈, 에폭 수를 정하면 에폭당 반복(이터레이션) 수와 전체 가중치 업데이트 "
    "수를 PyTorch나 Keras와 똑같이 계산합니다.",
    "calc.presets": "강의 예제",
    "calc.inputs": "설정",
    "calc.n": "데이터셋 크기 (샘플 수)",
    "calc.n_help": "검증 데이터를 나누기 전의 샘플 수, 1 ~ 10,000,000.",
    "calc.batch_size": "배치 사이즈",
    "calc.batch_size_help": "한 번에(한 번의 반복에서) 처리하는 샘플 수, 1 ~ 데이터셋 크기.",
    "calc.epochs": "에폭 수",
    "calc.epochs_help": "전체 학습 데이터를 몇 바퀴 학습할지, 1 ~ 1,000.",
    "calc.drag": "{label}, 로그 스케일",
    "calc.drop_last": "마지막의 작은 배치 버리기 (drop_last)",
    "calc.drop_last_help": "PyTorch DataLoader(drop_last=True)는 배치 사이즈보다 작은 마지막 배치를 건너뜁니다.",
    "calc.drop_last_keras": "Keras model.fit은 마지막의 작은 배치를 항상 사용합니다.",
    "calc.val_split": "검증 데이터 비율 (validation_split)",
    "calc.val_split_help": "검증용으로 떼어 두는 데이터의 비율 (0 ~ 0.95).",
    "calc.framework": "프레임워크 방식",
    "calc.framework_help": "검증 데이터를 나누는 방식: PyTorch random_split은 각 부분을 내림하고 남는 샘플을 학습 "
    "데이터에 줍니다. Keras model.fit은 앞쪽 int(n × (1 − 비율))개 행을 학습에 씁니다.",
    "framework.pytorch": "PyTorch (random_split + DataLoader)",
    "framework.keras": "Keras (model.fit)",
    "calc.advanced": "그래디언트 누적과 장치 수",
    "calc.accum": "그래디언트 누적 단계",
    "calc.accum_help": "옵티마이저가 한 번 업데이트하기 전에 그래디언트를 더하는 배치 수. 에폭 끝의 모자란 묶음도 "
    "한 번 업데이트합니다(Lightning, Hugging Face Trainer 방식).",
    "calc.devices": "장치 수 (데이터 병렬)",
    "calc.devices_help": "각 장치는 DistributedSampler로 자기 배치를 뽑습니다. 모든 장치가 ceil(학습 샘플 / 장치 수)"
    "개를 받도록 데이터를 채워 넣습니다.",
    "calc.keras_single_device": "Keras 방식: 장치 1개.",
    "calc.results": "결과",
    "calc.formula": "계산 과정",
    "calc.regime": "경사하강법 종류",
    "calc.recommendation": "강의의 가이드: 샘플 {n}개는 {size_class} 데이터셋이므로 권장 배치 사이즈는 "
    "{low}–{high}입니다.",
    "calc.pictures": "배치를 눈으로 보기",
    "calc.conveyor_epoch": "보여줄 에폭",
    "calc.shuffle": "에폭마다 섞기 (shuffle=True)",
    "calc.whatif": "이렇게 하면?",
    "calc.share": "주소창에 모든 설정이 들어 있습니다. 복사해서 이 설정을 그대로 공유하세요.",
    "calc.invalid": "이 설정으로는 학습할 수 없습니다: {message}",
    # metrics
    "metric.iterations_per_epoch": "에폭당 반복 수",
    "metric.iterations_per_epoch_help": "한 에폭에서 (장치당) 뽑는 배치 수.",
    "metric.total_updates": "총 가중치 업데이트 수",
    "metric.total_updates_help": "모든 에폭에 걸친 옵티마이저 스텝(가중치 업데이트) 수.",
    "metric.updates_per_epoch": "에폭당 업데이트 수",
    "metric.train_samples": "학습 샘플",
    "metric.val_samples": "검증 샘플",
    "metric.last_batch_size": "마지막 배치 크기",
    "metric.dropped_samples": "에폭마다 버려지는 샘플",
    "metric.samples_seen": "학습한 샘플 수",
    "metric.samples_seen_help": "전체 학습 동안 모델을 통과한 샘플 수.",
    "metric.effective_batch_size": "실질 배치 사이즈",
    "metric.effective_batch_size_help": "배치 사이즈 × 누적 단계 × 장치 수: 업데이트 한 번에 쓰이는 샘플 수.",
    # explanation
    "formula.sentence": "{division} = {iterations} → {updates}번의 업데이트 = 1 에폭",
    "regime.batch": "배치 경사하강법 (Batch Gradient Descent): 배치 하나에 전체 학습 데이터가 들어가므로"
    "(batch_size = len(X_train)) 업데이트마다 모든 데이터를 봅니다.",
    "regime.stochastic": "확률적 경사하강법 (Stochastic Gradient Descent, SGD): 한 번에 하나의 샘플로 업데이트합니다"
    "(batch_size = 1).",
    "regime.mini_batch": "미니배치 경사하강법 (Mini-batch Gradient Descent): 작은 배치를 사용하는 가장 일반적인 "
    "방법입니다(batch_size = 32, 또는 64, 128, 256).",
    "rec.class.small": "작음 (< 1000)",
    "rec.class.medium": "중간 (1000-10000)",
    "rec.class.large": "큼 (> 10000)",
    "rec.inside": "배치 사이즈 {batch}은(는) 권장 범위 {low}–{high} 안에 있습니다.",
    "rec.below": "배치 사이즈 {batch}은(는) 권장 범위 {low}–{high}보다 작습니다: 업데이트가 잦고 노이즈가 많습니다.",
    "rec.above": "배치 사이즈 {batch}은(는) 권장 범위 {low}–{high}보다 큽니다: 업데이트가 적고 안정적이지만 메모리를 "
    "더 씁니다.",
    "warn.zero_updates": "배치 사이즈 {batch:,}이(가) 장치당 샘플 {per_rank:,}개보다 크고 drop_last가 켜져 있어 배치가 "
    "하나도 만들어지지 않습니다. 모델이 한 번도 업데이트되지 않습니다.",
    "warn.exceeds": "배치 사이즈 {batch:,}이(가) 학습 샘플 {per_rank:,}개보다 큽니다: 매 에폭이 {per_rank:,}개짜리 "
    "배치 하나입니다.",
    "warn.dropped": "drop_last 때문에 에폭마다 샘플 {dropped:,}개(학습 데이터의 {percent}%)를 버립니다.",
    "note.partial": "마지막 배치가 더 작습니다: {batch:,}개짜리 배치 {full:,}개 다음에 {last:,}개짜리 배치 하나.",
    "note.padded": "DistributedSampler가 샘플 {padded:,}개를 반복해 넣어 장치 {devices}개가 각각 {per_rank:,}개씩 "
    "받습니다.",
    "note.accum": "배치 {accum}개의 그래디언트를 더한 뒤 한 번 업데이트합니다. "
    "에폭 끝의 배치 {tail}개짜리 묶음도 한 번 업데이트합니다(Lightning / Hugging Face 방식).",
    # what-if helpers
    "whatif.target_updates": "원하는 총 업데이트 수",
    "whatif.epochs_needed": "{epochs:,} 에폭이면 업데이트 {updates:,}번입니다(에폭당 {per_epoch:,}번).",
    "whatif.target_iterations": "원하는 에폭당 반복 수",
    "whatif.batch_range": "배치 사이즈 {low:,}–{high:,}이면 에폭당 정확히 {k:,}번 반복합니다.",
    "whatif.batch_single": "배치 사이즈 {low:,}이면 에폭당 정확히 {k:,}번 반복합니다.",
    "whatif.batch_none": "학습 샘플 {n:,}개로 에폭당 정확히 {k:,}번 반복하는 배치 사이즈는 없습니다.",
    "whatif.throughput": "측정한 처리량 (샘플/초)",
    "whatif.time": "초당 {rate}개라면 에폭당 {epoch_time}, 전체 학습에 {total_time}.",
    # figures
    "fig.conveyor.title": "배치 컨베이어, {epoch}번째 에폭",
    "fig.conveyor.by_sample": "타일 하나가 학습 샘플 하나(번호 순)이며, 그 샘플을 뽑는 배치의 색입니다",
    "fig.conveyor.by_position": "타일 하나가 샘플 {per_tile}개이며, 에폭이 뽑는 순서대로입니다",
    "fig.conveyor.hover_sample": "샘플 %{{customdata[0]}}<br>배치 %{{customdata[1]}}",
    "fig.conveyor.hover_tile": "%{{customdata[0]}}번째 위치부터의 샘플 (타일당 {per_tile}개)<br>"
    "배치 %{{customdata[1]}}",
    "fig.conveyor.hover_rank": "장치 %{{customdata[2]}}",
    "fig.conveyor.legend_batch": "배치 (색이 반복됨)",
    "fig.conveyor.legend_partial": "마지막의 작은 배치 ({last}개)",
    "fig.conveyor.legend_dropped": "버려짐 (drop_last)",
    "fig.timeline.title": "전체 학습: {epochs} 에폭 동안 업데이트 {updates}번",
    "fig.timeline.samples": "학습한 샘플 수",
    "fig.timeline.update": "업데이트",
    "fig.timeline.epoch_end": "에폭의 끝",
    "fig.timeline.hover": "업데이트 %{{x:,}}<br>학습한 샘플 %{{y:,}}",
    "fig.timeline.hover_update": "업데이트 %{{x:,}} (%{{customdata[0]}}번째 에폭의 %{{customdata[1]}}번째)"
    "<br>학습한 샘플 %{{y:,}}",
    "fig.timeline.x": "업데이트 (옵티마이저 스텝)",
    "fig.timeline.y": "학습한 샘플 수",
}
