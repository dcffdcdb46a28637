//! Source text → tokens.
//!
//! In: the text of one `.kern` file. Out: a [`Lexed`] holding every token
//! with its span, always ending in exactly one [`TokenKind::Eof`], and one
//! diagnostic per lexical error. Whitespace and comments are dropped.
//!
//! Errors never stop lexing. A run of unknown characters is reported once and
//! skipped. A malformed or out-of-range number is reported and kept as an
//! [`TokenKind::InvalidNumber`] token, so the parser can read it as an error
//! expression without a second diagnostic. An unterminated block comment is
//! reported at its `/*` and swallows the rest of the file.
//!
//! Tokens carry no values: the parser reads names and literals from the
//! source slice, through [`int_value`] and [`float_value`].

use crate::diagnostic::Diagnostic;
use crate::span::Span;
use logos::Logos;

/// Why logos could not produce a token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LexError {
    /// No token starts with this character.
    #[default]
    UnknownChar,
    UnterminatedComment,
    /// Starts with a digit but is no valid literal (`0x`, `12ab`, `1.5q`).
    MalformedNumber,
    /// A valid integer literal above `u64::MAX`.
    IntTooLarge,
    /// A valid float literal that overflows to infinity as an f64.
    FloatTooLarge,
}

#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[logos(error = LexError)]
#[logos(skip r"[ \t\r\n\f]+")]
#[logos(skip r"//[^\n]*")]
#[logos(skip(r"/\*", block_comment))]
pub enum TokenKind {
    // Keywords.
    #[token("kernel")]
    Kernel,
    #[token("fn")]
    Fn,
    #[token("struct")]
    Struct,
    #[token("const")]
    Const,
    #[token("let")]
    Let,
    #[token("if")]
    If,
    #[token("else")]
    Else,
    #[token("for")]
    For,
    #[token("while")]
    While,
    #[token("foreach")]
    Foreach,
    #[token("in")]
    In,
    #[token("over")]
    Over,
    #[token("break")]
    Break,
    #[token("continue")]
    Continue,
    #[token("inout")]
    Inout,
    #[token("true")]
    True,
    #[token("false")]
    False,
    #[token("f32")]
    F32,
    #[token("f64")]
    F64,
    #[token("i32")]
    I32,
    #[token("i64")]
    I64,
    #[token("i8")]
    I8,
    #[token("i16")]
    I16,
    #[token("u8")]
    U8,
    #[token("u16")]
    U16,
    #[token("u32")]
    U32,
    #[token("u64")]
    U64,
    #[token("bool")]
    Bool,

    // Names and literals.
    #[regex("[A-Za-z_][A-Za-z0-9_]*")]
    Ident,
    #[regex("[0-9][0-9_]*", check_int)]
    #[regex("0x[0-9A-Fa-f_]*", check_int)]
    Int,
    #[regex(r"[0-9][0-9_]*\.[0-9][0-9_]*([eE][+-]?[0-9][0-9_]*)?", check_float)]
    #[regex(r"[0-9][0-9_]*[eE][+-]?[0-9][0-9_]*", check_float)]
    Float,
    /// Anything else that starts with a digit. The low priority lets the
    /// exact literal rules above win whenever they match the same text; this
    /// rule only wins when it is longer, e.g. `12ab` or `1.5q`.
    #[regex(
        r"[0-9][0-9A-Za-z_]*(\.[0-9][0-9A-Za-z_]*)?",
        malformed_number,
        priority = 0
    )]
    InvalidNumber,

    // Delimiters and punctuation.
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(",")]
    Comma,
    #[token(";")]
    Semi,
    #[token(":")]
    Colon,
    #[token("->")]
    Arrow,
    #[token(".")]
    Dot,
    #[token("..")]
    DotDot,
    #[token("..=")]
    DotDotEq,

    // Assignment.
    #[token("=")]
    Eq,
    #[token("+=")]
    PlusEq,
    #[token("-=")]
    MinusEq,
    #[token("*=")]
    StarEq,
    #[token("/=")]
    SlashEq,
    #[token("%=")]
    PercentEq,
    #[token("&=")]
    AmpEq,
    #[token("|=")]
    PipeEq,
    #[token("^=")]
    CaretEq,
    #[token("<<=")]
    ShlEq,
    #[token(">>=")]
    ShrEq,

    // Operators.
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("==")]
    EqEq,
    #[token("!=")]
    Ne,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("&&")]
    AmpAmp,
    #[token("||")]
    PipePipe,
    #[token("!")]
    Bang,
    #[token("&")]
    Amp,
    #[token("|")]
    Pipe,
    #[token("^")]
    Caret,
    #[token("<<")]
    Shl,
    #[token(">>")]
    Shr,

    /// End of input; the lexer appends exactly one.
    Eof,
}

/// A token: its kind and where it is. Its text is `&source[span.range()]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

/// The output of [`lex`].
#[derive(Clone, Debug)]
pub struct Lexed {
    /// Every token in order; the last one is the only `Eof`.
    pub tokens: Vec<Token>,
    pub diagnostics: Vec<Diagnostic>,
    /// Text that was reported and dropped (unknown characters, an
    /// unterminated comment), in order. The parser stays quiet about the
    /// token right after such text: whatever looks wrong there is most
    /// likely this error seen from the other side.
    pub skipped: Vec<Span>,
}

/// Splits `source` into tokens; never fails (see the module docs).
pub fn lex(source: &str) -> Lexed {
    let mut out = Lexed {
        tokens: Vec::new(),
        diagnostics: Vec::new(),
        skipped: Vec::new(),
    };
    // Start of a run of unknown characters not yet reported, so that
    // `@@@` yields one diagnostic rather than three.
    let mut unknown_run: Option<(usize, usize)> = None;
    let mut lexer = TokenKind::lexer(source);
    // Editors on Windows start UTF-8 files with a byte order mark; it is
    // not text. Skipping it keeps every span an offset into `source`.
    if source.starts_with('\u{feff}') {
        lexer.bump('\u{feff}'.len_utf8());
    }
    while let Some(result) = lexer.next() {
        let range = lexer.span();
        let (start, end) = (range.start, ceil_char_boundary(source, range.end));
        if result == Err(LexError::UnknownChar) {
            unknown_run = Some(unknown_run.map_or((start, end), |(s, _)| (s, end)));
            continue;
        }
        if let Some((s, e)) = unknown_run.take() {
            out.push_unknown(source, Span::new(s, e));
        }
        match result {
            Ok(kind) => out.tokens.push(Token {
                kind,
                span: Span::new(start, end),
            }),
            Err(error) => out.push_error(source, error, Span::new(start, end)),
        }
    }
    if let Some((s, e)) = unknown_run {
        out.push_unknown(source, Span::new(s, e));
    }
    let len = source.len();
    out.tokens.push(Token {
        kind: TokenKind::Eof,
        span: Span::new(len, len),
    });
    out
}

impl Lexed {
    fn push_unknown(&mut self, source: &str, span: Span) {
        self.diagnostics.push(unknown_chars(source, span));
        self.skipped.push(span);
    }

    /// Records a lexical error other than an unknown character. Bad numbers
    /// stay in the token stream (see the module docs).
    fn push_error(&mut self, source: &str, error: LexError, span: Span) {
        let text = source.get(span.range()).unwrap_or_default();
        let diagnostic = match error {
            LexError::UnknownChar => return self.push_unknown(source, span),
            LexError::UnterminatedComment => {
                self.skipped.push(span);
                let opener = Span::new(span.start as usize, span.start as usize + 2);
                return self.diagnostics.push(
                    Diagnostic::error("unterminated block comment")
                        .primary(opener, "this comment is never closed")
                        .help("close it with `*/`"),
                );
            }
            LexError::MalformedNumber => malformed_number_diag(text, span),
            LexError::IntTooLarge => Diagnostic::error("integer literal is too large")
                .primary(span, "does not fit in 64 bits")
                .help(format!("the largest integer literal is {}", u64::MAX)),
            LexError::FloatTooLarge => Diagnostic::error("float literal is out of range")
                .primary(span, "too large for an f64"),
        };
        self.diagnostics.push(diagnostic);
        self.tokens.push(Token {
            kind: TokenKind::InvalidNumber,
            span,
        });
    }
}

fn malformed_number_diag(text: &str, span: Span) -> Diagnostic {
    let diagnostic = Diagnostic::error(format!("invalid number literal `{text}`"))
        .primary(span, "not a valid number");
    if text.starts_with("0x") {
        diagnostic.help("hex literals are written `0x` followed by hex digits, e.g. `0xFF`")
    } else {
        diagnostic.help("names cannot start with a digit")
    }
}

/// Unknown characters quoted in a message at most.
const MAX_SHOWN: usize = 16;

/// The diagnostic for unknown text.
fn unknown_chars(source: &str, span: Span) -> Diagnostic {
    let text = source.get(span.range()).unwrap_or_default();
    let count = text.chars().count();
    let plural = if count > 1 { "s" } else { "" };
    // A long run is named by its start and length: the message is one line.
    let shown: String = text.chars().take(MAX_SHOWN).collect();
    let more = if count > MAX_SHOWN {
        format!("… ({count} characters)")
    } else {
        String::new()
    };
    let diagnostic = Diagnostic::error(format!(
        "unknown character{plural} `{}{more}`",
        shown.escape_debug()
    ))
    .primary(span, "not part of the kern language");
    diagnostic
}

/// logos reports an unknown multi-byte character with a one-byte span; widen
/// it so every span we hand out lies on char boundaries.
fn ceil_char_boundary(source: &str, mut index: usize) -> usize {
    while index < source.len() && !source.is_char_boundary(index) {
        index += 1;
    }
    index.min(source.len())
}

/// Skips a block comment whose `/*` was just matched. Comments do not nest.
fn block_comment(lexer: &mut logos::Lexer<TokenKind>) -> Result<(), LexError> {
    match lexer.remainder().find("*/") {
        Some(end) => {
            lexer.bump(end + 2);
            Ok(())
        }
        None => {
            lexer.bump(lexer.remainder().len());
            Err(LexError::UnterminatedComment)
        }
    }
}

fn check_int(lexer: &mut logos::Lexer<TokenKind>) -> Result<(), LexError> {
    let text = lexer.slice();
    if text
        .strip_prefix("0x")
        .is_some_and(|hex| !hex.chars().any(|c| c.is_ascii_hexdigit()))
    {
        return Err(LexError::MalformedNumber);
    }
    int_value(text).map(|_| ()).ok_or(LexError::IntTooLarge)
}

fn check_float(lexer: &mut logos::Lexer<TokenKind>) -> Result<(), LexError> {
    float_value(lexer.slice())
        .map(|_| ())
        .ok_or(LexError::FloatTooLarge)
}

fn malformed_number(_: &mut logos::Lexer<TokenKind>) -> Result<(), LexError> {
    Err(LexError::MalformedNumber)
}

/// The value of an `Int` token's text (`1_000`, `0xFF`); `None` if it does
/// not fit in a u64 or is not an integer literal.
pub fn int_value(text: &str) -> Option<u64> {
    let digits: String = text.chars().filter(|&c| c != '_').collect();
    match digits.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => digits.parse().ok(),
    }
}

/// The value of a `Float` token's text; `None` unless it is a finite f64.
pub fn float_value(text: &str) -> Option<f64> {
    let digits: String = text.chars().filter(|&c| c != '_').collect();
    digits.parse::<f64>().ok().filter(|v| v.is_finite())
}

impl TokenKind {
    /// The fixed text of keywords and punctuation; `None` for names,
    /// literals and `Eof`.
    pub fn text(self) -> Option<&'static str> {
        use TokenKind::*;
        Some(match self {
            Kernel => "kernel",
            Fn => "fn",
            Const => "const",
            Struct => "struct",
            Let => "let",
            If => "if",
            Else => "else",
            For => "for",
            While => "while",
            Foreach => "foreach",
            In => "in",
            Over => "over",
            Break => "break",
            Continue => "continue",
            Inout => "inout",
            True => "true",
            False => "false",
            F32 => "f32",
            F64 => "f64",
            I32 => "i32",
            I64 => "i64",
            I8 => "i8",
            I16 => "i16",
            U8 => "u8",
            U16 => "u16",
            U32 => "u32",
            U64 => "u64",
            Bool => "bool",
            _ => return self.punct_text(),
        })
    }

    fn punct_text(self) -> Option<&'static str> {
        use TokenKind::*;
        Some(match self {
            LParen => "(",
            RParen => ")",
            Dot => ".",
            LBracket => "[",
            RBracket => "]",
            LBrace => "{",
            RBrace => "}",
            Comma => ",",
            Semi => ";",
            Colon => ":",
            Arrow => "->",
            DotDot => "..",
            DotDotEq => "..=",
            Eq => "=",
            PlusEq => "+=",
            MinusEq => "-=",
            StarEq => "*=",
            SlashEq => "/=",
            PercentEq => "%=",
            AmpEq => "&=",
            PipeEq => "|=",
            CaretEq => "^=",
            ShlEq => "<<=",
            ShrEq => ">>=",
            _ => return self.operator_text(),
        })
    }

    fn operator_text(self) -> Option<&'static str> {
        use TokenKind::*;
        Some(match self {
            Plus => "+",
            Minus => "-",
            Star => "*",
            Slash => "/",
            Percent => "%",
            EqEq => "==",
            Ne => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            AmpAmp => "&&",
            PipePipe => "||",
            Bang => "!",
            Amp => "&",
            Pipe => "|",
            Caret => "^",
            Shl => "<<",
            Shr => ">>",
            _ => return None,
        })
    }

    /// How an error message names this kind when it is what was expected:
    /// "`;`", "identifier", ...
    pub fn describe(self) -> String {
        match self {
            TokenKind::Ident => "identifier".to_string(),
            TokenKind::Int => "integer literal".to_string(),
            TokenKind::Float => "float literal".to_string(),
            TokenKind::InvalidNumber => "number".to_string(),
            TokenKind::Eof => "end of file".to_string(),
            other => format!("`{}`", other.text().unwrap_or("?")),
        }
    }

    pub fn is_keyword(self) -> bool {
        self.text()
            .is_some_and(|t| t.starts_with(|c: char| c.is_ascii_alphabetic()))
    }

    /// The scalar type a type keyword names.
    pub fn scalar_type(self) -> Option<crate::types::ScalarType> {
        self.text().and_then(crate::types::ScalarType::from_name)
    }
}

#[cfg(test)]
mod tests;
