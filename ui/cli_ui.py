"""`parley ui`: start the Streamlit app on a store, bound to loopback, with error details kept out of the
browser and a small upload cap.

The server settings live here, in `server_flags`, and nowhere else: they go on `streamlit run`'s command
line, which wins over any `.streamlit/config.toml` in the current folder or the user's home, so whatever
folder `parley ui` is started from, it applies them. The store goes to the app in ``$PARLEY_STORE``.
"""

from __future__ import annotations

import ipaddress
import os
import signal
import subprocess
import sys
from pathlib import Path

import click

from graph.errors import ParleyError
from graph.store import DEFAULT_STORE, ENV_STORE
from ui.cli import CONTEXT, State, cli, pass_state

APP = Path(__file__).resolve().parent / "app.py"
DEFAULT_HOST = "127.0.0.1"
MAX_UPLOAD_MB = 10  # Streamlit's default is 200; record files and transcripts are far smaller


def server_flags(host: str = DEFAULT_HOST, port: int | None = None, *, debug: bool = False) -> list[str]:
    """The app's whole server configuration as `streamlit run` options.

    >>> "--server.address=127.0.0.1" in server_flags() and "--client.showErrorDetails=none" in server_flags()
    True
    """
    options = {
        "server.address": host,
        "server.headless": "true",                       # never try to open a browser on the server
        "server.maxUploadSize": str(MAX_UPLOAD_MB),      # megabytes, instead of Streamlit's 200
        "server.enableXsrfProtection": "true",
        "server.fileWatcherType": "none",                # the code does not change under a running app
        "server.runOnSave": "false",
        "browser.gatherUsageStats": "false",
        "client.showErrorDetails": "full" if debug else "none",  # tracebacks stay in the server's log
        "client.toolbarMode": "developer" if debug else "viewer",
        "global.developmentMode": "false",
        "theme.base": "light",
    }
    if port is not None:
        options["server.port"] = str(port)
    return [f"--{key}={value}" for key, value in options.items()]


def command(host: str = DEFAULT_HOST, port: int | None = None, *, debug: bool = False) -> list[str]:
    """The command line that starts the app with this Python: `streamlit run`, after ui.app_server has loaded
    what the pages import."""
    return [sys.executable, "-m", "ui.app_server", str(APP), *server_flags(host, port, debug=debug)]


def app_store(spec: str | None) -> str:
    """The store spec the app process should open: an endpoint URL as it is, a folder as an absolute path.

    :raises ParleyError: ``memory:`` (the app runs in a process of its own and would see an empty store),
        or a folder that does not exist.
    """
    spec = spec or os.environ.get(ENV_STORE) or DEFAULT_STORE
    if spec.startswith(("http://", "https://")):
        return spec
    if spec == "memory:":
        raise ParleyError("the app runs in a process of its own and cannot see a memory: store; give a store "
                          "folder (--store ./parley-data) or a SPARQL endpoint URL")
    folder = Path(spec).expanduser().resolve()
    if not folder.is_dir():
        raise ParleyError(f"no store at {folder}: load the example with `parley demo`, or create one with "
                          "`parley init` and add records with `parley ingest`")
    return str(folder)


def start_ui(store_spec: str, port: int | None, host: str) -> None:
    """Run the app on `store_spec` until it is stopped (Ctrl-C or SIGTERM). The caller must have closed
    any store it opened: one process owns an on-disk store, and from here on that is the app.

    :raises ParleyError: the store cannot be shown, or the app could not start or stopped with an error.
    """
    spec = app_store(store_spec)
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        click.echo(f"Warning: listening on {host}: the app has no login, and anyone who can reach it can read "
                   "and change the store", err=True)
    env = dict(os.environ)
    env[ENV_STORE] = spec
    debug = bool(os.environ.get("PARLEY_DEBUG"))
    click.echo(f"Starting the Parley app on {spec} (Ctrl-C to stop)…", err=True)
    try:
        proc = subprocess.Popen(command(host, port, debug=debug), env=env)
    except OSError as e:
        raise ParleyError(f"cannot start the app: {e.strerror or e}") from None

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops the app like Ctrl-C

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)  # a terminal's Ctrl-C reached it already; a SIGTERM to us did not
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        code = 0 if code in (0, -signal.SIGINT, -signal.SIGTERM) else code
    finally:
        signal.signal(signal.SIGTERM, previous)
    if code not in (0, -signal.SIGINT, -signal.SIGTERM):
        raise ParleyError(f"the app stopped with exit status {code} (messages above)")


@cli.command("ui", context_settings=CONTEXT)
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Port to listen on (default 8501, or the next free one).")
@click.option("--host", default=DEFAULT_HOST, show_default=True,
              help="Address to listen on; anything but loopback lets others read and change the store.")
@pass_state
def ui_command(state: State, port: int | None, host: str) -> None:
    """Start the app in the browser: explore the graph, the timeline, positions and documents, run SPARQL,
    download snapshots, and ingest new records.

    \b
    Example:
        parley ui
        parley --store ./my-data ui --port 8600
    """
    state.close()  # the app process opens the store; this one must not hold it
    start_ui(state.store_spec or os.environ.get(ENV_STORE) or DEFAULT_STORE, port, host)


__all__ = ["APP", "MAX_UPLOAD_MB", "app_store", "command", "server_flags", "start_ui", "ui_command"]
