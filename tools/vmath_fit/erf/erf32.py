from fit32 import *
N=3000
# small: R(s) = erf(x)/x - 1, s = x^2 on [0, 1]; weight: relative to erf/x
xs = np.linspace(0,1.0,N); ss = xs*xs
R = np.array([float(mp.erf(mp.mpf(x))/x - 1) if x>0 else float(2/mp.sqrt(mp.pi)-1) for x in xs])
w = 1/(1+R)
for deg in [5,6]:
    c = fit(R, ss, w, deg); print("small", deg, maxerr(c, ss, R, w), c)
# large: erf(a), u = a - 2, a in [1, 3.92]
a = np.linspace(1.0,3.93,N); u = a-2
E = np.array([float(mp.erf(mp.mpf(t))) for t in a])
for deg in [12,13,14,15]:
    c = fit(E, u, np.ones_like(u), deg); print("large", deg, maxerr(c, u, E, np.ones_like(u)), c)
