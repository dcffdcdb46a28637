//! The `.kern` file-test format: which comment lines are directives and
//! diagnostic marks, and where a mark points.
//!
//! A file is a list of lines. Every line is code (for the front end, comments
//! included) and some comment lines also mean something to the harness:
//!
//! ```text
//! // run: a=2 x=[1, 2, 3]           run the file's only kernel with these args
//! // run(saxpy): a=2 x=[1, 2, 3]    run the kernel `saxpy`
//! // run(saxpy<T = f64>): ...        the instance of a generic kernel
//! // run(<T = i8>): ...              the same for the file's only kernel
//! // run: T=i8 x=[1, 2]              the same, as on the command line
//! //                                (without: a `.npy` input's dtype,
//! //                                else the first type of the bound)
//! // expect: out = [2, 4, 6]        exact value of an output after the run
//! // expect: total ~= 6.0           approximate value (floats)
//! // expect-error: out of range     the run fails; its error text contains this
//! //      ^^^ error: MESSAGE        a diagnostic under the columns of the
//! //                                nearest preceding non-mark line
//! //@1 ^^^ error: MESSAGE           the same, at an explicit column (0 or 1,
//! //                                where `//` itself sits)
//! //@eof error: MESSAGE             a diagnostic at the end of the file
//! //@nospan error: MESSAGE          a diagnostic without a primary span
//! ```
//!
//! `expect` lines belong to the `run` line right above them (other `expect`
//! lines may sit between). Marks, run and expect lines start at column 0;
//! run and expect lines may be indented.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Where a mark says its diagnostic starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkPos {
    /// Columns `col..col + len` of the anchor line (the nearest preceding
    /// non-mark line).
    Columns {
        col: usize,
        len: usize,
    },
    Eof,
    NoSpan,
}

#[derive(Clone, Debug)]
pub struct Mark {
    pub line: usize,
    pub anchor: usize,
    pub pos: MarkPos,
    pub severity: Severity,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compare {
    Exact,
    Approx,
}

#[derive(Clone, Debug)]
pub enum Expect {
    Value {
        line: usize,
        output: String,
        compare: Compare,
        value: String,
    },
    Error {
        line: usize,
        substring: String,
    },
}

impl Expect {
    pub fn line(&self) -> usize {
        match self {
            Expect::Value { line, .. } | Expect::Error { line, .. } => *line,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Run {
    pub line: usize,
    pub kernel: Option<String>,
    pub args: String,
    pub expects: Vec<Expect>,
}

/// A test file split into lines, with its runs and marks.
pub struct TestFile {
    pub lines: Vec<String>,
    /// Byte offset of the start of each line in the source.
    pub starts: Vec<usize>,
    pub runs: Vec<Run>,
    pub marks: Vec<Mark>,
    /// Lines that are malformed directives, with the reason.
    pub problems: Vec<(usize, String)>,
}

impl TestFile {
    pub fn parse(source: &str) -> TestFile {
        let lines: Vec<String> = source.split('\n').map(str::to_owned).collect();
        let mut starts = Vec::with_capacity(lines.len());
        let mut offset = 0;
        for line in &lines {
            starts.push(offset);
            offset += line.len() + 1;
        }
        let mut file = TestFile {
            lines,
            starts,
            runs: Vec::new(),
            marks: Vec::new(),
            problems: Vec::new(),
        };
        let mut anchor = None;
        for i in 0..file.lines.len() {
            if let Err(problem) = file.classify(i, &mut anchor) {
                file.problems.push((i, problem));
            }
        }
        file
    }

    fn classify(&mut self, i: usize, anchor: &mut Option<usize>) -> Result<(), String> {
        let line = self.lines[i].clone();
        if let Some(mark) = parse_mark(&line)? {
            let (pos, severity, message) = mark;
            let anchor = anchor.ok_or("a mark needs a code line above it")?;
            self.marks.push(Mark {
                line: i,
                anchor,
                pos,
                severity,
                message,
            });
            return Ok(());
        }
        *anchor = Some(i);
        let text = line.trim_start();
        if let Some(rest) = text
            .strip_prefix("// run")
            .filter(|r| r.starts_with([':', '(']))
        {
            return self.parse_run(i, rest);
        }
        let expect = text.strip_prefix("// expect");
        if let Some(rest) = expect.filter(|r| r.starts_with(':') || r.starts_with("-error:")) {
            let expect = parse_expect(i, rest)?;
            let run = self.runs.last_mut().filter(|run| {
                let last = run.expects.last().map_or(run.line, Expect::line);
                last + 1 == i
            });
            run.ok_or("an expect line must follow a run line or another expect line")?
                .expects
                .push(expect);
        }
        Ok(())
    }

    fn parse_run(&mut self, i: usize, rest: &str) -> Result<(), String> {
        let (kernel, args) = if let Some(rest) = rest.strip_prefix('(') {
            let (name, args) = rest
                .split_once("):")
                .ok_or("expected `// run(KERNEL): ARGS`")?;
            (Some(name.trim().to_owned()), args)
        } else {
            let args = rest.strip_prefix(':').ok_or("expected `// run: ARGS`")?;
            (None, args)
        };
        self.runs.push(Run {
            line: i,
            kernel,
            args: args.trim().to_owned(),
            expects: Vec::new(),
        });
        Ok(())
    }

    /// 0-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        (line, offset - self.starts[line])
    }

    /// Byte offset just past the last line that is neither blank nor a mark:
    /// a diagnostic starting at or after it is "at the end of the file".
    pub fn eof_offset(&self) -> usize {
        let mark_lines: Vec<usize> = self.marks.iter().map(|m| m.line).collect();
        (0..self.lines.len())
            .rev()
            .find(|i| !mark_lines.contains(i) && !self.lines[*i].trim().is_empty())
            .map_or(0, |i| self.starts[i] + self.lines[i].trim_end().len())
    }

    pub fn is_mark_line(&self, line: usize) -> bool {
        self.marks.iter().any(|m| m.line == line)
    }
}

type ParsedMark = (MarkPos, Severity, String);

/// Parses a mark line; `Ok(None)` for any line that is not one.
fn parse_mark(line: &str) -> Result<Option<ParsedMark>, String> {
    let Some(rest) = line.strip_prefix("//") else {
        return Ok(None);
    };
    if let Some(at) = rest.strip_prefix('@') {
        let (pos, rest) = at.split_once(' ').ok_or("expected `//@WHERE ...`")?;
        let (pos, rest) = match pos {
            "eof" => (MarkPos::Eof, rest),
            "nospan" => (MarkPos::NoSpan, rest),
            col => {
                let col = col
                    .parse()
                    .map_err(|_| format!("bad mark column `{col}`"))?;
                let len = rest.len() - rest.trim_start_matches('^').len();
                (MarkPos::Columns { col, len }, &rest[len..])
            }
        };
        let (severity, message) = parse_severity(rest.trim_start())?;
        return Ok(Some((pos, severity, message)));
    }
    let spaces = rest.len() - rest.trim_start_matches(' ').len();
    let carets = &rest[spaces..];
    let len = carets.len() - carets.trim_start_matches('^').len();
    if len == 0 {
        return Ok(None);
    }
    let pos = MarkPos::Columns {
        col: 2 + spaces,
        len,
    };
    let (severity, message) = parse_severity(carets[len..].trim_start())?;
    Ok(Some((pos, severity, message)))
}

fn parse_severity(text: &str) -> Result<(Severity, String), String> {
    for severity in [Severity::Error, Severity::Warning] {
        if let Some(message) = text
            .strip_prefix(severity.name())
            .and_then(|t| t.strip_prefix(": "))
        {
            return Ok((severity, message.trim_end().to_owned()));
        }
    }
    Err(format!(
        "a mark needs `error: MESSAGE` or `warning: MESSAGE`, found `{text}`"
    ))
}

fn parse_expect(line: usize, rest: &str) -> Result<Expect, String> {
    if let Some(text) = rest.strip_prefix("-error:") {
        return Ok(Expect::Error {
            line,
            substring: text.trim().to_owned(),
        });
    }
    let text = rest
        .strip_prefix(':')
        .ok_or("expected `// expect: OUTPUT = VALUE`")?
        .trim();
    let name_len = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    let (output, rest) = text.split_at(name_len);
    let rest = rest.trim_start();
    let (compare, value) = if let Some(value) = rest.strip_prefix("~=") {
        (Compare::Approx, value)
    } else if let Some(value) = rest.strip_prefix('=') {
        (Compare::Exact, value)
    } else {
        return Err("expected `OUTPUT = VALUE` or `OUTPUT ~= VALUE`".into());
    };
    if output.is_empty() {
        return Err("an expect line must name an output".into());
    }
    Ok(Expect::Value {
        line,
        output: output.to_owned(),
        compare,
        value: value.trim().to_owned(),
    })
}

/// The mark line that points at `col..col + len` of its anchor line.
pub fn mark_text(pos: MarkPos, severity: Severity, message: &str) -> String {
    let what = format!("{}: {message}", severity.name());
    match pos {
        MarkPos::Columns { col, len } if col >= 2 => {
            format!("//{}{} {what}", " ".repeat(col - 2), "^".repeat(len.max(1)))
        }
        MarkPos::Columns { col, len } => format!("//@{col} {} {what}", "^".repeat(len.max(1))),
        MarkPos::Eof => format!("//@eof {what}"),
        MarkPos::NoSpan => format!("//@nospan {what}"),
    }
}

/// Splits a run line's argument text at top-level whitespace:
/// `a=2 x=[1, 2]` → `["a=2", "x=[1, 2]"]`.
pub fn split_args(text: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut depth = 0i32;
    for c in text.chars() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth -= 1,
            _ => {}
        }
        if c.is_whitespace() && depth <= 0 {
            if !current.is_empty() {
                args.push(std::mem::take(&mut current));
            }
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        args.push(current);
    }
    args
}
