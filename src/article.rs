//! The unit of input: one article, its original text untouched.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Article {
    /// Stable id: path relative to the directory given (no extension), or the JSONL/CSV id.
    pub id: String,
    /// The text exactly as read (after decoding); every offset in every report points here.
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Where it came from, for error messages: `path` or `path:line`.
    #[serde(skip)]
    pub origin: String,
}

impl Article {
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        let id = id.into();
        Article {
            origin: id.clone(),
            id,
            text: text.into(),
            ..Default::default()
        }
    }
}
