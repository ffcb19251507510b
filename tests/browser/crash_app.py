"""A page that breaks on purpose, for the browser test of what a person sees when something
unexpected fails (issue 15): once inside the app's own error frame, once outside it."""

import streamlit as st

from nlf_planner.ui.frame import unexpected_errors_reported

SECRET = "/srv/nlf/secret/module.py"

st.title("Crash test")
if st.query_params.get("bare") == "1":
    raise RuntimeError(f"bare failure in {SECRET}")  # Streamlit's own handler, details off
with unexpected_errors_reported():
    raise RuntimeError(f"framed failure in {SECRET}")
