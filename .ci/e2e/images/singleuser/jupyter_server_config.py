# docker-stacks /etc/jupyter/jupyter_server_config.py (the parts that matter here)
c = get_config()  # noqa: F821
c.ServerApp.ip = "0.0.0.0"
c.ServerApp.open_browser = False
c.ServerApp.port = int(__import__("os").environ.get("JUPYTER_PORT", "8888"))
c.FileContentsManager.delete_to_trash = False
