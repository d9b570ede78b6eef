//! `--config FILE`: a TOML file extending the built-in lexicons and gazetteer and overriding
//! the score weights. Built-in defaults live in data/ and are compiled in.

use crate::error::{Error, Result};
use crate::lexicon::Lexicon;
use crate::score::Weights;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub weights: Option<Weights>,
    /// Extra cues: [form, class, kind] with class speech|accuse|rebut|respond|nondenial.
    #[serde(default)]
    pub cues: Vec<(String, String, String)>,
    /// Extra gazetteer rows: [alias, party, type] with type country|demonym|capital|institution.
    #[serde(default)]
    pub parties: Vec<(String, String, String)>,
    /// Extra residue line prefixes ("Read more", ...).
    #[serde(default)]
    pub residue: Vec<String>,
    /// Extra wrongdoing word prefixes.
    #[serde(default)]
    pub wrongdoing: Vec<String>,
}

impl Config {
    pub fn from_file(path: &str) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.into(),
            source: e,
        })?;
        let cfg: Config = toml::from_str(&text).map_err(|e| Error::Config {
            path: path.into(),
            message: e.to_string(),
        })?;
        for (form, class, _) in &cfg.cues {
            if crate::lexicon::parse_class(class).is_none() {
                return Err(Error::Config { path: path.into(), message: format!("cue {form:?}: unknown class {class:?} (speech|accuse|rebut|respond|nondenial)") });
            }
        }
        Ok(cfg)
    }

    pub fn lexicon(&self) -> Lexicon {
        let mut lex = Lexicon::builtin();
        for (form, class, kind) in &self.cues {
            lex.add_cue(form, class, kind, true);
        }
        for (alias, party, ptype) in &self.parties {
            lex.add_party(alias, party, ptype);
        }
        lex.residue
            .extend(self.residue.iter().map(|r| crate::text::fold(r)));
        lex.wrongdoing.extend(self.wrongdoing.iter().cloned());
        lex.reindex();
        lex
    }

    pub fn weights(&self) -> Weights {
        self.weights.clone().unwrap_or_default()
    }
}
