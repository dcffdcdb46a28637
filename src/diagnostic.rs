//! Typed diagnostics shared by every front-end stage, and their rustc-style
//! rendering.
//!
//! Stages only build [`Diagnostic`] values; turning them into text (code
//! frame, underline, labels, notes) happens here and nowhere else, so the
//! library API hands callers structured errors and the CLI prints them.

mod excerpt;

use crate::span::Span;
use codespan_reporting::diagnostic as cs;
use codespan_reporting::term;
use excerpt::Excerpt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
    /// The primary label marks where the problem is; secondary labels give
    /// context (where a name was declared, the other operand's type, ...).
    pub primary: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
    pub help: Vec<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
            help: Vec::new(),
        }
    }

    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub fn primary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: true,
        });
        self
    }

    pub fn secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: false,
        });
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help.push(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Span of the first primary label, the place a file test's `^^^` mark
    /// must point at.
    pub fn primary_span(&self) -> Option<Span> {
        self.labels.iter().find(|l| l.primary).map(|l| l.span)
    }
}

/// Renders diagnostics the way rustc does: header, code frame with
/// underlines, labels, then `= note:` and `= help:` lines.
pub fn render(diagnostics: &[Diagnostic], file_name: &str, source: &str, color: bool) -> String {
    let config = term::Config::default();
    let mut out: Vec<u8> = Vec::new();
    for diagnostic in diagnostics.iter().take(MAX_RENDERED) {
        let ranges: Vec<_> = diagnostic
            .labels
            .iter()
            .map(|l| clamp(l.span, source))
            .collect();
        let file = Excerpt::new(file_name, source, &ranges);
        let converted = to_codespan(diagnostic, |span| {
            let range = clamp(span, source);
            file.map(range.start)..file.map(range.end)
        });
        let result = if color {
            let mut writer = term::termcolor::Ansi::new(&mut out);
            term::emit(&mut writer, &config, &file, &converted)
        } else {
            let mut writer = term::termcolor::NoColor::new(&mut out);
            term::emit(&mut writer, &config, &file, &converted)
        };
        // Writing into a Vec cannot fail, and every span was clamped to the
        // source above, so an error here is a bug in the renderer call.
        if let Err(err) = result {
            out.extend_from_slice(
                format!("error: {}\n(rendering failed: {err})\n", diagnostic.message).as_bytes(),
            );
        }
    }
    out.extend_from_slice(not_shown(diagnostics).as_bytes());
    String::from_utf8_lossy(&out).into_owned()
}

/// Diagnostics rendered at most: beyond the first fifty, more errors only
/// bury the first ones (and a file of punctuation has one per byte).
pub const MAX_RENDERED: usize = 50;

/// `... and 27963 more errors and 2 more warnings (not shown)`, or nothing.
fn not_shown(diagnostics: &[Diagnostic]) -> String {
    let rest = diagnostics.get(MAX_RENDERED..).unwrap_or_default();
    if rest.is_empty() {
        return String::new();
    }
    let errors = rest.iter().filter(|d| d.is_error()).count();
    let warnings = rest.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} more {word}{}", if n == 1 { "" } else { "s" });
    let parts: Vec<String> = [(errors, "error"), (warnings, "warning")]
        .into_iter()
        .filter(|&(n, _)| n > 0)
        .map(|(n, word)| plural(n, word))
        .collect();
    format!("... and {} (not shown)\n", parts.join(" and "))
}

fn to_codespan(
    diagnostic: &Diagnostic,
    range_of: impl Fn(Span) -> std::ops::Range<usize>,
) -> cs::Diagnostic<()> {
    let base = match diagnostic.severity {
        Severity::Error => cs::Diagnostic::error(),
        Severity::Warning => cs::Diagnostic::warning(),
    };
    let labels = diagnostic
        .labels
        .iter()
        .map(|label| {
            let range = range_of(label.span);
            let style = if label.primary {
                cs::LabelStyle::Primary
            } else {
                cs::LabelStyle::Secondary
            };
            cs::Label::new(style, (), range).with_message(label.message.clone())
        })
        .collect();
    let notes = diagnostic
        .notes
        .iter()
        .map(|n| format!("note: {n}"))
        .chain(diagnostic.help.iter().map(|h| format!("help: {h}")))
        .collect();
    base.with_message(diagnostic.message.clone())
        .with_labels(labels)
        .with_notes(notes)
}

/// `span` inside `source` and on character boundaries (start rounded down,
/// end up), so that no span a stage gets slightly wrong (one byte before an
/// unterminated block's end, inside a multi-byte character: found by
/// `fuzz/front_end`) can make rendering slice a string mid-character.
fn clamp(span: Span, source: &str) -> std::ops::Range<usize> {
    let len = source.len();
    let mut start = (span.start as usize).min(len);
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (span.end as usize).clamp(start, len);
    while !source.is_char_boundary(end) {
        end += 1;
    }
    start..end
}
