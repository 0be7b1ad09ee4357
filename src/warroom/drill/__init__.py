"""Drills: the playbook's scenario library, played against the local GitHub on a compressed clock.

``warroom drill SCENARIO`` starts the sandbox with the Action dispatched on
every event, opens the scenario's signal, plays its script (monitoring numbers
that move, a stakeholder asking when the cadence slips, a second owner's
contradictory mitigation, a red rerun after a premature "looks stable"),
answers ``/drill run <command>`` with the scenario's evidence, and posts a
debrief when the gate is met or the time is up.

Scenarios are data (``scenario.py``, bundled YAML in ``scenarios/``); the
script and the debrief are pure (``script.py``, ``debrief.py``); ``runner.py``
is the shell that drives the sandbox. An optional extra (``warroom[drill]``):
the Action never imports this package.
"""
