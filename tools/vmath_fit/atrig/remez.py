# Minimax fit of P(z) in f(u) = u + u*z*P(z), z = u^2, relative error of f.
import mpmath as mp, sys
mp.mp.dps = 50

def ptrue(f, z):
    u = mp.sqrt(z)
    return (f(u)/u - 1)/z

def weight(f, z):
    u = mp.sqrt(z)
    return z*u/f(u)

def remez(f, Z, n, iters=30, zlo=mp.mpf('1e-12')):
    # Chebyshev initial reference, n coefficients -> n+1 points
    m = n + 1
    pts = [zlo + (Z-zlo)*(1 - mp.cos(mp.pi*i/(m-1)))/2 for i in range(m)]
    grid = [zlo + (Z-zlo)*(mp.mpf(i)/4000)**1 for i in range(4001)]
    gv = [(ptrue(f, z), weight(f, z)) for z in grid]
    for it in range(iters):
        A = mp.matrix(m, m); b = mp.matrix(m, 1)
        for i, z in enumerate(pts):
            for j in range(n):
                A[i, j] = z**j
            A[i, n] = (-1)**i / weight(f, z)
            b[i] = ptrue(f, z)
        sol = mp.lu_solve(A, b)
        c = [sol[j] for j in range(n)]
        E = sol[n]
        err = [w*(pt - mp.polyval(c[::-1], z)) for z, (pt, w) in zip(grid, gv)]
        # find local extrema with alternating sign
        ext = []
        for i in range(len(grid)):
            e = err[i]
            l = err[i-1] if i > 0 else None
            r = err[i+1] if i < len(grid)-1 else None
            if (l is None or abs(e) >= abs(l)) and (r is None or abs(e) >= abs(r)):
                ext.append(i)
        # merge same sign keep max
        alt = []
        for i in ext:
            if alt and mp.sign(err[alt[-1]]) == mp.sign(err[i]):
                if abs(err[i]) > abs(err[alt[-1]]): alt[-1] = i
            else:
                alt.append(i)
        while len(alt) > m:
            # drop smaller end
            if abs(err[alt[0]]) < abs(err[alt[-1]]): alt.pop(0)
            else: alt.pop()
        maxerr = max(abs(e) for e in err)
        if len(alt) == m:
            pts = [grid[i] for i in alt]
    return c, maxerr

if __name__ == '__main__':
    which, Z, n = sys.argv[1], mp.mpf(sys.argv[2]), int(sys.argv[3])
    f = {'atan': mp.atan, 'asin': mp.asin}[which]
    c, e = remez(f, Z, n)
    import math
    print(f"# {which} Z={Z} n={n} maxrelerr={mp.nstr(e,5)} = 2^{float(mp.log(e,2)):.1f}")
    for x in c: print(repr(float(x)))
