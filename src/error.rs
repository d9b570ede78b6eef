//! Errors and warnings about inputs. Nothing is dropped silently: every input that could not
//! be read, or was read with a repair, yields one of these, naming the input and line.

use serde::Serialize;
use std::fmt;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("config {path}: {message}")]
    Config { path: String, message: String },
    #[error("gold {path} line {line}: {message}")]
    Gold {
        path: String,
        line: usize,
        message: String,
    },
    #[error("report {path} line {line}: {message}")]
    Report {
        path: String,
        line: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Spreadsheet { path: String, message: String },
    #[error("chart {path}: {message}")]
    Chart { path: String, message: String },
    #[error("{0}")]
    Csv(#[from] csv::Error),
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Usage(String),
}

pub type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Warning,
    Error,
}

/// One problem with one input, reported in the error file and on stderr.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct InputIssue {
    pub input: String,
    /// 1-based line for JSONL/CSV inputs, or the line of the text where the problem is.
    pub line: Option<usize>,
    pub severity: Severity,
    pub kind: &'static str,
    pub message: String,
}

impl InputIssue {
    pub fn error(
        input: impl Into<String>,
        line: Option<usize>,
        kind: &'static str,
        message: impl Into<String>,
    ) -> Self {
        InputIssue {
            input: input.into(),
            line,
            severity: Severity::Error,
            kind,
            message: message.into(),
        }
    }
    pub fn warning(
        input: impl Into<String>,
        line: Option<usize>,
        kind: &'static str,
        message: impl Into<String>,
    ) -> Self {
        InputIssue {
            input: input.into(),
            line,
            severity: Severity::Warning,
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for InputIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        match self.line {
            Some(l) => write!(
                f,
                "{sev}: {}:{l}: {} ({})",
                self.input, self.message, self.kind
            ),
            None => write!(f, "{sev}: {}: {} ({})", self.input, self.message, self.kind),
        }
    }
}
