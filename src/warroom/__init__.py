"""warroom: the incident recovery playbook as a GitHub Action plus issue forms."""

__version__ = "0.1.0"
