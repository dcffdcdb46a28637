import mpmath as mp
mp.mp.prec=100
t=2**(1/3)
best=None
m0=round(t*2**23)
for m in range(m0-200000,m0+200000):
    # c1 = m/2^23 ; c_{-1} = n/2^24
    n=round(2**47/m)
    err=abs(m*n-2**47)
    rel=err/2**47
    if best is None or rel<best[0] or (rel<2**-40 and abs(m-m0)<abs(best[1]-m0)):
        if rel<2**-40 or best is None or rel<best[0]:
            best=(rel,m,n)
rel,m,n=best
print(mp.log(rel,2), m, n, m/2**23, n/2**24)
c1=mp.mpf(m)/2**23; cm=mp.mpf(n)/2**24
D=mp.log(c1)
print('D',D, 'lncm+D', mp.log(cm)+D)
Dhi=mp.nint(D*2**15)/2**15
print('Dhi',float(Dhi),'Dlo',float(D-Dhi))
g=(c1-cm)/2; e=(c1+cm-2)/2
print('gamma',float(g),'eta',float(e), float(g)==g, float(e)==e)
b1=mp.sqrt(cm); b2=mp.sqrt(c1)
al=1/(b2-b1); be=-0.5-al*b1
print('alpha',float(al),'beta',float(be))
ln2=mp.log(2); l2hi=mp.mpf(0x162e4)/2**17
print('ln2_lo', float(ln2-l2hi))
