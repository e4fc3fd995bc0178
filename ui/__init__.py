"""Parley's faces: the `parley` command and the Streamlit app."""
