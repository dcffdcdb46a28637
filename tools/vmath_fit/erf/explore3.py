import numpy as np, mpmath as mp
from numpy.polynomial import chebyshev as C
mp.mp.dps=30
def cheb_err(f, a, b, n, rel=True):
    k=np.arange(n+1); xs=np.cos(np.pi*(k+0.5)/(n+1))
    ts=(a+b)/2+(b-a)/2*xs
    c=C.chebfit(xs,np.array([f(t) for t in ts]),n)
    g=np.linspace(-1,1,3001); tg=(a+b)/2+(b-a)/2*g
    fv=np.array([f(t) for t in tg])
    e=C.chebval(g,c)-fv
    if rel: e=e/fv
    return round(float(np.log2(np.max(np.abs(e)))),1)
erfcx=lambda a: float(mp.erfc(a)*mp.exp(a*a))
lerfcx=lambda a: float(mp.log(mp.erfc(a)*mp.exp(a*a)))
for (lo,hi) in [(0.5,10.06),(0.5,2.5),(2.5,10.06),(0.5,3),(3,10.06),(0.84,4),(4,10.06)]:
    print(lo,hi,"erfcx",[(n,cheb_err(erfcx,lo,hi,n)) for n in range(6,18,1)])
    print(lo,hi,"lerfcx",[(n,cheb_err(lerfcx,lo,hi,n,False)) for n in range(6,18,1)])
