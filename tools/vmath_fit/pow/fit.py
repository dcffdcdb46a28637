import mpmath as mp
mp.mp.prec = 200
def fit(f, a, b, n, name, weight=lambda x:1):
    poly, err = mp.chebyfit(f, [a,b], n, error=True)
    # poly highest-degree first
    c = [float(v) for v in poly[::-1]]
    # measure error with double-rounded coefficients
    maxe = 0
    for i in range(2001):
        x = a + (b-a)*i/2000
        if x == 0: continue
        v = mp.mpf(0)
        for k in reversed(c): v = v*x + mp.mpf(k)
        e = abs(v - f(x))*weight(x)
        maxe = max(maxe, e)
    print(name, n, 'log2 err', float(mp.log(maxe,2)) if maxe>0 else None)
    return c

smax = (mp.sqrt(2)-1)/(mp.sqrt(2)+1)
umax = smax**2*1.0001
def Plog(u):
    if u == 0: return mp.mpf(2)/5
    s = mp.sqrt(u)
    return (2*mp.atanh(s) - 2*s - mp.mpf(2)/3*s**3)/s**5
for n in [7,8,9,10,11]:
    c = fit(Plog, 0, umax, n, 'logP f64', lambda u: u**2/2)
print(c)
for n in [3,4,5]:
    c = fit(Plog, 0, umax, n, 'logP f32', lambda u: u**2/2)
print(c)
rmax = mp.log(2)/2*1.001
def Pexp(r):
    if r == 0: return mp.mpf(1)/2
    return (mp.exp(r)-1-r)/r**2
for n in [10,11,12,13]:
    c = fit(Pexp, -rmax, rmax, n, 'expP', lambda r: r**2)
print(c)
for n in [5,6,7]:
    c = fit(Pexp, -rmax, rmax, n, 'expP', lambda r: r**2)
print(c)
for n in [2,3,4,5,6]:
    c = fit(lambda m: m**(-mp.mpf(1)/3), 1, 2, n, 'icbrt', lambda m: m**(mp.mpf(1)/3))
    print(c)
