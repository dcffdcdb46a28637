//! Verifier tests of statement placement: phases, stores, loop exits, and
//! which locals a phase may assign or read.

use super::*;

#[test]
fn rejects_bad_domains() {
    let (mut b, _, _, _) = base();
    let (_, total) = b.scalar_output("total", I64);
    let ext = b.i32(3);
    b.reduce(total, ReduceOp::Sum, vec![ext], |b, i| b.get(i[0]));
    rejects_kernel(b.kernel(), "extent of type i32");

    let (mut b, n, ..) = base();
    let (_, total) = b.scalar_output("total", I64);
    let ext = b.size_ref(n);
    b.reduce(total, ReduceOp::Sum, vec![ext], |b, i| b.get(i[0]));
    let mut k = b.kernel();
    let index = LocalId::from_u32(1);
    k.body.locals[index].kind = LocalKind::DomainIndex { dim: 1 };
    rejects_kernel(k, "domain dim 0: index v1");

    let (mut b, n, ..) = base();
    let (_, total) = b.scalar_output("total", F32);
    let ext = b.size_ref(n);
    b.reduce(total, ReduceOp::Sum, vec![ext], |b, _| b.f32(1.0));
    let mut k = b.kernel();
    let StmtKind::Reduce { domain, .. } = &mut k.body.block[0].kind else {
        unreachable!()
    };
    domain.indices.clear();
    rejects_kernel(k, "domain with no dimension");
}

#[test]
fn rejects_bad_reduce_destinations() {
    let (mut b, n, ..) = base();
    let total = b.var("total", Bool);
    let ext = b.size_ref(n);
    b.reduce(total, ReduceOp::Max, vec![ext], |b, _| b.bool(true));
    rejects_kernel(b.kernel(), "reduce into v0 (Var bool) of a bool value");

    let (mut b, n, ..) = base();
    let total = b.var("total", F64);
    let ext = b.size_ref(n);
    b.reduce(total, ReduceOp::Sum, vec![ext], |b, _| b.f32(1.0));
    rejects_kernel(b.kernel(), "reduce into v0 (Var f64) of a f32 value");
}

#[test]
fn rejects_phases_outside_uniform_code() {
    let (mut b, n, x, _) = base();
    let (_, total) = b.scalar_output("total", F32);
    b.foreach_sizes(&[n], |b, _| {
        let ext = b.size_ref(n);
        b.reduce(total, ReduceOp::Sum, vec![ext], |b, i| b.load_at(x, i));
    });
    rejects_kernel(b.kernel(), "outside a kernel's uniform code");
}

#[test]
fn accepts_phases_in_uniform_ifs() {
    let (mut b, n, x, out) = base();
    let c = b.bool(true);
    b.if_(
        c,
        |b| {
            b.foreach_sizes(&[n], |b, i| {
                let v = b.load_at(x, i);
                b.store(out, i, v);
            })
        },
        |_| {},
    );
    accepts_kernel(b.kernel());
}

#[test]
fn rejects_break_and_continue_outside_loops() {
    let mut b = IrBuilder::new("k");
    b.push(StmtKind::Break);
    rejects_kernel(b.kernel(), "break or continue outside a loop");

    let (mut b, n, ..) = base();
    b.foreach_sizes(&[n], |b, _| b.push(StmtKind::Continue));
    rejects_kernel(b.kernel(), "break or continue outside a loop");
}

#[test]
fn rejects_stores_outside_a_foreach() {
    let (mut b, n, _, out) = base();
    let zero = b.i64(0);
    let v = b.f32(1.0);
    b.push(StmtKind::Store {
        array: out,
        index: vec![zero],
        value: v,
    });
    let _ = n;
    rejects_kernel(b.kernel(), "store to p1 outside a foreach");

    let (mut b, n, _, out) = base();
    let (_, total) = b.scalar_output("total", F32);
    let ext = b.size_ref(n);
    b.reduce(total, ReduceOp::Sum, vec![ext], |b, i| {
        let v = b.f32(1.0);
        b.store(out, i, v);
        b.f32(0.0)
    });
    rejects_kernel(b.kernel(), "store to p1 outside a foreach");
}

#[test]
fn rejects_stores_away_from_the_domain_index() {
    let (mut b, n, _, out) = base();
    b.foreach_sizes(&[n], |b, i| {
        let (iv, zero) = (b.get(i[0]), b.i64(0));
        let shifted = b.binary(BinaryOp::Add, iv, zero);
        let v = b.f32(1.0);
        b.push(StmtKind::Store {
            array: out,
            index: vec![shifted],
            value: v,
        });
    });
    rejects_kernel(b.kernel(), "not at the domain index");
}

#[test]
fn rejects_stores_over_a_domain_that_is_not_the_array_shape() {
    let (mut b, _, _, out) = base();
    let m = b.size("m");
    b.foreach_sizes(&[m], |b, i| {
        let v = b.f32(1.0);
        b.store(out, i, v);
    });
    let mut k = b.kernel();
    k.sizes[m].fixed_by = None;
    rejects_kernel(k, "over a domain that is not its shape");
}

#[test]
fn rejects_stores_to_inputs_and_of_the_wrong_type() {
    let (mut b, n, x, _) = base();
    b.foreach_sizes(&[n], |b, i| {
        let v = b.f32(1.0);
        b.store(x, i, v);
    });
    rejects_kernel(b.kernel(), "not an output or inout array");

    let (mut b, n, _, out) = base();
    b.foreach_sizes(&[n], |b, i| {
        let v = b.f64(1.0);
        b.store(out, i, v);
    });
    rejects_kernel(b.kernel(), "stores a f64 into p1 of f32");
}

#[test]
fn rejects_loads_of_a_stored_array_away_from_the_index() {
    let (mut b, n, _, out) = base();
    b.foreach_sizes(&[n], |b, i| {
        let zero = b.i64(0);
        let v = b.load(out, vec![zero]);
        b.store(out, i, v);
    });
    rejects_kernel(
        b.kernel(),
        "stored in this phase, away from the domain index",
    );
}

#[test]
fn rejects_assigning_a_uniform_local_in_a_phase() {
    let (mut b, n, x, out) = base();
    let acc = b.var("acc", F32);
    let zero = b.f32(0.0);
    b.assign(acc, zero);
    b.foreach_sizes(&[n], |b, i| {
        let v = b.load_at(x, i);
        b.assign(acc, v);
        let a = b.get(acc);
        b.store(out, i, a);
    });
    rejects_kernel(
        b.kernel(),
        "v0 is assigned both in Uniform and Phase(0) code",
    );

    let (mut b, n, ..) = base();
    let (_, s) = b.scalar_output("s", F32);
    b.foreach_sizes(&[n], |b, _| {
        let one = b.f32(1.0);
        b.assign(s, one);
    });
    rejects_kernel(b.kernel(), "assigned both in Uniform and Phase(0)");
}

#[test]
fn rejects_reading_a_phase_local_outside_its_phase() {
    let (mut b, n, x, _) = base();
    let t = b.var("t", F32);
    let (_, s) = b.scalar_output("s", F32);
    b.foreach_sizes(&[n], |b, i| {
        let v = b.load_at(x, i);
        b.assign(t, v);
    });
    let tv = b.get(t);
    b.assign(s, tv);
    rejects_kernel(
        b.kernel(),
        "v0 belongs to phase 0 but is read in Uniform code",
    );
}

#[test]
fn rejects_assigning_read_only_locals() {
    let mut b = IrBuilder::new("k");
    let k = b.local("k", I64, LocalKind::LoopCounter);
    let (s, e) = (b.i64(0), b.i64(3));
    b.for_(k, s, e, false, |b| {
        let one = b.i64(1);
        b.assign(k, one);
    });
    rejects_kernel(b.kernel(), "assigns read-only v0 (LoopCounter)");

    let (mut b, n, ..) = base();
    b.foreach_sizes(&[n], |b, i| {
        let one = b.i64(1);
        b.assign(i[0], one);
    });
    rejects_kernel(b.kernel(), "assigns read-only v0 (DomainIndex");

    let mut f = IrBuilder::new("f");
    let p = f.local("p", F32, LocalKind::FnParam);
    let one = f.f32(1.0);
    f.assign(p, one);
    let result = f.get(p);
    let func = f.function(1, F32, result);
    rejects(
        &module(Vec::new(), vec![func]),
        "assigns read-only v0 (FnParam)",
    );
}
