"""Plots of reports, experiments and comparisons (matplotlib, when installed).

Figures are made with matplotlib's object API and its Agg canvas, so no
global backend is switched and no window opens; each function returns the
``matplotlib.figure.Figure`` and writes a PNG when given a path. Every
figure carries its reproducibility record (:func:`triage.metadata`) twice: as
a caption under the plots, and in the PNG's text chunks (``Software``,
``Description`` with the caption, and ``libtriage`` with the record as JSON),
which :func:`png_metadata` reads back.

The figures available today come from whole-period reports: waiting times
(median and 90th percentile, business days), deadline compliance by legal
basis and load per worker for one run; their spread over seeds for an
experiment; mean paired differences with confidence intervals for a
comparison. Figures per month need per-period reports from one run, which
the simulator does not give yet.
"""

import json
import struct
import zlib

from . import _values

__all__ = ["plot_report", "plot_experiment", "plot_comparison", "png_metadata", "png_size"]

_DEFAULT_METRICS = ("wait_first_contact_median", "wait_assessment_start_median",
                    "wait_assessment_start_p90", "deadline_compliance", "deadlines_missed",
                    "open_at_end")
_ROLE_COLOURS = {"service_guide": "#8fbc8f", "social_counsellor": "#6495ed",
                 "social_worker": "#cd5c5c"}


def _figure(figsize, dpi):
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise ImportError("plots need matplotlib (Debian: apt install python3-matplotlib)") from e
    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def _finish(fig, meta, path, title, **adjust):
    caption = _values.metadata_text(meta)
    fig.text(0.01, 0.01, caption, fontsize=6.5, color="#555555", ha="left", va="bottom")
    if title:
        fig.suptitle(title, fontsize=11)
    fig.subplots_adjust(**{"bottom": 0.2, "top": 0.85, "wspace": 0.45, "hspace": 0.5,
                           "left": 0.08, "right": 0.98, **adjust})
    fig.triage_metadata = meta
    if path is not None:
        fig.savefig(path, dpi=fig.dpi, format="png", metadata={
            "Software": f"libtriage {meta.get('version', '')}",
            "Description": caption,
            "libtriage": _values.metadata_json(meta),
        })
    return fig


def plot_report(report, path=None, *, figsize=(13, 4.5), dpi=100, title=None):
    """Three panels of one report (a :class:`triage.SimReport` or a
    :class:`triage.Report`): waiting times in business days (median and 90th
    percentile of the first contact and of the assessment start), deadlines
    met and missed by legal basis, and the load of each worker."""
    d = report.to_dict()
    r = d.get("report", d)
    fig = _figure(figsize, dpi)
    ax1, ax2, ax3 = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1.3, 1.6]})

    waits = r["waiting_days"]
    names = [("first_contact", "first contact"), ("assessment_start", "assessment start")]
    xs = range(len(names))
    for offset, stat, colour in ((-0.2, "median", "#4682b4"), (0.2, "p90", "#b0c4de")):
        vals = [waits[k][stat] or 0 for k, _ in names]
        bars = ax1.bar([x + offset for x in xs], vals, width=0.4, color=colour, label=stat)
        for b, v in zip(bars, vals):
            ax1.annotate(f"{v:g}", (b.get_x() + b.get_width() / 2, v), ha="center",
                         va="bottom", fontsize=8)
    ax1.set_xticks(list(xs), [f"{label}\n(n={waits[k]['count']})" for k, label in names],
                   fontsize=8)
    ax1.set_ylabel("business days from intake")
    ax1.set_title("Waiting times", fontsize=10)
    ax1.legend(fontsize=8)

    rows = [x for x in r["deadlines"] if x["met"] + x["missed"] > 0]
    labels = [x["basis"] for x in rows]
    met = [x["met"] for x in rows]
    missed = [x["missed"] for x in rows]
    ax2.barh(labels, met, color="#66a266", label="met")
    ax2.barh(labels, missed, left=met, color="#d9534f", label="missed")
    for i, (m, x) in enumerate(zip(met, missed)):
        ax2.annotate(f"{m / (m + x):.1%}", (m + x, i), va="center", fontsize=8,
                     xytext=(3, 0), textcoords="offset points")
    ax2.invert_yaxis()
    ax2.set_xlabel("deadlines due in the period")
    ax2.set_title("Deadline compliance", fontsize=10)
    ax2.tick_params(axis="y", labelsize=8)
    ax2.legend(fontsize=8, loc="lower right")

    workers = r["workers"]
    wl = [w.get("label") or w.get("id", "")[:8] for w in workers]
    ax3.barh(wl, [w["load"] for w in workers],
             color=[_ROLE_COLOURS.get(w["role"], "#999999") for w in workers])
    ax3.invert_yaxis()
    ax3.set_xlabel("load at the end (normalized)")
    ax3.set_title("Load per worker", fontsize=10)
    ax3.tick_params(axis="y", labelsize=7)
    period = r.get("period", {})
    if title is None and period:
        title = f"{period.get('first_day')} .. {period.get('last_day')}"
    return _finish(fig, report.metadata, path, title)


def plot_experiment(experiment, path=None, *, metrics=None, figsize=None, dpi=100,
                    title=None, level=0.95):
    """One panel per metric. A replication shows each seed's value (the
    spread over seeds) with the mean and its confidence interval; a sweep
    shows the mean and interval at each value of its first parameter."""
    metrics = list(metrics or _DEFAULT_METRICS)
    cols = min(3, len(metrics))
    nrows = (len(metrics) + cols - 1) // cols
    # Sizes in whole hundredths of an inch, plus half a pixel so that the
    # PNG's pixel size (truncated by matplotlib) is exact.
    fig = _figure(figsize or ((430 * cols + 0.5) / 100, (330 * nrows + 60 + 0.5) / 100), dpi)
    axes = fig.subplots(nrows, cols, squeeze=False).ravel()
    summary = experiment.summary(level)
    param = experiment.parameters[0] if experiment.parameters else None
    for ax, metric in zip(axes, metrics):
        if param is None:
            vals = [v for v in experiment.values(metric) if v is not None]
            ax.plot([0] * len(vals), vals, "o", alpha=0.4, color="#4682b4",
                    label=f"{len(vals)} seeds")
            s = summary.where(metric=metric)[0]
            if s["ci_low"] is not None:
                ax.errorbar([0.25], [s["mean"]], yerr=[[s["mean"] - s["ci_low"]],
                                                       [s["ci_high"] - s["mean"]]],
                            fmt="s", color="black", capsize=4, label=f"mean, {level:.0%} CI")
            ax.set_xlim(-0.5, 0.75)
            ax.set_xticks([])
            ax.legend(fontsize=7)
        else:
            pts = [r for r in summary if r["metric"] == metric]
            xs = [r[param] for r in pts]
            ys = [r["mean"] for r in pts]
            lo = [r["mean"] - r["ci_low"] if r["ci_low"] is not None else 0 for r in pts]
            hi = [r["ci_high"] - r["mean"] if r["ci_high"] is not None else 0 for r in pts]
            ax.errorbar(xs, ys, yerr=[lo, hi], fmt="o-", capsize=4, color="#4682b4")
            ax.set_xlabel(param, fontsize=8)
        ax.set_title(metric.replace("_", " "), fontsize=9)
        ax.tick_params(labelsize=8)
    for ax in axes[len(metrics):]:
        ax.set_visible(False)
    return _finish(fig, experiment.metadata, path, title)


def plot_comparison(comparison, path=None, *, metrics=None, figsize=None, dpi=100,
                    title=None):
    """The what-if comparison: for each metric the mean paired difference
    (b - a) with its confidence interval, drawn as a share of arm a's mean,
    and labelled with the absolute figures."""
    metrics = list(metrics or _DEFAULT_METRICS)
    rows = [comparison.row(m) for m in metrics]
    fig = _figure(figsize or (10, (55 * len(rows) + 180 + 0.5) / 100), dpi)
    ax = fig.subplots()
    labels, mid, lo, hi = [], [], [], []
    for r in rows:
        base = r["a"] if r["a"] else None
        scale = 100.0 / abs(base) if base else 0.0
        d = r["difference"] or 0.0
        labels.append(r["metric"].replace("_", " "))
        mid.append(d * scale)
        lo.append((d - r["ci_low"]) * scale if r["ci_low"] is not None else 0.0)
        hi.append((r["ci_high"] - d) * scale if r["ci_high"] is not None else 0.0)
    ys = list(range(len(rows)))
    ax.errorbar(mid, ys, xerr=[lo, hi], fmt="o", capsize=4, color="#b22222")
    ax.axvline(0, color="#888888", linewidth=0.8)
    ax.set_yticks(ys, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("difference b - a, % of a's mean (mean over seeds, 95 % CI)", fontsize=8)
    for y, r in zip(ys, rows):
        if r["a"] is None or r["b"] is None:
            continue
        ci = (f" [{r['ci_low']:.3g}, {r['ci_high']:.3g}]" if r["ci_low"] is not None else "")
        ax.annotate(f"a {r['a']:.3g}  b {r['b']:.3g}  diff {r['difference']:+.3g}{ci}",
                    (1.0, y), xycoords=("axes fraction", "data"), xytext=(6, 0),
                    textcoords="offset points", va="center", fontsize=7)
    meta = comparison.metadata
    if title is None:
        title = f"{meta.get('scenario_b', 'b')} vs {meta.get('scenario_a', 'a')}"
    return _finish(fig, meta, path, title, left=0.25, right=0.62, bottom=0.25)


def _chunks(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG file")
    pos = 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        yield kind, data[pos + 8:pos + 8 + length]
        pos += 12 + length


def png_size(path):
    """``(width, height)`` in pixels, from the PNG's IHDR chunk."""
    for kind, body in _chunks(path):
        if kind == b"IHDR":
            return struct.unpack(">II", body[:8])
    raise ValueError(f"{path} has no IHDR chunk")


def png_metadata(path):
    """The text chunks of a PNG as a dict; the ``libtriage`` record, when
    present, parsed from its JSON."""
    out = {}
    for kind, body in _chunks(path):
        if kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            out[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\0")
            out[key.decode("latin-1")] = zlib.decompress(rest[1:]).decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = body.partition(b"\0")
            flag, _method = rest[0], rest[1]
            rest = rest[2:]
            _lang, _, rest = rest.partition(b"\0")
            _tkey, _, text = rest.partition(b"\0")
            out[key.decode("latin-1")] = (zlib.decompress(text) if flag else text).decode("utf-8")
    if "libtriage" in out:
        out["libtriage"] = json.loads(out["libtriage"])
    return out
