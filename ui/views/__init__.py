"""The app's pages, one file each; Streamlit runs them as scripts. Not named `pages/`: Streamlit treats a `pages/`
folder beside the main script as a v1 multipage app and runs the first request's page without app.py."""
