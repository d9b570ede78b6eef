//! The `riposte` binary: a thin layer over the library. Errors become exit code 2; inputs that
//! failed while others succeeded become exit code 1.

mod cli;

use clap::Parser;
use std::process::ExitCode;

// Extraction makes many small, short-lived strings (tokens, folded words, terms); with
// glibc's allocator malloc/free were a quarter of a `pair` run's profile (issue 7).
#[global_allocator]
static GLOBAL: riposte::alloc::Mimalloc = riposte::alloc::Mimalloc;

fn main() -> ExitCode {
    riposte::alloc::lean_memory();
    // A panic inside one article is caught and reported as that article's error; keep the
    // message to one line instead of a backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("riposte: internal error: {info}")
    }));
    let args = cli::Cli::parse();
    let result = match args.command {
        cli::Command::Extract(a) => cli::extract::run(a),
        cli::Command::Pair(a) => cli::pair::run(*a),
        cli::Command::Eval(a) => cli::eval::run(a),
        cli::Command::Review(a) => cli::review::run(a),
        cli::Command::Merge(a) => cli::merge::run(a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // A closed pipe (`riposte ... | head`) is not an error worth shouting about.
            if let Some(riposte::error::Error::Io { source, .. }) =
                e.downcast_ref::<riposte::error::Error>()
            {
                if riposte::report::is_broken_pipe(source) {
                    return ExitCode::SUCCESS;
                }
            }
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(riposte::report::is_broken_pipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("riposte: {}", one_line(&e));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes on one line, each said once. An I/O error's message already holds
/// its cause (`path: No such file or directory (os error 2)`), and some causes repeat theirs,
/// so `{:#}` printed the same OS error two or three times over.
fn one_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let said = cause.to_string();
        if !line.contains(&said) {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&said);
        }
    }
    line
}
