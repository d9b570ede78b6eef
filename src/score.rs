//! placeholder
use serde::{Deserialize, Serialize};
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Weights { pub lexical: f32 }
impl Default for Weights { fn default() -> Self { Weights { lexical: 1.0 } } }
