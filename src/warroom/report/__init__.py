"""The report across incidents: how fast, how punctual, what blocked closure, per month.

``metrics`` turns incidents (already derived from their records) into numbers
and is pure; one module per output format turns those numbers into text;
``reading`` reads warroom's own notices and follow-up issues without I/O.
The shell that reads GitHub is ``warroom.run_report``.
"""
