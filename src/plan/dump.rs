//! `kjit emit plan`: the vector plan of a kernel as text, one line per
//! decision, each with its IR id and, when the source is at hand, its line
//! and source text. Deterministic (ids and lines in order), so it is
//! snapshot-tested.

use super::access::Check;
use super::{
    Access, BodyPlan, BranchForm, Cause, Chunking, Diverges, Extension, Extent, GatherReason,
    LoopForm, Offset, PhaseKind, PhasePlan, Source, VectorPlan, COMBINE_ORDER,
};
use crate::abi::GANG;
use crate::ir::{self, Body, ExprId, StmtId};
use crate::span::{line_col, Span};
use std::fmt::Write;

/// Where ids meet source text.
pub(super) struct Text<'a> {
    pub kernel: &'a ir::Kernel,
    pub source: Option<&'a str>,
}

impl Text<'_> {
    pub fn line(&self, span: Span) -> String {
        match self.source {
            Some(src) => format!("line {}", line_col(src, span.start).0),
            None => format!("bytes {}..{}", span.start, span.end),
        }
    }

    /// The source text of `span` on one line (at most 60 characters).
    pub fn snippet(&self, span: Span) -> String {
        let Some(src) = self.source else {
            return String::new();
        };
        let text = src.get(span.range()).unwrap_or("");
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if flat.chars().count() > 60 {
            let cut: String = flat.chars().take(57).collect();
            format!("{cut}...")
        } else {
            flat
        }
    }

    pub fn expr(&self, body: &Body, e: ExprId) -> String {
        let span = body.exprs[e].span;
        format!("{e} {} `{}`", self.line(span), self.snippet(span))
    }

    pub fn stmt_span(&self, body: &Body, id: StmtId) -> Span {
        find_stmt(&body.block, id).map_or(Span::default(), |s| s.span)
    }

    pub fn local(&self, body: &Body, l: ir::LocalId) -> String {
        format!("{l} {}", body.locals[l].name)
    }

    pub fn source(&self, body: &Body, source: Source) -> String {
        match source {
            Source::Local(l) => self.local(body, l),
            Source::Array(a) => format!("{a} {}", body.arrays[a].name),
        }
    }
}

pub(super) fn find_stmt(block: &[ir::Stmt], id: StmtId) -> Option<&ir::Stmt> {
    for stmt in block {
        if stmt.id == id {
            return Some(stmt);
        }
        for child in stmt.children() {
            if let Some(found) = find_stmt(child, id) {
                return Some(found);
            }
        }
    }
    None
}

/// The plan of `kernel` as text; `source` adds line numbers and snippets.
pub fn dump(
    plan: &VectorPlan,
    module: &ir::Module,
    kernel: &ir::Kernel,
    source: Option<&str>,
) -> String {
    let text = Text { kernel, source };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "vectorization of kernel {} (gang of {GANG} lanes):",
        kernel.instance_name()
    );
    let _ = writeln!(out, "  driver (uniform code):");
    body_lines(&mut out, &text, &kernel.body, &plan.driver, "    ");
    for phase in &plan.phases {
        phase_lines(&mut out, &text, phase);
    }
    for (k, f) in plan.functions.iter().enumerate() {
        let function = &module.functions[f.func];
        let varying: Vec<String> = function
            .params
            .iter()
            .zip(&f.varying_params)
            .map(|(&p, &v)| {
                format!(
                    "{} {}",
                    function.body.locals[p].name,
                    if v { "varying" } else { "uniform" }
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "  function plan {k}: fn {} ({}) -> {}",
            function.name,
            varying.join(", "),
            if f.result_varying {
                "varying"
            } else {
                "uniform"
            }
        );
        let fn_text = Text { kernel, source };
        body_lines(&mut out, &fn_text, &function.body, &f.body, "    ");
    }
    out
}

fn phase_lines(out: &mut String, text: &Text, phase: &PhasePlan) {
    let body = &text.kernel.body;
    let kind = match phase.kind {
        PhaseKind::Foreach => "foreach",
        PhaseKind::Reduce { .. } => "reduce",
    };
    let span = text.stmt_span(body, phase.stmt);
    let _ = writeln!(
        out,
        "  phase {} ({kind}, {}-D) {} {}:",
        phase.index,
        phase.rank(),
        phase.stmt,
        text.line(span)
    );
    let extents: Vec<String> = phase.extents.iter().map(extent).collect();
    let _ = writeln!(out, "    domain: ({})", extents.join(", "));
    let _ = writeln!(out, "    chunking: {}", chunking(phase));
    if phase.unrolled {
        let _ = writeln!(
            out,
            "    full gangs: two per loop step (a short body: no loop, call or checked read)"
        );
    }
    if let PhaseKind::Reduce {
        op, ty, dst, index, ..
    } = phase.kind
    {
        let into = match index {
            Some(index) => format!(
                "{} (value), {} (flat index; per lane: value and index registers, \
                 compare + blend)",
                text.local(body, dst),
                text.local(body, index)
            ),
            None => text.local(body, dst),
        };
        let _ = writeln!(
            out,
            "    reduction: {} of {ty} into {into}; order: {COMBINE_ORDER}",
            op.name(),
        );
    }
    let names = |list: &[ir::ParamId]| -> String {
        let v: Vec<&str> = list
            .iter()
            .map(|&p| text.kernel.params[p].name.as_str())
            .collect();
        if v.is_empty() {
            "-".into()
        } else {
            v.join(", ")
        }
    };
    let _ = writeln!(
        out,
        "    reads: {}; writes: {}",
        names(&phase.reads),
        names(&phase.writes)
    );
    for (&load, access) in &phase.body.accesses {
        let _ = writeln!(
            out,
            "    access {}: {}",
            text.expr(body, load),
            describe_access(access, text, body)
        );
    }
    for &(array, channels) in &phase.body.channel_blocks {
        let _ = writeln!(
            out,
            "    channel block {}: the gang's {channels} channels loaded once at its entry",
            text.kernel.params[array].name
        );
    }
    for &e in &phase.body.short_products {
        let _ = writeln!(
            out,
            "    product {}: in 0..2^16, one 16-bit multiply",
            text.expr(body, e)
        );
    }
    for &e in &phase.body.exact_casts {
        let _ = writeln!(
            out,
            "    cast {}: value in range, exact",
            text.expr(body, e)
        );
    }
    for (&e, &ext) in &phase.body.short {
        let _ = writeln!(
            out,
            "    short {}: 8 × 16-bit lanes, {}",
            text.expr(body, e),
            extension(ext)
        );
    }
    for (&l, &ext) in &phase.body.short_locals {
        let _ = writeln!(
            out,
            "    short local {}: 8 × 16-bit lanes, {}",
            text.local(body, l),
            extension(ext)
        );
    }
    for &store in &phase.body.owner_stores {
        let _ = writeln!(out, "    owner store {store}: per-lane scatter, checked");
    }
    for f in &phase.footprint {
        let dims: Vec<String> = f
            .dims
            .iter()
            .map(|o| offset(o, &|d| format!("d{d}")))
            .collect();
        let _ = writeln!(
            out,
            "    footprint {}: [{}]",
            text.kernel.params[f.array].name,
            dims.join(", ")
        );
    }
    body_lines(out, text, body, &phase.body, "    ");
}

/// The form of each local array the body declares (none: no line).
fn local_array_lines(out: &mut String, body: &Body, plan: &BodyPlan, pad: &str) {
    let arrays: Vec<String> = (plan.arrays.iter())
        .map(|&id| (id, &body.arrays[id]))
        .map(|(id, a)| match plan.varying_arrays.get(&id) {
            Some(cause) => format!("{id} {} (per lane: {})", a.name, describe_cause(cause)),
            None => format!("{id} {} (one for the gang)", a.name),
        })
        .collect();
    if !arrays.is_empty() {
        let _ = writeln!(out, "{pad}local arrays: {}", arrays.join(", "));
    }
}

/// Varying locals, branches, loops and blend-free writes of one body.
fn body_lines(out: &mut String, text: &Text, body: &Body, plan: &BodyPlan, pad: &str) {
    let varying: Vec<String> = plan
        .varying_locals
        .iter()
        .map(|(&l, cause)| format!("{} ({})", text.local(body, l), describe_cause(cause)))
        .collect();
    let _ = writeln!(
        out,
        "{pad}varying locals: {}",
        if varying.is_empty() {
            "none".into()
        } else {
            varying.join(", ")
        }
    );
    local_array_lines(out, body, plan, pad);
    for (&id, form) in &plan.branches {
        if let BranchForm::Varying(why) = form {
            let span = text.stmt_span(body, id);
            let _ = writeln!(
                out,
                "{pad}if {id} {}: varying (reads {})",
                text.line(span),
                text.source(body, *why)
            );
        }
    }
    for (&id, form) in &plan.loops {
        let span = text.stmt_span(body, id);
        let _ = writeln!(
            out,
            "{pad}loop {id} {}: {}",
            text.line(span),
            describe_loop(form, text, body)
        );
    }
    if plan
        .loops
        .values()
        .any(|f| matches!(f, LoopForm::Divergent(_)))
    {
        for (&id, private) in &plan.loop_private {
            if !private.is_empty() && matches!(plan.loop_form(id), LoopForm::Divergent(_)) {
                let names: Vec<String> = private.iter().map(|&l| text.local(body, l)).collect();
                let _ = writeln!(
                    out,
                    "{pad}loop {id} writes without blend: {}",
                    names.join(", ")
                );
            }
        }
    }
}

pub(super) fn describe_cause(cause: &Cause) -> String {
    match cause {
        Cause::Lanes => "the gang's index".into(),
        Cause::Argument => "a varying argument".into(),
        Cause::Assigned(s) => format!("assigned a varying value at {s}"),
        Cause::Control(s) => format!("assigned under varying control {s}"),
        Cause::Bounds(s) => format!("counter of {s}, whose bounds vary"),
    }
}

fn describe_loop(form: &LoopForm, text: &Text, body: &Body) -> String {
    match form {
        LoopForm::Coherent => "coherent".into(),
        LoopForm::Divergent(Diverges::Condition(e)) => {
            format!("divergent (condition {} varies)", text.expr(body, *e))
        }
        LoopForm::Divergent(Diverges::Bounds) => "divergent (bounds vary)".into(),
        LoopForm::Divergent(Diverges::Jump(s)) => {
            format!("divergent (break/continue {s} under a varying condition)")
        }
    }
}

pub(super) fn describe_access(access: &Access, text: &Text, body: &Body) -> String {
    let check = match access.check() {
        Check::None => "no check",
        Check::PerGang => "one check per gang",
        Check::PerLane => "per-lane check",
    };
    let kind = match access {
        Access::Uniform => "uniform (scalar load)".to_string(),
        Access::Current => "current index (proven in bounds)".to_string(),
        Access::Interleaved {
            channel,
            channels,
            shared,
        } => {
            let from = if *shared {
                ", from the gang's shared block"
            } else {
                ""
            };
            format!("interleaved, channel {channel} of {channels}{from} (proven in bounds)")
        }
        Access::Contiguous { offset: None } => "contiguous at the gang's index".to_string(),
        Access::Contiguous {
            offset: Some((op, e)),
        } => format!(
            "contiguous at index {} {e} `{}`",
            op.symbol(),
            text.snippet(body.exprs[*e].span)
        ),
        Access::Gather(GatherReason::Indirect) => "gather (index read from an array)".to_string(),
        Access::Gather(GatherReason::Strided { dim }) => {
            format!("gather (strided: index {dim} varies, the last is uniform)")
        }
        Access::Gather(GatherReason::Computed) => {
            "gather (last index is not `index ± uniform`)".to_string()
        }
    };
    format!("{kind}, {check}")
}

fn extent(e: &Extent) -> String {
    match e {
        Extent::Const(n) => n.to_string(),
        Extent::Size(name) => name.clone(),
        Extent::Computed => "computed".into(),
    }
}

pub(super) fn chunking(phase: &PhasePlan) -> String {
    match phase.chunking {
        Chunking::Known(1) => "1 chunk (one thread)".into(),
        Chunking::Known(n) => format!("{n} chunks"),
        Chunking::AtCallTime => format!(
            "at call time: chunks of {} elements{}",
            phase.chunk_elems,
            if phase.rank() > 1 {
                " (whole rows)"
            } else {
                ""
            }
        ),
    }
}

/// One dimension of a footprint, the domain index of dimension `d` being
/// written `index(d)`: `r-1..=r+1`, `c + uniform`, `fixed`.
pub(super) fn offset(o: &Offset, index: &dyn Fn(usize) -> String) -> String {
    let at = |dim: usize, by: i64| match by {
        0 => index(dim),
        b if b > 0 => format!("{}+{b}", index(dim)),
        b => format!("{}{b}", index(dim)),
    };
    match *o {
        Offset::Range { dim, lo, hi } if lo == hi => at(dim, lo),
        Offset::Range { dim, lo, hi } => format!("{}..={}", at(dim, lo), at(dim, hi)),
        Offset::Shifted { dim } => format!("{} + uniform", index(dim)),
        Offset::Fixed => "fixed".into(),
        Offset::DataDependent => "data-dependent".into(),
    }
}

fn extension(ext: Extension) -> &'static str {
    match ext {
        Extension::Zero => "zero-extended",
        Extension::Sign => "sign-extended",
    }
}
