//! The `.npy` header: magic string, format version, header length, and the
//! Python dict literal that gives the dtype, the order and the shape.
//!
//! In: the bytes of a file (reading), or an element type and a shape
//! (writing). Out: the [`HeaderFields`] kjit needs and the data bytes that
//! follow, or a [`FormatError`] saying exactly what is malformed; the text
//! numpy itself would write, byte for byte.

use super::{truncated, FormatError, ALIGN, MAGIC};
use crate::types::ScalarType;

/// The three header fields kjit needs.
#[derive(Debug, PartialEq)]
pub(super) struct HeaderFields {
    pub descr: String,
    pub fortran_order: bool,
    pub shape: Vec<usize>,
}

/// Checks magic and version; returns the header text and the data after it.
pub(super) fn split_header(bytes: &[u8]) -> Result<(&str, &[u8]), FormatError> {
    let Some(rest) = bytes.strip_prefix(MAGIC) else {
        return if MAGIC.starts_with(bytes) {
            Err(truncated("magic", MAGIC.len() + 2, bytes.len()))
        } else {
            Err(FormatError::NotNpy)
        };
    };
    let Some((&[major, minor], rest)) = rest.split_first_chunk() else {
        return Err(truncated("magic", MAGIC.len() + 2, bytes.len()));
    };
    let length_size = match (major, minor) {
        (1, 0) => 2,
        (2, 0) | (3, 0) => 4,
        _ => return Err(FormatError::UnsupportedVersion { major, minor }),
    };
    let header_start = MAGIC.len() + 2 + length_size;
    let (length, rest) = rest
        .split_at_checked(length_size)
        .ok_or_else(|| truncated("header length", header_start, bytes.len()))?;
    // Little-endian, two or four bytes: always fits in a usize.
    let header_len = length
        .iter()
        .rev()
        .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    let (header, data) = rest.split_at_checked(header_len).ok_or_else(|| {
        truncated(
            "header",
            header_start.saturating_add(header_len),
            bytes.len(),
        )
    })?;
    // Versions 1 and 2 promise latin-1, version 3 UTF-8; a header kjit can
    // use is plain ASCII either way.
    let header = std::str::from_utf8(header)
        .map_err(|_| FormatError::BadHeader("the header is not ASCII text".to_string()))?;
    Ok((header, data))
}

pub(super) fn parse_header(text: &str) -> Result<HeaderFields, FormatError> {
    let mut parser = HeaderParser { rest: text };
    let mut descr = None;
    let mut fortran_order = None;
    let mut shape = None;
    parser.expect_char('{')?;
    while !parser.eat('}') {
        let key = parser.string()?;
        parser.expect_char(':')?;
        match key.as_str() {
            "descr" => descr = Some(parser.descr()?),
            "fortran_order" => fortran_order = Some(parser.boolean()?),
            "shape" => shape = Some(parser.shape()?),
            other => return Err(bad_header(format!("unexpected key {other:?}"))),
        }
        if !parser.eat(',') {
            parser.expect_char('}')?;
            break;
        }
    }
    parser.end()?;
    let missing = |key: &str| bad_header(format!("the key {key:?} is missing"));
    Ok(HeaderFields {
        descr: descr.ok_or_else(|| missing("descr"))?,
        fortran_order: fortran_order.ok_or_else(|| missing("fortran_order"))?,
        shape: shape.ok_or_else(|| missing("shape"))?,
    })
}

fn bad_header(why: impl Into<String>) -> FormatError {
    FormatError::BadHeader(why.into())
}

/// A cursor over the header: a Python dict literal with string keys whose
/// values are a string, a bool or a tuple of integers.
struct HeaderParser<'a> {
    rest: &'a str,
}

impl HeaderParser<'_> {
    fn skip_space(&mut self) {
        self.rest = self.rest.trim_start();
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        match self.rest.strip_prefix(c) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn expect_char(&mut self, c: char) -> Result<(), FormatError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(bad_header(format!(
                "expected {c:?} at {:?}",
                self.context()
            )))
        }
    }

    /// Everything after the closing brace must be padding.
    fn end(&mut self) -> Result<(), FormatError> {
        self.skip_space();
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(bad_header(format!(
                "unexpected text after the dict: {:?}",
                self.context()
            )))
        }
    }

    /// The next 20 characters, to show where parsing stopped.
    fn context(&self) -> &str {
        let end = self
            .rest
            .char_indices()
            .nth(20)
            .map_or(self.rest.len(), |(i, _)| i);
        &self.rest[..end]
    }

    fn string(&mut self) -> Result<String, FormatError> {
        self.skip_space();
        let quoted = ['\'', '"']
            .into_iter()
            .find_map(|quote| Some((quote, self.rest.strip_prefix(quote)?)));
        let Some((quote, body)) = quoted else {
            return Err(bad_header(format!(
                "expected a string at {:?}",
                self.context()
            )));
        };
        let (text, rest) = body
            .split_once(quote)
            .ok_or_else(|| bad_header("unterminated string"))?;
        self.rest = rest;
        Ok(text.to_string())
    }

    /// A structured dtype is a list, not a string; say so instead of
    /// reporting a syntax error.
    fn descr(&mut self) -> Result<String, FormatError> {
        self.skip_space();
        if self.rest.starts_with('[') {
            return Err(FormatError::UnsupportedDtype(
                "a structured dtype".to_string(),
            ));
        }
        self.string()
    }

    fn boolean(&mut self) -> Result<bool, FormatError> {
        self.skip_space();
        for (word, value) in [("True", true), ("False", false)] {
            if let Some(rest) = self.rest.strip_prefix(word) {
                self.rest = rest;
                return Ok(value);
            }
        }
        Err(bad_header(format!(
            "expected True or False at {:?}",
            self.context()
        )))
    }

    fn shape(&mut self) -> Result<Vec<usize>, FormatError> {
        self.expect_char('(')?;
        let mut dims = Vec::new();
        while !self.eat(')') {
            dims.push(self.dimension()?);
            if !self.eat(',') {
                self.expect_char(')')?;
                break;
            }
        }
        Ok(dims)
    }

    fn dimension(&mut self) -> Result<usize, FormatError> {
        self.skip_space();
        let rest = self.rest.trim_start_matches(|c: char| c.is_ascii_digit());
        let (number, rest) = self.rest.split_at(self.rest.len() - rest.len());
        let value = number
            .parse()
            .map_err(|_| bad_header(format!("expected a dimension at {:?}", self.context())))?;
        // Python 2 wrote long integers with an `L` suffix.
        self.rest = rest.strip_prefix('L').unwrap_or(rest);
        Ok(value)
    }
}

/// Maps a descr to its element type and byte order (`true`: big-endian).
pub(super) fn dtype_of(descr: &str) -> Result<(ScalarType, bool), FormatError> {
    let unsupported = || FormatError::UnsupportedDtype(descr.to_string());
    let (order, code) = descr.split_at_checked(1).ok_or_else(unsupported)?;
    let elem = match code {
        "f4" => ScalarType::F32,
        "f8" => ScalarType::F64,
        "i1" => ScalarType::I8,
        "i2" => ScalarType::I16,
        "i4" => ScalarType::I32,
        "i8" => ScalarType::I64,
        "u1" => ScalarType::U8,
        "u2" => ScalarType::U16,
        "u4" => ScalarType::U32,
        "u8" => ScalarType::U64,
        "b1" => ScalarType::Bool,
        _ => return Err(unsupported()),
    };
    let big_endian = match order {
        "<" => false,
        ">" => true,
        // One-byte types have no byte order; numpy writes `|` for them.
        "|" if elem.byte_size() == 1 => false,
        _ => return Err(unsupported()),
    };
    Ok((elem, big_endian))
}

/// The descr kjit writes for `elem`: always little-endian, as numpy does on
/// every platform kjit runs on.
fn descr_of(elem: ScalarType) -> &'static str {
    match elem {
        ScalarType::Bool => "|b1",
        ScalarType::I8 => "|i1",
        ScalarType::I16 => "<i2",
        ScalarType::I32 => "<i4",
        ScalarType::I64 => "<i8",
        ScalarType::U8 => "|u1",
        ScalarType::U16 => "<u2",
        ScalarType::U32 => "<u4",
        ScalarType::U64 => "<u8",
        ScalarType::F32 => "<f4",
        ScalarType::F64 => "<f8",
    }
}

/// numpy's header: the dict, then spaces and a newline so that magic,
/// version, length and header together fill a multiple of 64 bytes.
pub(super) fn header_text(elem: ScalarType, shape: &[usize]) -> String {
    let shape = match shape {
        [only] => format!("({only},)"),
        _ => {
            let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
            format!("({})", dims.join(", "))
        }
    };
    let mut text = format!(
        "{{'descr': '{}', 'fortran_order': False, 'shape': {shape}, }}",
        descr_of(elem)
    );
    let unpadded = MAGIC.len() + 2 + 2 + text.len() + 1;
    let padding = (ALIGN - unpadded % ALIGN) % ALIGN;
    text.extend(std::iter::repeat_n(' ', padding));
    text.push('\n');
    text
}
