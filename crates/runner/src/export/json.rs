//! `summary.json`: the run's metadata and its whole summary, pretty-printed.

use crate::record::Meta;
use crate::summary::Summary;

/// The file's text.
pub fn render(summary: &Summary, meta: &Meta) -> anyhow::Result<String> {
    let json = serde_json::json!({ "meta": meta, "summary": summary });
    Ok(serde_json::to_string_pretty(&json)? + "\n")
}
