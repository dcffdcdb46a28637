from fit32 import *
best=[]
m = np.float32(1.96)
while m <= 2.0:
    v = mp.erf(mp.mpf(float(m)))
    d = abs(float(np.float32(float(v))) - v)
    best.append((float(d), float(m)))
    m = np.nextafter(m, np.float32(3))
best.sort(); print(best[:5])
N=4000
for (d, m) in best[:3]:
    a = np.linspace(1.0,3.93,N); u = a-m
    E = np.array([float(mp.erf(mp.mpf(t))) for t in a])
    for deg in [12,13,14]:
        c = fit(E, u, np.ones_like(u), deg); print(m, "large", deg, maxerr(c, u, E, np.ones_like(u)), repr(c))
