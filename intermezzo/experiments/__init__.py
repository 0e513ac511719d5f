"""The experiment grid: YAML, presets and overrides (loading.py) -> typed config (config.py, hparams.py) -> DAG of
phases keyed by their fingerprints (plan.py, dag.py) -> executors and runner (executors.py, runner.py, console.py)
-> SQLite results store (store.py); `intermezzo train` is a one-cell plan (train.py). Kept import-light: the CLI
imports this package."""
