//! Expressions of the generated kernels: typed trees of operators,
//! builtins, casts, calls and array reads, each no deeper than asked.

use super::{Ctx, Gen, ParamTy, Ty};

impl Gen<'_> {
    /// A `bool` for `if`, `while` and `break`: in a phase, usually one that
    /// depends on the element (`x1[i] < ..`), so lanes diverge.
    pub(super) fn condition(&mut self, depth: usize) -> String {
        let in_phase = matches!(self.ctx, Ctx::Phase { .. });
        if !in_phase || self.arrays.is_empty() || !self.tape.chance(60) {
            return self.expr(Ty::Bool, depth);
        }
        let a = self.tape.below(self.arrays.len());
        let (read, ty) = (self.current(a), self.arrays[a].ty);
        let op = self.tape.pick(&["<", ">=", "==", "!=", ">", "<="]);
        format!("({read} {op} {})", self.expr(ty, depth.saturating_sub(1)))
    }

    /// An expression of type `ty`, at most `depth` operators deep.
    pub(super) fn expr(&mut self, ty: Ty, depth: usize) -> String {
        if depth == 0 || !self.tape.chance(65) {
            return self.leaf(ty);
        }
        let d = depth - 1;
        match ty {
            Ty::Bool if self.tape.chance(15) => self.float_test(d),
            Ty::Bool => self.bool_expr(d),
            _ if ty.is_float() => self.float_expr(ty, d),
            _ => self.int_expr(ty, d),
        }
    }

    fn bool_expr(&mut self, d: usize) -> String {
        match self.tape.below(6) {
            0 => {
                let ty = self.any_ty();
                let op = self.tape.pick(&["<", "==", "!=", "<=", ">", ">="]);
                let (a, b) = self.unpinned(|g| (g.expr(ty, d), g.expr(ty, d)));
                format!("({a} {op} {b})")
            }
            1 => format!("({} && {})", self.expr(Ty::Bool, d), self.expr(Ty::Bool, d)),
            2 => format!("({} || {})", self.expr(Ty::Bool, d), self.expr(Ty::Bool, d)),
            3 => format!("!{}", self.expr(Ty::Bool, d)),
            4 => self.shared_expr(Ty::Bool, d),
            _ => {
                let op = self.tape.pick(&["&", "|", "^"]);
                format!(
                    "({} {op} {})",
                    self.expr(Ty::Bool, d),
                    self.expr(Ty::Bool, d)
                )
            }
        }
    }

    fn float_expr(&mut self, ty: Ty, d: usize) -> String {
        match self.tape.below(6) {
            0 => {
                let op = self.tape.pick(&["+", "-", "*", "/", "%"]);
                format!("({} {op} {})", self.expr(ty, d), self.expr(ty, d))
            }
            1 => {
                let f = self
                    .tape
                    .pick(&["abs", "sqrt", "floor", "ceil", "trunc", "round", "rint"]);
                format!("{f}({})", self.expr(ty, d))
            }
            2 if self.tape.chance(50) => {
                let f = self.tape.pick(&["copysign", "hypot"]);
                format!("{f}({}, {})", self.expr(ty, d), self.expr(ty, d))
            }
            2 if self.tape.chance(50) => {
                // The bits of an integer of the float's width, pinned by a
                // cast so that a literal cannot default to the other width.
                let int = if ty == Ty::F32 { Ty::I32 } else { Ty::I64 };
                let operand = self.unpinned(|g| g.expr(int, d));
                format!("from_bits({}({operand}))", int.name())
            }
            2 => format!("-{}", self.expr(ty, d)),
            3 => {
                let (a, b, c) = (self.expr(ty, d), self.expr(ty, d), self.expr(ty, d));
                format!("fma({a}, {b}, {c})")
            }
            _ => self.shared_expr(ty, d),
        }
    }

    fn int_expr(&mut self, ty: Ty, d: usize) -> String {
        match self.tape.below(6) {
            0 => {
                let op = self.tape.pick(&["+", "-", "*", "/", "%"]);
                format!("({} {op} {})", self.expr(ty, d), self.expr(ty, d))
            }
            1 => {
                let op = self.tape.pick(&["&", "|", "^", "<<", ">>"]);
                format!("({} {op} {})", self.expr(ty, d), self.expr(ty, d))
            }
            // On unsigned types the operand is cast to its own type:
            // `-200` would be a negative literal, out of range for `u8`,
            // where `-u8(200)` negates (wrapping).
            2 => {
                let op = self.tape.pick(&["-", "!"]);
                if op == "-" && !ty.scalar_type().is_signed() {
                    // A cast's operand is not typed by its context.
                    let operand = self.unpinned(|g| g.expr(ty, d));
                    format!("-{}({operand})", ty.name())
                } else {
                    format!("{op}{}", self.expr(ty, d))
                }
            }
            3 if self.tape.chance(50) => {
                let f = self.tape.pick(&["popcount", "clz", "ctz"]);
                format!("{f}({})", self.expr(ty, d))
            }
            3 if self.tape.chance(50) && matches!(ty, Ty::I32 | Ty::I64) => {
                let float = if ty == Ty::I32 { Ty::F32 } else { Ty::F64 };
                let operand = self.unpinned(|g| g.expr(float, d));
                format!("to_bits({}({operand}))", float.name())
            }
            3 => format!("abs({})", self.expr(ty, d)),
            _ => self.shared_expr(ty, d),
        }
    }

    /// `is_nan`, `is_inf` or `is_finite` of a float expression.
    fn float_test(&mut self, d: usize) -> String {
        let ty = self.tape.pick(&[Ty::F32, Ty::F64]);
        let f = self.tape.pick(&["is_nan", "is_inf", "is_finite"]);
        let operand = self.unpinned(|g| g.expr(ty, d));
        format!("{f}({}({operand}))", ty.name())
    }

    /// Forms every type has (numeric ones where it makes sense): casts,
    /// `select`, `min`/`max`/`clamp`, array reads and calls.
    fn shared_expr(&mut self, ty: Ty, d: usize) -> String {
        match self.tape.below(6) {
            0 => {
                let from = self.any_ty();
                let operand = self.unpinned(|g| g.expr(from, d));
                format!("{}({operand})", ty.name())
            }
            1 => {
                let c = self.expr(Ty::Bool, d);
                format!("select({c}, {}, {})", self.expr(ty, d), self.expr(ty, d))
            }
            2 if ty != Ty::Bool => {
                let f = self.tape.pick(&["min", "max"]);
                format!("{f}({}, {})", self.expr(ty, d), self.expr(ty, d))
            }
            3 if ty != Ty::Bool => {
                let (x, lo, hi) = (self.expr(ty, d), self.expr(ty, d), self.expr(ty, d));
                format!("clamp({x}, {lo}, {hi})")
            }
            4 => self.read(ty, d).unwrap_or_else(|| self.leaf(ty)),
            _ => self.call(ty, d).unwrap_or_else(|| self.leaf(ty)),
        }
    }

    fn unpinned<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = std::mem::replace(&mut self.pinned, false);
        let result = f(self);
        self.pinned = saved;
        result
    }

    /// A variable, a literal, or (in a phase) an array at the current index.
    pub(super) fn leaf(&mut self, ty: Ty) -> String {
        let mut names: Vec<String> = self
            .vars
            .iter()
            .filter(|v| v.ty == ty)
            .map(|v| v.name.clone())
            .collect();
        if self.ctx != Ctx::Function {
            names.extend(
                self.globals
                    .iter()
                    .filter(|v| v.ty == ty)
                    .map(|v| v.name.clone()),
            );
        }
        if matches!(self.ctx, Ctx::Phase { .. }) {
            let arrays = (0..self.arrays.len()).filter(|&a| self.arrays[a].ty == ty);
            let reads: Vec<String> = arrays.map(|a| self.current(a)).collect();
            names.extend(reads);
        }
        let locals: Vec<usize> = (0..self.local_arrays.len())
            .filter(|&a| self.local_arrays[a].ty == ty)
            .collect();
        for a in locals {
            let read = self.local_element(a);
            names.push(read);
        }
        let fn_arrays: Vec<usize> = (0..self.fn_arrays.len())
            .filter(|&a| self.fn_arrays[a].1 == ty)
            .collect();
        for a in fn_arrays {
            let read = self.fn_array_element(a);
            names.push(read);
        }
        match self.tape.below(names.len() + 1) {
            0 => self.literal(ty),
            k => names[k - 1].clone(),
        }
    }

    fn literal(&mut self, ty: Ty) -> String {
        let texts: &[&str] = match ty {
            Ty::Bool => &["true", "false"],
            Ty::U8 => &["1", "0", "2", "7", "100", "200", "255"],
            Ty::I8 => &["1", "0", "2", "7", "-1", "100", "127", "-128"],
            Ty::U16 => &["1", "0", "2", "7", "300", "40000", "65535"],
            Ty::I16 => &["1", "0", "2", "7", "-1", "300", "32767", "-32768"],
            // The last ones do not fit the `i32` an unpinned literal
            // defaults to.
            Ty::U32 => &[
                "1",
                "0",
                "2",
                "7",
                "100",
                "65536",
                "4294967295",
                "3000000000",
            ],
            Ty::U64 => &[
                "1",
                "0",
                "2",
                "7",
                "100",
                "4294967296",
                "18446744073709551615",
            ],
            Ty::F32 | Ty::F64 => &[
                "1.0", "0.5", "2.0", "-3.0", "0.0", "-0.0", "100.0", "0.1", "1e30", "-1e30",
                "1.5e-3", "3.0e38",
            ],
            Ty::I32 => &[
                "1",
                "0",
                "2",
                "3",
                "7",
                "-1",
                "100",
                "2147483647",
                "-2147483648",
                "-5",
            ],
            Ty::I64 => &[
                "1",
                "0",
                "2",
                "3",
                "7",
                "-1",
                "100",
                "3000000000",
                "9223372036854775807",
                "-9223372036854775808",
            ],
        };
        // The last three i64 literals do not fit the `i32` an unpinned
        // literal defaults to.
        let usable = match ty {
            Ty::I64 if !self.pinned => &texts[..texts.len() - 3],
            Ty::U32 if !self.pinned => &texts[..texts.len() - 2],
            Ty::U64 if !self.pinned => &texts[..texts.len() - 2],
            _ => texts,
        };
        let text = self.tape.pick(usable);
        if text.starts_with('-') {
            format!("({text})")
        } else {
            text.to_string()
        }
    }

    fn call(&mut self, ty: Ty, d: usize) -> Option<String> {
        // (function, the part of its result: "" for a scalar result).
        let mut fits: Vec<(usize, &str)> = Vec::new();
        for f in 0..self.callable {
            let sig = &self.fns[f];
            let arrays_ok = sig.params.iter().all(|&p| match p {
                ParamTy::Array(elem) => !self.passable(elem).is_empty(),
                _ => true,
            });
            if !arrays_ok {
                continue;
            }
            match (sig.ret == ty, sig.ret2) {
                (true, None) => fits.push((f, "")),
                (true, Some(_)) => fits.push((f, ".0")),
                _ => {}
            }
            if sig.ret2 == Some(ty) {
                fits.push((f, ".1"));
            }
        }
        if fits.is_empty() {
            return None;
        }
        let (f, part) = fits[self.tape.below(fits.len())];
        let params = self.fns[f].params.clone();
        let mut args = Vec::new();
        for p in params {
            args.push(match p {
                ParamTy::Scalar(t) => self.expr(t, d),
                ParamTy::Pair(a, b) => format!("({}, {})", self.expr(a, d), self.expr(b, d)),
                ParamTy::Array(elem) => {
                    let names = self.passable(elem);
                    names[self.tape.below(names.len())].clone()
                }
            });
        }
        Some(format!("{}({}){part}", self.fns[f].name, args.join(", ")))
    }

    /// The arrays of element `elem` a function may read here: in a phase
    /// (where every extent is at least 1), those it does not store.
    fn passable(&self, elem: Ty) -> Vec<String> {
        let Ctx::Phase { phase, stores } = self.ctx else {
            return Vec::new();
        };
        self.arrays
            .iter()
            .filter(|a| a.ty == elem && !(stores && a.stored_in == Some(phase)))
            .map(|a| a.name.clone())
            .collect()
    }

    /// An element of a function's array parameter at clamped indices.
    fn fn_array_element(&mut self, a: usize) -> String {
        let (name, _, dims) = self.fn_arrays[a].clone();
        let ints: Vec<String> = (self.vars.iter())
            .filter(|v| v.ty == Ty::I64)
            .map(|v| v.name.clone())
            .collect();
        let index: Vec<String> = dims
            .iter()
            .map(|d| match self.tape.below(ints.len() + 1) {
                0 => "0".to_string(),
                k => format!("clamp({}, 0, {d} - 1)", ints[k - 1]),
            })
            .collect();
        format!("{name}[{}]", index.join(", "))
    }

    // ---- array reads ----

    /// `a[i]` / `a[r, c]` at the current index.
    /// An element of local array `a` at an index in range: a constant, or
    /// an `i64` local or size clamped to the array (no array reads in the
    /// index, so leaves stay shallow).
    pub(super) fn local_element(&mut self, a: usize) -> String {
        let (name, len) = (self.local_arrays[a].name.clone(), self.local_arrays[a].len);
        let ints: Vec<String> = (self.vars.iter())
            .chain(self.globals.iter().filter(|_| self.ctx != Ctx::Function))
            .filter(|v| v.ty == Ty::I64)
            .map(|v| v.name.clone())
            .collect();
        let index = match self.tape.below(ints.len() + 1) {
            0 => self.tape.below(len).to_string(),
            k => format!("clamp({}, 0, {})", ints[k - 1], len - 1),
        };
        format!("{name}[{index}]")
    }

    pub(super) fn current(&self, array: usize) -> String {
        let index = if self.rank == 1 { "i" } else { "r, c" };
        format!("{}[{index}]", self.arrays[array].name)
    }

    /// A read of an array of element type `ty` that is allowed here:
    /// stencils, gathers and data-dependent (clamped) indices in range,
    /// and on the oob array, indices that may be out of range.
    fn read(&mut self, ty: Ty, d: usize) -> Option<String> {
        let phase = match self.ctx {
            Ctx::Function => return None,
            Ctx::Uniform { guarded } => Err(guarded),
            Ctx::Phase { phase, .. } => Ok(phase),
        };
        let readable: Vec<usize> = (0..self.arrays.len())
            .filter(|&a| self.arrays[a].ty == ty)
            .filter(|&a| match phase {
                Err(guarded) => guarded || self.arrays[a].oob,
                Ok(_) => true,
            })
            .collect();
        if readable.is_empty() {
            return None;
        }
        let a = readable[self.tape.below(readable.len())];
        let info = &self.arrays[a];
        let name = info.name.clone();
        let stored_here = phase.is_ok() && info.stored_in == phase.ok();
        if stored_here {
            return Some(self.current(a));
        }
        let oob = info.oob && self.tape.chance(50);
        let dims: &[(&str, &str)] = if self.rank == 1 {
            &[("i", "n")]
        } else {
            &[("r", "h"), ("c", "w")]
        };
        let indices: Vec<String> = dims
            .iter()
            .map(|&(var, size)| match phase {
                Ok(_) if oob => self.wild_index(var, d),
                Ok(_) => self.varying_index(var, size, d),
                Err(_) if oob => self.expr(Ty::I64, d),
                Err(_) => format!("clamp({}, 0, {size} - 1)", self.expr(Ty::I64, d)),
            })
            .collect();
        Some(format!("{name}[{}]", indices.join(", ")))
    }

    /// An in-range index along a dimension of a phase's domain, which is
    /// not empty when the body runs.
    fn varying_index(&mut self, var: &str, size: &str, d: usize) -> String {
        match self.tape.below(4) {
            0 => var.to_string(),
            1 => {
                let offset = self.tape.pick(&[-2, -1, 1, 2, 3]);
                format!("clamp({var} + {offset}, 0, {size} - 1)")
            }
            2 => {
                let (k, m) = (self.tape.pick(&[7, 3, 13]), self.tape.below(6));
                format!("({var} * {k} + {m}) % {size}")
            }
            _ => {
                let from = self.numeric();
                let operand = self.unpinned(|g| g.expr(from, d));
                format!("clamp(i64({operand}), 0, {size} - 1)")
            }
        }
    }

    /// An index that may be out of range (the oob array only).
    pub(super) fn wild_index(&mut self, var: &str, d: usize) -> String {
        match self.tape.below(3) {
            0 => format!("{var} + 1"),
            1 => format!("{var} - {}", self.tape.below(3)),
            _ => {
                let from = self.numeric();
                let operand = self.unpinned(|g| g.expr(from, d));
                format!("{var} + i64({operand}) % 3")
            }
        }
    }
}
