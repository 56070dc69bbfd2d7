//! Baselines: the fingerprints of findings a team has accepted for now, so that a scan reports
//! only what is new. A baseline is not a fix; it stops old debt from hiding new mistakes.

use crate::catalog::LoadError;
use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Version 2: fingerprints of findings that show a secret no longer hash the value.
pub const VERSION: u32 = 2;

/// Baselines of version 1 hashed secret values into fingerprints; they are still honoured
/// (matched against the old fingerprint, computed in memory during the scan).
const LEGACY_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub rule: String,
    pub path: String,
    pub fingerprint: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

impl Baseline {
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        let mut entries: Vec<Entry> = findings
            .iter()
            .map(|f| Entry {
                rule: f.rule.to_string(),
                path: f.path.clone(),
                fingerprint: f.fingerprint.clone(),
            })
            .collect();
        entries.sort();
        Baseline {
            version: VERSION,
            findings: entries,
        }
    }

    pub fn load(path: &Path) -> Result<Baseline, LoadError> {
        let name = path.display().to_string();
        let text = crate::regular::read_to_string(path)
            .map_err(|e| LoadError::at(&name, None, e.to_string()))?;
        Baseline::parse(&name, &text)
    }

    pub fn parse(name: &str, text: &str) -> Result<Baseline, LoadError> {
        let baseline: Baseline = serde_json::from_str(text)
            .map_err(|e| LoadError::at(name, Some(e.line()).filter(|l| *l > 0), e.to_string()))?;
        if baseline.version != VERSION && baseline.version != LEGACY_VERSION {
            return Err(LoadError::at(
                name,
                None,
                format!(
                    "baseline version {} is not supported (expected {VERSION})",
                    baseline.version
                ),
            ));
        }
        Ok(baseline)
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a baseline always serialises");
        text.push('\n');
        text
    }

    /// True for a baseline written before fingerprints kept secrets out: it holds hashes of
    /// secret values and should be rewritten.
    pub fn is_legacy(&self) -> bool {
        self.version == LEGACY_VERSION
    }

    /// What to tell the user about the baseline at `path` (shown as given), if anything.
    pub fn note(&self, path: &str) -> Option<String> {
        self.is_legacy().then(|| {
            let path = crate::display::sanitize(path);
            format!(
                "baseline {path} was written by an older seccoach: its fingerprints of secret \
                 findings are hashes of the secret values. It still applies; rewrite it with \
                 `seccoach scan --write-baseline {path}` so that it holds no such hash"
            )
        })
    }

    /// Removes findings recorded in the baseline (each entry absorbs one finding) and returns
    /// how many were removed. A version 1 baseline also matches a finding's old fingerprint.
    pub fn filter(&self, findings: &mut Vec<Finding>) -> u64 {
        let mut budget: BTreeMap<&str, usize> = BTreeMap::new();
        for entry in &self.findings {
            *budget.entry(entry.fingerprint.as_str()).or_default() += 1;
        }
        let legacy = self.is_legacy();
        let before = findings.len();
        findings.retain(|f| {
            let old = f.legacy_fingerprint.as_deref().filter(|_| legacy);
            for fingerprint in std::iter::once(f.fingerprint.as_str()).chain(old) {
                if let Some(n) = budget.get_mut(fingerprint)
                    && *n > 0
                {
                    *n -= 1;
                    return false;
                }
            }
            true
        });
        (before - findings.len()) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_baselines_name_the_line() {
        let err = Baseline::parse(
            "b.json",
            "{\n\"version\": 1,\n\"findings\": [\n{\"rule\": 3}\n]}",
        )
        .unwrap_err();
        assert_eq!(err.line, Some(4));
        let err = Baseline::parse("b.json", "{\"version\": 9, \"findings\": []}").unwrap_err();
        assert!(err.message.contains("version 9"));
    }
}
