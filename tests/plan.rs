//! The vector plan: its decisions asserted one by one on small kernels, a
//! snapshot of `emit plan` and `explain` for every file in `kernels/`, and
//! the "no calls in hot phases" invariant on the generated code of those
//! kernels.

use kjit::codegen;
use kjit::ir::{self, Expr, Module};
use kjit::options::Options;
use kjit::passes;
use kjit::plan::{
    self, Access, BranchForm, Cause, Chunking, Diverges, GatherReason, LoopForm, Offset, VectorPlan,
};
use std::path::{Path, PathBuf};

/// The checked module after the IR passes, as codegen sees it; the
/// verifier runs after every pass.
fn module(source: &str) -> Module {
    let mut module = match kjit::compile(source) {
        Ok(module) => module,
        Err(diagnostics) => panic!("does not check: {diagnostics:?}"),
    };
    passes::lower(&mut module, &Options::default(), &mut |pass, m| {
        if let Err(e) = ir::verify(m) {
            panic!("invalid IR after {}: {e}", pass.name())
        }
    });
    module
}

fn plan_of(module: &Module) -> VectorPlan {
    plan::plan_kernel(module, &module.kernels[0])
}

/// The access of the `n`-th load of phase `phase`, in expression order.
fn accesses(plan: &VectorPlan, phase: usize) -> Vec<Access> {
    plan.phases[phase].body.accesses.values().cloned().collect()
}

#[test]
fn saxpy_reads_are_proven_in_bounds() {
    let m = module(
        "kernel saxpy(a: f32, x: f32[n], y: f32[n]) -> (out: f32[n]) {
            foreach i in n { out[i] = a * x[i] + y[i]; }
        }",
    );
    let plan = plan_of(&m);
    assert_eq!(accesses(&plan, 0), vec![Access::Current, Access::Current]);
    let phase = &plan.phases[0];
    assert_eq!(phase.chunking, Chunking::AtCallTime);
    assert_eq!(phase.reads.len(), 2);
    assert_eq!(phase.writes.len(), 1);
    let i = m.kernels[0]
        .body
        .locals
        .iter()
        .find(|(_, l)| l.name == "i")
        .unwrap()
        .0;
    assert_eq!(phase.body.varying_locals.get(&i), Some(&Cause::Lanes));
}

#[test]
fn stencil_taps_are_contiguous_with_one_check_per_gang() {
    let path = kernel_dir().join("blur.kern");
    let m = module(&std::fs::read_to_string(path).unwrap());
    let plan = plan_of(&m);
    let phase = &plan.phases[0];
    let list = accesses(&plan, 0);
    assert_eq!(list[0], Access::Current, "the border copy img[r, c]");
    // Both tap loops were unrolled (passes::unroll): nine taps, each a
    // contiguous load with one check per gang, and no loop left.
    assert_eq!(list.len(), 10, "{list:?}");
    for tap in &list[1..] {
        assert!(
            matches!(tap, Access::Contiguous { offset: Some(_) }),
            "{tap:?}"
        );
        assert_eq!(tap.check(), plan::Check::PerGang);
    }
    assert!(phase.body.loops.is_empty(), "{:?}", phase.body.loops);
    assert_eq!(
        phase.footprint[0].dims,
        vec![
            Offset::Range {
                dim: 0,
                lo: -1,
                hi: 1
            },
            Offset::Range {
                dim: 1,
                lo: -1,
                hi: 1
            }
        ]
    );
    assert!(phase
        .body
        .branches
        .values()
        .all(|b| matches!(b, BranchForm::Varying(_))));
}

/// One constant channel of a narrow array shaped like the domain plus a
/// constant last dimension is an interleaved load; a wide element type, a
/// block of more than 32 bytes, a varying channel or another index is not.
#[test]
fn narrow_channels_are_interleaved_loads() {
    let m = module(
        "kernel c(a: u8[h, w, 3], b: u8[h, w, 8], f: f32[h, w, 3], s: u16[h, w, 2]) -> (out: u32[h, w]) {
            foreach (r, c) in (h, w) {
                let k = c % 3;
                out[r, c] = u32(a[r, c, 2]) + u32(b[r, c, 1]) + u32(f[r, c, 0]) + u32(s[r, c, 1])
                    + u32(a[r, c, k]) + u32(a[r, 0, 1]);
            }
        }",
    );
    let found = accesses(&plan_of(&m), 0);
    let interleaved: Vec<&Access> = found
        .iter()
        .filter(|a| matches!(a, Access::Interleaved { .. }))
        .collect();
    assert_eq!(
        interleaved,
        vec![
            &Access::Interleaved {
                channel: 2,
                channels: 3,
                shared: false,
            },
            &Access::Interleaved {
                channel: 1,
                channels: 2,
                shared: false,
            },
        ],
        "{found:?}"
    );
}

/// The interleaved reads of one array share one load of the gang's block
/// when there are two or more and the phase does not write the array
/// (its reads after a store must see the store); a lone read loads its own.
#[test]
fn channel_reads_of_one_array_share_its_block() {
    let m = module(
        "kernel c(a: u8[h, w, 3], b: u8[h, w, 4]) -> (out: u32[h, w], o: u8[h, w, 2]) {
            foreach (r, c) in (h, w) {
                o[r, c, 0] = a[r, c, 0];
                o[r, c, 1] = o[r, c, 0] + a[r, c, 2];
                out[r, c] = u32(o[r, c, 1]) + u32(o[r, c, 0]);
                if a[r, c, 1] > 3 {
                    out[r, c] = u32(b[r, c, 3]);
                }
            }
        }",
    );
    let plan = plan_of(&m);
    let phase = &plan.phases[0];
    let shared = |array: &str| {
        let id = m.kernels[0]
            .params
            .iter()
            .find(|(_, p)| p.name == array)
            .map(|(id, _)| id);
        phase
            .body
            .accesses
            .iter()
            .filter(|(&e, _)| matches!(&m.kernels[0].body.exprs[e].expr, Expr::Load { array, .. } if Some(*array) == id))
            .map(|(_, a)| matches!(a, Access::Interleaved { shared: true, .. }))
            .collect::<Vec<bool>>()
    };
    assert_eq!(shared("a"), vec![true; 3]);
    assert_eq!(shared("b"), vec![false]);
    assert_eq!(shared("o"), vec![false; 3]);
    let a = m.kernels[0]
        .params
        .iter()
        .find(|(_, p)| p.name == "a")
        .map(|(id, _)| id);
    assert_eq!(
        phase
            .body
            .channel_blocks
            .iter()
            .map(|&(p, c)| (Some(p), c))
            .collect::<Vec<_>>(),
        vec![(a, 3)]
    );
}

/// Products proven in 0..2^16 are short (one 16-bit multiply) and casts of
/// values proven in range exact; one past either edge, or a signed or
/// reassigned operand, is not.
#[test]
fn value_ranges_give_short_products_and_exact_casts() {
    let m = module(
        "kernel c(a: u8[n], s: i16[n]) -> (o: u32[n], g: u8[n], h: u8[n], i: i32[n]) {
            foreach k in n {
                let x = u32(a[k]);
                let v: u32 = 1;
                v = 2;
                o[k] = 257 * x + 258 * x + v * x;
                g[k] = u8((x * 255 + x) >> 8);
                h[k] = u8((x * 255 + x) >> 7);
                i[k] = i32(s[k]) * 2;
            }
        }",
    );
    let plan = plan_of(&m);
    let body = &plan.phases[0].body;
    let kinds = |set: &std::collections::BTreeSet<ir::ExprId>| -> Vec<String> {
        set.iter()
            .map(|&e| match &m.kernels[0].body.exprs[e].expr {
                Expr::Binary { lhs, .. } => match &m.kernels[0].body.exprs[*lhs].expr {
                    Expr::Const(c) => format!("{c:?} *"),
                    _ => "x *".to_string(),
                },
                Expr::Cast { .. } => "cast".to_string(),
                other => format!("{other:?}"),
            })
            .collect()
    };
    assert_eq!(
        kinds(&body.short_products),
        vec!["U32(257) *", "x *", "x *"]
    );
    assert_eq!(kinds(&body.exact_casts), vec!["cast"]);
}

/// Short lanes: what fits 16 bits and feeds short code is short; a read
/// only a float uses, a full-width u32, a gathered read, a reassigned
/// local and a comparison are not.
#[test]
fn short_lanes_take_what_fits_16_bits() {
    let m = module(
        "kernel c(a: u8[n], idx: i64[n], k: u32) -> (o: u8[n], f: f32[n], w: u32[n], g: u8[n], b: i32[n]) {
            foreach i in n {
                let t = u32(a[i]) * 3;
                let r: u32 = 1;
                r = 2;
                o[i] = u8(t >> 2);
                f[i] = f32(a[i]);
                w[i] = u32(a[i]) * k;
                g[i] = a[idx[i]] + 1;
                b[i] = select(t > r, 1, 0);
            }
        }",
    );
    let plan = plan_of(&m);
    let body = &plan.phases[0].body;
    let kernel = &m.kernels[0];
    let texts: Vec<String> = body
        .short
        .keys()
        .map(|&e| format!("{:?}", kernel.body.exprs[e].expr))
        .collect();
    let locals: Vec<&str> = body
        .short_locals
        .keys()
        .map(|&l| kernel.body.locals[l].name.as_str())
        .collect();
    assert_eq!(locals, vec!["t"], "short: {texts:?}");
    let short_of = |pred: &dyn Fn(&Expr) -> bool| {
        body.short
            .keys()
            .filter(|&&e| pred(&kernel.body.exprs[e].expr))
            .count()
    };
    // `a[i]` under `u32(..) * 3`; not `a[i]` read by `f32(..)`, nor the
    // gathered `a[idx[i]]`.
    assert_eq!(
        short_of(&|e| matches!(e, Expr::Load { .. })),
        1,
        "{texts:?}"
    );
    // `u32(a[i]) * 3`, not `u32(a[i]) * k` (k may be any u32).
    assert_eq!(
        short_of(&|e| matches!(
            e,
            Expr::Binary {
                op: ir::BinaryOp::Mul,
                ..
            }
        )),
        1,
        "{texts:?}"
    );
    assert_eq!(
        short_of(&|e| matches!(
            e,
            Expr::Binary {
                op: ir::BinaryOp::Gt,
                ..
            }
        )),
        0,
        "{texts:?}"
    );
}

#[test]
fn gathers_are_reported_with_their_reason() {
    let m = module(
        "kernel g(idx: i64[n], x: f32[m], a: f32[m, m]) -> (out: f32[n], col: f32[n]) {
            foreach i in n {
                out[i] = x[idx[i]] + x[2 * i % m];
                col[i] = a[i % m, 0];
            }
        }",
    );
    let plan = plan_of(&m);
    let gathers: Vec<GatherReason> = accesses(&plan, 0)
        .into_iter()
        .filter_map(|a| match a {
            Access::Gather(reason) => Some(reason),
            _ => None,
        })
        .collect();
    assert_eq!(
        gathers,
        vec![
            GatherReason::Indirect,
            GatherReason::Computed,
            GatherReason::Strided { dim: 0 }
        ]
    );
    // Footprints come in parameter order: idx, x, a.
    let footprint = &plan.phases[0].footprint;
    assert_eq!(
        footprint[0].dims,
        vec![Offset::Range {
            dim: 0,
            lo: 0,
            hi: 0
        }]
    );
    assert_eq!(footprint[1].dims, vec![Offset::DataDependent]);
    assert_eq!(
        footprint[2].dims,
        vec![Offset::DataDependent, Offset::Fixed]
    );
}

#[test]
fn small_constant_phase_is_one_chunk() {
    let m = module(
        "kernel small() -> (t: f64) {
            t = sum over i in 2000 { 1.0 };
        }",
    );
    let plan = plan_of(&m);
    assert_eq!(plan.phases[0].chunking, Chunking::Known(1));
    let text = plan::explain::explain(&plan, &m.kernels[0], None);
    assert!(text.contains("one chunk: runs on one thread"), "{text}");
    let m = module(
        "kernel big() -> (t: f64) {
            t = sum over i in 100000 { 1.0 };
        }",
    );
    assert_eq!(plan_of(&m).phases[0].chunking, Chunking::Known(7));
}

#[test]
fn escape_loop_diverges_and_its_locals_skip_the_blend() {
    let path = kernel_dir().join("mandelbrot.kern");
    let m = module(&std::fs::read_to_string(path).unwrap());
    let plan = plan_of(&m);
    let body = &plan.phases[0].body;
    let (&id, form) = body.loops.iter().next().unwrap();
    assert!(
        matches!(form, LoopForm::Divergent(Diverges::Condition(_))),
        "{form:?}"
    );
    let names: Vec<&str> = body
        .loop_private(id)
        .iter()
        .map(|&l| m.kernels[0].body.locals[l].name.as_str())
        .collect();
    assert!(names.contains(&"zr") && names.contains(&"zi"), "{names:?}");
}

#[test]
fn varying_arguments_give_functions_plans_of_their_own() {
    let m = module(
        "fn sq(v: f64) -> f64 { v * v }
        kernel k(s: f64, x: f64[n]) -> (out: f64[n]) {
            foreach i in n { out[i] = sq(x[i]) + sq(s); }
        }",
    );
    let plan = plan_of(&m);
    let mut forms: Vec<(Vec<bool>, bool)> = plan
        .functions
        .iter()
        .map(|f| (f.varying_params.clone(), f.result_varying))
        .collect();
    forms.sort();
    assert_eq!(forms, vec![(vec![false], false), (vec![true], true)]);
}

#[test]
fn jumps_under_varying_conditions_make_loops_diverge() {
    let m = module(
        "kernel k(x: f64[n]) -> (out: f64[n]) {
            foreach i in n {
                let s = 0.0;
                for j in 0..10 {
                    if x[i] > 3.0 { break; }
                    s += 1.0;
                }
                out[i] = s;
            }
        }",
    );
    let plan = plan_of(&m);
    let form = plan.phases[0].body.loops.values().next().unwrap();
    assert!(
        matches!(form, LoopForm::Divergent(Diverges::Jump(_))),
        "{form:?}"
    );
}

fn kernel_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("kernels")
}

fn kernel_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(kernel_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "kern"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    files
}

#[test]
fn plan_and_explain_snapshots_of_every_example_kernel() {
    for path in kernel_files() {
        let source = std::fs::read_to_string(&path).unwrap();
        let m = module(&source);
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let mut text = String::new();
        for k in &m.kernels {
            let vplan = plan::plan_kernel(&m, k);
            text.push_str(&plan::dump::dump(&vplan, &m, k, Some(&source)));
            text.push('\n');
            text.push_str(&plan::explain::explain(&vplan, k, Some(&source)));
        }
        insta::assert_snapshot!(name, text);
    }
}

/// Calls that may stay in a phase of an example kernel, by kernel name:
/// none today. (Float `%` and sin/cos/tan of huge arguments are the only
/// calls codegen can emit in a phase; no example uses them.)
const ALLOWED_CALLS: &[(&str, usize)] = &[];

#[test]
fn no_calls_in_the_phases_of_the_example_kernels() {
    for path in kernel_files() {
        let source = std::fs::read_to_string(&path).unwrap();
        let m = module(&source);
        for k in &m.kernels {
            let clif = codegen::dump_clif(&m, &k.name, &Options::default()).unwrap();
            let calls = phase_calls(&clif);
            let allowed = ALLOWED_CALLS
                .iter()
                .find(|(name, _)| *name == k.name)
                .map_or(0, |a| a.1);
            assert_eq!(calls, allowed, "calls in the phases of {}:\n{clif}", k.name);
        }
    }
}

#[test]
fn the_call_detector_sees_calls() {
    // Float `%` is one Rust call per gang (full and tail): the detector
    // must count them, or the test above proves nothing.
    let m =
        module("kernel r(x: f32[n]) -> (out: f32[n]) { foreach i in n { out[i] = x[i] % 3.0; } }");
    let clif = codegen::dump_clif(&m, "r", &Options::default()).unwrap();
    assert_eq!(phase_calls(&clif), 2, "{clif}");
}

/// Call instructions in the chunk functions (`; NAME.phaseK` sections).
fn phase_calls(clif: &str) -> usize {
    let mut in_phase = false;
    let mut calls = 0;
    for line in clif.lines() {
        if let Some(name) = line.strip_prefix("; ") {
            in_phase = name.contains(".phase");
            continue;
        }
        let is_call = line.contains("= call ")
            || line.contains(" call_indirect ")
            || line.trim_start().starts_with("call ");
        if in_phase && is_call {
            calls += 1;
        }
    }
    calls
}

#[test]
fn plans_are_deterministic() {
    for path in kernel_files() {
        let source = std::fs::read_to_string(&path).unwrap();
        let m = module(&source);
        let k = &m.kernels[0];
        let a = plan::dump::dump(&plan::plan_kernel(&m, k), &m, k, Some(&source));
        let b = plan::dump::dump(&plan::plan_kernel(&m, k), &m, k, Some(&source));
        assert_eq!(a, b);
    }
}
