"""Every bound a setting can take, in one place: one name per bound, one value per name.

Each page allows what it can honestly do: the calculator only counts, so it takes sizes nobody would train
here; the live pages train on a shared CPU server; the descent paths draw every update of a 2-parameter model.
"""

from __future__ import annotations

SEED_MAX = 2**31 - 1  # every random seed a URL or a box may carry


WARMUP_MAX_EPOCHS = 100  # learning-rate warm-up, wherever a schedule can be set


CALC_MAX_SAMPLES = 10_000_000


CALC_MAX_EPOCHS = 1_000


TRAIN_MAX_EPOCHS = 500  # Training and Compare


TRAIN_MAX_BATCH = 60_000  # MNIST's training set


TRAIN_LR_MIN, TRAIN_LR_MAX = 1e-5, 10.0


TRAIN_MAX_NOISE = 1.0  # the 2-D data sets' noise: past this the classes are no longer told apart


TRAIN_MAX_HIDDEN_LAYERS = 4


TRAIN_HIDDEN_WIDTHS = (4, 8, 16, 32, 64, 128, 256, 512)  # the width slider's stops, and a URL's bounds


PATHS_MIN_SAMPLES, PATHS_MAX_SAMPLES = 2, 5_000


PATHS_MAX_EPOCHS = 50


PATHS_LR_MIN, PATHS_LR_MAX = 1e-4, 10.0


SCHEDULE_LR_MIN, SCHEDULE_LR_MAX = 1e-7, 10.0  # the Learning-rate page: arithmetic and a drawing, no training


SCHEDULE_MAX_BATCH = 1_000_000


SCHEDULE_MAX_SAMPLES = 1_000_000


SCHEDULE_MAX_EPOCHS = 1_000


MAX_TOTAL_UPDATES = 200_000  # bounds the per-update history (about 60 bytes an update) a run keeps in memory

# Data parallel: worker processes on a shared CPU server, enough to see the sampler split, few enough to start
# fast; every drawn index travels to the page and is drawn in its figure.
DP_MAX_DEVICES = 4
DP_MAX_SAMPLES = 2_000
DP_MAX_EPOCHS = 20
