//! The extraction result: one claim or rebuttal, one sentence of the article.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Claim,
    Rebuttal,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Claim => "claim",
            Role::Rebuttal => "rebuttal",
        }
    }
}

/// One claim or rebuttal. Offsets are character offsets into the original article text
/// (`text == article.text.chars().skip(start).take(end - start)`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub article: String,
    pub unit_id: String,
    pub role: Role,
    pub kind: String,
    pub speaker: String,
    pub speaker_mention: String,
    /// "accuser: India + United States" or "responder: Pakistan".
    pub side: String,
    /// The speaker's party ("India + United States").
    pub party: String,
    /// "India + United States → Pakistan": the dispute this unit belongs to.
    pub dispute: String,
    pub quote_type: String,
    pub cue: String,
    pub text: String,
    pub start: usize,
    pub end: usize,
    /// 1-based paragraph number.
    pub paragraph: usize,
    /// 1-based sentence number.
    pub sentence: usize,
    pub confidence: f32,
    pub rule: String,
    /// Internal: dispute index within the article.
    #[serde(skip)]
    pub dispute_idx: usize,
    /// Internal: speaker entity id within the article.
    #[serde(skip)]
    pub speaker_entity: usize,
    /// Internal: byte offsets, for slicing.
    #[serde(skip)]
    pub byte_start: usize,
    #[serde(skip)]
    pub byte_end: usize,
    /// Names (speaker entities) on the accusing side of this unit's dispute, for reference
    /// matching: the rebuttal that says "the joint statement" points at that speaker's claims.
    #[serde(skip)]
    pub speaker_aliases: Vec<String>,
}
