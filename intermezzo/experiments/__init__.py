"""The experiment grid: config (config.py) -> DAG of content-keyed phases (plan.py) -> executors and runner
(executors.py, runner.py) -> SQLite results store (store.py). Kept import-light: the CLI imports this package."""
