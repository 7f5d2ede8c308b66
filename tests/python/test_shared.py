"""Several engines on one database from Python: the shared configuration,
refresh and the counters (docs/storage.md). Two engines on one SQLite file
are in test_store.py; here, what the Engine API adds."""
import pytest

import triage


def test_policy_setters_and_getters():
    with triage.Engine() as e:
        p = triage.UrgencyPolicy()
        p.set_response_days(triage.Urgency.NORMAL, 10)
        e.set_urgency_policy(p)
        got = e.urgency_policy()
        assert got.response_days(triage.Urgency.NORMAL) == 10
        # a copy: changing it leaves the engine's alone
        got.set_response_days(triage.Urgency.NORMAL, 12)
        assert e.urgency_policy().response_days(triage.Urgency.NORMAL) == 10
        k = triage.ClassifyPolicy(need_areas=4)
        e.set_classify_policy(k)
        assert e.classify_policy().need_areas == 4
        r = triage.DeadlineRules()
        e.set_deadline_rules(r)
        assert isinstance(e.deadline_rules(), triage.DeadlineRules)
        with pytest.raises(TypeError):
            e.set_urgency_policy("fast")
        with pytest.raises(TypeError):
            e.set_deadline_rules(p)
        kinds = [ev.kind for ev in e.events()]
        assert kinds.count(triage.EventKind.POLICY_CHANGED) == 3


def test_refresh_and_stats_in_memory():
    with triage.Engine() as e:
        e.refresh()  # nothing to bring in
        s = e.stats()
        assert s["resident"] is True
        assert s["races"] == 0 and s["conflicts"] == 0 and s["rebased"] == 0
        e.add_client()
        assert e.stats()["clients"] == 1
        assert e.stats()["last_seq"] == 1
    with pytest.raises(ValueError):
        e.stats()
