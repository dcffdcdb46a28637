import numpy as np, mpmath as mp
from numpy.polynomial import chebyshev as C
mp.mp.dps=30
def cheb_err(f, a, b, n):
    k=np.arange(n+1); xs=np.cos(np.pi*(k+0.5)/(n+1))
    ts=(a+b)/2+(b-a)/2*xs
    c=C.chebfit(xs,np.array([f(t) for t in ts]),n)
    g=np.linspace(-1,1,3001); tg=(a+b)/2+(b-a)/2*g
    e=C.chebval(g,c)-np.array([f(t) for t in tg])
    return round(float(np.log2(np.max(np.abs(e)))),1)
# g(t) = ln(a erfc a) + a^2, t = 1/a^2
def g_t(t):
    a=1/mp.sqrt(t); return float(mp.log(a*mp.erfc(a))+a*a)
for b in [0.5,0.84375,1.0]:
    print("t=1/a^2 b=",b,[(n,cheb_err(g_t,1/10.06**2,1/b**2,n)) for n in range(6,16)])
# u = 1/a, g = ln(a erfc a)+a^2
def g_u(u):
    a=1/u; return float(mp.log(a*mp.erfc(a))+a*a)
for b in [0.5,0.84375,1.0]:
    print("u=1/a b=",b,[(n,cheb_err(g_u,1/10.06,1/b,n)) for n in range(6,16)])
# q=(a-c)/(a+c), h = ln((1+2a) erfcx(a))  (relative)
for c in [1.0,2.0,3.0]:
  for b in [0.5,0.84375]:
    def h(q):
        a=c*(1+q)/(1-q); return float(mp.log((1+2*a)*mp.erfc(a)*mp.exp(a*a)))
    qa=(b-c)/(b+c); qb=(10.06-c)/(10.06+c)
    print("q c=",c,"b=",b,[(n,cheb_err(h,qa,qb,n)) for n in range(6,16)])
