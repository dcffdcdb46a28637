# Minimax-ish fits (Lawson-reweighted least squares) with coefficients
# rounded to f32 one at a time (lowest degree first, the rest refitted).
import numpy as np, mpmath as mp, sys
mp.mp.dps = 40
def f32(v): return float(np.float32(v))
def fit(fvals, us, weights, deg, rnd=f32, iters=60, fixed=()):
    # fit fvals ≈ sum c_i us^i, minimising max |weights*(p - f)|
    fixed = list(fixed)
    c = []
    for j in range(len(fixed), deg+1):
        pass
    coefs = list(fixed)
    while len(coefs) <= deg:
        j = len(coefs)
        res = fvals - sum(ci*us**i for i, ci in enumerate(coefs))
        h = np.max(np.abs(us)) or 1.0
        V = np.stack([(us/h)**i for i in range(j, deg+1)], axis=1)
        lw = np.ones_like(us)
        for it in range(iters):
            W = (weights*lw)[:, None]
            sol, *_ = np.linalg.lstsq(V*W, res*weights*lw, rcond=None)
            e = np.abs((V@sol - res)*weights)
            lw = lw*(e/ e.max())**0.5 + 1e-12
            lw /= lw.max()
        coefs.append(rnd(sol[0]/h**j))
    return coefs
def maxerr(coefs, us, fvals, weights):
    p = np.zeros_like(us)
    for ci in reversed(coefs): p = p*us + ci
    return np.log2(np.max(np.abs((p - fvals)*weights)))
