//! The `kjit` command. This file only parses the command line and turns the
//! outcome into an exit code; the commands live in [`cli`].
//!
//! Exit codes: 0 success, 1 the source has errors (diagnostics printed),
//! 2 usage (bad command line, unknown kernel or engine), 3 runtime or input
//! error (bad argument spec, `.npy` problem, argument mismatch, out-of-range
//! index, refused output file), 4 internal compiler error (a bug in kjit).

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(err) => {
            // clap exits 2 for usage errors and 0 for --help / --version.
            let _ = err.print();
            return ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2));
        }
    };
    // An interrupted `-o` write removes its temporary file.
    kjit::npy::cleanup::remove_on_signal();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            cli::print_error(&err);
            ExitCode::from(err.exit_code())
        }
    }
}
