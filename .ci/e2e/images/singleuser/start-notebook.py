#!/opt/conda/bin/python
# docker-stacks start-notebook.py: jupyterhub-singleuser under a hub, else `jupyter lab`, with
# NOTEBOOK_ARGS and the arguments appended.
import os
import shlex
import sys

command = []
if "JUPYTERHUB_API_TOKEN" in os.environ:
    command.append("jupyterhub-singleuser")
else:
    command += ["jupyter", os.environ.get("DOCKER_STACKS_JUPYTER_CMD", "lab")]
if "NOTEBOOK_ARGS" in os.environ:
    command += shlex.split(os.environ["NOTEBOOK_ARGS"])
command += sys.argv[1:]
print("Executing: " + " ".join(command), flush=True)
os.execvp(command[0], command)
