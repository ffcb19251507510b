"""The only Streamlit-aware helpers: frame, sidebar, URL state, notices."""
