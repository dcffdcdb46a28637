//! The source as one diagnostic's code frame shows it: every line longer
//! than [`MAX_LINE`] bytes that the diagnostic points into is cut down to a
//! window around its labels, with `…` where text was left out. Without
//! this, an error on a 28 KB line prints the whole line, once per error.
//!
//! Line numbers do not change (no newline is ever cut), and columns are
//! reported as in the original text ([`Excerpt`] implements codespan's
//! `Files` with the original columns), so `file:line:col` stays true.

use codespan_reporting::files::{Error, Files};
use std::ops::Range;

/// Longest line shown whole, in bytes.
pub const MAX_LINE: usize = 200;
/// Context kept on each side of the labels in a cut line.
const CONTEXT: usize = 60;
const ELLIPSIS: &str = "…";

pub struct Excerpt<'s> {
    name: &'s str,
    original: &'s str,
    text: String,
    /// Kept pieces: (start in `text`, range in `original`), in order.
    pieces: Vec<(usize, Range<usize>)>,
    line_starts: Vec<usize>,
}

impl<'s> Excerpt<'s> {
    /// The excerpt of `source` for labels at `ranges` (clamped already).
    pub fn new(name: &'s str, source: &'s str, ranges: &[Range<usize>]) -> Excerpt<'s> {
        let mut excerpt = Excerpt {
            name,
            original: source,
            text: String::new(),
            pieces: Vec::new(),
            line_starts: Vec::new(),
        };
        let mut kept_to = 0;
        for line in long_lines(source, ranges) {
            let window = window(source, &line, ranges);
            excerpt.keep(kept_to..line.start);
            if window.start > line.start {
                excerpt.text.push_str(ELLIPSIS);
            }
            excerpt.keep(window.clone());
            if window.end < line.end {
                excerpt.text.push_str(ELLIPSIS);
            }
            kept_to = line.end;
        }
        excerpt.keep(kept_to..source.len());
        excerpt.line_starts = std::iter::once(0)
            .chain(excerpt.text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        excerpt
    }

    fn keep(&mut self, range: Range<usize>) {
        self.pieces.push((self.text.len(), range.clone()));
        self.text.push_str(&self.original[range]);
    }

    /// Where original byte `offset` is in the excerpt (an offset in cut
    /// text moves to the start of the next kept text).
    pub fn map(&self, offset: usize) -> usize {
        for (start, range) in &self.pieces {
            if offset <= range.end {
                return start + offset.saturating_sub(range.start);
            }
        }
        self.text.len()
    }

    /// Where excerpt byte `offset` was in the original (an offset in an
    /// ellipsis maps to the start of the next kept text).
    fn unmap(&self, offset: usize) -> usize {
        for (start, range) in &self.pieces {
            if offset <= start + range.len() {
                return range.start + offset.saturating_sub(*start);
            }
        }
        self.original.len()
    }
}

/// Lines longer than [`MAX_LINE`] that some range touches, in order.
fn long_lines(source: &str, ranges: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut lines: Vec<Range<usize>> = ranges
        .iter()
        .map(|r| line_around(source, r.start))
        .filter(|line| line.len() > MAX_LINE)
        .collect();
    lines.sort_by_key(|l| l.start);
    lines.dedup();
    lines
}

fn line_around(source: &str, offset: usize) -> Range<usize> {
    let start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = source[offset..]
        .find('\n')
        .map_or(source.len(), |i| offset + i);
    start..end
}

/// The part of `line` to show: the labels on it with some context, at most
/// about [`MAX_LINE`] bytes, on character boundaries.
fn window(source: &str, line: &Range<usize>, ranges: &[Range<usize>]) -> Range<usize> {
    let on_line = ranges
        .iter()
        .filter(|r| r.start >= line.start && r.start <= line.end);
    let lo = on_line.clone().map(|r| r.start).min().unwrap_or(line.start);
    let hi = on_line.map(|r| r.end.min(line.end)).max().unwrap_or(lo);
    let start = lo.saturating_sub(CONTEXT).max(line.start);
    let end = (hi + CONTEXT)
        .min(start + MAX_LINE)
        .max(lo + 1)
        .min(line.end);
    floor_char(source, start)..ceil_char(source, end)
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

impl<'a> Files<'a> for Excerpt<'_> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, Error> {
        Ok(self.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, Error> {
        Ok(&self.text)
    }

    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, Error> {
        Ok(self
            .line_starts
            .binary_search(&byte_index)
            .unwrap_or_else(|next| next - 1))
    }

    fn line_range(&'a self, (): (), line_index: usize) -> Result<Range<usize>, Error> {
        let start = *self
            .line_starts
            .get(line_index)
            .ok_or(Error::LineTooLarge {
                given: line_index,
                max: self.line_starts.len() - 1,
            })?;
        let end = self
            .line_starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(self.text.len());
        Ok(start..end)
    }

    /// The column in the original line, counted in characters from 1.
    fn column_number(&'a self, (): (), _line: usize, byte_index: usize) -> Result<usize, Error> {
        let offset = self.unmap(byte_index);
        let start = self.original[..offset].rfind('\n').map_or(0, |i| i + 1);
        Ok(self.original[start..offset].chars().count() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lines_are_kept_whole_and_offsets_map_to_themselves() {
        let source = "let x = 1;\nlet y = 2;\n";
        let labels = [Range { start: 4, end: 5 }];
        let excerpt = Excerpt::new("f", source, &labels);
        assert_eq!(excerpt.text, source);
        assert_eq!(excerpt.map(15), 15);
    }

    #[test]
    fn a_long_line_is_cut_around_its_label_and_columns_stay_true() {
        let line = "x".repeat(10_000);
        let source = format!("head\n{line}\ntail\n");
        let at = 5 + 5_000;
        let labels = [Range {
            start: at,
            end: at + 1,
        }];
        let excerpt = Excerpt::new("f", &source, &labels);
        let text = excerpt.text.as_str();
        assert!(text.len() < 5 + MAX_LINE + 20, "{}", text.len());
        assert!(
            text.starts_with("head\n…") && text.ends_with("…\ntail\n"),
            "{text}"
        );
        let mapped = excerpt.map(at);
        assert_eq!(excerpt.unmap(mapped), at);
        assert_eq!(excerpt.column_number((), 1, mapped).unwrap(), 5_001);
        assert_eq!(excerpt.line_index((), mapped).unwrap(), 1);
    }

    /// Found by `fuzz/front_end`: a span one byte before the end of an
    /// unterminated block, inside a multi-byte character, made rendering
    /// slice mid-character. Every span is rounded to character boundaries.
    #[test]
    fn spans_inside_a_character_render() {
        use crate::diagnostic::{render, Diagnostic};
        use crate::span::Span;
        let long = format!("{}é�", "x".repeat(300));
        for source in ["fn f() -> i32 { �", "é", long.as_str()] {
            for at in 0..=source.len() {
                let end = (at + 1).min(source.len());
                let d = Diagnostic::error("e").primary(Span::new(at, end), "here");
                let text = render(&[d], "f.kern", source, false);
                assert!(text.contains("error: e"), "{text}");
            }
        }
    }
}
