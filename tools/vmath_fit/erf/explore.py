import numpy as np, mpmath as mp
from numpy.polynomial import chebyshev as C
mp.mp.dps=30
def cheb_err(f, a, b, n, weight=None):
    # chebyshev interpolation at n+1 nodes -> near minimax
    k=np.arange(n+1); xs=np.cos(np.pi*(k+0.5)/(n+1))
    ts=(a+b)/2+(b-a)/2*xs
    ys=np.array([f(t) for t in ts])
    c=C.chebfit(xs,ys,n)
    g=np.linspace(-1,1,4001); tg=(a+b)/2+(b-a)/2*g
    e=C.chebval(g,c)-np.array([f(t) for t in tg])
    if weight: e=e*np.array([weight(t) for t in tg])
    return np.log2(np.max(np.abs(e)))
erf=lambda t: float(mp.erf(t))
for b in [0.5,0.75,0.9,1.0,1.25]:
    print("large b=",b,[ (n,round(cheb_err(erf,b,3.92,n),1)) for n in range(10,19)])
# small: (erf(x)/x -1) in s=x^2, relative error weight: erf(x)/x ~ 1..
for b in [0.5,0.75,0.9,1.0,1.25]:
    f=lambda s: float(mp.erf(mp.sqrt(s))/mp.sqrt(s)-1) if s>0 else float(2/mp.sqrt(mp.pi)-1)
    print("small b=",b,[(n,round(cheb_err(f,0,b*b,n),1)) for n in range(3,10)])
