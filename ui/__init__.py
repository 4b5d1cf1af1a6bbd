"""Streamlit glue shared by the pages: language, URL state and paired widgets."""
