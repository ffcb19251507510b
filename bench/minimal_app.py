"""The framework's floor for a chart page: one small plotly chart, nothing else."""

import plotly.graph_objects as go
import streamlit as st

st.title("Minimal chart page")
st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3, 4], y=[3, 1, 4, 2])))
