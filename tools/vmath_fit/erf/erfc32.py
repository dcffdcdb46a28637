from fit32 import *
from erf32c import horner32
N=3000
lo, hi = 0.84375, 10.06
us = np.linspace(1/hi, 1/lo, N)
G = np.array([float(mp.log(mp.mpf(1)/u*mp.erfc(mp.mpf(1)/u)) + (mp.mpf(1)/u)**2 + mp.mpf(0.5625)) for u in us])
for deg in [11,12,13,14]:
    c = fit(G, us, np.ones_like(us), deg)
    ag = np.linspace(lo, hi, 20001).astype(np.float32)
    ug = (np.float32(1)/ag).astype(np.float64)
    Gg = np.array([float(mp.log(mp.mpf(float(t))*mp.erfc(mp.mpf(float(t)))) + mp.mpf(float(t))**2 + mp.mpf(0.5625)) for t in ag])
    P = horner32(c, ug)
    print(deg, "fit", maxerr(c, us, G, np.ones_like(us)), "sim abs log2 %.2f"%np.log2(np.max(np.abs(P-Gg))), "sum|c|u^k max", max(sum(abs(ci)*u**i for i,ci in enumerate(c)) for u in [1/lo]))
    print(repr(c))
