"""Plotly chart builders: data in, figure out. No Streamlit, no SQL."""
