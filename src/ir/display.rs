//! Deterministic text dump of the kernel IR (`kjit emit ir`).
//!
//! In: a [`Module`], verified or not. Out: text, one entity or statement a
//! line, blocks indented two spaces, expressions inline as nested typed
//! trees. Entities print as in cranelift (`p0`, `v3`, `size0`, `fn0`);
//! names from the source appear only in the declaration lines. Spans are not
//! printed, so a dump changes only when the IR does.
//!
//! ```text
//! fn fn0 sq(v0: f32) -> f32
//!   v0 x: f32 param
//!   return mul.f32(v0, v0)
//!
//! kernel saxpy
//!   size0 n: fixed by p1 dim 0
//!   p0 a: input f32
//!   p1 x: input f32[size0]
//!   p2 out: output f32[size0]
//!   v0 i0: i64 domain index 0
//!   foreach v0 in size0 {
//!     store p2[v0] = mul.f32(p0, load.f32 p1[v0])
//!   }
//! ```
//!
//! Expressions: constants `true`, `7_i32`, `-0.0_f32`, `NaN_f64` (floats via
//! `{:?}`, which reads back to the same value); `op.T(a, b)` where `T` is the
//! node type, except comparisons, which show the operand type (the result is
//! bool); `cast.FROM->TO(x)`; `load.T pN[i, j]`; `call.T fnN(a, b)`.
//! Statements: `vN = e`, `store pN[i] = e`, `if c {} else {}`,
//! `for vN in a..b {}` (or `..=`), `while c {}`, `break`, `continue`,
//! `foreach (vI, vJ) in (e, e) {}`, and `vN = sum over vI in e { ...;
//! yield e }`. A dangling or forward expression handle prints as `<bad eN>`
//! instead of failing, so a dump can show why the verifier complained.

use super::*;
use crate::types::Kind;
use std::fmt::Write;

pub fn dump_module(module: &Module) -> String {
    let mut parts: Vec<String> = module
        .functions
        .iter()
        .map(|(id, f)| dump_function(id, f))
        .collect();
    parts.extend(module.kernels.iter().map(dump_kernel));
    parts.join("\n")
}

pub fn dump_kernel(kernel: &Kernel) -> String {
    let mut p = Printer::new(&kernel.body);
    p.line(format!("kernel {}", kernel.instance_name()));
    p.indent += 1;
    for (id, size) in kernel.sizes.iter() {
        let source = match size.fixed_by {
            Some((param, dim)) => format!("fixed by {param} dim {dim}"),
            None => "given by caller".to_string(),
        };
        p.line(format!("{id} {}: {source}", size.name));
    }
    for (id, param) in kernel.params.iter() {
        let role = match param.role {
            ParamRole::Input => "input",
            ParamRole::InOut => "inout",
            ParamRole::Output => "output",
            ParamRole::Scratch => "scratch",
        };
        p.line(format!("{id} {}: {role} {}", param.name, param_type(param)));
    }
    p.locals();
    p.block(&kernel.body.block);
    p.out
}

pub fn dump_function(id: FuncId, function: &Function) -> String {
    let mut p = Printer::new(&function.body);
    let params: Vec<String> = function
        .params
        .iter()
        .map(|&l| match function.body.locals.get(l) {
            Some(local) => format!("{l}: {}", local.ty),
            None => format!("<bad {l}>"),
        })
        .collect();
    p.line(format!(
        "fn {id} {}({}) -> {}",
        function.name,
        params.join(", "),
        function.ret
    ));
    p.indent += 1;
    p.locals();
    p.block(&function.body.block);
    let result = p.expr(function.result);
    p.line(format!("return {result}"));
    p.out
}

fn param_type(param: &Param) -> String {
    match &param.kind {
        ParamKind::Scalar(ty) => ty.to_string(),
        ParamKind::Array { elem, dims } => format!("{elem}[{}]", list(dims)),
    }
}

/// `a, b, c` from entities that print themselves.
fn list<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

struct Printer<'a> {
    body: &'a Body,
    out: String,
    indent: usize,
}

impl<'a> Printer<'a> {
    fn new(body: &'a Body) -> Self {
        Printer {
            body,
            out: String::new(),
            indent: 0,
        }
    }

    fn line(&mut self, text: String) {
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
        self.out.push_str(&text);
        self.out.push('\n');
    }

    fn locals(&mut self) {
        for (id, local) in self.body.locals.iter() {
            let kind = match local.kind {
                LocalKind::Var => "var".to_string(),
                LocalKind::LoopCounter => "loop counter".to_string(),
                LocalKind::DomainIndex { dim } => format!("domain index {dim}"),
                LocalKind::Output(p) => format!("output {p}"),
                LocalKind::ReduceResult => "reduce result".to_string(),
                LocalKind::FnParam => "param".to_string(),
            };
            self.line(format!("{id} {}: {} {kind}", local.name, local.ty));
        }
    }

    fn block(&mut self, block: &Block) {
        for stmt in block {
            self.stmt(stmt);
        }
    }

    /// Prints `head {` and indents what follows, up to [`Printer::close`].
    fn open(&mut self, head: String) {
        self.line(format!("{head} {{"));
        self.indent += 1;
    }

    fn close(&mut self) {
        self.indent -= 1;
        self.line("}".to_string());
    }

    fn nested(&mut self, head: String, body: &Block) {
        self.open(head);
        self.block(body);
        self.close();
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::Swap { a, b } => self.line(format!("swap {a} {b}")),
            StmtKind::Assign { local, value } => {
                let value = self.expr(*value);
                self.line(format!("{local} = {value}"));
            }
            StmtKind::Store {
                array,
                index,
                value,
            } => {
                let (index, value) = (self.exprs(index), self.expr(*value));
                self.line(format!("store {array}[{index}] = {value}"));
            }
            StmtKind::DeclareArray { array } => {
                let text = match self.body.arrays.get(*array) {
                    Some(a) => {
                        let dims: Vec<String> = a.dims.iter().map(i64::to_string).collect();
                        format!("{}[{}] {}", a.elem, dims.join(", "), a.name)
                    }
                    None => "<bad>".to_string(),
                };
                self.line(format!("array {array}: {text}"));
            }
            StmtKind::LocalStore {
                array,
                index,
                value,
            } => {
                let (index, value) = (self.exprs(index), self.expr(*value));
                self.line(format!("store {array}[{index}] = {value}"));
            }
            StmtKind::If {
                cond,
                then_block,
                else_block,
            } => {
                self.open(format!("if {}", self.expr(*cond)));
                self.block(then_block);
                if !else_block.is_empty() {
                    self.indent -= 1;
                    self.line("} else {".to_string());
                    self.indent += 1;
                    self.block(else_block);
                }
                self.close();
            }
            StmtKind::For {
                counter,
                start,
                end,
                inclusive,
                body,
            } => {
                let range = if *inclusive { "..=" } else { ".." };
                let (start, end) = (self.expr(*start), self.expr(*end));
                self.nested(format!("for {counter} in {start}{range}{end}"), body);
            }
            StmtKind::While { cond, body } => {
                self.nested(format!("while {}", self.expr(*cond)), body);
            }
            StmtKind::Break => self.line("break".to_string()),
            StmtKind::Continue => self.line("continue".to_string()),
            StmtKind::Foreach { domain, body } => {
                self.nested(format!("foreach {}", self.domain(domain)), body);
            }
            StmtKind::Reduce {
                dst,
                index,
                op,
                domain,
                body,
                value,
            } => {
                let dsts = match index {
                    Some(index) => format!("({dst}, {index})"),
                    None => dst.to_string(),
                };
                self.open(format!(
                    "{dsts} = {} over {}",
                    op.name(),
                    self.domain(domain)
                ));
                self.block(body);
                self.line(format!("yield {}", self.expr(*value)));
                self.close();
            }
        }
    }

    /// `v0 in size0` or `(v0, v1) in (size0, size1)`.
    fn domain(&self, domain: &Domain) -> String {
        let extents = self.exprs(&domain.extents);
        if domain.indices.len() == 1 {
            format!("{} in {extents}", list(&domain.indices))
        } else {
            format!("({}) in ({extents})", list(&domain.indices))
        }
    }

    fn exprs(&self, ids: &[ExprId]) -> String {
        ids.iter()
            .map(|&e| self.expr(e))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn expr(&self, id: ExprId) -> String {
        let mut out = String::new();
        self.write_expr(&mut out, id, None);
        out
    }

    /// Writes the tree under `id`; `user` is the parent, which every operand
    /// must precede (this also stops a cyclic, unverified arena).
    fn write_expr(&self, out: &mut String, id: ExprId, user: Option<ExprId>) {
        let node = match self.body.exprs.get(id) {
            Some(node) if user.is_none_or(|u| id < u) => node,
            _ => {
                let _ = write!(out, "<bad {id}>");
                return;
            }
        };
        let ty = node.ty;
        // A leaf prints alone; any other node as a head and its operands,
        // in parentheses (in brackets for a load).
        const CALL: Option<(char, char)> = Some(('(', ')'));
        let (head, brackets) = match &node.expr {
            Expr::Const(c) => (constant(*c), None),
            Expr::Param(p) => (p.to_string(), None),
            Expr::Size(s) => (s.to_string(), None),
            Expr::Local(l) => (l.to_string(), None),
            Expr::Load { array, .. } => (format!("load.{ty} {array}"), Some(('[', ']'))),
            Expr::LocalLoad { array, .. } => (format!("load.{ty} {array}"), Some(('[', ']'))),
            Expr::TableLoad { table, .. } => (format!("load.{ty} {table}"), Some(('[', ']'))),
            Expr::Unary { op, .. } => (format!("{}.{ty}", unary_name(*op)), CALL),
            Expr::Binary { op, lhs, .. } => {
                let shown = match self.body.exprs.get(*lhs) {
                    Some(l) if op.is_comparison() => l.ty,
                    _ => ty,
                };
                (format!("{}.{shown}", binary_name(*op)), CALL)
            }
            Expr::Cast { arg } => {
                let from = self
                    .body
                    .exprs
                    .get(*arg)
                    .map_or("?".to_string(), |a| a.ty.to_string());
                (format!("cast.{from}->{ty}"), CALL)
            }
            Expr::Builtin { fun, .. } => (format!("{}.{ty}", fun.name()), CALL),
            Expr::Call { func, .. } => (format!("call.{ty} {func}"), CALL),
        };
        out.push_str(&head);
        let Some((open, close)) = brackets else {
            return;
        };
        out.push(open);
        for (n, operand) in node.expr.operands().enumerate() {
            if n > 0 {
                out.push_str(", ");
            }
            self.write_expr(out, operand, Some(id));
        }
        out.push(close);
    }
}

/// `true`, `7_i32`, `-0.0_f32`, `inf_f64`, `NaN_f32`.
fn constant(c: Scalar) -> String {
    // `Scalar`'s Display prints floats with `{:?}` (`-0.0`, `NaN`, `inf`).
    match c.ty().kind() {
        Kind::Bool => c.to_string(),
        Kind::Int { .. } | Kind::Float => format!("{c}_{}", c.ty()),
    }
}

fn unary_name(op: UnaryOp) -> &'static str {
    match op {
        UnaryOp::Neg => "neg",
        UnaryOp::Not => "not",
    }
}

fn binary_name(op: BinaryOp) -> &'static str {
    use BinaryOp::*;
    match op {
        Add => "add",
        Sub => "sub",
        Mul => "mul",
        Div => "div",
        Rem => "rem",
        Eq => "eq",
        Ne => "ne",
        Lt => "lt",
        Le => "le",
        Gt => "gt",
        Ge => "ge",
        And => "and",
        Or => "or",
        BitAnd => "band",
        BitOr => "bor",
        BitXor => "bxor",
        Shl => "shl",
        Shr => "shr",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::testkit::{module, saxpy, IrBuilder};
    use crate::types::ScalarType::*;
    use BinaryOp::*;

    /// `fn clampsq(x: f64) -> f64 { let t = x * x; min(t, 1e300) }`
    fn clampsq() -> Function {
        let mut f = IrBuilder::new("clampsq");
        let x = f.local("x", F64, LocalKind::FnParam);
        let t = f.var("t", F64);
        let (a, b) = (f.get(x), f.get(x));
        let sq = f.binary(Mul, a, b);
        f.assign(t, sq);
        let (tv, big) = (f.get(t), f.f64(1e300));
        let r = f.builtin(Builtin::Min, vec![tv, big]);
        f.function(1, F64, r)
    }

    /// Every statement kind and most expression kinds.
    fn everything() -> Kernel {
        use ParamRole::*;
        let mut b = IrBuilder::new("everything");
        let (h, w, m) = (b.size("h"), b.size("w"), b.size("m"));
        let s = b.scalar("s", Input, I32);
        let g = b.array("g", InOut, F32, &[h, w]);
        let out = b.array("out", Output, Bool, &[m]);
        let (_, total) = b.scalar_output("total", F64);
        let acc = b.var("acc", I64);
        let k = b.local("k", I32, LocalKind::LoopCounter);
        let zero = b.i64(0);
        b.assign(acc, zero);
        let (lo, sv) = (b.i32(-2), b.param_ref(s));
        b.for_(k, lo, sv, true, |b| {
            let (kv, three) = (b.get(k), b.i32(3));
            let r = b.binary(Rem, kv, three);
            let z = b.i32(0);
            let c = b.binary(Eq, r, z);
            b.if_(
                c,
                |b| b.push(StmtKind::Continue),
                |b| {
                    let (a, kv) = (b.get(acc), b.get(k));
                    let kc = b.cast(kv, I64);
                    let sum = b.binary(Add, a, kc);
                    b.assign(acc, sum);
                },
            );
        });
        let cond = b.bool(false);
        b.while_(cond, |b| b.push(StmtKind::Break));
        let extents = vec![b.size_ref(h), b.size_ref(w)];
        b.foreach(extents, |b, rc| {
            let v = b.load_at(g, rc);
            let neg = b.unary(UnaryOp::Neg, v);
            let nz = b.f32(-0.0);
            let r = b.builtin(Builtin::Max, vec![neg, nz]);
            b.store(g, rc, r);
        });
        b.foreach_sizes(&[m], |b, i| {
            let (iv, one) = (b.get(i[0]), b.i64(1));
            let bits = b.binary(BitAnd, iv, one);
            let is_odd = b.cast(bits, Bool);
            let yes = b.bool(true);
            let v = b.binary(Or, is_odd, yes);
            b.store(out, i, v);
        });
        let ext = b.size_ref(m);
        b.reduce(total, ReduceOp::Sum, vec![ext], |b, i| {
            let t = b.var("t", F64);
            let iv = b.get(i[0]);
            let x = b.cast(iv, F64);
            let sq = b.call(FuncId::from_u32(0), F64, vec![x]);
            b.assign(t, sq);
            let (tv, nan) = (b.get(t), b.f64(f64::NAN));
            let c = b.binary(Lt, tv, nan);
            let (tv, inf) = (b.get(t), b.f64(f64::NEG_INFINITY));
            b.builtin(Builtin::Select, vec![c, tv, inf])
        });
        b.kernel()
    }

    #[test]
    fn dumps_every_construct() {
        let m = module(vec![everything()], vec![clampsq()]);
        assert_eq!(verify(&m), Ok(()));
        let want = "\
fn fn0 clampsq(v0: f64) -> f64
  v0 x: f64 param
  v1 t: f64 var
  v1 = mul.f64(v0, v0)
  return min.f64(v1, 1e300_f64)

kernel everything
  size0 h: fixed by p1 dim 0
  size1 w: fixed by p1 dim 1
  size2 m: given by caller
  p0 s: input i32
  p1 g: inout f32[size0, size1]
  p2 out: output bool[size2]
  p3 total: output f64
  v0 total: f64 output p3
  v1 acc: i64 var
  v2 k: i32 loop counter
  v3 i0: i64 domain index 0
  v4 i1: i64 domain index 1
  v5 i0: i64 domain index 0
  v6 i0: i64 domain index 0
  v7 t: f64 var
  v1 = 0_i64
  for v2 in -2_i32..=p0 {
    if eq.i32(rem.i32(v2, 3_i32), 0_i32) {
      continue
    } else {
      v1 = add.i64(v1, cast.i32->i64(v2))
    }
  }
  while false {
    break
  }
  foreach (v3, v4) in (size0, size1) {
    store p1[v3, v4] = max.f32(neg.f32(load.f32 p1[v3, v4]), -0.0_f32)
  }
  foreach v5 in size2 {
    store p2[v5] = or.bool(cast.i64->bool(band.i64(v5, 1_i64)), true)
  }
  v0 = sum over v6 in size2 {
    v7 = call.f64 fn0(cast.i64->f64(v6))
    yield select.f64(lt.f64(v7, NaN_f64), v7, -inf_f64)
  }
";
        assert_eq!(dump_module(&m), want);
    }

    #[test]
    fn dumps_saxpy_as_documented() {
        let want = "\
kernel saxpy
  size0 n: fixed by p1 dim 0
  p0 a: input f32
  p1 x: input f32[size0]
  p2 y: input f32[size0]
  p3 out: output f32[size0]
  v0 i0: i64 domain index 0
  foreach v0 in size0 {
    store p3[v0] = add.f32(mul.f32(p0, load.f32 p1[v0]), load.f32 p2[v0])
  }
";
        assert_eq!(dump_kernel(&saxpy()), want);
    }

    #[test]
    fn constants_print_so_they_read_back() {
        assert_eq!(constant(Scalar::F32(0.1)), "0.1_f32");
        assert_eq!(constant(Scalar::F64(-0.0)), "-0.0_f64");
        assert_eq!(constant(Scalar::F64(f64::INFINITY)), "inf_f64");
        assert_eq!(constant(Scalar::I32(i32::MIN)), "-2147483648_i32");
        let text = constant(Scalar::F32(1.0e-40));
        let back: f32 = text.trim_end_matches("_f32").parse().unwrap();
        assert_eq!(back.to_bits(), 1.0e-40f32.to_bits());
    }

    #[test]
    fn dangling_and_forward_handles_print_instead_of_failing() {
        let mut b = IrBuilder::new("bad");
        let v = b.var("v", F32);
        let fwd = b.expr(
            Expr::Unary {
                op: UnaryOp::Neg,
                arg: ExprId::from_u32(0),
            },
            F32,
        );
        b.assign(v, fwd);
        b.push(StmtKind::Assign {
            local: v,
            value: ExprId::from_u32(9),
        });
        let text = dump_kernel(&b.kernel());
        assert!(text.contains("v0 = neg.f32(<bad e0>)"), "{text}");
        assert!(text.contains("v0 = <bad e9>"), "{text}");
    }
}
