# Weighted minimax fits for the even/odd parts of e^r on |r| <= R:
#   cosh r - 1 = s*P(s),   sinh r = r + r*s*Q(s),   s = r^2.
# Error measured as w(s)*|approx - exact| with w chosen so it is the error
# relative to the result the routines care about (see hyper.rs).
import mpmath as mp
mp.mp.dps = 60

def remez(f, w, a, b, n, iters=30):
    # nodes: Chebyshev extrema
    m = n + 2
    xs = [ (a+b)/2 - (b-a)/2*mp.cos(mp.pi*i/(m-1)) for i in range(m)]
    for it in range(iters):
        # solve sum c_j x^j + (-1)^i E / w(x) = f(x)
        A = mp.matrix(m, m); y = mp.matrix(m, 1)
        for i, x in enumerate(xs):
            for j in range(n+1): A[i, j] = x**j
            A[i, n+1] = (-1)**i / w(x)
            y[i] = f(x)
        sol = mp.lu_solve(A, y)
        c = [sol[j] for j in range(n+1)]; E = sol[n+1]
        err = lambda x: w(x)*(sum(c[j]*x**j for j in range(n+1)) - f(x))
        # find extrema on a fine grid then refine
        N = 2000
        grid = [a + (b-a)*i/N for i in range(N+1)]
        vals = [err(x) for x in grid]
        # pick alternating extrema
        ext = []
        i = 0
        segs = []
        cur = [0]
        for i in range(1, N+1):
            if mp.sign(vals[i]) == mp.sign(vals[cur[0]]) or vals[i] == 0:
                cur.append(i)
            else:
                segs.append(cur); cur = [i]
        segs.append(cur)
        ext = [max(sg, key=lambda k: abs(vals[k])) for sg in segs]
        if len(ext) != m:
            # keep m largest-magnitude alternating ones
            while len(ext) > m:
                if abs(vals[ext[0]]) < abs(vals[ext[-1]]): ext.pop(0)
                else: ext.pop()
            if len(ext) < m:
                break
        xs = [grid[k] for k in ext]
        mx = max(abs(v) for v in vals)
    return c, mx

def Pf(s):  # (cosh sqrt s - 1)/s
    if s == 0: return mp.mpf(1)/2
    r = mp.sqrt(s); return (mp.cosh(r)-1)/s
def Qf(s):  # (sinh r - r)/(r s)
    if s == 0: return mp.mpf(1)/6
    r = mp.sqrt(s); return (mp.sinh(r)-r)/(r*s)

import sys
R = mp.mpf(sys.argv[1]) if len(sys.argv) > 1 else mp.log(2)/2*mp.mpf('1.0005')
S = R*R
for name, f, w in [("P (even)", Pf, lambda s: mp.sqrt(s) if s > 0 else mp.mpf(0)), ("Q (odd)", Qf, lambda s: s)]:
    for n in range(1, 7):
        c, mx = remez(f, lambda s: w(s) + mp.mpf(10)**-30, mp.mpf(0), S, n)
        print(name, "deg", n, "max weighted err %.3e" % float(mx), "log2 %.1f" % float(mp.log(mx, 2)))
        print("   ", [mp.nstr(x, 22) for x in c])
