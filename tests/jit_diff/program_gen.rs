//! Random well-typed kern kernels, as source text, from a tape of choices.
//!
//! Every decision reads one number from a [`Tape`], and 0 (also what an
//! exhausted tape gives) always means the simplest option: a leaf, a
//! literal, no `else`, one statement. Proptest shrinks a tape toward shorter
//! and smaller, so a failing kernel shrinks toward a simpler kernel without
//! generator-specific shrinking code.
//!
//! Holds:
//! - every generated file checks clean (not even a warning): a file that
//!   does not is a bug here (or in the checker), never a reason to skip;
//! - every run terminates: `for` bounds are clamped to a few iterations and
//!   every `while` counts its trips against a bound;
//! - only one input array, the designated *oob* array, is ever read at an
//!   index that can be out of range; every other read is in range by
//!   construction (clamped, or modulo the extent inside a non-empty
//!   domain). So whatever lane or chunk an engine stops at, both engines
//!   must name the same array.

mod exprs;

/// The choices a kernel is built from; past the end every choice is 0.
pub struct Tape<'a> {
    choices: &'a [u32],
    pos: usize,
}

impl<'a> Tape<'a> {
    pub fn new(choices: &'a [u32]) -> Tape<'a> {
        Tape { choices, pos: 0 }
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        let choice = self.choices.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        choice as usize % n
    }

    /// True with about `percent`% probability; a 0 choice is false.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) >= 100 - percent
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    I32,
    F32,
    Bool,
    I64,
    F64,
    U8,
    U32,
    I8,
    I16,
    U16,
    U64,
}

impl Ty {
    pub fn name(self) -> &'static str {
        self.scalar_type().name()
    }

    pub fn scalar_type(self) -> kjit::types::ScalarType {
        use kjit::types::ScalarType;
        match self {
            Ty::I32 => ScalarType::I32,
            Ty::F32 => ScalarType::F32,
            Ty::Bool => ScalarType::Bool,
            Ty::I64 => ScalarType::I64,
            Ty::F64 => ScalarType::F64,
            Ty::U8 => ScalarType::U8,
            Ty::U32 => ScalarType::U32,
            Ty::I8 => ScalarType::I8,
            Ty::I16 => ScalarType::I16,
            Ty::U16 => ScalarType::U16,
            Ty::U64 => ScalarType::U64,
        }
    }

    fn is_float(self) -> bool {
        self.scalar_type().is_float()
    }

    fn is_int(self) -> bool {
        self.scalar_type().is_int()
    }
}

/// Simplest first, as everywhere here.
const NUMERIC: &[Ty] = &[
    Ty::I32,
    Ty::F32,
    Ty::I64,
    Ty::F64,
    Ty::U8,
    Ty::U32,
    Ty::I8,
    Ty::I16,
    Ty::U16,
    Ty::U64,
];
const ALL: &[Ty] = &[
    Ty::I32,
    Ty::F32,
    Ty::Bool,
    Ty::I64,
    Ty::F64,
    Ty::U8,
    Ty::U32,
    Ty::I8,
    Ty::I16,
    Ty::U16,
    Ty::U64,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Input,
    InOut,
    Output,
}

/// A kernel parameter, as the input generator needs to see it.
#[derive(Clone, Debug)]
pub struct Param {
    pub name: String,
    pub ty: Ty,
    pub array: bool,
    pub role: Role,
}

/// A generated file with one kernel, `k`.
pub struct Program {
    pub source: String,
    /// 1: every array is `T[n]`; 2: every array is `T[h, w]`.
    pub rank: usize,
    pub params: Vec<Param>,
}

pub const KERNEL: &str = "k";

/// Builds a kernel from `choices`.
pub fn program(choices: &[u32]) -> Program {
    let mut g = Gen::new(choices);
    g.rank = 1 + g.tape.below(2);
    for _ in 0..g.tape.below(3) {
        g.function();
    }
    let params = g.params();
    g.kernel(&params);
    Program {
        source: g.src,
        rank: g.rank,
        params,
    }
}

#[derive(Clone, Debug)]
struct Var {
    name: String,
    ty: Ty,
    writable: bool,
}

struct ArrayInfo {
    name: String,
    ty: Ty,
    oob: bool,
    /// The foreach phase that stores it, if any.
    stored_in: Option<usize>,
}

/// An output `q0: T[n, width]` (`[h, w, width]` in 2-D) that one phase
/// fills with owner stores: each index writes its own row of `width`.
#[derive(Clone, Copy, Debug)]
struct OwnerOutput {
    ty: Ty,
    width: usize,
    phase: usize,
}

/// A local array in scope (`let aN: T[len];` in a phase or function).
#[derive(Clone, Debug)]
struct LocalArray {
    name: String,
    ty: Ty,
    len: usize,
}

struct FnSig {
    name: String,
    params: Vec<ParamTy>,
    ret: Ty,
    /// The second part of a tuple result `(ret, ret2)`.
    ret2: Option<Ty>,
}

/// A function parameter: a scalar, a pair `(T, U)` (read as `p.0`, `p.1`)
/// or a read-only array of the kernel's rank (read at clamped indices;
/// such a function is called only in phases, where the extents are at
/// least 1).
#[derive(Clone, Copy, Debug, PartialEq)]
enum ParamTy {
    Scalar(Ty),
    Pair(Ty, Ty),
    Array(Ty),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// A `fn` body: only its own parameters and locals, earlier functions.
    Function,
    /// Kernel body outside phases. `guarded`: inside `if n > 0`, where
    /// clamped reads are in range.
    Uniform { guarded: bool },
    /// A foreach body (`stores`) or a reduction body; `phase` numbers the
    /// foreach phases.
    Phase { phase: usize, stores: bool },
}

/// Statements a kernel may have in all (bounds the source size).
const STATEMENT_BUDGET: usize = 30;
const MAX_BLOCK_DEPTH: usize = 3;
const EXPR_DEPTH: usize = 3;

struct Gen<'t> {
    tape: Tape<'t>,
    src: String,
    indent: usize,
    rank: usize,
    ctx: Ctx,
    arrays: Vec<ArrayInfo>,
    /// Scalar parameters, sizes and scalar outputs.
    globals: Vec<Var>,
    /// Locals in scope, innermost last.
    vars: Vec<Var>,
    /// Local arrays in scope, innermost last.
    local_arrays: Vec<LocalArray>,
    /// In a function: its array parameters (name, element, extent names).
    fn_arrays: Vec<(String, Ty, Vec<String>)>,
    owner: Option<OwnerOutput>,
    /// Locals below this index are uniform locals seen from a phase:
    /// read-only there.
    frozen: usize,
    fns: Vec<FnSig>,
    /// Functions callable here (a function calls only earlier ones).
    callable: usize,
    loops: usize,
    blocks: usize,
    /// Whether the expression being built gets its type from context. A
    /// cast's operand or a comparison's operands may not: if they are all
    /// literals they are `i32`, so no literal may need more there.
    pinned: bool,
    budget: usize,
    next_name: usize,
}

impl<'t> Gen<'t> {
    fn new(choices: &'t [u32]) -> Gen<'t> {
        Gen {
            tape: Tape::new(choices),
            src: String::new(),
            indent: 0,
            rank: 1,
            ctx: Ctx::Function,
            arrays: Vec::new(),
            globals: Vec::new(),
            vars: Vec::new(),
            local_arrays: Vec::new(),
            fn_arrays: Vec::new(),
            owner: None,
            frozen: 0,
            fns: Vec::new(),
            callable: 0,
            loops: 0,
            blocks: 0,
            pinned: true,
            budget: STATEMENT_BUDGET,
            next_name: 0,
        }
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.next_name += 1;
        format!("{prefix}{}", self.next_name)
    }

    fn line(&mut self, text: &str) {
        for _ in 0..self.indent {
            self.src.push_str("    ");
        }
        self.src.push_str(text);
        self.src.push('\n');
    }

    fn numeric(&mut self) -> Ty {
        self.tape.pick(NUMERIC)
    }

    fn any_ty(&mut self) -> Ty {
        self.tape.pick(ALL)
    }

    // ---- items ----

    /// `fn fN(a: T, ...) -> R { statements; tail }`; now and then with
    /// a pair parameter `(T, U)`, an array parameter, or a pair result.
    fn function(&mut self) {
        let name = format!("f{}", self.fns.len());
        let params: Vec<ParamTy> = (0..1 + self.tape.below(3))
            .map(|_| match self.tape.below(10) {
                0 | 1 => ParamTy::Pair(self.any_ty(), self.any_ty()),
                2 => ParamTy::Array(self.numeric()),
                _ => ParamTy::Scalar(self.any_ty()),
            })
            .collect();
        let ret = self.any_ty();
        let ret2 = self.tape.chance(25).then(|| self.any_ty());
        self.ctx = Ctx::Function;
        self.callable = self.fns.len();
        self.vars.clear();
        let mut list = Vec::new();
        for (k, &param) in params.iter().enumerate() {
            list.push(self.fn_param(k, param));
        }
        let shown = match ret2 {
            Some(r2) => format!("({}, {})", ret.name(), r2.name()),
            None => ret.name().to_string(),
        };
        self.line(&format!("fn {name}({}) -> {shown} {{", list.join(", ")));
        self.frozen = 0;
        self.indent += 1;
        let count = self.tape.below(3);
        self.statements(count);
        let tail = self.expr(ret, EXPR_DEPTH);
        let tail = match ret2 {
            Some(r2) => format!("({tail}, {})", self.expr(r2, EXPR_DEPTH)),
            None => tail,
        };
        self.line(&tail);
        self.indent -= 1;
        self.line("}");
        self.line("");
        self.vars.clear();
        self.local_arrays.clear();
        self.fn_arrays.clear();
        self.fns.push(FnSig {
            name,
            params,
            ret,
            ret2,
        });
    }

    /// Declares parameter `k` in scope; its text in the signature.
    fn fn_param(&mut self, k: usize, param: ParamTy) -> String {
        let var = |name: String, ty| Var {
            name,
            ty,
            writable: false,
        };
        match param {
            ParamTy::Scalar(ty) => {
                self.vars.push(var(format!("p{k}"), ty));
                format!("p{k}: {}", ty.name())
            }
            ParamTy::Pair(a, b) => {
                self.vars.push(var(format!("p{k}.0"), a));
                self.vars.push(var(format!("p{k}.1"), b));
                format!("p{k}: ({}, {})", a.name(), b.name())
            }
            ParamTy::Array(ty) => {
                let dims: Vec<String> = (0..self.rank).map(|d| format!("m{k}_{d}")).collect();
                for d in &dims {
                    self.vars.push(var(d.clone(), Ty::I64));
                }
                self.fn_arrays.push((format!("p{k}"), ty, dims.clone()));
                format!("p{k}: {}[{}]", ty.name(), dims.join(", "))
            }
        }
    }

    /// Chooses the kernel's parameters: input arrays (one maybe the oob
    /// array), scalars, an `inout` array, output arrays and scalars.
    fn params(&mut self) -> Vec<Param> {
        let mut params = Vec::new();
        let mut add = |name: String, ty, array, role| {
            params.push(Param {
                name,
                ty,
                array,
                role,
            })
        };
        for k in 0..1 + self.tape.below(3) {
            add(format!("x{k}"), self.tape.pick(NUMERIC), true, Role::Input);
        }
        for k in 0..self.tape.below(3) {
            add(format!("s{k}"), self.tape.pick(ALL), false, Role::Input);
        }
        if self.tape.chance(20) {
            add("u0".into(), self.tape.pick(NUMERIC), true, Role::InOut);
        }
        for k in 0..1 + self.tape.below(2) {
            add(format!("o{k}"), self.tape.pick(NUMERIC), true, Role::Output);
        }
        for k in 0..self.tape.below(3) {
            add(
                format!("r{k}"),
                self.tape.pick(NUMERIC),
                false,
                Role::Output,
            );
        }
        params
    }

    fn kernel(&mut self, params: &[Param]) {
        let phases = 1 + self.tape.below(2);
        let oob = self.tape.chance(40).then_some(0);
        for p in params.iter().filter(|p| p.array) {
            let stored_in = (p.role != Role::Input).then(|| self.tape.below(phases));
            let oob = oob.is_some() && p.name == "x0";
            let (name, ty) = (p.name.clone(), p.ty);
            self.arrays.push(ArrayInfo {
                name,
                ty,
                oob,
                stored_in,
            });
        }
        let sizes: &[&str] = if self.rank == 1 { &["n"] } else { &["h", "w"] };
        for size in sizes {
            self.globals.push(Var {
                name: size.to_string(),
                ty: Ty::I64,
                writable: false,
            });
        }
        for p in params.iter().filter(|p| !p.array) {
            let writable = p.role == Role::Output;
            let (name, ty) = (p.name.clone(), p.ty);
            self.globals.push(Var { name, ty, writable });
        }
        if self.tape.chance(25) {
            self.owner = Some(OwnerOutput {
                ty: self.tape.pick(NUMERIC),
                width: 1 + self.tape.below(4),
                phase: self.tape.below(phases),
            });
        }
        self.line(&self.header(params));
        self.indent += 1;
        if self.tape.chance(30) {
            // A scratch array, written by one phase like an output.
            let ty = self.tape.pick(NUMERIC);
            let dims = if self.rank == 1 { "[n]" } else { "[h, w]" };
            self.line(&format!("let z0: {}{dims};", ty.name()));
            let stored_in = Some(self.tape.below(phases));
            self.arrays.push(ArrayInfo {
                name: "z0".into(),
                ty,
                oob: false,
                stored_in,
            });
        }
        self.ctx = Ctx::Uniform { guarded: false };
        self.callable = self.fns.len();
        for phase in 0..phases {
            self.uniform_section();
            // Now and then the phase runs 0 to 2 times in a uniform loop
            // (phases inside loops): stores reading the array they write
            // then see the previous run's values.
            let repeat = self.tape.chance(25).then(|| self.tape.below(3));
            if let Some(trips) = repeat {
                let counter = self.fresh("t");
                self.line(&format!("for {counter} in 0..{trips} {{"));
                self.indent += 1;
            }
            self.foreach(phase);
            if repeat.is_some() {
                self.indent -= 1;
                self.line("}");
            }
        }
        self.uniform_section();
        for p in params.iter().filter(|p| !p.array && p.role == Role::Output) {
            self.top_level_assign(&p.name.clone(), p.ty);
        }
        self.indent -= 1;
        self.line("}");
    }

    fn header(&self, params: &[Param]) -> String {
        let dims = if self.rank == 1 { "[n]" } else { "[h, w]" };
        let show = |p: &Param| {
            let mode = if p.role == Role::InOut { "inout " } else { "" };
            let dims = if p.array { dims } else { "" };
            format!("{mode}{}: {}{dims}", p.name, p.ty.name())
        };
        let (outs, ins): (Vec<&Param>, Vec<&Param>) =
            params.iter().partition(|p| p.role == Role::Output);
        let ins: Vec<String> = ins.into_iter().map(show).collect();
        let mut outs: Vec<String> = outs.into_iter().map(show).collect();
        if let Some(q) = self.owner {
            let dims = if self.rank == 1 { "n" } else { "h, w" };
            outs.push(format!("q0: {}[{dims}, {}]", q.ty.name(), q.width));
        }
        format!(
            "kernel {KERNEL}({}) -> ({}) {{",
            ins.join(", "),
            outs.join(", ")
        )
    }

    // ---- uniform code and phases ----

    /// A few top-level statements, reductions among them.
    fn uniform_section(&mut self) {
        for _ in 0..self.tape.below(3) {
            if self.tape.chance(40) {
                let name = self.fresh("uv");
                let ty = self.numeric();
                let value = self.reduction_value(ty);
                self.emit_value(&format!("let {name}: {} = ", ty.name()), &value);
                self.vars.push(Var {
                    name,
                    ty,
                    writable: true,
                });
            } else if self.tape.chance(15) {
                self.value_and_index();
            } else if self.tape.chance(30) && self.budget > 0 {
                self.guarded_block();
            } else if self.tape.chance(15) {
                self.swap();
            } else {
                self.statement();
            }
        }
    }

    /// `swap(a, b);` of two written arrays of one type, when there are.
    fn swap(&mut self) {
        let written: Vec<usize> = (0..self.arrays.len())
            .filter(|&a| self.arrays[a].stored_in.is_some())
            .collect();
        let pairs: Vec<(usize, usize)> = (written.iter())
            .flat_map(|&a| written.iter().map(move |&b| (a, b)))
            .filter(|&(a, b)| a < b && self.arrays[a].ty == self.arrays[b].ty)
            .collect();
        if pairs.is_empty() {
            return self.statement();
        }
        let (a, b) = pairs[self.tape.below(pairs.len())];
        let line = format!("swap({}, {});", self.arrays[a].name, self.arrays[b].name);
        self.line(&line);
    }

    /// `name = value;` at the top level: a uniform expression, or one with
    /// a reduction.
    fn top_level_assign(&mut self, name: &str, ty: Ty) {
        let value = if self.tape.chance(50) {
            self.reduction_value(ty)
        } else {
            vec![self.expr(ty, EXPR_DEPTH)]
        };
        self.emit_value(&format!("{name} = "), &value);
    }

    /// Writes `prefix` + a possibly multi-line value + `;`.
    fn emit_value(&mut self, prefix: &str, value: &[String]) {
        let last = value.len() - 1;
        for (k, part) in value.iter().enumerate() {
            let text = match (k == 0, k == last) {
                (true, true) => format!("{prefix}{part};"),
                (true, false) => format!("{prefix}{part}"),
                (false, true) => format!("{part};"),
                (false, false) => part.clone(),
            };
            self.line(&text);
            if k == 0 && last > 0 {
                self.indent += 1;
            }
            if k + 1 == last {
                self.indent -= 1;
            }
        }
    }

    /// `let (v, i) = min_at over ... { ... };` (or `max_at`): two new
    /// locals, the element and its index.
    fn value_and_index(&mut self) {
        let ty = self.numeric();
        let (value, index) = (self.fresh("m"), self.fresh("m"));
        let op = self.tape.pick(&["min_at", "max_at"]);
        let lines = self.reduction_lines(op, ty, false);
        self.emit_value(&format!("let ({value}, {index}) = "), &lines);
        for (name, ty) in [(value, ty), (index, Ty::I64)] {
            self.vars.push(Var {
                name,
                ty,
                writable: true,
            });
        }
    }

    /// `OP over i in n { statements; value } [op uniform leaf]`, as lines:
    /// the opening, the body, and the closing. An `i64` value may be an
    /// `argmin`/`argmax` of any numeric type.
    fn reduction_value(&mut self, ty: Ty) -> Vec<String> {
        if ty == Ty::I64 && self.tape.chance(40) {
            let op = self.tape.pick(&["argmin", "argmax"]);
            let elem = self.numeric();
            return self.reduction_lines(op, elem, true);
        }
        let op = self.tape.pick(&["sum", "max", "min", "prod"]);
        self.reduction_lines(op, ty, true)
    }

    /// `op over domain { statements; a value of type ty }`, then (if
    /// `more`) maybe an operation with a uniform leaf of the result's type
    /// (`i64` for argmin/argmax).
    fn reduction_lines(&mut self, op: &str, ty: Ty, more: bool) -> Vec<String> {
        let domain = self.domain();
        let saved_indent = self.indent;
        // Only `sum`... have their element type fixed by where the result
        // goes; an argmin's element is typed by a `let` (a bare literal
        // would default to i32).
        let typed = op != "sum" && op != "prod" && op != "min" && op != "max";
        let body = self.in_phase(usize::MAX, false, |g| {
            let start = g.src.len();
            g.indent = 0;
            let count = g.tape.below(3);
            g.statements(count);
            let tail = g.expr(ty, EXPR_DEPTH);
            if typed {
                g.line(&format!("let e: {} = {tail};", ty.name()));
                g.line("e");
            } else {
                g.line(&tail);
            }
            g.src.split_off(start)
        });
        self.indent = saved_indent;
        let mut lines = vec![format!("{op} over {domain} {{")];
        lines.extend(body.lines().map(str::to_owned));
        let result = if op.starts_with("arg") { Ty::I64 } else { ty };
        let rest = if more && self.tape.chance(30) {
            let op = self.tape.pick(&["+", "*", "-"]);
            let leaf = self.leaf(result);
            format!(" {op} {leaf}")
        } else {
            String::new()
        };
        lines.push(format!("}}{rest}"));
        lines
    }

    fn domain(&self) -> &'static str {
        if self.rank == 1 {
            "i in n"
        } else {
            "(r, c) in (h, w)"
        }
    }

    /// Runs `body` in a phase context with the index variables in scope,
    /// uniform locals frozen, and everything restored afterwards.
    fn in_phase<T>(&mut self, phase: usize, stores: bool, body: impl FnOnce(&mut Self) -> T) -> T {
        let (saved_ctx, saved_frozen, saved_vars) = (self.ctx, self.frozen, self.vars.len());
        let saved_arrays = self.local_arrays.len();
        self.frozen = self.vars.len();
        let index: &[&str] = if self.rank == 1 { &["i"] } else { &["r", "c"] };
        for name in index {
            self.vars.push(Var {
                name: name.to_string(),
                ty: Ty::I64,
                writable: false,
            });
        }
        self.ctx = Ctx::Phase { phase, stores };
        let result = body(self);
        self.vars.truncate(saved_vars);
        self.local_arrays.truncate(saved_arrays);
        self.ctx = saved_ctx;
        self.frozen = saved_frozen;
        result
    }

    /// A foreach phase; every array it owns is stored at least once.
    fn foreach(&mut self, phase: usize) {
        self.line(&format!("foreach {} {{", self.domain()));
        self.indent += 1;
        self.in_phase(phase, true, |g| {
            g.maybe_wild_read();
            let count = 1 + g.tape.below(4);
            g.statements(count);
            let owned: Vec<usize> = (0..g.arrays.len())
                .filter(|&a| g.arrays[a].stored_in == Some(phase))
                .collect();
            if let Some(q) = g.owner.filter(|q| q.phase == phase) {
                g.owner_stores(q);
            }
            for a in owned {
                if g.tape.chance(25) {
                    let cond = g.condition(EXPR_DEPTH);
                    g.line(&format!("if {cond} {{"));
                    g.indent += 1;
                    g.store(a);
                    g.indent -= 1;
                    g.line("}");
                } else {
                    g.store(a);
                }
            }
        });
        self.indent -= 1;
        self.line("}");
    }

    /// The phase's stores into `q0`, below its current index: a loop over
    /// the whole row, or one element at a clamped index.
    fn owner_stores(&mut self, q: OwnerOutput) {
        let index = if self.rank == 1 { "i" } else { "r, c" };
        let value = self.expr(q.ty, EXPR_DEPTH);
        if self.tape.chance(60) {
            let k = self.fresh("k");
            self.line(&format!("for {k} in 0..{} {{", q.width));
            self.line(&format!(
                "    q0[{index}, {k}] = {value} + {}({k});",
                q.ty.name()
            ));
            self.line("}");
        } else {
            let ints: Vec<String> = (self.vars.iter().chain(&self.globals))
                .filter(|v| v.ty == Ty::I64)
                .map(|v| v.name.clone())
                .collect();
            let at = match self.tape.below(ints.len() + 1) {
                0 => self.tape.below(q.width).to_string(),
                k => format!("clamp({}, 0, {})", ints[k - 1], q.width - 1),
            };
            self.line(&format!("q0[{index}, {at}] = {value};"));
        }
    }

    /// Now and then, `let v: T = x0[wild index];` (under a condition or
    /// not) in a kernel that has an oob array, so that out-of-range reads
    /// are common enough to test.
    fn maybe_wild_read(&mut self) {
        let Some(a) = self.arrays.iter().position(|a| a.oob) else {
            return;
        };
        if !self.tape.chance(50) {
            return;
        }
        let guarded = self.tape.chance(50);
        if guarded {
            let cond = self.condition(2);
            self.line(&format!("if {cond} {{"));
            self.indent += 1;
        }
        let ty = self.arrays[a].ty;
        let dims: &[&str] = if self.rank == 1 { &["i"] } else { &["r", "c"] };
        let index: Vec<String> = dims.iter().map(|v| self.wild_index(v, 1)).collect();
        let name = self.fresh("v");
        let array = self.arrays[a].name.clone();
        self.line(&format!(
            "let {name}: {} = {array}[{}];",
            ty.name(),
            index.join(", ")
        ));
        if guarded {
            self.indent -= 1;
            self.line("}");
        } else {
            self.vars.push(Var {
                name,
                ty,
                writable: true,
            });
        }
    }

    /// `if n > 0 { .. }` in uniform code: clamped array reads are allowed
    /// inside.
    fn guarded_block(&mut self) {
        let guard = if self.rank == 1 {
            "n > 0"
        } else {
            "h > 0 && w > 0"
        };
        self.line(&format!("if {guard} {{"));
        let saved = self.ctx;
        self.ctx = Ctx::Uniform { guarded: true };
        self.block_body();
        self.ctx = saved;
        self.line("}");
    }

    // ---- statements ----

    fn statements(&mut self, count: usize) {
        for _ in 0..count {
            self.statement();
        }
    }

    /// One statement of a form that fits here; a `let` when the budget
    /// is spent.
    fn statement(&mut self) {
        if self.budget == 0 {
            return self.let_statement();
        }
        self.budget -= 1;
        let nested = self.blocks < MAX_BLOCK_DEPTH;
        let mut forms = vec![Form::Let, Form::Assign];
        if matches!(self.ctx, Ctx::Phase { stores: true, .. }) {
            forms.push(Form::Store);
        }
        if nested {
            forms.extend([Form::If, Form::For, Form::While]);
        }
        if self.loops > 0 {
            forms.push(Form::Jump);
        }
        if matches!(self.ctx, Ctx::Phase { .. } | Ctx::Function) {
            forms.push(Form::LocalArray);
            if !self.local_arrays.is_empty() {
                forms.extend([Form::LocalStore, Form::LocalStore]);
            }
        }
        match self.tape.pick(&forms) {
            Form::Let => self.let_statement(),
            Form::Assign => self.assign(),
            Form::Store => self.random_store(),
            Form::If => self.if_statement(),
            Form::For => self.for_loop(),
            Form::While => self.while_loop(),
            Form::Jump => self.jump(),
            Form::LocalArray => self.local_array(),
            Form::LocalStore => self.local_store(),
        }
    }

    /// `let aN: T[len];`, zero-filled, private to each lane in a phase.
    fn local_array(&mut self) {
        let ty = self.any_ty();
        let len = 1 + self.tape.below(9);
        let name = self.fresh("a");
        self.line(&format!("let {name}: {}[{len}];", ty.name()));
        self.local_arrays.push(LocalArray { name, ty, len });
    }

    /// `aN[k] op= value;` at an index in range: a constant, a loop
    /// counter or any i64 value clamped.
    fn local_store(&mut self) {
        let Some(a) =
            (!self.local_arrays.is_empty()).then(|| self.tape.below(self.local_arrays.len()))
        else {
            return self.let_statement();
        };
        let target = self.local_element(a);
        let ty = self.local_arrays[a].ty;
        let op = self.assign_op(ty);
        let value = self.expr(ty, EXPR_DEPTH);
        self.line(&format!("{target} {op}= {value};"));
    }

    fn let_statement(&mut self) {
        let ty = self.any_ty();
        let value = self.expr(ty, EXPR_DEPTH);
        let name = self.fresh("v");
        self.line(&format!("let {name}: {} = {value};", ty.name()));
        self.vars.push(Var {
            name,
            ty,
            writable: true,
        });
    }

    fn writable(&self) -> Vec<Var> {
        let locals = self.vars[self.frozen..].iter().filter(|v| v.writable);
        let outputs = self.globals.iter().filter(|v| v.writable);
        let uniform = matches!(self.ctx, Ctx::Uniform { .. });
        let outputs = outputs.filter(|_| uniform);
        locals.chain(outputs).cloned().collect()
    }

    fn assign(&mut self) {
        let targets = self.writable();
        if targets.is_empty() {
            return self.let_statement();
        }
        let target = targets[self.tape.below(targets.len())].clone();
        let op = self.assign_op(target.ty);
        let value = self.expr(target.ty, EXPR_DEPTH);
        self.line(&format!("{} {op}= {value};", target.name));
    }

    /// `""` (plain `=`) or a compound operator that fits `ty`.
    fn assign_op(&mut self, ty: Ty) -> &'static str {
        let ops: &[&str] = match ty {
            Ty::Bool => &["", "&", "|", "^"],
            _ if ty.is_float() => &["", "+", "-", "*", "/", "%"],
            _ => &["", "+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"],
        };
        self.tape.pick(ops)
    }

    fn random_store(&mut self) {
        let Ctx::Phase { phase, .. } = self.ctx else {
            return self.let_statement();
        };
        let owned: Vec<usize> = (0..self.arrays.len())
            .filter(|&a| self.arrays[a].stored_in == Some(phase))
            .collect();
        if owned.is_empty() {
            return self.let_statement();
        }
        let array = owned[self.tape.below(owned.len())];
        self.store(array);
    }

    fn store(&mut self, array: usize) {
        let ty = self.arrays[array].ty;
        let op = self.assign_op(ty);
        let value = self.expr(ty, EXPR_DEPTH);
        let target = self.current(array);
        self.line(&format!("{target} {op}= {value};"));
    }

    /// A nested block: its locals go out of scope at the end.
    fn block_body(&mut self) {
        let saved = self.vars.len();
        let saved_arrays = self.local_arrays.len();
        self.indent += 1;
        self.blocks += 1;
        let count = 1 + self.tape.below(3);
        self.statements(count);
        self.blocks -= 1;
        self.indent -= 1;
        self.vars.truncate(saved);
        self.local_arrays.truncate(saved_arrays);
    }

    fn if_statement(&mut self) {
        let cond = self.condition(EXPR_DEPTH);
        self.line(&format!("if {cond} {{"));
        self.block_body();
        if self.tape.chance(30) {
            let cond = self.condition(EXPR_DEPTH);
            self.line(&format!("}} else if {cond} {{"));
            self.block_body();
        }
        if self.tape.chance(50) {
            self.line("} else {");
            self.block_body();
        }
        self.line("}");
    }

    /// `let b: T = lo; for j in b..hi { .. }`: a few trips at most, with
    /// uniform or varying bounds, now and then at the top of the type's
    /// range. The typed `let` fixes the loop's type (bare literal bounds
    /// would make it `i32`); assigning `b` in the body must not change the
    /// trip count (bounds are evaluated once).
    fn for_loop(&mut self) {
        let ty = self.tape.pick(&[Ty::I32, Ty::I64]);
        let top = if ty == Ty::I32 {
            "2147483647"
        } else {
            "9223372036854775807"
        };
        let (lo, range) = match self.tape.below(4) {
            0 => ("0".to_string(), format!("..{}", self.tape.below(4))),
            1 => {
                let lo = format!("clamp({}, -2, 2)", self.expr(ty, 1));
                (lo, format!("..clamp({}, -1, 4)", self.expr(ty, 2)))
            }
            2 => ("0".to_string(), format!("..min({}, 3)", self.expr(ty, 2))),
            _ => (format!("{top} - 2"), format!("..={top}")),
        };
        let bound = self.fresh("b");
        self.line(&format!("let {bound}: {} = {lo};", ty.name()));
        let var = self.fresh("j");
        if self.tape.chance(30) {
            // Literal bounds: short ones are unrolled by codegen.
            let first = self.tape.below(3) as i64 - 1;
            let span = self.tape.below(6) as i64 - 1;
            let dots = if self.tape.chance(50) { "..=" } else { ".." };
            self.line(&format!("for {var} in {first}{dots}{} {{", first + span));
        } else {
            self.line(&format!("for {var} in {bound}{range} {{"));
        }
        self.vars.push(Var {
            name: bound,
            ty,
            writable: true,
        });
        self.vars.push(Var {
            name: var,
            ty,
            writable: false,
        });
        self.loops += 1;
        self.block_body();
        self.loops -= 1;
        self.vars.pop();
        self.line("}");
    }

    /// `while w < bound && cond { w += 1; .. }`: the counter is bumped
    /// first (so `continue` cannot skip it) and nothing else writes it.
    fn while_loop(&mut self) {
        let counter = self.fresh("w");
        let bound = if self.tape.chance(50) {
            format!("clamp({}, 0, 5)", self.expr(Ty::I32, 2))
        } else {
            self.tape.below(6).to_string()
        };
        let cond = self.condition(2);
        self.line(&format!("let {counter}: i32 = 0;"));
        self.line(&format!("while {counter} < {bound} && {cond} {{"));
        self.line(&format!("    {counter} += 1;"));
        self.vars.push(Var {
            name: counter,
            ty: Ty::I32,
            writable: false,
        });
        self.loops += 1;
        self.block_body();
        self.loops -= 1;
        self.line("}");
    }

    fn jump(&mut self) {
        let cond = self.condition(2);
        let word = self.tape.pick(&["break", "continue"]);
        self.line(&format!("if {cond} {{ {word}; }}"));
    }
}

#[derive(Clone, Copy)]
enum Form {
    Let,
    Assign,
    Store,
    If,
    For,
    While,
    Jump,
    LocalArray,
    LocalStore,
}
