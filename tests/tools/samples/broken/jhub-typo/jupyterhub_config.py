# BROKEN on purpose: the reference config plus a misspelled trait and a misspelled class section
import os

c = get_config()  # noqa: F821
load_subconfig(os.path.join(os.path.dirname(__file__), "..", "..", "jupyterhub_config.py"))  # noqa: F821
c.DockerSpawner.mem_limt = "2G"
c.DockerSpwaner.image = "x"
