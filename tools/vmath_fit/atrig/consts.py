import mpmath as mp
mp.mp.dps = 50
import struct
def f32(x): return struct.unpack('f', struct.pack('f', float(x)))[0]
def split(v, bits):
    # hi with `bits` significant bits, lo = v - hi rounded to double
    e = mp.floor(mp.log(v, 2))
    scale = mp.mpf(2)**(bits - 1 - e)
    hi = mp.floor(v*scale)/scale  # truncate
    return hi, v - hi
p4 = mp.pi/4
hi, lo = split(p4, 50); print("PI_4_HI_F64", repr(float(hi)), float(hi)==hi, "LO", repr(float(lo)))
hi, lo = split(p4, 21); print("PI_4_HI_F32", repr(float(hi)), float(hi)==hi, f32(hi)==hi, "LO", repr(f32(lo)), float.hex(float(hi)), float.hex(f32(lo)))
print("TAN_PI_8", repr(float(mp.tan(mp.pi/8))))
print("RN pi/2 f64", repr(float(mp.pi/2)), "f32", repr(f32(mp.pi/2)))
