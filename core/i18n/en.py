"""English strings. Wording follows Keras and PyTorch usage."""

STRINGS: dict[str, str] = {
    # app shell
    "app.title": "Batch & Epoch Lab",
    "app.tagline": "See how batch size and epochs turn into iterations and weight updates.",
    "nav.calculator": "Calculator",
    "nav.training": "Training",
    "nav.compare": "Compare batch sizes",
    "nav.paths": "Descent paths",
    "nav.learning_rate": "Learning rate",
    "nav.learn": "Lesson",
    "sidebar.language": "Language",
    "sidebar.about": "Numbers follow PyTorch (random_split, DataLoader, DistributedSampler) and Keras (model.fit) "
    "exactly.",
    "sidebar.training": "Training: epoch {epoch}/{epochs} ({percent}%)",
    "sidebar.comparing": "Comparing batch sizes: run {current} of {total}",
    "tab.reattached": "Reconnected: this tab's training and earlier runs are back.",
    "tab.foreign": "That link belongs to a tab that is still open, so its runs stay there; this tab starts its own.",
    "tab.other_browser": "That link belongs to a tab of another browser, so its runs stay there; this tab starts its "
    "own. (A reload in a browser that blocks cookies for this site also starts afresh.)",
    "tab.lost": "This page's earlier runs could not be found: they were on a server process that has since "
    "stopped or restarted, or they were forgotten after the tab stayed closed. They cannot be recovered; this tab "
    "starts afresh.",
    "lang.en": "English",
    "lang.ko": "한국어",
    # units
    "unit.ms": "{value} ms",
    "unit.s": "{value} s",
    "unit.min": "{value} min",
    "unit.h": "{value} h",
    "unit.d": "{value} d",
    # setting names, used inside error messages
    "field.n_samples": "dataset size",
    "field.batch_size": "batch size",
    "field.epochs": "epochs",
    "field.grad_accum_steps": "gradient accumulation steps",
    "field.world_size": "number of devices",
    "field.target_updates": "target number of updates",
    "field.updates_per_epoch": "updates per epoch",
    "field.train_samples": "training samples",
    "field.iterations_per_epoch": "iterations per epoch",
    "field.epoch": "epoch",
    "field.samples": "samples",
    # errors raised by core
    "error.not_whole": "The {field} must be a whole number, got {value}.",
    "error.too_small": "The {field} must be at least {minimum}, got {value}.",
    "error.split_not_number": "The validation split must be a number, got {value}.",
    "error.split_range": "The validation split must be at least 0 and below 1, got {value}.",
    "error.framework": "The framework must be one of {choices}, got {value}.",
    "error.keras_split_empty": "Keras cannot split {n} {n:plural:sample|samples} with validation_split={split}: it "
    "would leave the "
    "training or the validation set empty (model.fit raises an error here too).",
    "error.no_train": "A validation split of {split} leaves no training samples out of {n}.",
    "error.keras_drop_last": "Keras model.fit always keeps the last, smaller batch: drop_last applies to PyTorch only.",
    "error.keras_devices": "The Keras convention here is single-device model.fit: set the number of devices to 1.",
    "error.throughput": "The throughput must be a positive number of samples per second, got {value}.",
    "error.size_range": "{dataset} takes {low:,} to {high:,} {high:plural:sample|samples}, got {n:,}.",
    "error.lr_positive": "The learning rate must be a positive number, got {value}.",
    "error.noise": "Noise must be a number of at least 0, got {value}.",
    "error.drop_every_batch": "With drop_last, a batch size of {batch:,} is larger than the {train:,} training "
    "samples: every batch is dropped and nothing trains.",
    "error.too_many_updates": "This run makes {updates:,} {updates:plural:update|updates}; the limit is {limit:,}. "
    "Use a larger batch size or "
    "fewer epochs.",
    "error.schedule_length": "The learning-rate schedule has {got:,} {got:plural:value|values}, one per update is "
    "needed ({needed:,}).",
    "error.schedule_values": "Every learning rate in the schedule must be a number of at least 0.",
    "error.exception": "{type}: {text}",
    "error.unknown_choice": "Unknown {name} {value}; choose one of {choices}.",
    "error.max_updates": "max_updates must be a whole number of at least 1, got {value}.",
    "error.time_budget": "time_budget_s must be a positive number of seconds, got {value}.",
    "error.data_rows": "The data has {rows} {rows:plural:row|rows} but the config asks for {n}.",
    "error.hidden_layers": "An MLP has 1 to {maximum} hidden layers, got {value}.",
    "error.hidden_width": "Hidden layers are 1 to {maximum} units wide, got {value}.",
    "error.compare_count": "Compare {low} to {high} batch sizes, got {count}.",
    "error.compare_distinct": "The batch sizes must differ, got {sizes}.",
    "error.compare_seconds": "The time budget must be between 0 and {maximum:g} s, got {value}.",
    "choice.model": "model",
    "choice.activation": "activation",
    "choice.optimizer": "optimizer",
    "choice.framework": "framework",
    "choice.device": "device",
    "choice.budget": "budget",
    # how a training run ends, and what a live run is doing (core.train.engine, core.train.runner)
    "engine.device_fallback.cuda": "CUDA was requested but no CUDA GPU is available here: training on the CPU.",
    "engine.device_fallback.mps": "MPS was requested but no Apple GPU is available here: training on the CPU.",
    "engine.diverged": "The loss became NaN or infinite at update {update} (epoch {epoch}, iteration {iteration}): "
    "training stopped. A smaller learning rate usually fixes this.",
    "engine.stopped": "Stopped after {done} of {total} {total:plural:update|updates}.",
    "engine.finished_budget": "Finished: budget spent after {updates} {updates:plural:update|updates}, {samples:,} "
    "{samples:plural:sample|samples} seen.",
    "engine.finished": "Finished: {epochs} {epochs:plural:epoch|epochs}, {updates} {updates:plural:update|updates}, "
    "{samples:,} {samples:plural:sample|samples} seen.",
    "runner.not_started": "Not started yet.",
    "runner.preparing": "Preparing PyTorch and the data…",
    "mnist.error.damaged": "The downloaded MNIST file is damaged: its SHA-256 is {digest}, expected {expected}. "
    "Try again; if it keeps failing, the download is being altered on the way.",
    "mnist.error.offline": "Could not download MNIST from {url} ({reason}). The computer may be offline; connect "
    "to the internet, or copy mnist.npz into {folder} by hand.",
    "runner.download.sized": "Downloading MNIST (once): {done} of {total} MB…",
    "runner.download.unsized": "Downloading MNIST (once): {done} MB…",
    "runner.waiting": "Ready: waiting for a turn to train.",
    "runner.training": "Training…",
    "runner.stopped_before_start": "Stopped before training began.",
    "runner.abandoned": "Stopped because the page stopped asking for updates for {seconds:g} s (tab closed?).",
    "runner.failed": "Training failed: {error}",
    "runner.turn.ahead": "Waiting for a first turn: {ahead} {ahead:plural:run|runs} ahead, about {wait:g} s. Runs on "
    "this server take turns ({sharing} now), so every run keeps moving.",
    "runner.turn.next": "Starting: this run's first turn comes next, in about {wait:g} s ({sharing} "
    "{sharing:plural:run shares|runs share} this server's training time).",
    "runner.capped": "Stopped at this server's time limit for a run ({limit:,} s of training), after {made:,} of "
    "{planned:,} {planned:plural:update|updates}. The history so far is kept; a teacher can change the limit with "
    "BEL_MAX_RUN_SECONDS.",
    "dp.capped": "Stopped at this server's time limit for a run ({limit:,} s of training). The draws so far are "
    "kept; a teacher can change the limit with BEL_MAX_RUN_SECONDS.",
    # URL parameters that could not be used
    "param.malformed": "The link's `{name}={raw}` is not a valid value, so {used} is used instead.",
    "param.out_of_range": "The link's `{name}={raw}` is out of range, so {used} is used instead.",
    "param.ambiguous": "The link's `{name}={raw}` is ambiguous: a comma there is not a thousands separator, so it "
    "could mean a decimal or a list. Write a whole number without commas (or with one every three digits, as in "
    "1,000); {used} is used instead.",
    "param.adjusted.batch_size": "The link sets no batch size, and the default batch size {default:,} is larger than "
    "the link's dataset size {n:,}, so the batch size is {used:,}: one full batch.",
    "param.malformed.batch_sizes": "The link's `batch_sizes={raw}` cannot be used: a comparison takes 2–4 distinct "
    "batch sizes, each from 1 to the training-set size {train:,}. Using {used} instead.",
    "param.adjusted.batch_sizes": "The link sets no batch sizes, and the default ones ({default}) do not all fit "
    "its training set of {train:,} {train:plural:sample|samples}, so {used} are compared: 2–4 distinct batch sizes, "
    "each from 1 to the "
    "training-set size.",
    "param.conflict.batch_size": "The link's batch size {raw} is larger than the dataset, so {used} is used instead.",
    "param.conflict.drop_last": "Keras model.fit has no drop_last, so the link's `drop_last=true` is ignored.",
    "param.conflict.devices": "The Keras convention here is single-device, so the link's `devices={raw}` is ignored.",
    # presets
    "preset.lesson_200": "200 samples · batch 20 · 10 epochs",
    "preset.lesson_1000": "1,000 samples · batch 50 · 20 epochs",
    "preset.mnist": "MNIST 60,000 · batch 32 · 10 epochs · validation 0.2 (Keras)",
    # calculator page
    "calc.title": "Batch & epoch calculator",
    "calc.intro": "Set a dataset size, a batch size and a number of epochs: the lab counts the iterations per epoch "
    "and the weight updates of the whole run, exactly as PyTorch or Keras would.",
    "calc.presets": "Examples from the lesson",
    "calc.inputs": "Settings",
    "calc.n": "Dataset size (samples)",
    "calc.n_help": "Number of samples before the validation split, 1 to 10,000,000.",
    "calc.batch_size": "Batch size",
    "calc.batch_size_help": "Samples per batch (one iteration), from 1. Above the dataset size it is one full batch.",
    "calc.full_batch": "Larger than the dataset ({n:,} {n:plural:sample|samples}): each epoch is one full batch.",
    "input.refused": "{label}: {raw} cannot be used. The allowed range is {low:,} to {high:,}; the value in use is "
    "{used:,}.",
    "lang.unknown": "The link asks for the language `{requested}`, which this app does not have, so the page is shown "
    "in English. Also available: 한국어 (`lang=ko`).",
    "calc.epochs": "Epochs",
    "calc.epochs_help": "Full passes over the training data, 1 to 1,000.",
    "calc.drag": "{label}, log scale",
    "calc.drop_last": "Drop the last, smaller batch (drop_last)",
    "calc.drop_last_help": "PyTorch DataLoader(drop_last=True) skips a final batch smaller than the batch size.",
    "calc.drop_last_keras": "Keras model.fit always keeps the last, smaller batch.",
    "calc.val_split": "Validation split",
    "calc.val_split_help": "Share of the dataset held out for validation.",
    "calc.framework": "Framework convention",
    "calc.framework_help": "How the validation data is carved out: PyTorch random_split rounds down each part and "
    "gives the remainder to the training set; Keras model.fit keeps the first int(n × (1 − split)) rows.",
    "calc.advanced": "Gradient accumulation and devices",
    "calc.accum": "Gradient accumulation steps",
    "calc.accum_help": "Batches whose gradients add up before one optimizer step. An epoch's trailing partial group "
    "still makes a step (as Lightning and the Hugging Face Trainer do).",
    "calc.devices": "Devices (data parallel)",
    "calc.devices_help": "Each device draws its own batches through a DistributedSampler, which pads the data so "
    "every device gets ceil(training samples / devices).",
    "calc.keras_single_device": "Keras convention: one device.",
    "calc.results": "Result",
    "calc.formula": "Worked calculation",
    "calc.regime": "Gradient descent flavour",
    "calc.recommendation": "The lesson's guide for {n} {n:plural:sample|samples}, a {size_class} dataset: batch size "
    "{low}–{high}.",
    "calc.pictures": "See the batches",
    "calc.conveyor_epoch": "Epoch to show",
    "calc.shuffle": "Shuffle every epoch (shuffle=True)",
    "calc.whatif": "What if…",
    "calc.share": "The address bar holds every setting: copy it to share exactly this setup.",
    "calc.invalid": "These settings cannot be trained: {message}",
    "calc.drawing": "Drawing the batches…",
    "framework.pytorch": "PyTorch (random_split + DataLoader)",
    "framework.keras": "Keras (model.fit)",
    # metrics
    "metric.iterations_per_epoch": "Iterations per epoch",
    "metric.iterations_per_epoch_help": "Batches drawn in one epoch (per device).",
    "metric.total_updates": "Total updates",
    "metric.total_updates_help": "Optimizer steps (weight updates) over all epochs.",
    "metric.updates_per_epoch": "Updates per epoch",
    "metric.train_samples": "Training samples",
    "metric.val_samples": "Validation samples",
    "metric.last_batch_size": "Last batch size",
    "metric.dropped_samples": "Dropped samples per epoch",
    "metric.samples_seen": "Samples seen",
    "metric.samples_seen_help": "Samples passed through the model over the whole run.",
    "metric.effective_batch_size": "Effective batch size",
    "metric.effective_batch_size_help": "Batch size × accumulation steps × devices: samples behind one update.",
    # explanation
    "formula.sentence": "{division} = {iterations} → {updates} {updates:plural:update|updates} = 1 epoch",
    "regime.batch": "Batch gradient descent: one batch holds the whole training set (batch_size = len(X_train)), so "
    "every update sees all the data.",
    "regime.stochastic": "Stochastic gradient descent (SGD): one sample per update (batch_size = 1).",
    "regime.mini_batch": "Mini-batch gradient descent: small batches, the most common choice (batch_size = 32, or 64, "
    "128, 256).",
    "rec.class.small": "small (< 1,000)",
    "rec.class.medium": "medium (1,000–10,000)",
    "rec.class.large": "large (> 10,000)",
    "rec.inside": "Batch size {batch} is inside the recommended range {low}–{high}.",
    "rec.below": "Batch size {batch} is below the recommended range {low}–{high}: more updates, more noise.",
    "rec.above": "Batch size {batch} is above the recommended range {low}–{high}: fewer, steadier updates, more "
    "memory.",
    "warn.zero_updates": "Batch size {batch:,} is larger than the {per_rank:,} {per_rank:plural:sample|samples} each "
    "device gets, and "
    "drop_last is on: no batch is ever formed, so the model is never updated.",
    "note.full_batch": "Batch size {batch:,} is larger than the {per_rank:,} training "
    "{per_rank:plural:sample|samples}. That is allowed: the DataLoader makes one full batch of all {per_rank:,}, so "
    "each epoch is 1 iteration, the lesson's full-batch case `batch_size=len(X_train)`.",
    "warn.dropped": "drop_last throws away {dropped:,} {dropped:plural:sample|samples} every epoch ({percent}% of the "
    "training data).",
    "note.partial": "The last batch is smaller: {full:,} full {full:plural:batch|batches} of {batch:,}, then one of "
    "{last:,}.",
    "note.padded": "DistributedSampler repeats {padded:,} {padded:plural:sample|samples} so that each of {devices} "
    "{devices:plural:device|devices} gets {per_rank:,}.",
    "note.accum": "Gradients of {accum} {accum:plural:batch|batches} add up before each update; an epoch's trailing "
    "group of {tail} "
    "{tail:plural:batch|batches} still makes an update (Lightning / Hugging Face convention).",
    # what-if helpers
    "whatif.target_updates": "Updates you want in total",
    "whatif.epochs_needed": "{epochs:,} {epochs:plural:epoch|epochs} {epochs:plural:gives|give} {updates:,} "
    "{updates:plural:update|updates} ({per_epoch:,} per epoch).",
    "whatif.target_iterations": "Iterations per epoch you want",
    "whatif.batch_range": "Batch sizes {low:,}–{high:,} give exactly {k:,} {k:plural:iteration|iterations} per epoch.",
    "whatif.batch_single": "Batch size {low:,} gives exactly {k:,} {k:plural:iteration|iterations} per epoch.",
    "whatif.batch_none": "No batch size gives exactly {k:,} {k:plural:iteration|iterations} per epoch with {n:,} "
    "training {n:plural:sample|samples}.",
    "whatif.throughput": "Measured throughput (samples/s)",
    "whatif.time": "At {rate} samples/s: {epoch_time} per epoch, {total_time} for the whole run.",
    "whatif.measured": "Measured by the batch-size finder on the Training page.",
    # calculator figures
    "fig.conveyor.title": "Batch conveyor, epoch {epoch}",
    "fig.conveyor.by_sample": "one tile per training sample, in index order, coloured by the batch that draws it",
    "fig.conveyor.by_position": "one tile per {per_tile} {per_tile:plural:sample|samples}, in the order the epoch "
    "draws them",
    "fig.conveyor.hover_sample": "sample %{{customdata[0]}}",
    "fig.conveyor.hover_tile": "samples from position %{{customdata[0]}} ({per_tile} per tile)",
    "fig.conveyor.hover_batch": "batch %{{customdata[1]}} of {batches}",
    "fig.conveyor.hover_rank": "device %{{customdata[2]}}",
    "fig.conveyor.legend_batch": "batch (colours cycle)",
    "fig.conveyor.legend_numbered": "batches, numbered 1 to {batches}",
    "fig.conveyor.legend_partial": "last, smaller batch ({last})",
    "fig.conveyor.legend_dropped": "dropped (drop_last)",
    "fig.timeline.title": "The whole run: {updates} {updates:plural:update|updates} over {epochs} "
    "{epochs:plural:epoch|epochs}",
    "fig.timeline.samples": "samples seen",
    "fig.timeline.update": "update",
    "fig.timeline.epoch_end": "end of an epoch",
    "fig.timeline.hover": "update %{{x:,}}<br>samples seen %{{y:,}}",
    "fig.timeline.hover_update": "update %{{x:,}} (epoch %{{customdata[0]}}, update %{{customdata[1]}} of "
    "it)<br>samples seen %{{y:,}}",
    "fig.timeline.x": "update (optimizer step)",
    "fig.timeline.y": "samples seen",
    # training page
    "train.title": "Live training",
    "train.intro": "Pick a data set, a model and the batching, press Train, and watch a real PyTorch run: every "
    "iteration is one weight update, exactly as many as the calculator predicts.",
    "train.section.data": "Data",
    "train.section.model": "Model",
    "train.section.training": "Training",
    "train.dataset": "Data set",
    "train.n": "Samples",
    "train.n_help": "This data set takes {low:,} to {high:,} {high:plural:sample|samples}.",
    "train.noise": "Noise",
    "train.framework_help": "Whose validation split: PyTorch random_split (a seeded random subset) or Keras "
    "validation_split (the last rows, before shuffling).",
    "train.seed": "Seed",
    "train.model": "Model",
    "train.hidden_layers": "Hidden layers",
    "train.hidden_width": "Units per hidden layer",
    "train.activation": "Activation",
    "train.optimizer": "Optimizer",
    "train.lr": "Learning rate",
    "train.lr_help": "Step size of each weight update.",
    "train.device": "Device",
    "train.samples_per_epoch": "Samples per epoch",
    "train.invalid": "These settings cannot train: {message}",
    "train.random_labels": "The labels of this data set are random: there is nothing to learn, so validation accuracy "
    "should stay near chance (0.5) however long it trains — the lesson's own PyTorch example.",
    "train.train": "Train",
    "train.stop": "Stop",
    "train.reset": "Reset",
    "train.press_train": "Press Train to start a run. The charts fill in live, update by update.",
    "train.progress": "epoch {epoch}/{epochs} · iteration {iteration}/{iterations}",
    "train.elapsed": "{time} elapsed",
    "train.sharing": "taking turns with {others} other {others:plural:run|runs}",
    "train.eta": "about {time} left",
    "train.throughput": "{rate} samples/s",
    "train.status.running": "Training…",
    "train.status.finished": "Finished: every planned update was made.",
    "train.status.stopped": "Stopped. The history so far is kept.",
    "train.status.diverged": "Diverged: the loss became NaN or infinite at update {update}, so training stopped. The "
    "history up to there is kept; try a smaller learning rate.",
    "train.status.failed": "Training failed.",
    "train.status.abandoned": "Stopped because this page stopped asking for updates (tab closed?).",
    "train.x_axis": "x axis",
    "train.axis.updates": "updates",
    "train.axis.epochs": "epochs",
    "train.axis.samples": "samples seen",
    "train.axis.time": "wall time (s)",
    "train.smoothing": "Smoothing",
    "train.show_lr": "Learning rate",
    "train.log": "Epoch log",
    "train.log_empty": "(no epoch finished yet)",
    "train.log.val": "val_loss: {loss}, val_accuracy: {acc}",
    "train.chance": "Validation accuracy {acc}: chance level, as expected with random labels.",
    "train.download_csv": "Download history (CSV)",
    "train.download_json": "Download history (JSON)",
    "train.compare": "Overlay earlier runs",
    "train.param_conflict": "The link's settings cannot train together (batch size {raw}), so batch size {used} is "
    "used instead.",
    "train.fig.train_loss": "Training Loss",
    "train.fig.val_loss": "Validation Loss",
    "train.fig.train_accuracy": "Training Accuracy",
    "train.fig.val_accuracy": "Validation Accuracy",
    "train.fig.epoch": "Epoch",
    "train.fig.loss": "Loss",
    "train.fig.accuracy": "Accuracy",
    "train.fig.loss_raw": "loss per update",
    "train.fig.loss_smoothed": "smoothed",
    "train.fig.lr": "learning rate",
    "train.fig.epoch_end": "end of an epoch",
    "train.fig.epoch_end_every": "end of an epoch (every {step} {step:plural:epoch|epochs})",
    "train.fig.class": "class {label}",
    "train.schedule": "Learning-rate schedule (the lesson's tips)",
    "train.lr_rule": "Scale the learning rate with the batch size",
    "train.lr_rule_help": "Relative to batch 32, as the lesson's learning_rate = 0.001 * (batch_size / 32).",
    "train.rule.none": "no",
    "train.rule.linear": "linear (× B/32)",
    "train.rule.sqrt": "square root (× √(B/32))",
    "train.warmup_epochs": "Warm-up epochs",
    "train.warmup_help": "Rise linearly from a tenth of the learning rate to the full rate over this many epochs (the "
    "lesson: 0.0001 → 0.001 over 3 epochs).",
    "train.decay": "After warm-up",
    "train.decay.constant": "constant",
    "train.decay.linear": "linear decay",
    "train.decay.cosine": "cosine decay",
    "train.peak_lr": "Learning rate used: {lr}",
    "train.finder": "Batch-size finder: throughput and memory per batch size",
    # data sets
    "dataset.random.title": "Random labels (the lesson's PyTorch example)",
    "dataset.random.description": "torch.randn(N, 10) features with random 0/1 labels: there is nothing to learn.",
    "dataset.moons.title": "Two moons",
    "dataset.moons.description": "Two interleaving half circles.",
    "dataset.circles.title": "Circles",
    "dataset.circles.description": "A small circle inside a larger one.",
    "dataset.spiral.title": "Spiral",
    "dataset.spiral.description": "Three interleaved spiral arms.",
    "dataset.xor.title": "XOR",
    "dataset.xor.description": "Class 1 where exactly one coordinate is positive.",
    "dataset.blobs.title": "Blobs",
    "dataset.blobs.description": "Three Gaussian clusters.",
    "dataset.digits.title": "Digits 8×8",
    "dataset.digits.description": "The 1,797 handwritten 8×8 digits that scikit-learn ships, bundled here.",
    "dataset.mnist.title": "MNIST (the lesson's Keras example)",
    "dataset.mnist.description": "60,000 handwritten 28×28 digits, flattened to 784 and scaled by 1/255; downloaded "
    "once and cached. The lesson's example trains on all 60,000 with `validation_split=0.2` (1,500 iterations "
    "per epoch); the page starts at 10,000 so that a first run is quick.",
    # models, optimizers, devices
    "model.linear": "Linear (nn.Linear)",
    "model.mlp": "MLP (Dense + activation)",
    "optimizer.sgd": "SGD",
    "optimizer.momentum": "SGD + momentum 0.9",
    "optimizer.adam": "Adam",
    "device.auto": "auto (GPU if present)",
    "device.cpu": "CPU",
    "device.cuda": "CUDA GPU",
    "device.mps": "Apple GPU (MPS)",
    # compare page
    "compare.title": "Compare batch sizes",
    "compare.intro": "Train the same model from the same initial weights on the same data with 2–4 batch sizes, one "
    "after another, and check the lesson's claims about small and large batches against the numbers.",
    "compare.section.runs": "Batch sizes and budget",
    "compare.section.data": "Data and training",
    "compare.batch_sizes": "Batch sizes (2–4)",
    "compare.batch_sizes_help": "Pick 2 to 4 batch sizes. Everything else is shared: data, model, initial weights, "
    "seed, optimizer.",
    "compare.too_few": "Pick at least 2 batch sizes to compare (at most 4).",
    "compare.budget": "Budget",
    "compare.budget_help": "What every batch size gets the same amount of: epochs (the lesson's framing), weight "
    "updates, or wall-clock seconds.",
    "compare.budget.epochs": "equal epochs",
    "compare.budget.updates": "equal updates",
    "compare.budget.time": "equal time",
    "compare.budget_note.epochs": "Each batch size trains {epochs} {epochs:plural:epoch|epochs}, so smaller batches "
    "make more updates.",
    "compare.budget_note.updates": "Each batch size makes {updates} {updates:plural:update|updates}: what batch "
    "{reference} makes in {epochs} "
    "{epochs:plural:epoch|epochs}. Larger batches therefore see more samples.",
    "compare.budget_note.time": "Each batch size trains for {seconds} s of wall-clock time.",
    "compare.seconds": "Seconds per batch size",
    "compare.lr_rule": "Learning-rate rule",
    "compare.lr_rule_help": "How the learning rate changes with the batch size B, from the smallest batch B_base: "
    "none, linear (lr × B / B_base, the lesson's tip) or square root (lr × √(B / B_base)).",
    "compare.lr_rule.none": "same lr",
    "compare.lr_rule.linear": "linear",
    "compare.lr_rule.sqrt": "square root",
    "compare.plan": "Plan per batch size",
    "compare.col.batch": "batch size",
    "compare.col.lr": "learning rate",
    "compare.col.iterations": "iterations per epoch",
    "compare.col.updates_planned": "updates (at most)",
    "compare.col.epochs_planned": "epochs (at most)",
    "compare.col.updates": "updates made",
    "compare.col.epochs": "epochs",
    "compare.col.wall": "wall time (s)",
    "compare.col.rate": "samples/s",
    "compare.col.memory": "peak memory per step",
    "compare.col.train_loss": "train loss",
    "compare.col.val_loss": "val loss",
    "compare.col.train_acc": "train acc",
    "compare.col.val_acc": "val acc",
    "compare.col.gap_acc": "gap: train acc − val acc (pp)",
    "compare.col.gap_loss": "gap: val loss − train loss",
    "compare.col.noise": "loss noise (std of change)",
    "compare.col.cosine": "cos(mini-batch, full-batch gradient)",
    "compare.col.status": "status",
    "compare.memory_estimate": "{value} (estimate)",
    "compare.memory_measured": "{value} (measured)",
    "compare.start": "Compare",
    "compare.stop": "Stop",
    "compare.press_start": "Press Compare: the batch sizes train one after another, and the curves fill in live.",
    "compare.invalid": "These settings cannot run: {message}",
    "compare.run_label": "B={batch}",
    "compare.progress": "B={batch}: {updates} of {total} {total:plural:update|updates}",
    "compare.progress_time": "B={batch}: {updates} {updates:plural:update|updates}, {elapsed} of {seconds} s",
    "compare.pending": "B={batch}: waiting for its turn",
    "compare.status.waiting": "Waiting to start…",
    "compare.status.running": "Training batch size {batch} ({index} of {count})…",
    "compare.status.measuring": "Measuring gradient noise…",
    "compare.status.finished": "Finished: every batch size trained and the gradient noise was measured.",
    "compare.status.stopped": "Stopped. The runs so far are kept.",
    "compare.status.failed": "The comparison failed. {message}",
    "compare.status.abandoned": "Stopped because this page stopped asking for updates (tab closed?).",
    "compare.curves": "Curves, overlaid",
    "compare.results": "Results",
    "compare.results_note": "Final losses and accuracies are measured on the whole training and validation sets at "
    "the final weights. The generalisation gap is train accuracy − validation accuracy in percentage points (and "
    "validation loss − training loss). Peak memory on a CPU is an estimate: weights, gradients, optimizer state and "
    "the activations of one batch; on CUDA it is torch.cuda.max_memory_allocated.",
    "compare.noise": "Gradient noise",
    "compare.noise_note": "Measured at the initial weights, which every batch size shares, with {draws} random "
    "mini-batches per batch size. Cosine 1 means the mini-batch gradient points exactly where the full-batch gradient "
    "does.",
    "compare.bsimple": "Critical batch size estimate (B_simple)",
    "compare.bsimple_help": "B_simple = tr(Σ) / |G|², the gradient noise scale of McCandlish et al. 2018 (appendix "
    "A.1), from squared gradient norms at batch {small} and {big}. Below it, doubling the batch roughly halves the "
    "updates needed; above it, bigger batches buy little.",
    "compare.bsimple_none": "not measurable",
    "compare.bsimple_caption": "Batch sizes tried: {tried}. tr(Σ) ≈ {trace}, |G|² ≈ {g2}.",
    "compare.bsimple_undefined": "The estimate of |G|² or tr(Σ) came out ≤ 0 (too few draws or a gradient near zero), "
    "so B_simple cannot be given.",
    "compare.verdicts": "The lesson's claims, checked",
    "compare.verdicts_note": "One seed, one data set: a single comparison, not a proof.",
    "compare.verdict.holds": "borne out here",
    "compare.verdict.fails": "not borne out here",
    "compare.claim.frequent": "**More frequent updates (small batch)** — {verdict}: batch {small} made {ratio}× as "
    "many updates per epoch as batch {large} ({small_n} vs {large_n}).",
    "compare.claim.slower": "**Longer training per epoch (small batch)** — {verdict}: an epoch took batch {small} "
    "{ratio}× as long as batch {large} ({small_s} s vs {large_s} s).",
    "compare.claim.faster": "**Faster training (large batch)** — {verdict}: batch {large} processed {ratio}× as many "
    "samples per second as batch {small} ({large_r} vs {small_r}).",
    "compare.claim.noisier": "**More noise (small batch)** — {verdict}: batch {small}'s loss curve was {ratio}× as "
    "noisy as batch {large}'s (std of the update-to-update change: {small_v} vs {large_v}).",
    "compare.claim.stable": "**Stable gradients (large batch)** — {verdict}: batch {large}'s mini-batch gradients "
    "point closer to the full-batch gradient (mean cosine {large_c} vs {small_c} for batch {small}).",
    "compare.claim.generalise": "**Better generalisation (small batch)** — {verdict}: generalisation gap (train "
    "accuracy − validation accuracy) {small_g} pp for batch {small} vs {large_g} pp for batch {large}.",
    "compare.run_status.waiting": "waiting",
    "compare.run_status.running": "training",
    "compare.run_status.finished": "finished",
    "compare.run_status.stopped": "stopped",
    "compare.run_status.diverged": "diverged",
    "compare.run_status.failed": "failed",
    "compare.run_status.abandoned": "abandoned",
    "compare.run_status.capped": "stopped at the time limit",
    "compare.col.measure": "measure",
    "compare.fig.batch": "batch size (log scale)",
    "compare.fig.cosine": "cos(mini-batch, full-batch gradient)",
    "compare.fig.tried": "batch sizes tried",
    "compare.fig.bsimple": "B_simple ≈ {value}",
    "compare.claim.memory": "**More memory (large batch)** — {verdict}: a step of batch {large} held {ratio}× the "
    "memory of batch {small} ({large_m} KiB vs {small_m} KiB, {kind}).",
    "compare.memory_kind.estimate": "estimated",
    "compare.memory_kind.measured": "measured",
    # finder page
    "finder.header": "Batch-size finder: measured throughput",
    "finder.intro": "Trains a few real updates at batch sizes 1, 2, 4, … on {device} and measures samples per second, "
    "until the training set's size ({train:,}), the memory budget or the time budget stops it (like Lightning's "
    "batch-size finder, power mode).",
    "finder.memory_budget": "Memory budget (MiB)",
    "finder.memory_budget_help": "The sweep stops before a batch size whose memory would exceed this.",
    "finder.run": "Measure throughput",
    "finder.progress": "Batch size {batch:,}: {rate} samples/s ({done} of at most {planned} "
    "{planned:plural:size|sizes})",
    "finder.stop.dataset": "Stopped at the training set's size: a larger batch has no more samples to draw.",
    "finder.stop.max_batch": "Stopped at the largest batch size asked for.",
    "finder.stop.memory": "Stopped before batch size {batch:,}: its memory would exceed the budget.",
    "finder.stop.oom": "Stopped at batch size {batch:,}: the device ran out of memory.",
    "finder.stop.time": "Stopped before batch size {batch:,}: the time budget of the sweep ran out.",
    "finder.stop.busy": "Every training slot is busy with other runs; try again in a moment.",
    "finder.best": "Best measured: {rate} samples/s at batch size {batch:,} on {device}. The time estimate uses this "
    "throughput.",
    "finder.memory_estimated": "Memory on the CPU is an estimate from the sizes of the weights, gradients, optimizer "
    "state and activations (the data set not included).",
    "finder.memory_measured": "Memory is the peak that torch.cuda.max_memory_allocated measured, data set included.",
    "finder.col.batch_size": "Batch size",
    "finder.col.samples_per_s": "Samples/s",
    "finder.col.memory": "Memory (MiB)",
    "finder.col.steps": "Timed updates",
    "finder.col.seconds": "Seconds",
    "finder.invalid": "The sweep cannot run with these settings: {message}",
    "finder.fig.title": "Throughput by batch size ({device})",
    "finder.fig.x": "Batch size (log₂ scale)",
    "finder.fig.y": "Samples per second",
    "finder.fig.y2": "Memory (MiB)",
    "finder.fig.throughput": "Samples/s",
    "finder.fig.memory_estimate": "Memory (estimate)",
    "finder.fig.memory_measured": "Peak memory (measured)",
    "finder.fig.best": "Best: batch {batch}",
    "finder.fig.hover": "batch size %{{x:,}}<br>%{{y:,.0f}} samples/s",
    "finder.fig.hover_memory": "batch size %{{x:,}}<br>%{{y:,.2f}} MiB",
    # learn page
    "learn.title": "Batch size and epochs: the lesson",
    "learn.intro": "The lesson this lab grew from, step by step. Every number below is computed live by the same "
    "engine as the calculator; each section opens the matching page already set up, and ends with a question to check "
    "yourself.",
    "learn.strategy": "Learning strategy: practice — apply it right away.",
    "learn.open_calculator": "Open in the calculator",
    "learn.open_training": "Train it live",
    "learn.open_compare": "Compare 8, 32 and 256",
    "learn.open_paths": "See the three descent paths",
    "learn.open_lr": "Open the learning-rate page",
    "learn.open_lr_warmup": "Open this warm-up on the learning-rate page",
    "learn.section.batch_size": "1. Batch size",
    "learn.batch_size.text": "The batch size is how much data the model processes at once during training. Example: "
    "if you solve 100 problems and grade them 10 at a time, the batch size is 10.",
    "learn.batch_size.code": "In code, the batch size is an argument of `fit`. The lesson's first line of code:",
    "learn.batch_size.problems": "Problems",
    "learn.batch_size.per": "Graded at a time (batch size)",
    "learn.batch_size.result": "{problems} problems graded {per} at a time: **{gradings} gradings**, the last one "
    "with {last} problems.",
    "learn.section.how_it_works": "2. How it works",
    "learn.how_it_works.text": "With a data set of 200 samples and `batch_size=20`, the data is split into groups of "
    "20: 200 / 20 = 10, so the weights are updated 10 times, and those 10 updates are one epoch.",
    "learn.how_it_works.count": "`{n} / {batch} = {updates}` → **{updates} {updates:plural:update|updates} = 1 epoch**",
    "learn.section.epoch": "3. Epoch",
    "learn.epoch.text": "An epoch is one complete pass over the whole data set. In the code above, 10 updates = 1 "
    "epoch, and `epochs=10` repeats that 10 times: the whole data set is learned 10 times over.",
    "learn.section.small_vs_large": "4. Small and large batches",
    "learn.small_vs_large.text": "The batch size changes how training behaves. Claims from the lesson — test each one "
    "with a real experiment on the compare page:",
    "learn.small_vs_large.small": "Small batches (`batch_size=8`)",
    "learn.small_vs_large.small_pros": "Pros: less memory; can generalise better; more frequent weight updates.",
    "learn.small_vs_large.small_cons": "Cons: longer training; more noise; less stable training.",
    "learn.small_vs_large.large": "Large batches (`batch_size=256`)",
    "learn.small_vs_large.large_pros": "Pros: faster training; stable gradients; efficient use of the GPU.",
    "learn.small_vs_large.large_cons": "Cons: more memory; can generalise worse; risk of getting stuck in (sharp) "
    "local minima.",
    "learn.small_vs_large.counts": "For {n} {n:plural:sample|samples}: batch 8 makes **{small} "
    "{small:plural:update|updates}** per epoch, batch 256 makes "
    "**{large}**.",
    "learn.section.guide": "5. Choosing a batch size",
    "learn.guide.text": "The lesson's guide, by data set size:",
    "learn.guide.size": "Data set size",
    "learn.guide.range": "Recommended batch size",
    "learn.guide.your_n": "Your data set size",
    "learn.guide.answer": "For {n} {n:plural:sample|samples} (a {size_class} data set) the guide recommends batch "
    "size **{low}–{high}**.",
    "learn.section.whole_vs_batches": "6. The whole data set or batches",
    "learn.whole_vs_batches.text": "`model.fit(X_train, y_train, batch_size=len(X_train))` feeds all the data at once "
    "(inefficient); `batch_size=32` splits it into batches (recommended). Why batches: memory limits, better "
    "generalisation, a regularising effect.",
    "learn.whole_vs_batches.compare": "For {n} {n:plural:sample|samples}: the whole data set makes **{whole} update** "
    "per epoch; batch "
    "32 makes **{batched}**.",
    "learn.section.names": "7. Names",
    "learn.names.text": "Three names for three batch sizes:",
    "learn.names.batch": "**Batch gradient descent** — the whole data set per update: `batch_size = len(X_train)`",
    "learn.names.stochastic": "**Stochastic gradient descent (SGD)** — one sample per update: `batch_size = 1`",
    "learn.names.mini_batch": "**Mini-batch gradient descent** — small batches, the most common: `batch_size = 32` "
    "(or 64, 128, 256)",
    "learn.section.worked": "8. A worked calculation",
    "learn.worked.text": "Scenario: 1,000 samples, batch size 50, 20 epochs.",
    "learn.worked.result": "Result: 20 updates per epoch, **400 weight updates** in all.",
    "learn.worked.same_as": "The lesson calls it `{name}`.",
    "learn.worked.names": "The lesson's `iterations_per_epoch` is what this app calls **{iterations}**, and its "
    "`total_iterations` is **{total}**: each iteration is one weight update.",
    "learn.section.code": "9. The lesson's code, with your numbers",
    "learn.code.text": "The Keras and PyTorch examples of the lesson, written for the settings below; the comments "
    "give the counts each framework will produce.",
    "learn.code.data": "data preparation",
    "learn.code.model": "build the model",
    "learn.code.train": "training",
    "learn.code.loader": "data set and data loader",
    "learn.code.loop": "training loop",
    "learn.code.per_epoch": "batch size: {iterations} {iterations:plural:iteration|iterations} per epoch",
    "learn.code.total": "epochs: {updates} weight {updates:plural:update|updates} in all",
    "learn.code.keras_split": "first {train} {train:plural:row|rows} train, last {val} validate",
    "learn.code.torch_split": "{train} training / {val} validation samples",
    "learn.code.len_loader": "len(dataloader) == {iterations}",
    "learn.section.monitoring": "10. Monitoring",
    "learn.monitoring.text": "Plot training and validation loss per epoch side by side with training and validation "
    "accuracy (the lesson's 12×4 figure from `history.history`). The training page draws exactly this figure, live.",
    "learn.section.tips": "11. Two tips",
    "learn.tips.lr": "**Learning rate and batch size** — with a larger batch, raise the learning rate too: "
    "`learning_rate = 0.001 * (batch_size / 32)`; batch {batch} gives **{lr}**.",
    "learn.tips.warmup": "**Warm-up** — start with a small learning rate and raise it: `initial_lr = 0.0001`, "
    "`final_lr = 0.001`, `warmup_epochs = 3`. With {n} {n:plural:sample|samples} and batch {batch} that is "
    "**{updates} warm-up "
    "{updates:plural:update|updates}** ({per_epoch} per epoch).",
    "learn.quiz": "Check yourself",
    "learn.quiz.answer": "Your answer",
    "learn.quiz.new": "Another question",
    "learn.quiz.right": "Right: {answer}.",
    "learn.quiz.wrong": "Not quite: the answer is {answer}.",
    "learn.q.batch_size": "{problems} problems, graded {per} at a time: how many gradings?",
    "learn.q.how_it_works": "{n:,} {n:plural:sample|samples}, batch size {batch}: how many weight updates make one "
    "epoch?",
    "learn.q.epoch": "{n:,} {n:plural:sample|samples}, batch size {batch}: after {updates:,} "
    "{updates:plural:update|updates}, how many full epochs are done?",
    "learn.q.small_vs_large": "{n:,} {n:plural:sample|samples}: how many more updates per epoch does batch 8 make "
    "than batch 256?",
    "learn.q.guide": "Which batch size range does the guide recommend for {n:,} {n:plural:sample|samples}?",
    "learn.q.whole_vs_batches": "`batch_size=len(X_train)` with {n:,} {n:plural:sample|samples}: how many updates per "
    "epoch?",
    "learn.q.names": "`batch_size = {batch}` (with 1,000 samples) is called…",
    "learn.q.worked": "{n:,} {n:plural:sample|samples}, batch {batch}, {epochs} {epochs:plural:epoch|epochs}: how "
    "many updates in all?",
    "learn.q.code": "Keras `model.fit` with {n:,} {n:plural:sample|samples}, `batch_size={batch}`, "
    "`validation_split={split}`: "
    "iterations per epoch?",
    "learn.q.monitoring": "`epochs={epochs}`: how many points does each curve of the monitoring figure have?",
    "learn.q.tips": "{n:,} {n:plural:sample|samples}, batch {batch}, `warmup_epochs={warmup}`: how many warm-up "
    "updates?",
    "learn.regime.batch": "Batch gradient descent",
    "learn.regime.stochastic": "Stochastic gradient descent (SGD)",
    "learn.regime.mini-batch": "Mini-batch gradient descent",
    "learn.code_settings": "Settings for the code",
    "learn.tab.keras": "TensorFlow / Keras",
    "learn.tab.pytorch": "PyTorch",
    # lr page
    "lr.title": "Learning rate and batch size",
    "lr.intro": "When the batch size changes, the learning rate usually has to change with it. Scale it, then warm it "
    "up: the lesson's two tips, computed.",
    "lr.scaling.header": "1. Scale the learning rate with the batch size",
    "lr.scaling.caption": "The lesson's tip: `learning_rate = 0.001 * (batch_size / 32)`, so batch size 256 gives "
    "0.008. A learning rate that worked at the base batch size is carried to the new one.",
    "lr.base_lr": "Base learning rate",
    "lr.base_lr_help": "A learning rate known to work at the base batch size.",
    "lr.base_batch_size": "Base batch size",
    "lr.base_batch_size_help": "The batch size the base learning rate was tuned for.",
    "lr.batch_size": "New batch size",
    "lr.batch_size_help": "The batch size you want to train with. It also sets the iterations of the warm-up below.",
    "lr.kappa": "Batch size ratio κ = {batch:,} / {base:,} = {kappa}",
    "lr.rule.none": "No scaling",
    "lr.rule.linear": "Linear rule",
    "lr.rule.sqrt": "Square-root rule",
    "lr.rule.none_help": "Keep the base learning rate.",
    "lr.rule.linear_help": "lr × κ: the lesson's rule (Goyal et al. 2017, for SGD with momentum).",
    "lr.rule.sqrt_help": "lr × √κ: keeps the gradient noise the same (Krizhevsky 2014); the rule for Adam below.",
    "lr.formula": "Worked calculation",
    "lr.adam.header": "Adam: the square-root rule for every hyperparameter",
    "lr.adam.caption": "Malladi et al. 2022 (\"On the SDEs and Scaling Rules for Adaptive Gradient Algorithms\") "
    "derive how Adam's other settings move with κ: lr × √κ, β1 → 1 − κ(1 − β1), β2 → 1 − κ(1 − β2), ε → ε / √κ.",
    "lr.adam.beta1": "Base β1",
    "lr.adam.beta2": "Base β2",
    "lr.adam.eps": "Base ε",
    "lr.adam.lr": "Adam learning rate",
    "lr.adam.new_beta1": "β1",
    "lr.adam.new_beta2": "β2",
    "lr.adam.new_eps": "ε",
    "lr.adam.smaller": "The new batch is smaller than the base batch (κ < 1): the rule lowers the learning rate and "
    "moves the betas towards 1.",
    "lr.warn.linear_limit": "A batch size of {batch:,} is above about 8k ({limit:,}). Goyal et al. 2017 found the "
    "linear rule (with warm-up) matching small-batch accuracy on ImageNet only up to a minibatch of about 8k; beyond "
    "it the scaled learning rate is usually too large.",
    "lr.note.rules": "Which rule? Linear scaling is the usual choice for SGD (with momentum); the square-root rule is "
    "the one derived for Adam and RMSprop. Both are starting points to tune from, not guarantees.",
    "lr.warmup.header": "2. Warm up: from a small learning rate to the target",
    "lr.warmup.caption": "The lesson's tip: `initial_lr = 0.0001`, `final_lr = 0.001`, `warmup_epochs = 3`. The "
    "optimizer changes the learning rate at every weight update, so the warm-up epochs become iterations.",
    "lr.n": "Dataset size (samples)",
    "lr.epochs": "Epochs",
    "lr.initial_lr": "Initial learning rate",
    "lr.initial_lr_help": "The learning rate of the first update.",
    "lr.final_lr": "Final (target) learning rate",
    "lr.final_lr_help": "The learning rate the warm-up reaches; often the scaled learning rate above.",
    "lr.warmup_epochs": "Warm-up epochs",
    "lr.warmup_epochs_help": "Epochs over which the learning rate rises linearly from the initial to the final value.",
    "lr.decay": "After the warm-up",
    "lr.decay.constant": "Constant",
    "lr.decay.linear": "Linear decay",
    "lr.decay.cosine": "Cosine decay",
    "lr.min_lr": "Decay floor",
    "lr.min_lr_help": "The learning rate the decay heads for at the end of the run (0: decay to zero).",
    "lr.use_scaled": "Use the linear-scaled {lr} as the target",
    "lr.metric.warmup_updates": "Warm-up updates",
    "lr.metric.warmup_updates_help": "Warm-up epochs × updates per epoch.",
    "lr.metric.first_lr": "Learning rate at update 1",
    "lr.metric.target_lr": "Learning rate at update {update:,}",
    "lr.metric.target_lr_help": "The first update after the warm-up: the target is reached here.",
    "lr.metric.last_lr": "Learning rate at the last update",
    "lr.warmup.sentence": "{epochs} warm-up {epochs:plural:epoch|epochs} × {per_epoch:,} "
    "{per_epoch:plural:update|updates} per epoch = {updates:,} warm-up {updates:plural:update|updates}, "
    "rising from {initial} to {final}.",
    "lr.warn.warmup_longer": "The warm-up ({warmup:,} {warmup:plural:update|updates}) is at least as long as the "
    "whole run ({total:,} "
    "{total:plural:update|updates}): the learning rate never reaches {final}.",
    "lr.warn.no_warmup": "No warm-up: every update starts at the target learning rate.",
    "lr.invalid": "These settings cannot make a schedule: {message}",
    "lr.share": "The address bar holds every setting: copy it to share this page as it is.",
    "lr.error.not_number": "{name} must be a finite number, got {value}.",
    "lr.error.not_positive": "{name} must be greater than 0, got {value}.",
    "lr.error.negative": "{name} must be at least 0, got {value}.",
    "lr.error.batch": "{name} must be a whole number of at least 1, got {value}.",
    "lr.error.rule": "The scaling rule must be one of {choices}, got {value}.",
    "lr.error.beta_range": "{name} must be at least 0 and below 1, got {value}.",
    "lr.error.beta_negative": "A batch size of {batch:,} (κ = {kappa}) would push a beta to 0 or below: the "
    "square-root rule has no Adam equivalent there. The largest batch size it reaches with these betas is "
    "{largest:,}.",
    "lr.error.warmup_epochs": "The warm-up must be a whole number of epochs of at least 0, got {value}.",
    "lr.error.decay": "The decay must be one of {choices}, got {value}.",
    "lr.error.floor_above_final": "The decay floor {min_lr} is above the final learning rate {final_lr}.",
    "lr.fig.title": "Learning rate per update: {updates} {updates:plural:update|updates}, {epochs} "
    "{epochs:plural:epoch|epochs} of {per_epoch} {per_epoch:plural:update|updates}",
    "lr.fig.x": "Update (weight update, 1 = first)",
    "lr.fig.y": "Learning rate",
    "lr.fig.lr": "Learning rate",
    "lr.fig.epoch_end": "Epoch boundary",
    "lr.fig.warmup": "Warm-up ({updates} {updates:plural:update|updates})",
    "lr.fig.hover": "update %{{x:,}} (epoch %{{customdata}})<br>learning rate %{{y:.4g}}",
    # paths page
    "paths.title": "Descent paths",
    "paths.intro": "Batch, stochastic and mini-batch gradient descent on one picture: a two-parameter linear "
    "regression whose loss surface you can see. Same start, same learning rate; only the batch size differs.",
    "paths.settings": "Settings",
    "paths.n": "Dataset size (samples)",
    "paths.n_help": "How many (x, y) samples to generate, {low} to {high}. Batch gradient descent uses all of them in "
    "every update.",
    "paths.batch_size": "Mini-batch size",
    "paths.batch_size_help": "Batch size of the mini-batch path. The other two are fixed: N for batch, 1 for "
    "stochastic gradient descent.",
    "paths.lr": "Learning rate",
    "paths.lr_help": "Step size of every update, the same for all three paths. Too large and a path diverges.",
    "paths.epochs": "Epochs",
    "paths.epochs_help": "Passes over the data (same-epochs budget), or the epochs that set the mini-batch path's "
    "update count (same-updates budget).",
    "paths.budget": "Budget",
    "paths.budget.epochs": "Same epochs",
    "paths.budget.updates": "Same updates",
    "paths.budget_help": "Same epochs: every method passes over the data the same number of times. Same updates: "
    "every method makes the same number of weight updates.",
    "paths.budget_note.epochs": "**Same epochs:** each method passes over the {n} {n:plural:sample|samples} {epochs} "
    "{epochs:plural:time|times}, so batch "
    "gradient descent makes {batch_updates} {batch_updates:plural:update|updates}, stochastic gradient descent "
    "{sgd_updates} and mini-batch "
    "gradient descent {mini_updates}.",
    "paths.budget_note.updates": "**Same updates:** each method makes {updates} weight "
    "{updates:plural:update|updates}, what mini-batch "
    "gradient descent makes in {epochs} {epochs:plural:epoch|epochs}; stochastic gradient descent may stop in the "
    "middle of an epoch.",
    "paths.seed": "Seed",
    "paths.seed_help": "Seeds the data and the shuffle of every epoch: the same seed draws the same paths.",
    "paths.noise": "Noise",
    "paths.noise_help": "Standard deviation of the Gaussian noise added to y = 2x − 1.",
    "paths.shown": "Show the first k updates",
    "paths.shown_help": "Scrub through the run: every path is drawn up to its k-th weight update.",
    "paths.method.batch": "Batch Gradient Descent",
    "paths.method.stochastic": "Stochastic Gradient Descent",
    "paths.method.mini-batch": "Mini-batch Gradient Descent",
    "paths.table.method": "Method",
    "paths.table.batch_size": "Batch size",
    "paths.table.updates": "Updates made",
    "paths.table.epochs": "Epochs covered",
    "paths.table.samples": "Samples seen",
    "paths.table.final_loss": "Final loss",
    "paths.table.status": "Status",
    "paths.status.ok": "converging",
    "paths.status.diverged": "diverged",
    "paths.diverged": "{method} diverged at update {update}: its loss exploded, so the path stops there and shows "
    "what it drew before. Try a smaller learning rate.",
    "paths.minimum": "Least-squares minimum (closed form): w = {w}, b = {b}, loss = {loss}.",
    "paths.data": "Data: {n} {n:plural:sample|samples} of x ~ N(1, 1) around y = 2x − 1 with noise {noise}; loss: "
    "mean squared error.",
    "paths.how": "How the paths are computed",
    "paths.how_body": "Each method uses the batching of `core.maths.batching`: `plan()` counts the iterations "
    "and updates, "
    "and `epoch_order(..., shuffle=True)` reshuffles the samples every epoch; the last, smaller batch is "
    "kept, as PyTorch's `DataLoader` does. Each update is `w ← w − lr·∂L/∂w`, `b ← b − lr·∂L/∂b` with the "
    "exact gradient of the batch's mean squared error: `∂L/∂w = 2·mean((w·x + b − y)·x)`, `∂L/∂b = "
    "2·mean(w·x + b − y)`. With only two parameters this closed form is computed in numpy; it is not a "
    "neural-network training loop. The loss shown is always on all samples.",
    "paths.share": "The address bar holds these settings: copy it to share this exact picture.",
    "paths.fig.title": "Loss surface and descent paths",
    "paths.fig.x": "w (weight)",
    "paths.fig.y": "b (bias)",
    "paths.fig.colorbar": "log₁₀ loss",
    "paths.fig.surface": "Loss surface",
    "paths.fig.hover_surface": "w=%{{x:.3f}}<br>b=%{{y:.3f}}<br>loss=%{{customdata:.4g}}",
    "paths.fig.hover_path": "{method}<br>update %{{customdata[0]:,}}<br>w=%{{x:.3f}}, "
    "b=%{{y:.3f}}<br>loss=%{{customdata[1]:.4g}}",
    "paths.fig.legend": "{method} (batch size {batch})",
    "paths.fig.start": "Start",
    "paths.fig.minimum": "Minimum",
    # data-parallel page
    "nav.data_parallel": "Data parallel",
    "sidebar.data_parallel": "Data parallel: epoch {epoch}/{epochs} on {devices} {devices:plural:rank|ranks}",
    "dp.title": "Data parallel: one big batch, split between devices",
    "dp.intro": "Press Start and the server launches real worker processes (ranks) that train one model together with "
    "`torch.distributed`. Each rank draws its own share of every epoch through a `DistributedSampler`, computes the "
    "gradient of its own batch, and `DistributedDataParallel` averages the gradients of all ranks before every "
    "update: each update sees devices × batch size samples, as if one process had drawn one big batch.",
    "dp.section.devices": "Devices and batches",
    "dp.section.data": "Data",
    "dp.devices": "Devices (worker processes)",
    "dp.devices_help": "How many ranks train together. Each is a worker process on this server (gloo on the CPU; NCCL "
    "when there is a GPU per rank).",
    "dp.batch_size": "Batch size per device",
    "dp.batch_size_help": "What each rank's DataLoader draws per iteration; the global batch is devices × this.",
    "dp.global_batch_help": "The global batch: {devices} {devices:plural:device|devices} × {batch:,} "
    "{batch:plural:sample|samples} each, the samples behind one update.",
    "dp.plan_note": "Every one of the {n:,} {n:plural:sample|samples} trains (no validation split), so these are the "
    "counts of `plan({n}, {batch}, {epochs}, world_size={devices})`. Each rank gets ceil({n:,} / {devices}) = "
    "{per_rank:,} {per_rank:plural:sample|samples} an epoch.",
    "dp.plan_padded": "DistributedSampler repeats {padded:,} {padded:plural:index|indices} to make {devices} × "
    "{per_rank:,} = {total:,}.",
    "dp.plan_even": "{devices} × {per_rank:,} = {total:,}: DistributedSampler repeats no index.",
    "dp.start": "Start data-parallel run",
    "dp.press_start": "Press Start to launch the worker processes; each rank's draws appear here as it trains.",
    "dp.starting": "Starting {devices} worker {devices:plural:process|processes} ({backend}): each joins the "
    "process group and builds its copy of the model…",
    "dp.running": "Training on {devices} {devices:plural:rank|ranks}: epoch {epoch} of {epochs}, iteration "
    "{iteration} of {iterations}.",
    "dp.finished": "Finished: every rank made {updates:,} {updates:plural:update|updates} and its worker process has "
    "exited.",
    "dp.stopped": "Stopped: all {devices} worker {devices:plural:process|processes} have ended.",
    "dp.abandoned": "Stopped because the page did not ask for progress for {seconds:g} s (was the tab closed?); the "
    "worker processes have ended.",
    "dp.failed": "The data-parallel run failed: {error}",
    "dp.failed_rank": "Rank {rank} failed: {error}. The other ranks, left waiting for its gradients, were stopped.",
    "dp.rank_exited": "The process of rank {rank} ended unexpectedly (exit code {code}). The other ranks were "
    "stopped.",
    "dp.start_timeout": "The worker processes did not all join the process group within {seconds} s, so they were "
    "stopped.",
    "dp.stalled": "No rank reported progress for {seconds} s, so every worker process was stopped.",
    "dp.progress": "Update {updates:,} of {total:,} · epoch {epoch}/{epochs} · iteration {iteration}/{iterations}",
    "dp.started_in": "{devices} worker {devices:plural:process|processes} started, joined the process group "
    "({backend} on 127.0.0.1) and wrapped the model in DDP in {seconds} s.",
    "dp.epochs_help": "Full passes over the data, 1 to {high}.",
    "dp.epoch_shown": "Epoch shown",
    "dp.epoch_latest": "latest",
    "dp.grad_diff": "Gradient difference",
    "dp.grad_diff_help": "The largest absolute difference, over all parameters, between the first update's gradient "
    "as DDP all-reduced it on rank 0 and the gradient one process computes from the same initial weights on the "
    "ranks' first batches put together.",
    "dp.grad_caption": "First update: the average of the {devices} {devices:plural:rank's gradient|ranks' gradients} "
    "against one process's gradient on all {batch:,} {batch:plural:sample|samples} of their first batches "
    "({params:,} {params:plural:parameter|parameters}; largest gradient entry {largest}).",
    "dp.grad_same": "The same gradient, up to float32 rounding: data parallelism trains one big batch of {batch:,}.",
    "dp.grad_differs": "The gradients differ by more than float32 rounding ({diff}).",
    "dp.counts_match": "Counted by the workers themselves: {iterations:,} {iterations:plural:iteration|iterations} "
    "per epoch on every rank and {updates:,} {updates:plural:update|updates}, as planned; {samples:,} "
    "{samples:plural:sample|samples} drawn in all, {padded:,} of them padding duplicates.",
    "dp.counts_match_even": "Counted by the workers themselves: {iterations:,} "
    "{iterations:plural:iteration|iterations} per epoch on every rank and {updates:,} "
    "{updates:plural:update|updates}, as planned; {samples:,} {samples:plural:sample|samples} drawn in all, none "
    "of them twice.",
    "dp.counts_differ": "The workers' counts differ from the plan: iterations per epoch {iterations}, updates "
    "{updates} (planned {planned_iterations} and {planned_updates}).",
    "dp.how": "How it runs",
    "dp.how_body": "The server starts one process per rank (`torch.multiprocessing`, spawn), which meet on a free "
    "loopback port (`init_process_group(\"{backend}\", init_method=\"tcp://127.0.0.1:PORT\")`). Each builds the same "
    "model from the same seed, wraps it in `DistributedDataParallel` and draws its batches with "
    "`{sampler}`, calling "
    "`set_epoch(epoch)` so that every epoch is shuffled anew, the same way on every rank. After each iteration a "
    "rank sends the parent the indices it drew and its loss through a pipe. Stop, a closed tab or a failed rank "
    "ends every worker process.",
    "dp.fig_caption": "One column per iteration; in each rank's block, one row per sample of its batch. A cell "
    "holds the index of the sample drawn there (hover for it when the grid is too dense to write it). Red: an "
    "index that DistributedSampler draws a second time, so that every rank gets as many samples.",
    "dp.fig.title": "Epoch {epoch}: the sample indices each of {ranks} {ranks:plural:rank|ranks} draws",
    "dp.fig.x": "iteration",
    "dp.fig.rank": "rank {rank}",
    "dp.fig.padding": "padding duplicate ({count:,} per epoch)",
    "dp.fig.hover": "rank %{{customdata[1]}} · iteration %{{x}} · draw %{{customdata[2]}}<br>sample "
    "%{{customdata[0]}}",
    "dp.fig.padding_note": " (padding: drawn a second time)",
    "dp.fig.loss_title": "Loss per update: each rank on its own batch, and their mean (the global batch)",
    "dp.fig.loss_x": "update",
    "dp.fig.loss_y": "loss",
    "dp.fig.loss_mean": "mean of the ranks (global batch)",
    "dp.fig.loss_hover": "update %{{x}}<br>loss %{{y:.4f}}",
    # device choice
    "engine.device_choice.measured": "auto chose {device}: measured {rate:,.0f} samples/s on {device} vs "
    "{other_rate:,.0f} on {other} at batch size {batch:,}.",
    "engine.device_choice.default": "auto chose {device}, as it does whenever a GPU is present: no throughput has been "
    "measured yet at batch size {batch:,} on both {device} and {other}.",
    "engine.step.graph_failed": "The captured CUDA graph step cannot run here ({error}): training with the eager "
    "step instead.",
}
