"""The report of a run: scores, gains, robustness under noise, paired statistics, plots (render.build_report)."""
