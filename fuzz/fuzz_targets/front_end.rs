//! Any bytes through the front end: lexing, parsing, checking, the IR dump
//! and the rendering of every diagnostic must not panic (a panic is a
//! finding). Invalid UTF-8 is passed on lossily, as an editor would show it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let source = String::from_utf8_lossy(data);
    let checked = kjit::check(&source);
    let _ = kjit::diagnostic::render(&checked.diagnostics, "fuzz.kern", &source, false);
    if let Some(module) = &checked.module {
        let _ = kjit::ir::dump_module(module);
    }
});
