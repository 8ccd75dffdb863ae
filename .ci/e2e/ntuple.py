#!/usr/bin/env python3
"""A small ntuple in the 2025 release's layout (TTree `analysis`, the photon branches a GamGam
notebook reads), written with uproot, for .ci/e2e-local.sh: 1000 events, 2 to 4 photons each,
transverse momenta in GeV from a seeded generator. Runs in the ATLAS stand-in (uproot, awkward).

    ntuple.py OUT.root
"""

import sys

import awkward as ak
import numpy as np
import uproot

rng = np.random.default_rng(2025)
n = rng.integers(2, 5, size=1000)
pt = ak.unflatten(rng.exponential(40.0, size=int(n.sum())) + 25.0, n)
with uproot.recreate(sys.argv[1]) as out:
    out["analysis"] = {"photon_n": n.astype(np.int32), "photon_pt": pt}
