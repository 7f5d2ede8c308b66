"""Experiments over many seeds: :func:`replicate`, :func:`sweep` and :func:`compare`.

Each run is one :func:`triage.simulate` of a scenario from one seed. Runs are
independent, so they go to worker processes (``processes``) and come back as
tidy tables: one row per run and metric (:class:`Table`, a list of dicts with
``to_pandas()``). The figures are those of :data:`triage.METRICS`. Results do
not depend on the number of processes: a run depends only on its scenario,
days, warm-up and seed.

Processes are started with ``fork`` when that is safe (Linux, and the calling
process runs no other Python thread), else with ``forkserver`` or ``spawn``
(then a script must guard its top level with ``if __name__ == "__main__":``,
as multiprocessing requires). ``context=`` chooses one explicitly.

Confidence intervals are two-sided Student's t intervals over seeds
(triage/_stats.py): for :func:`compare`, the paired t interval of the
per-seed differences.
"""

import csv as _csv
import io
import itertools
import multiprocessing
import os
import sys
import threading
import warnings

from . import _sim, _stats, _values

__all__ = ["Table", "Experiment", "Comparison", "IntakeStreamWarning", "IntakeStreamError",
           "replicate", "sweep", "compare", "metadata", "METRICS"]

METRICS = _values.METRICS
metadata = _values.metadata


class IntakeStreamWarning(UserWarning):
    """The two arms of a comparison did not see the same intake stream."""


class IntakeStreamError(ValueError):
    """Raised by ``compare(..., streams="error")`` when the arms' intake streams differ."""


class Table(list):
    """A tidy table: a list of dicts (one per row, the same keys in each) that
    carries :attr:`metadata` (see :func:`triage.metadata`)."""

    def __init__(self, rows=(), metadata=None):
        super().__init__(rows)
        self.metadata = dict(metadata or {})

    @property
    def columns(self):
        """The column names, in order."""
        return list(self[0]) if self else []

    def where(self, **equal):
        """The rows whose columns equal the given values, e.g. ``where(metric="intakes")``."""
        return type(self)([r for r in self if all(r.get(k) == v for k, v in equal.items())],
                          self.metadata)

    def to_pandas(self):
        """A ``pandas.DataFrame`` (needs pandas); the metadata is in ``df.attrs["triage"]``."""
        import pandas as pd
        df = pd.DataFrame.from_records(list(self), columns=self.columns or None)
        df.attrs["triage"] = self.metadata
        return df

    def to_csv(self, path=None):
        """The rows as CSV text (a ``# triage: {...}`` metadata line first);
        written to ``path`` when given."""
        out = io.StringIO()
        out.write("# triage: " + _values.metadata_json(self.metadata) + "\n")
        w = _csv.DictWriter(out, fieldnames=self.columns, lineterminator="\n")
        w.writeheader()
        w.writerows(self)
        text = out.getvalue()
        if path is not None:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        return text

    def __repr__(self):
        return f"<triage.{type(self).__name__}: {len(self)} rows, columns {self.columns}>"

    def __reduce__(self):
        return (type(self)._from_state, (list(self), self.__dict__))

    @classmethod
    def _from_state(cls, rows, state):
        t = cls.__new__(cls)
        list.__init__(t, rows)
        t.__dict__.update(state)
        return t


class Experiment(Table):
    """The runs of :func:`replicate` or :func:`sweep`: rows ``{<parameters>...,
    "seed", "metric", "value"}``. ``reports`` maps ``(parameters, seed)`` to the
    run's :class:`triage.SimReport` when ``keep_reports=True`` was given."""

    def __init__(self, rows=(), metadata=None, parameters=(), reports=None):
        super().__init__(rows, metadata)
        self.parameters = list(parameters)
        self.reports = reports or {}

    def summary(self, level=0.95):
        """One row per parameter point and metric: ``n``, ``mean``, ``sd`` and
        the ``level`` confidence interval (``ci_low``, ``ci_high``; Student's t
        over seeds)."""
        groups = {}
        for r in self:
            key = tuple(r[p] for p in self.parameters) + (r["metric"],)
            groups.setdefault(key, []).append(r["value"])
        rows = []
        for key, values in groups.items():
            row = dict(zip(self.parameters + ["metric"], key))
            row.update(_stats.mean_interval(values, level))
            del row["t"]
            rows.append(row)
        return Table(rows, {**self.metadata, "interval": _interval_note(level)})

    def values(self, metric, **parameters):
        """The metric's values in seed order (at one parameter point for a sweep)."""
        return [r["value"] for r in self
                if r["metric"] == metric and all(r[k] == v for k, v in parameters.items())]

    def plot(self, path=None, metrics=None, **kwargs):
        """Draws the runs (needs matplotlib): for :func:`replicate` each metric's
        spread over seeds with its mean and confidence interval; for
        :func:`sweep` the mean and interval against the swept parameter."""
        from ._plot import plot_experiment
        return plot_experiment(self, path, metrics=metrics, **kwargs)


class Comparison(Table):
    """The result of :func:`compare`: one row per metric with the means of
    arms ``a`` and ``b``, the mean paired ``difference`` (b - a), its ``sd``,
    ``n`` and the confidence interval ``ci_low`` .. ``ci_high`` (paired
    Student's t over seeds). ``per_seed`` holds the paired runs (rows
    ``seed, metric, a, b, difference``); ``streams_differ`` lists the seeds
    whose two arms saw different intake streams."""

    def __init__(self, rows=(), metadata=None, per_seed=None, streams_differ=(),
                 reports=None):
        super().__init__(rows, metadata)
        self.per_seed = per_seed if per_seed is not None else Table()
        self.streams_differ = list(streams_differ)
        self.reports = reports or {}

    def row(self, metric):
        """The summary row of one metric."""
        for r in self:
            if r["metric"] == metric:
                return r
        raise KeyError(metric)

    def plot(self, path=None, metrics=None, **kwargs):
        """Draws the what-if comparison (needs matplotlib): each metric's mean
        difference with its confidence interval, as a share of arm a's mean."""
        from ._plot import plot_comparison
        return plot_comparison(self, path, metrics=metrics, **kwargs)


def _interval_note(level):
    return f"{level:.0%} two-sided Student's t interval over seeds"


# ---- running --------------------------------------------------------------------------

_scenario_cache = {}


def _scenario(text):
    sc = _scenario_cache.get(text)
    if sc is None:
        if len(_scenario_cache) > 64:
            _scenario_cache.clear()
        sc = _scenario_cache[text] = _sim.Scenario.parse(text, "scenario")
    return sc


def run(scenario, days=None, seed=1, warmup=None):
    """One run: :func:`triage.simulate` with ``days`` None for the scenario's
    (``warmup`` days simulated first and left out of every figure; None: the
    scenario's ``warmup``)."""
    return _sim.simulate(scenario, days=days, seed=seed, warmup=warmup)


def _task(args):
    index, text, days, seed, warmup, keep = args
    try:
        report = run(_scenario(text), days, seed, warmup)
    except Exception as e:
        e.add_note(f"in the run of seed {seed} (days {days}, warm-up {warmup})")
        raise
    d = report.to_dict()
    if keep:
        report.to_csv()  # cached, so the report pickles without its handle
    return index, _values.report_metrics(d), _values.intake_signature(d), (
        report if keep else None)


def _context(name):
    if name is not None:
        return multiprocessing.get_context(name)
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _bar(done, total):
    width = 40
    filled = done * width // max(total, 1)
    sys.stderr.write(f"\r[{'#' * filled}{' ' * (width - filled)}] run {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _execute(tasks, processes, progress, context):
    """Runs the tasks; results in task order. ``progress(done, total)`` after each."""
    if progress is True:
        progress = _bar
    total = len(tasks)
    results = [None] * total
    if processes is None:
        processes = os.cpu_count() or 1
    processes = max(1, min(int(processes), total))
    if processes == 1:
        for i, t in enumerate(tasks):
            r = _task(t)
            results[r[0]] = r
            if progress:
                progress(i + 1, total)
        return results
    ctx = _context(context)
    with ctx.Pool(processes) as pool:
        for done, r in enumerate(pool.imap_unordered(_task, tasks), 1):
            results[r[0]] = r
            if progress:
                progress(done, total)
    return results


def _seeds(seeds, seed):
    if seed is not None:
        if seeds is not None:
            raise TypeError("give seeds= or seed=, not both")
        seeds = [seed]
    seeds = list(range(1, 31) if seeds is None else seeds)
    if not seeds:
        raise ValueError("no seeds")
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, int) or s < 0:
            raise TypeError("seeds are non-negative ints")
    return seeds


def replicate(scenario, seeds=None, *, days=None, warmup=None, processes=None,
              progress=None, keep_reports=False, context=None):
    """Runs ``scenario`` once per seed (default seeds 1..30) and returns an
    :class:`Experiment`: rows ``{"seed", "metric", "value"}`` in seed order,
    metrics in :data:`triage.METRICS` order.

    ``days``: calendar days per run (None: the scenario's). ``warmup``: days
    simulated first and excluded from every figure (None: the scenario's
    ``warmup``). ``processes``: worker processes (None: one per CPU; 1:
    in this process). ``progress``: ``progress(done, total)`` after each run,
    or True for a bar on stderr. ``keep_reports``: keep each run's
    :class:`triage.SimReport` in ``.reports[seed]``.
    """
    return sweep(scenario, {}, seeds, days=days, warmup=warmup, processes=processes,
                 progress=progress, keep_reports=keep_reports, context=context)


def _grid_points(grid):
    names = list(grid)
    for n in names:
        section, dot, key = n.partition(".")
        if not dot or not section or not key:
            raise ValueError(f"a swept parameter is named 'section.key', not {n!r}")
    values = [list(grid[n]) for n in names]
    return names, [dict(zip(names, combo)) for combo in itertools.product(*values)]


def sweep(scenario, grid, seeds=None, *, days=None, warmup=None, processes=None,
          progress=None, keep_reports=False, context=None):
    """Runs ``scenario`` at every point of a parameter grid, once per seed.

    ``grid`` maps dotted ``"section.key"`` names to lists of values, e.g.
    ``{"guidance.resolved": [0.4, 0.5, 0.6]}``; several names give their
    cartesian product. Every value is checked (:class:`triage.InvalidArgument`
    naming the key) before anything runs. Returns an :class:`Experiment` whose
    rows carry the parameter columns first: ``{"guidance.resolved", "seed",
    "metric", "value"}``. Other arguments as :func:`replicate`.
    """
    base = _sim.Scenario._of(scenario)
    seeds = _seeds(seeds, None)
    names, points = _grid_points(grid)
    texts = []
    for p in points:
        sc = base.copy()
        for name, value in p.items():
            section, _, key = name.partition(".")
            sc.set(section, key, value)
        sc.validate()
        texts.append(sc.to_text())
    tasks = [(i, texts[i // len(seeds)], days, seeds[i % len(seeds)], warmup, keep_reports)
             for i in range(len(points) * len(seeds))]
    results = _execute(tasks, processes, progress, context)
    rows, reports = [], {}
    for i, (_, m, _sig, report) in enumerate(results):
        point, seed = points[i // len(seeds)], seeds[i % len(seeds)]
        for metric in METRICS:
            rows.append({**point, "seed": seed, "metric": metric, "value": m[metric]})
        if keep_reports:
            reports[(tuple(point.values()), seed) if names else seed] = report
    meta = _values.metadata(base, seeds=seeds, days=days, warmup=warmup)
    if names:
        meta["grid"] = {n: list(grid[n]) for n in names}
    return Experiment(rows, meta, names, reports)


def compare(a, b, seeds=None, *, days=None, warmup=None, processes=None, progress=None,
            streams="warn", level=0.95, keep_reports=False, context=None, seed=None):
    """Runs two scenarios (policies) from the same seeds and pairs the runs seed by seed.

    Both arms of a seed see the same intake stream as long as the scenarios
    share the demand (docs/simulation.md, "Common random numbers"), so the
    difference comes from the policy. Returns a :class:`Comparison`: per
    metric the mean of each arm, the mean paired difference (b - a) and its
    ``level`` confidence interval (paired Student's t over seeds, n - 1
    degrees of freedom; None with one seed).

    ``streams``: what to do when a seed's two arms saw different intake
    streams (compared by the runs' intake hash, :attr:`SimReport.intake_hash`): ``"warn"``
    (:class:`IntakeStreamWarning`), ``"error"`` (:class:`IntakeStreamError`)
    or ``"ignore"``. ``seed=S`` is short for ``seeds=[S]``. Other arguments
    as :func:`replicate`.
    """
    if streams not in ("warn", "error", "ignore"):
        raise ValueError("streams is 'warn', 'error' or 'ignore'")
    sa, sb = _sim.Scenario._of(a), _sim.Scenario._of(b)
    seeds = _seeds(seeds, seed)
    sa.validate()
    sb.validate()
    ta, tb = sa.to_text(), sb.to_text()
    n = len(seeds)
    tasks = [(i, ta if i < n else tb, days, seeds[i % n], warmup, keep_reports)
             for i in range(2 * n)]
    results = _execute(tasks, processes, progress, context)
    per_seed, differ, reports = [], [], {}
    for i, s in enumerate(seeds):
        _, ma, siga, rep_a = results[i]
        _, mb, sigb, rep_b = results[n + i]
        if siga != sigb:
            differ.append(s)
        for metric in METRICS:
            x, y = ma[metric], mb[metric]
            diff = None if x is None or y is None else y - x
            per_seed.append({"seed": s, "metric": metric, "a": x, "b": y, "difference": diff})
        if keep_reports:
            reports[s] = (rep_a, rep_b)
    meta = _values.metadata(None, seeds=seeds, days=days, warmup=warmup)
    meta.update(scenario_a=sa.get("scenario", "name"), scenario_a_sha256=sa.sha256,
                scenario_b=sb.get("scenario", "name"), scenario_b_sha256=sb.sha256,
                interval=_interval_note(level))
    if differ:
        msg = (f"the two arms saw different intake streams for {len(differ)} of {n} seeds "
               f"(first: seed {differ[0]}); they differ in demand, not only in policy "
               "(see docs/simulation.md, 'Common random numbers')")
        if streams == "error":
            raise IntakeStreamError(msg)
        if streams == "warn":
            warnings.warn(msg, IntakeStreamWarning, stacklevel=2)
    meta["streams_differ"] = differ
    rows = []
    for metric in METRICS:
        cells = [r for r in per_seed if r["metric"] == metric]
        ia = _stats.mean_interval([r["a"] for r in cells], level)
        ib = _stats.mean_interval([r["b"] for r in cells], level)
        d = _stats.mean_interval([r["difference"] for r in cells], level)
        rows.append({"metric": metric, "a": ia["mean"], "b": ib["mean"],
                     "difference": d["mean"], "ci_low": d["ci_low"], "ci_high": d["ci_high"],
                     "sd": d["sd"], "n": d["n"]})
    return Comparison(rows, meta, Table(per_seed, meta), differ, reports)
