//! `kjit explain`: the vector plan told to the user, phase by phase and
//! line by line: what runs as plain vector code, what does not and why,
//! and a one-line `help:` where a rewrite would help. In the spirit of
//! ISPC's performance warnings, but it also says *why not*.

use super::dump::{chunking, find_stmt, offset, Text};
use super::{
    Access, BranchForm, Cause, Chunking, Diverges, GatherReason, LoopForm, PhaseKind, PhasePlan,
    Source, VectorPlan,
};
use crate::abi::CHUNK_ELEMS;
use crate::ir::{self, Body};
use std::fmt::Write;

/// One finding, sorted by source position.
struct Note {
    at: u32,
    text: String,
    help: Option<String>,
}

/// The report for one kernel.
pub fn explain(plan: &VectorPlan, kernel: &ir::Kernel, source: Option<&str>) -> String {
    let text = Text { kernel, source };
    let mut out = String::new();
    let _ = writeln!(out, "kernel {}:", kernel.instance_name());
    if plan.phases.is_empty() {
        let _ = writeln!(
            out,
            "  no phases: everything runs as scalar code on one thread"
        );
    }
    for phase in &plan.phases {
        explain_phase(&mut out, &text, phase);
    }
    out
}

fn explain_phase(out: &mut String, text: &Text, phase: &PhasePlan) {
    let body = &text.kernel.body;
    let stmt = find_stmt(&body.block, phase.stmt);
    let span = stmt.map(|s| s.span).unwrap_or_default();
    let what = match phase.kind {
        PhaseKind::Foreach => "foreach".to_string(),
        PhaseKind::Reduce { op, .. } => format!("{} reduction", op.name()),
    };
    let _ = writeln!(
        out,
        "  phase {} ({what}, {}-D), {}: `{}`",
        phase.index,
        phase.rank(),
        text.line(span),
        text.snippet(span).split('{').next().unwrap_or("").trim()
    );
    let _ = writeln!(out, "    parallelism: {}", parallelism(phase));
    if let Some(help) = single_chunk_help(phase) {
        let _ = writeln!(out, "      help: {help}");
    }
    let mut notes = Vec::new();
    access_notes(text, body, phase, &mut notes);
    control_notes(text, body, phase, &mut notes);
    if let Some(stmt) = stmt {
        local_array_notes(text, body, phase, stmt, &mut notes);
    }
    // Unrolled loops repeat their statements: say each finding once.
    notes.sort_by(|a, b| (a.at, &a.text).cmp(&(b.at, &b.text)));
    notes.dedup_by(|a, b| a.at == b.at && a.text == b.text);
    if notes.is_empty() {
        let _ = writeln!(out, "    every line runs as plain vector code");
    }
    for note in notes {
        let _ = writeln!(out, "    {}", note.text);
        if let Some(help) = note.help {
            let _ = writeln!(out, "      help: {help}");
        }
    }
    footprint_lines(out, text, phase);
}

fn parallelism(phase: &PhasePlan) -> String {
    match phase.chunking {
        Chunking::Known(1) => "one chunk: runs on one thread".into(),
        Chunking::Known(n) => format!("{n} chunks, spread over the threads"),
        Chunking::AtCallTime => format!(
            "{}; a domain of at most {} elements runs on one thread{}",
            chunking(phase),
            phase.chunk_elems,
            if phase.chunk_elems < CHUNK_ELEMS {
                " (small chunks: each element runs a loop)"
            } else {
                ""
            }
        ),
    }
}

fn single_chunk_help(phase: &PhasePlan) -> Option<String> {
    (phase.chunking == Chunking::Known(1)).then(|| {
        format!(
            "phases of more than {CHUNK_ELEMS} elements run in parallel; a small phase is \
             cheap, but if it is slow, merge it with a neighbour or enlarge its domain"
        )
    })
}

fn access_notes(text: &Text, body: &Body, phase: &PhasePlan, notes: &mut Vec<Note>) {
    for &store in &phase.body.owner_stores {
        let Some(stmt) = super::dump::find_stmt(&body.block, store) else {
            continue;
        };
        let at = format!("{}: `{}`", text.line(stmt.span), text.snippet(stmt.span));
        notes.push(Note {
            at: stmt.span.start,
            text: format!(
                "{at}: owner store below the current index: a per-lane scatter, with one \
                 vector check of the further indices"
            ),
            help: None,
        });
    }
    for (&load, access) in &phase.body.accesses {
        let span = body.exprs[load].span;
        let at = format!("{}: `{}`", text.line(span), text.snippet(span));
        let (line, help) = match access {
            Access::Current => continue,
            Access::Contiguous { .. } => (
                format!("{at}: contiguous vector load, one bounds check per gang"),
                None,
            ),
            Access::Uniform => (
                format!("{at}: the same element for the whole gang: one scalar load"),
                None,
            ),
            Access::Interleaved {
                channel,
                channels,
                shared,
            } => (
                format!(
                    "{at}: channel {channel} of {channels} interleaved: {} and a byte \
                     shuffle, no bounds check",
                    if *shared {
                        "the gang's pixels, loaded once for all its channel reads,"
                    } else {
                        "vector loads of the gang's pixels"
                    }
                ),
                None,
            ),
            Access::Gather(reason) => gather(&at, *reason),
        };
        notes.push(Note {
            at: span.start,
            text: line,
            help,
        });
    }
}

fn gather(at: &str, reason: GatherReason) -> (String, Option<String>) {
    match reason {
        GatherReason::Indirect => (
            format!("{at}: gather: the index is read from an array, so each lane loads on its own"),
            Some("inherent to indirect indexing; sorting the indices improves locality".into()),
        ),
        GatherReason::Strided { dim } => (
            format!(
                "{at}: gather: index {dim} varies along the gang while the last index is \
                 uniform, so lanes read down a column"
            ),
            Some(
                "make the last index follow the phase's last index (`a[r, c]` in `foreach (r, c)`), \
                 or transpose the array"
                    .into(),
            ),
        ),
        GatherReason::Computed => (
            format!("{at}: gather: the last index is not `i`, `i + k` or `i - k` with `k` uniform"),
            Some(
                "write the index directly as `i + k` (not through a `let`, not scaled) to get \
                 one contiguous load"
                    .into(),
            ),
        ),
    }
}

fn control_notes(text: &Text, body: &Body, phase: &PhasePlan, notes: &mut Vec<Note>) {
    let plan = &phase.body;
    for (&id, form) in &plan.branches {
        let BranchForm::Varying(why) = form else {
            continue;
        };
        let span = text.stmt_span(body, id);
        notes.push(Note {
            at: span.start,
            text: format!(
                "{}: `if` varies across lanes (its condition reads `{}`): each side runs under a \
                 mask, and a side no lane takes is skipped",
                text.line(span),
                match *why {
                    Source::Local(l) => &body.locals[l].name,
                    Source::Array(a) => &body.arrays[a].name,
                }
            ),
            help: None,
        });
    }
    for (&id, form) in &plan.loops {
        let span = text.stmt_span(body, id);
        let (line, help) = match form {
            LoopForm::Coherent => continue,
            LoopForm::Divergent(why) => divergent(text, body, span, why),
        };
        notes.push(Note {
            at: span.start,
            text: line,
            help,
        });
    }
    for (&local, cause) in &plan.varying_locals {
        if let Cause::Control(s) = cause {
            let span = text.stmt_span(body, *s);
            notes.push(Note {
                at: span.start,
                text: format!(
                    "{}: `{}` becomes varying: it is assigned under varying control",
                    text.line(span),
                    body.locals[local].name
                ),
                help: None,
            });
        }
    }
}

/// Local arrays of the phase kept one per lane, and their accesses at an
/// index that differs per lane (a per-lane load or store each).
fn local_array_notes(
    text: &Text,
    body: &Body,
    phase: &PhasePlan,
    stmt: &ir::Stmt,
    notes: &mut Vec<Note>,
) {
    let plan = &phase.body;
    for &array in &plan.arrays {
        let a = &body.arrays[array];
        if !plan.is_varying_array(array) {
            continue;
        }
        notes.push(Note {
            at: a.span.start,
            text: format!(
                "{}: local array `{}` is one copy per lane ({} × {} elements on the stack)",
                text.line(a.span),
                a.name,
                crate::abi::GANG,
                a.len()
            ),
            help: None,
        });
    }
    let mut stack: Vec<&ir::Stmt> = stmt.children().flatten().collect();
    while let Some(s) = stack.pop() {
        stack.extend(s.children().flatten());
        let mut roots = super::scopes::stmt_operands(s);
        if let ir::StmtKind::LocalStore { array, index, .. } = &s.kind {
            if index.iter().any(|&i| plan.is_varying(i)) {
                notes.push(per_lane_note(text, body, *array, s.span, "store"));
            }
        }
        while let Some(e) = roots.pop() {
            let node = &body.exprs[e];
            roots.extend(node.expr.operands());
            if let ir::Expr::LocalLoad { array, index } = &node.expr {
                if index.iter().any(|&i| plan.is_varying(i)) {
                    notes.push(per_lane_note(text, body, *array, node.span, "read"));
                }
            }
        }
    }
}

fn per_lane_note(
    text: &Text,
    body: &Body,
    array: ir::LocalArrayId,
    span: crate::span::Span,
    what: &str,
) -> Note {
    Note {
        at: span.start,
        text: format!(
            "{}: `{}`: the index differs per lane: a checked {what} per lane",
            text.line(span),
            text.snippet(span)
        ),
        help: Some(format!(
            "an index every lane shares (a loop counter) makes `{}` plain vector code",
            body.arrays[array].name
        )),
    }
}

fn divergent(
    text: &Text,
    body: &Body,
    span: crate::span::Span,
    why: &Diverges,
) -> (String, Option<String>) {
    let reason = match why {
        Diverges::Condition(e) => format!(
            "its condition `{}` varies",
            text.snippet(body.exprs[*e].span)
        ),
        Diverges::Bounds => "its bounds vary".into(),
        Diverges::Jump(_) => "a `break` or `continue` sits under a varying condition".into(),
    };
    (
        format!(
            "{}: loop diverges ({reason}): the gang iterates until its last lane is done",
            text.line(span)
        ),
        Some("lanes whose work differs a lot from their neighbours' leave the others idle".into()),
    )
}

fn footprint_lines(out: &mut String, text: &Text, phase: &PhasePlan) {
    let stmt_domain = find_stmt(&text.kernel.body.block, phase.stmt).and_then(|s| match &s.kind {
        ir::StmtKind::Foreach { domain, .. } | ir::StmtKind::Reduce { domain, .. } => Some(domain),
        _ => None,
    });
    let name = |dim: usize| -> String {
        stmt_domain
            .and_then(|d| d.indices.get(dim))
            .map_or(format!("d{dim}"), |&l| {
                text.kernel.body.locals[l].name.clone()
            })
    };
    for f in &phase.footprint {
        let dims: Vec<String> = f.dims.iter().map(|o| offset(o, &name)).collect();
        let _ = writeln!(
            out,
            "    reads {}[{}]",
            text.kernel.params[f.array].name,
            dims.join(", ")
        );
    }
}
