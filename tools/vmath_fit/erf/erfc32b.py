from fit32 import *
from erf32c import horner32
N=4000
lo, hi = 0.84375, 10.06
cc = 0.640625
us = np.linspace(1/hi, 1/lo, N)
G = np.array([float(mp.log(mp.mpf(1)/u*mp.erfc(mp.mpf(1)/u)) + (mp.mpf(1)/u)**2 + mp.mpf(0.5625)) for u in us])
ag = np.linspace(lo, hi, 20001).astype(np.float32)
ug = (np.float32(1)/ag)
vg = (ug - np.float32(cc)).astype(np.float64)
Gg = np.array([float(mp.log(mp.mpf(float(t))*mp.erfc(mp.mpf(float(t)))) + mp.mpf(float(t))**2 + mp.mpf(0.5625)) for t in ag])
for deg in [11,12,13]:
    c = fit(G, us-cc, np.ones_like(us), deg)
    P = horner32(c, vg)
    print(deg, "fit", maxerr(c, us-cc, G, np.ones_like(us)), "sim abs log2 %.2f"%np.log2(np.max(np.abs(P-Gg))), "at", ag[np.argmax(np.abs(P-Gg))])
    print(repr(c))
