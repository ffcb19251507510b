"""The leadership-capacity model (``docs/MODEL.md``): parameters, the numpy model, outputs and
scenario operations. Importable without Streamlit."""
