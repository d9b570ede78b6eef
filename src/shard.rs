//! Sharding: which of N workers processes an article, so that an existing scheduler (GNU
//! parallel, Slurm arrays, Kubernetes Indexed Jobs, AWS Batch arrays) can split one job.
//!
//! The assignment is a pure function of the article id, so it does not depend on the
//! machine, the input order or which other articles exist:
//!
//! ```text
//! shard(id) = xxhash_rust::xxh3::xxh3_64(id.as_bytes()) % N      (XXH3 64-bit, seed 0)
//! ```
//!
//! The same value in Python: `xxhash.xxh3_64_intdigest(id.encode("utf-8")) % N`.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Worker `index` of `count` (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

/// The shard, out of `count`, that owns `key` (an article id, or an input name when a
/// problem concerns no known article).
pub fn shard_of(key: &str, count: u64) -> u64 {
    xxhash_rust::xxh3::xxh3_64(key.as_bytes()) % count.max(1)
}

/// Variables read by `--shard env`, in order of precedence.
pub const ENV_DOC: &str =
    "SLURM_ARRAY_TASK_ID (minus SLURM_ARRAY_TASK_MIN) of SLURM_ARRAY_TASK_COUNT; \
    JOB_COMPLETION_INDEX of RIPOSTE_SHARD_COUNT; \
    AWS_BATCH_JOB_ARRAY_INDEX of AWS_BATCH_JOB_ARRAY_SIZE; \
    --shard-count overrides the count of any of them";

fn usage(msg: impl Into<String>) -> Error {
    Error::Usage(msg.into())
}

fn num(name: &str, value: &str) -> Result<u64> {
    value
        .trim()
        .parse::<u64>()
        .map_err(|_| usage(format!("{name}={value:?} is not a non-negative integer")))
}

impl Shard {
    pub fn new(index: u64, count: u64) -> Result<Shard> {
        if count == 0 {
            return Err(usage("shard count must be at least 1"));
        }
        if index >= count {
            return Err(usage(format!(
                "shard index {index} is out of range for {count} shards (indices are 0-based: 0..{})",
                count - 1
            )));
        }
        Ok(Shard { index, count })
    }

    /// Parses `K/N`.
    pub fn parse(spec: &str) -> Result<Shard> {
        let (k, n) = spec.split_once('/').ok_or_else(|| {
            usage(format!(
                "--shard {spec:?}: expected K/N (0-based K, e.g. 0/4) or `env`"
            ))
        })?;
        let k = k.trim().parse::<u64>().map_err(|_| {
            usage(format!(
                "--shard {spec:?}: K must be a non-negative integer"
            ))
        })?;
        let n = n
            .trim()
            .parse::<u64>()
            .map_err(|_| usage(format!("--shard {spec:?}: N must be a positive integer")))?;
        Shard::new(k, n)
    }

    /// Reads the scheduler's array variables (see [`ENV_DOC`]); `count` (from `--shard-count`)
    /// wins over any count variable. `get` is the environment, injectable for tests.
    pub fn from_env(get: impl Fn(&str) -> Option<String>, count: Option<u64>) -> Result<Shard> {
        let need_count = |var: &str, value: Option<String>| -> Result<u64> {
            match (count, value) {
                (Some(c), _) => Ok(c),
                (None, Some(v)) => num(var, &v),
                (None, None) => Err(usage(format!(
                    "--shard env: {var} is not set; pass --shard-count N"
                ))),
            }
        };
        if let Some(id) = get("SLURM_ARRAY_TASK_ID") {
            // `--array=1-8` numbers tasks from 1; only the offset from the first task counts.
            let min = match get("SLURM_ARRAY_TASK_MIN") {
                Some(m) => num("SLURM_ARRAY_TASK_MIN", &m)?,
                None => 0,
            };
            if let Some(step) = get("SLURM_ARRAY_TASK_STEP") {
                if num("SLURM_ARRAY_TASK_STEP", &step)? != 1 {
                    return Err(usage(
                        "--shard env: Slurm arrays with a step other than 1 leave shards out; use --array=0-(N-1)",
                    ));
                }
            }
            let id = num("SLURM_ARRAY_TASK_ID", &id)?;
            let index = id.checked_sub(min).ok_or_else(|| {
                usage(format!(
                    "SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {min}"
                ))
            })?;
            let n = need_count("SLURM_ARRAY_TASK_COUNT", get("SLURM_ARRAY_TASK_COUNT"))?;
            return Shard::new(index, n);
        }
        if let Some(i) = get("JOB_COMPLETION_INDEX") {
            // Kubernetes does not export `completions`; the Job spec must pass it.
            let n = need_count("RIPOSTE_SHARD_COUNT", get("RIPOSTE_SHARD_COUNT"))?;
            return Shard::new(num("JOB_COMPLETION_INDEX", &i)?, n);
        }
        if let Some(i) = get("AWS_BATCH_JOB_ARRAY_INDEX") {
            // AWS Batch sets the index only; the array size must be passed in the job.
            let n = need_count("AWS_BATCH_JOB_ARRAY_SIZE", get("AWS_BATCH_JOB_ARRAY_SIZE"))?;
            return Shard::new(num("AWS_BATCH_JOB_ARRAY_INDEX", &i)?, n);
        }
        Err(usage(format!(
            "--shard env: no scheduler array variable is set (looked for {ENV_DOC})"
        )))
    }

    /// `spec` is `K/N` or `env`.
    pub fn from_spec(spec: &str, count: Option<u64>) -> Result<Shard> {
        if spec.eq_ignore_ascii_case("env") {
            Shard::from_env(|k| std::env::var(k).ok(), count)
        } else {
            if count.is_some() {
                return Err(usage("--shard-count only goes with --shard env"));
            }
            Shard::parse(spec)
        }
    }

    pub fn owns(&self, key: &str) -> bool {
        shard_of(key, self.count) == self.index
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// What one `pair` run produced, written next to the report as `<report>.stats.json`;
/// `riposte merge` sums these.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub riposte: String,
    /// `K/N` for a shard; empty for a merged report.
    #[serde(default)]
    pub shard: String,
    /// The shards a merged report was made of.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<String>,
    /// Inputs and settings the run saw; shards of one job share it (see [`fingerprint`]).
    pub input_fingerprint: String,
    pub articles_read: u64,
    pub articles_failed: u64,
    pub claims: u64,
    pub rebuttals: u64,
    pub links: u64,
    pub unanswered: u64,
    pub unmatched: u64,
    pub rows: u64,
    /// The report file(s) written.
    pub report: Vec<String>,
    /// The `--errors` file, if one was written: `riposte merge --errors` concatenates these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<String>,
    pub exit_code: u8,
}

pub fn stats_path(report: &str) -> String {
    format!("{report}.stats.json")
}

/// Written last: its presence means the report and stats beside it are complete.
pub fn marker_path(report: &str) -> String {
    format!("{report}.done")
}

impl Stats {
    pub fn read(path: &str) -> Result<Stats> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.to_string(),
            source: e,
        })?;
        serde_json::from_str(&text).map_err(|e| Error::Usage(format!("{path}: {e}")))
    }

    /// Writes the stats, atomically like the report.
    pub fn write(&self, path: &str) -> Result<()> {
        crate::report::write_output(path, |w| {
            serde_json::to_writer_pretty(&mut *w, self)?;
            w.write_all(b"\n")
        })
    }
}

/// The completion marker's content: enough to tell whether a rerun would redo the same work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marker {
    pub shard: String,
    pub input_fingerprint: String,
    pub exit_code: u8,
}

impl Marker {
    /// The marker beside `report`, if it exists and parses; anything else means "not done".
    pub fn read(report: &str) -> Option<Marker> {
        let text = std::fs::read_to_string(marker_path(report)).ok()?;
        serde_json::from_str(&text).ok()
    }

    pub fn write(&self, report: &str) -> Result<()> {
        crate::report::write_output(&marker_path(report), |w| {
            serde_json::to_writer(&mut *w, self)?;
            w.write_all(b"\n")
        })
    }

    /// Removes a marker before the work it vouches for is redone, so that a run killed
    /// half-way never leaves one behind.
    pub fn clear(report: &str) -> Result<()> {
        let p = marker_path(report);
        match std::fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(Error::Io { path: p, source: e })
            }
            _ => Ok(()),
        }
    }
}

/// A cheap fingerprint of the inputs and of the settings that shape the report: every file's
/// path, size and modification time (the quick check of make and rsync, so no shard has to
/// read the other shards' files) plus `settings`. Input order does not count, because the
/// report does not depend on it. `None` when an input is standard input, which cannot be
/// fingerprinted without consuming it.
pub fn fingerprint(inputs: &[String], settings: &str) -> Option<String> {
    if inputs.iter().any(|i| i == "-") {
        return None;
    }
    let mut issues = Vec::new();
    let mut failed = 0;
    let sources = crate::read::discover(inputs, &mut issues, &mut failed);
    let mut entries: Vec<String> = sources
        .iter()
        .map(|s| {
            let meta = s.path.as_ref().and_then(|p| std::fs::metadata(p).ok());
            let (len, mtime) = meta
                .map(|m| {
                    let t = m
                        .modified()
                        .ok()
                        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                        .map_or(0, |d| d.as_nanos());
                    (m.len(), t)
                })
                .unwrap_or((0, 0));
            format!("{}\u{1f}{len}\u{1f}{mtime}", s.display)
        })
        .chain(issues.iter().map(|i| format!("missing\u{1f}{}", i.input)))
        .collect();
    entries.sort();
    let mut buf = format!("riposte {}\u{1e}{settings}", env!("CARGO_PKG_VERSION"));
    for e in entries {
        buf.push('\u{1e}');
        buf.push_str(&e);
    }
    Some(format!(
        "{:016x}",
        xxhash_rust::xxh3::xxh3_64(buf.as_bytes())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn parses_and_validates() {
        assert_eq!(Shard::parse("2/3").unwrap(), Shard { index: 2, count: 3 });
        assert!(Shard::parse("3/3").is_err());
        assert!(Shard::parse("0/0").is_err());
        assert!(Shard::parse("1").is_err());
        assert!(Shard::parse("-1/3").is_err());
    }

    #[test]
    fn hash_is_pinned() {
        // Other tools (a Python pre-splitter, a Spark job) rely on this exact function.
        assert_eq!(
            xxhash_rust::xxh3::xxh3_64(b"abc"),
            0x78af5f94892f3950,
            "XXH3-64 of \"abc\" with seed 0"
        );
        assert_eq!(shard_of("abc", 1), 0);
        let owners: Vec<u64> = (0..100).map(|i| shard_of(&format!("a{i}"), 3)).collect();
        assert!((0..3).all(|k| owners.contains(&k)));
    }

    #[test]
    fn env_precedence() {
        let s = Shard::from_env(
            env(&[
                ("SLURM_ARRAY_TASK_ID", "5"),
                ("SLURM_ARRAY_TASK_MIN", "4"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
                ("JOB_COMPLETION_INDEX", "0"),
            ]),
            None,
        )
        .unwrap();
        assert_eq!(s, Shard { index: 1, count: 3 });
        let k = Shard::from_env(env(&[("JOB_COMPLETION_INDEX", "2")]), Some(4)).unwrap();
        assert_eq!(k, Shard { index: 2, count: 4 });
        assert!(Shard::from_env(env(&[("JOB_COMPLETION_INDEX", "2")]), None).is_err());
        let a = Shard::from_env(
            env(&[
                ("AWS_BATCH_JOB_ARRAY_INDEX", "1"),
                ("AWS_BATCH_JOB_ARRAY_SIZE", "2"),
            ]),
            None,
        )
        .unwrap();
        assert_eq!(a, Shard { index: 1, count: 2 });
        assert!(Shard::from_env(env(&[]), Some(2)).is_err());
        assert!(Shard::from_env(
            env(&[
                ("SLURM_ARRAY_TASK_ID", "3"),
                ("SLURM_ARRAY_TASK_COUNT", "3")
            ]),
            None
        )
        .is_err());
    }
}
