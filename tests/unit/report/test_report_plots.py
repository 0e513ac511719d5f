"""Figures a reader can read: heatmap labels in a colour that contrasts with their cell, legends on the canvas."""

import pytest

from intermezzo.report import plots


@pytest.fixture
def figures(monkeypatch):
    """Each figure the plot functions make, kept open instead of written."""
    made = []

    def keep(fig, path):
        fig.canvas.draw()
        made.append(fig)
        return path

    monkeypatch.setattr(plots, "_save", keep)
    yield made
    for fig in made:
        plots._plt().close(fig)


def test_text_colour_by_luminance():
    assert plots.text_colour((0.05, 0.1, 0.4, 1.0)) == "white"  # dark blue
    assert plots.text_colour((0.4, 0.0, 0.05, 1.0)) == "white"  # dark red
    assert plots.text_colour((0.97, 0.97, 0.97, 1.0)) == "black"  # near white
    assert plots.text_colour((0.9, 0.6, 0.5, 1.0)) == "black"  # light salmon


def test_heatmap_labels_contrast_with_their_cells(figures, tmp_path):
    gains = {("a", "x"): {"value": 20.0, "significant": True}, ("a", "y"): {"value": 0.5},
             ("b", "x"): {"value": -20.0}, ("b", "y"): {"value": -1.0}}
    plots.gain_heatmap(gains, ["a", "b"], ["x", "y"], tmp_path / "h.png")
    ax = figures[0].axes[0]
    colour = {t.get_text(): t.get_color() for t in ax.texts}
    # The ends of the diverging map are dark, its middle light.
    assert colour == {"+20.0*": "white", "+0.5": "black", "-20.0": "white", "-1.0": "black"}


@pytest.mark.parametrize("langs", [["de"], ["de", "sw", "fr", "ja"], ["de", "sw", "fr", "ja", "zh"]])
def test_degradation_legend_lies_inside_the_figure(figures, tmp_path, langs):
    deg = [{"task": "xnli", "family": "keyboard", "lang": lang, "condition": cond, "level": level,
            "clean": 80.0, "noisy": 80.0 - 50 * level}
           for lang in langs for cond in ("none", "mnli", "mnli-mt") for level in (0.1, 0.3)]
    plots.degradation_curves(deg, "xnli", "keyboard", tmp_path / "d.png")
    fig = figures[0]
    # One legend, drawn in a panel (an empty one when there is one), not hung off the figure's side.
    legends = [lg for ax in fig.axes for lg in [ax.get_legend()] if lg]
    assert len(legends) == 1 and not fig.legends
    box, canvas = legends[0].get_window_extent(), fig.bbox
    assert canvas.x0 <= box.x0 and box.x1 <= canvas.x1 and canvas.y0 <= box.y0 and box.y1 <= canvas.y1


def test_contrast_bars_carry_a_legend_inside(figures, tmp_path):
    rows = [{"task": "xnli", "lang": lang, "noisy_difference": {"value": v, "low": v - 2, "high": v + 2}}
            for lang, v in (("de", 1.0), ("sw", -3.0))]
    plots.gap_bars(rows, "noisy_difference", "noisy difference", tmp_path / "g.png")
    fig = figures[0]
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["favours target-language arm", "favours English arm"]
    box = legend.get_window_extent()
    assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1
