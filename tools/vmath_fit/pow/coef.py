exec(open('fit.py').read().split("smax =")[0])
import mpmath as mp
smax = (mp.sqrt(2)-1)/(mp.sqrt(2)+1)
umax = smax**2*1.0001
def Plog(u):
    if u == 0: return mp.mpf(2)/5
    s = mp.sqrt(u)
    return (2*mp.atanh(s) - 2*s - mp.mpf(2)/3*s**3)/s**5
rmax = mp.log(2)/2*1.001
def Pexp(r):
    if r == 0: return mp.mpf(1)/2
    return (mp.exp(r)-1-r)/r**2
for (f,a,b,n,nm,w) in [(Plog,0,umax,8,'LOG_F64',lambda u:u**2/2),(Plog,0,umax,4,'LOG_F32',lambda u:u**2/2),
   (Pexp,-rmax,rmax,11,'EXP_F64',lambda r:r*r),(Pexp,-rmax,rmax,6,'EXP_F32',lambda r:r*r),
   (Pexp,-rmax,rmax,10,'EXP_F64_10',lambda r:r*r),(Pexp,-rmax,rmax,5,'EXP_F32_5',lambda r:r*r),
   (Plog,0,umax,7,'LOG_F64_7',lambda u:u**2/2),(Plog,0,umax,3,'LOG_F32_3',lambda u:u**2/2),
   (lambda m: m**(-mp.mpf(1)/3),1,2,6,'ICBRT6',lambda m: m**(mp.mpf(1)/3)),(lambda m: m**(-mp.mpf(1)/3),1,2,4,'ICBRT4',lambda m: m**(mp.mpf(1)/3))]:
    c = fit(f,a,b,n,nm,w)
    print(nm, '[' + ', '.join(repr(v) for v in c) + ']')
