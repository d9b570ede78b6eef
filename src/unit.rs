//! The extraction result: one claim or rebuttal, one sentence of the article.

use serde::{Deserialize, Serialize};
use std::sync::Arc;

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
    pub article: Shared,
    pub unit_id: String,
    pub role: Role,
    pub kind: String,
    pub speaker: String,
    pub speaker_mention: String,
    /// "accuser: India + United States" or "responder: Pakistan".
    pub side: String,
    /// The speaker's party ("India + United States").
    pub party: Shared,
    /// "India + United States → Pakistan": the dispute this unit belongs to.
    pub dispute: Shared,
    pub quote_type: std::borrow::Cow<'static, str>,
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
    pub speaker_aliases: Arc<[String]>,
}

/// A string the units of an article share (its id, a party, a dispute), cloned by a count
/// rather than a copy: each unit had a copy of its own of each, a third of the heap blocks
/// classifying made (issue 7). Reads as a `str`, and serializes as one.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shared(Arc<str>);

impl Shared {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Shared {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Shared {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Shared {
    fn from(s: &str) -> Self {
        Shared(s.into())
    }
}

impl From<String> for Shared {
    fn from(s: String) -> Self {
        Shared(s.into())
    }
}

impl PartialEq<str> for Shared {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Shared {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

impl std::fmt::Display for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&*self.0, f)
    }
}

impl Serialize for Shared {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Shared {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Shared::from)
    }
}
