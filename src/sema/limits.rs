//! Bounds on what calls may build. Every call is inlined (by the evaluator
//! as nested frames, by the JIT as code), so call chains are bounded in
//! depth and the fully inlined size of a kernel is bounded too: past these
//! limits a program would overflow the stack or take unbounded compile
//! time, so it is rejected here, with a span, instead.
//!
//! Computed without recursion (the call graph may be a 100,000-function
//! chain): functions are visited callees first, by repeatedly taking those
//! whose callees are all done.

use crate::diagnostic::Diagnostic;
use crate::ir::{self, FuncId};
use crate::span::Span;

/// Calls nested inside one another, from a kernel down.
pub const MAX_CALL_DEPTH: usize = 32;
/// IR expressions of a kernel once every call is inlined.
pub const MAX_INLINED_EXPRS: usize = 200_000;

#[derive(Clone, Copy, Default)]
struct Cost {
    depth: usize,
    exprs: usize,
}

pub fn check_call_limits(
    module: &ir::Module,
    fn_calls: &[Vec<(FuncId, Span)>],
    kernel_calls: &[Vec<(FuncId, Span)>],
    diags: &mut Vec<Diagnostic>,
) {
    let costs = function_costs(module, fn_calls);
    for (f, calls) in fn_calls.iter().enumerate() {
        let function = &module.functions[FuncId::from_u32(f as u32)];
        let own = function.body.exprs.len();
        report(
            &function.name,
            function.span,
            own,
            calls,
            &costs,
            diags,
            true,
        );
    }
    for (kernel, calls) in module.kernels.iter().zip(kernel_calls) {
        report(
            &kernel.name,
            kernel.span,
            kernel.body.exprs.len(),
            calls,
            &costs,
            diags,
            false,
        );
    }
}

/// Depth and inlined size of every function, callees before callers.
fn function_costs(module: &ir::Module, fn_calls: &[Vec<(FuncId, Span)>]) -> Vec<Cost> {
    let n = fn_calls.len();
    let mut callers: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut pending: Vec<usize> = vec![0; n];
    for (f, calls) in fn_calls.iter().enumerate() {
        for (callee, _) in calls {
            callers[callee.as_u32() as usize].push(f);
            pending[f] += 1;
        }
    }
    let mut costs = vec![Cost::default(); n];
    let mut ready: Vec<usize> = (0..n).filter(|&f| pending[f] == 0).collect();
    while let Some(f) = ready.pop() {
        let own = module.functions[FuncId::from_u32(f as u32)]
            .body
            .exprs
            .len();
        costs[f] = combine(own, &fn_calls[f], &costs);
        for &caller in &callers[f] {
            pending[caller] -= 1;
            if pending[caller] == 0 {
                ready.push(caller);
            }
        }
    }
    costs
}

fn combine(own: usize, calls: &[(FuncId, Span)], costs: &[Cost]) -> Cost {
    calls.iter().fold(
        Cost {
            depth: 0,
            exprs: own,
        },
        |acc, (callee, _)| {
            let c = costs[callee.as_u32() as usize];
            Cost {
                depth: acc.depth.max(c.depth + 1),
                exprs: acc.exprs.saturating_add(c.exprs),
            }
        },
    )
}

/// Reports an item that crosses a limit while its callees do not, so one
/// long chain gives one diagnostic, at the call that crosses.
fn report(
    name: &str,
    span: Span,
    own: usize,
    calls: &[(FuncId, Span)],
    costs: &[Cost],
    diags: &mut Vec<Diagnostic>,
    is_fn: bool,
) {
    let callee_depth_ok = |c: &Cost| c.depth < MAX_CALL_DEPTH;
    let cost = combine(own, calls, costs);
    let depth_limit = if is_fn {
        MAX_CALL_DEPTH
    } else {
        MAX_CALL_DEPTH + 1
    };
    if cost.depth >= depth_limit
        && calls
            .iter()
            .all(|(c, _)| callee_depth_ok(&costs[c.as_u32() as usize]))
    {
        let deepest = calls
            .iter()
            .max_by_key(|(c, _)| costs[c.as_u32() as usize].depth)
            .map_or(span, |(_, s)| *s);
        diags.push(
            Diagnostic::error(format!("calls nest more than {MAX_CALL_DEPTH} deep"))
                .primary(
                    deepest,
                    format!(
                        "`{name}` starts a chain of {} nested calls here",
                        cost.depth
                    ),
                )
                .note("every call is inlined, so call chains are bounded")
                .help("merge some of the functions in the chain"),
        );
    }
    let callees_ok = calls
        .iter()
        .all(|(c, _)| costs[c.as_u32() as usize].exprs <= MAX_INLINED_EXPRS);
    if cost.exprs > MAX_INLINED_EXPRS && callees_ok {
        diags.push(
            Diagnostic::error(format!("`{name}` is too large once its calls are inlined"))
                .primary(
                    span,
                    format!(
                        "{} operations after inlining (limit {MAX_INLINED_EXPRS})",
                        cost.exprs
                    ),
                )
                .note(
                    "every call is inlined, so a function called many times is copied many times",
                ),
        );
    }
}
