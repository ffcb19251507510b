"""NLF Planner: strategy planning for the NHS national framework for leadership development
and improvement (Developing People – Improving Care, 2016)."""

__version__ = "0.1.0"
