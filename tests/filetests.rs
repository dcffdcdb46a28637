//! File tests: every `tests/kern/**/*.kern` file is one test, carrying its
//! inputs and expectations in comments (see `filetests/format.rs` for the
//! format). Each file is checked by the front end — every diagnostic must
//! match exactly one `^^^` mark and every mark one diagnostic; a file without
//! error marks must check clean and its IR verify — and each `// run:` line
//! runs on the reference evaluator and is compared with its `// expect:`
//! lines.
//!
//! `KJIT_BLESS=1 cargo test --test filetests` rewrites failing expectations
//! in place from the actual results (passing lines are kept verbatim, so a
//! bless shows up in `git diff` as exactly what changed). Review that diff:
//! the expectations were computed by hand and are the oracle.

mod filetests {
    pub mod exec;
    pub mod format;
    pub mod values;
}

use filetests::format::{mark_text, Compare, Expect, MarkPos, Run, Severity, TestFile};
use filetests::values::{parse_like, vals_match, Val};
use kjit::diagnostic::{self, Diagnostic};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One `#[test]` per file, named `FOLDER::FILE`, so a failure names the
/// file. `every_kern_file_is_listed` keeps this list equal to the folder.
macro_rules! kern_tests {
    ($($dir:ident { $($file:ident),* $(,)? })*) => {
        $(mod $dir {
            $(#[test]
            fn $file() {
                super::check_file(concat!(stringify!($dir), "/", stringify!($file), ".kern"));
            })*
        })*
        const LISTED: &[&str] = &[$($(concat!(stringify!($dir), "/", stringify!($file), ".kern"),)*)*];
    };
}

kern_tests! {
    syntax {
        comments, block_comment_not_nested, identifiers, keywords_not_names,
        int_literals, float_literals, float_literal_forms, precedence,
        comparison_chain, expression_statement, recovery, recovery_items,
        outputs_clause_optional, unclosed_block,
    }
    types {
        no_implicit_conversion, literal_inference, literal_mismatch,
        literal_out_of_range, operand_types, conditions_bool, casts_accept_scalars,
        bad_casts, arrays_not_values, index_types, sizes, size_mismatch,
        size_expressions,
    }
    items {
        unique_names, unknown_names, outputs_start_zero, unused_output,
        inout, inout_errors, functions, function_order, function_errors,
        recursion, function_purity, arity, scalar_outputs, multiple_kernels,
        no_return, consts, const_errors,
    }
    statements {
        let_and_shadowing, assignment_ops, assignment_errors, if_else, for_loops,
        for_bounds_once, for_inclusive_max, for_errors, while_break_continue,
        break_outside_loop,
    }
    phases {
        foreach_1d, foreach_2d, foreach_nd, stencil, multi_phase, phase_locals,
        placement, phases_in_loops, scratch_swap, scratch_errors, owner_stores, owner_store_errors,
        reductions, reduction_placement, reduction_identities,
        reduction_nan, reduction_wrap_and_order, reduction_2d, reduction_errors,
        reduction_evaluated_first, argmin, argmin_at, argmin_nd, argmin_lengths,
        argmin_errors,
        empty_and_negative_domains, race_uniform_writes, race_store_index,
        race_store_shape, race_read_stored, stores_outside_foreach,
        writing_inputs,
    }
    local_arrays {
        basics, errors, diagnostics, narrow_types,
    }
    values {
        structs, tuples, array_functions, errors, contexts, races, recursion, generic, broken_functions,
    }
    semantics {
        int_wrap, int_division, shifts, bitwise, float_arith, float_nan_compare,
        no_contraction, casts_float_to_int, casts_to_float, casts_int_bool,
        short_circuit, comparisons, array_reads, out_of_range, out_of_range_2d, out_of_range_nd,
    }
    builtins {
        abs, min_max, clamp, select, rounding, sqrt_fma, exp_log, pow,
        trig, hyperbolic_erf, builtin_errors, rint, copysign, hypot, float_tests,
        bit_counts, bit_casts,
    }
    channels {
        control,
        mixed,
        ranges,
        rgb,
        rgba,
        rows,
        signed,
        two,
        written,
    }
    short {
        locals,
        ops,
        rows,
        wide,
        writers,
    }
    calls {
        arg_checks, arg_dtype, missing_args, limits,
    }
    habits {
        operators, loops, attributes, names, items,
    }
    constants {
        named, shadowing, errors,
    }
    generics {
        saxpy, int_wrap, conversions, functions, npy_instance, bound_at_call, reductions,
        errors_names, errors_undecided, errors_instances,
    }
    ints {
        arith, division, shifts, compare, casts, reductions, builtins, literals, errors,
        interleaved,
    }
}

fn kern_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kern")
}

#[test]
fn every_kern_file_is_listed() {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).expect("read tests/kern") {
            let path = entry.expect("read tests/kern entry").path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "kern") {
                let rel = path.strip_prefix(root).expect("path under tests/kern");
                out.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut on_disk = BTreeSet::new();
    walk(&kern_dir(), &kern_dir(), &mut on_disk);
    let listed: BTreeSet<String> = LISTED.iter().map(|s| s.to_string()).collect();
    let missing: Vec<_> = on_disk.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&on_disk).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "tests/filetests.rs must list every tests/kern file.\n  not listed: {missing:?}\n  listed but missing: {stale:?}"
    );
}

/// Failures of one file, and the line edits that blessing would make.
#[derive(Default)]
struct Outcome {
    /// (0-based line, message); blessable ones also have an edit.
    failures: Vec<(usize, String)>,
    /// Failures blessing cannot fix (malformed test, verifier errors).
    hard: usize,
    deleted: BTreeSet<usize>,
    /// New lines to write after the given line.
    inserted: BTreeMap<usize, Vec<String>>,
}

impl Outcome {
    fn fail(&mut self, line: usize, message: String) {
        self.failures.push((line, message));
    }

    fn hard_fail(&mut self, line: usize, message: String) {
        self.hard += 1;
        self.fail(line, message);
    }
}

fn check_file(rel: &str) {
    let path = kern_dir().join(rel);
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let file = TestFile::parse(&source);
    let mut out = Outcome::default();
    for (line, problem) in &file.problems {
        out.hard_fail(*line, format!("malformed test line: {problem}"));
    }
    let checked = kjit::check(&source);
    check_marks(&file, &source, &checked.diagnostics, &mut out);
    if let Some(module) = &checked.module {
        if let Err(err) = kjit::ir::verify(module) {
            out.hard_fail(0, format!("the IR does not verify (a compiler bug): {err}"));
        }
    }
    for run in &file.runs {
        check_run(&file, &source, checked.module.as_ref(), run, &mut out);
    }
    finish(rel, &path, &file, &source, &checked.diagnostics, out);
}

fn finish(
    rel: &str,
    path: &Path,
    file: &TestFile,
    source: &str,
    diagnostics: &[Diagnostic],
    out: Outcome,
) {
    if out.failures.is_empty() {
        return;
    }
    let bless = std::env::var_os("KJIT_BLESS").is_some_and(|v| v == "1");
    if bless && !(out.deleted.is_empty() && out.inserted.is_empty()) {
        std::fs::write(path, rewrite(file, &out))
            .unwrap_or_else(|e| panic!("cannot bless {}: {e}", path.display()));
        if out.hard == 0 {
            return;
        }
    }
    let mut failures = out.failures;
    failures.sort_by_key(|(line, _)| *line);
    let mut report = format!("{} failure(s) in tests/kern/{rel}:\n", failures.len());
    for (line, message) in failures {
        report.push_str(&format!("\ntests/kern/{rel}:{}: {message}\n", line + 1));
    }
    if !diagnostics.is_empty() {
        report.push_str("\nAll diagnostics, rendered:\n");
        report.push_str(&diagnostic::render(diagnostics, rel, source, false));
    }
    report.push_str(
        "\n(KJIT_BLESS=1 rewrites expectations from the actual results; review the diff.)\n",
    );
    panic!("{report}");
}

/// The file's lines with blessing's edits applied.
fn rewrite(file: &TestFile, out: &Outcome) -> String {
    let mut lines = Vec::new();
    for (i, line) in file.lines.iter().enumerate() {
        if !out.deleted.contains(&i) {
            lines.push(line.clone());
        }
        lines.extend(out.inserted.get(&i).into_iter().flatten().cloned());
    }
    lines.join("\n")
}

/// Where a diagnostic's mark goes: (anchor line, position).
fn diagnostic_pos(file: &TestFile, source: &str, d: &Diagnostic) -> (usize, MarkPos) {
    let Some(span) = d.primary_span() else {
        return (last_line(file), MarkPos::NoSpan);
    };
    let (start, end) = (
        span.start as usize,
        (span.end as usize).max(span.start as usize),
    );
    if start > file.eof_offset() {
        return (last_line(file), MarkPos::Eof);
    }
    let (line, col) = file.line_col(start);
    let text = source.get(start..end.min(source.len())).unwrap_or("");
    let len = match text.find('\n') {
        Some(_) => file.lines[line].len().saturating_sub(col),
        None => end - start,
    };
    (line, MarkPos::Columns { col, len })
}

fn last_line(file: &TestFile) -> usize {
    let n = file.lines.len();
    if n > 1 && file.lines[n - 1].is_empty() {
        n - 2
    } else {
        n - 1
    }
}

fn severity(d: &Diagnostic) -> Severity {
    match d.severity {
        diagnostic::Severity::Error => Severity::Error,
        diagnostic::Severity::Warning => Severity::Warning,
    }
}

fn check_marks(file: &TestFile, source: &str, diagnostics: &[Diagnostic], out: &mut Outcome) {
    let mut used = vec![false; file.marks.len()];
    for d in diagnostics {
        let (line, pos) = diagnostic_pos(file, source, d);
        let found = file.marks.iter().enumerate().position(|(i, m)| {
            let same_pos = match (m.pos, pos) {
                (MarkPos::Columns { col: mc, len: ml }, MarkPos::Columns { col, len }) => {
                    m.anchor == line && mc == col && (ml == len || (len == 0 && ml == 1))
                }
                (a, b) => a == b,
            };
            !used[i] && same_pos && m.severity == severity(d) && m.message == d.message
        });
        match found {
            Some(i) => used[i] = true,
            None => {
                let text = mark_text(pos, severity(d), &d.message);
                out.fail(
                    line,
                    format!("unexpected diagnostic; its mark would be:\n    {text}"),
                );
                let mut after = line;
                while after + 1 < file.lines.len() && file.is_mark_line(after + 1) {
                    after += 1;
                }
                out.inserted.entry(after).or_default().push(text);
            }
        }
    }
    for (mark, _) in file.marks.iter().zip(&used).filter(|(_, used)| !**used) {
        let what = format!(
            "no diagnostic matches this mark:\n    {}",
            file.lines[mark.line]
        );
        out.fail(mark.line, what);
        out.deleted.insert(mark.line);
    }
}

fn check_run(
    file: &TestFile,
    source: &str,
    module: Option<&kjit::ir::Module>,
    run: &Run,
    out: &mut Outcome,
) {
    let Some(module) = module else {
        return out.hard_fail(run.line, "the file has errors, so it cannot run".into());
    };
    let kernel = match filetests::exec::instance(module, run) {
        Ok(kernel) => kernel,
        Err(message) => return out.hard_fail(run.line, message),
    };
    let result = match kernel
        .as_ref()
        .map(|k| filetests::exec::run(source, module, k, &run.args))
    {
        Ok(Ok(result)) => result,
        Ok(Err(message)) => return out.hard_fail(run.line, message),
        Err(message) => Err(message.clone()),
    };
    let before = out.failures.len();
    let mut kept = Vec::new();
    match &result {
        Ok(outputs) => {
            // `Ok` outputs come from a chosen instance.
            if let Ok(kernel) = &kernel {
                compare_outputs(kernel, run, outputs, out, &mut kept);
            }
        }
        Err(message) => compare_error(run, message, out, &mut kept),
    }
    if out.failures.len() > before {
        bless_run(file, run, &result, &kept, out);
    }
}

fn compare_outputs(
    kernel: &kjit::ir::Kernel,
    run: &Run,
    outputs: &[(String, Val)],
    out: &mut Outcome,
    kept: &mut Vec<usize>,
) {
    for expect in &run.expects {
        let (line, name, compare, text) = match expect {
            Expect::Value {
                line,
                output,
                compare,
                value,
            } => (*line, output, *compare, value),
            Expect::Error { line, substring } => {
                out.fail(
                    *line,
                    format!("expected an error containing `{substring}`, but the run succeeded"),
                );
                continue;
            }
        };
        let Some((_, actual)) = outputs.iter().find(|(n, _)| n == name) else {
            out.fail(
                line,
                format!("the kernel has no output or inout array named `{name}`"),
            );
            continue;
        };
        let ty = filetests::exec::output_type(kernel, name).or(actual.elem());
        let expected = ty
            .ok_or("no element type".to_string())
            .and_then(|ty| parse_like(text, actual, ty));
        match expected {
            Ok(expected) if vals_match(&expected, actual, compare == Compare::Approx) => {
                kept.push(line)
            }
            Ok(expected) => out.fail(
                line,
                format!("`{name}`:\n    expected {expected}\n    actual   {actual}"),
            ),
            Err(problem) => out.fail(
                line,
                format!("`{name}`: cannot read `{text}`: {problem}; actual {actual}"),
            ),
        }
    }
    for (name, actual) in outputs {
        let listed = run
            .expects
            .iter()
            .any(|e| matches!(e, Expect::Value { output, .. } if output == name));
        if !listed {
            out.fail(
                run.line,
                format!("no expect line for output `{name}` = {actual}"),
            );
        }
    }
}

fn compare_error(run: &Run, message: &str, out: &mut Outcome, kept: &mut Vec<usize>) {
    let mut any = false;
    for expect in &run.expects {
        match expect {
            Expect::Error { line, substring } if message.contains(substring.as_str()) => {
                any = true;
                kept.push(*line);
            }
            Expect::Error { line, substring } => {
                any = true;
                out.fail(
                    *line,
                    format!("the error does not contain `{substring}`:\n    {message}"),
                );
            }
            Expect::Value { line, .. } => {
                out.fail(*line, format!("the run failed:\n    {message}"))
            }
        }
    }
    if !any {
        out.fail(run.line, format!("unexpected error:\n    {message}"));
    }
}

/// Replaces a failing run's expect lines: passing lines stay verbatim, the
/// others take the actual values.
fn bless_run(
    file: &TestFile,
    run: &Run,
    result: &Result<Vec<(String, Val)>, String>,
    kept: &[usize],
    out: &mut Outcome,
) {
    let header = &file.lines[run.line];
    let indent = &header[..header.len() - header.trim_start().len()];
    let mut lines = Vec::new();
    match result {
        Ok(outputs) => {
            for (name, actual) in outputs {
                let old = run.expects.iter().find_map(|e| match e {
                    Expect::Value {
                        line,
                        output,
                        compare,
                        ..
                    } if output == name => Some((*line, *compare)),
                    _ => None,
                });
                match old {
                    Some((line, _)) if kept.contains(&line) => lines.push(file.lines[line].clone()),
                    Some((_, Compare::Approx)) => {
                        lines.push(format!("{indent}// expect: {name} ~= {actual}"))
                    }
                    _ => lines.push(format!("{indent}// expect: {name} = {actual}")),
                }
            }
        }
        Err(message) => {
            lines.extend(kept.iter().map(|&line| file.lines[line].clone()));
            if lines.is_empty() {
                let first = message.lines().next().unwrap_or("");
                lines.push(format!("{indent}// expect-error: {}", first.trim()));
            }
        }
    }
    out.deleted.extend(run.expects.iter().map(Expect::line));
    out.inserted.entry(run.line).or_default().extend(lines);
}
