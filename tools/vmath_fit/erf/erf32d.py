from fit32 import *
from erf32c import horner32
N=3000
B=1.25
xs = np.linspace(0,B,N); ss = xs*xs
R = np.array([float(mp.erf(mp.mpf(x))/x - 1) if x>0 else float(2/mp.sqrt(mp.pi)-1) for x in xs])
w = 1/(1+R)
for deg in [5,6,7]:
    c = fit(R, ss, w, deg); print("small", deg, maxerr(c, ss, R, w), repr(c))
m=2.6484375
a = np.linspace(B,3.925,N); u = a-m
E = np.array([float(mp.erf(mp.mpf(t))) for t in a])
for deg in [10,11]:
  c = fit(E, u, np.ones_like(u), deg)
  print("large", deg, maxerr(c, u, E, np.ones_like(u)), repr(c))
