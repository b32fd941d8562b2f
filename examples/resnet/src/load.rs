//! Restoring a slim checkpoint into the built net: strict on the model's
//! variables (each found, shapes equal), training state such as
//! `global_step` reported and left out.

use std::path::Path;

use scope_runtime::{Graph, LoadReport, RestoreOptions};

use crate::Error;

/// What the restore did.
#[derive(Debug)]
pub struct Loaded {
    pub report: LoadReport,
}

/// Restores `dir` (its `checkpoint` state file names the prefix).
pub fn load(graph: &Graph, dir: &Path) -> Result<Loaded, Error> {
    let report = graph
        .restore_with(dir, &RestoreOptions::lenient())
        .map_err(|e| Error::Io(format!("loading {}: {e}", dir.display())))?;
    if !report.missing.is_empty() {
        let names: Vec<&str> = report.missing.iter().map(|(v, _)| v.as_str()).collect();
        return Err(Error::Mismatch(format!(
            "the checkpoint lacks {} model variable(s): {names:?}",
            names.len()
        )));
    }
    if let Some(m) = report.mismatched.first() {
        return Err(Error::Mismatch(format!(
            "`{}` has shape {:?} in the net but {:?} in the checkpoint ({} mismatch(es))",
            m.variable,
            m.model_shape,
            m.file_shape,
            report.mismatched.len()
        )));
    }
    Ok(Loaded { report })
}

impl std::fmt::Display for Loaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = &self.report;
        writeln!(
            f,
            "loaded {} variables from {}",
            r.loaded.len(),
            r.source.display()
        )?;
        if !r.optimizer_state.is_empty() {
            writeln!(
                f,
                "training state (not loaded): {}",
                r.optimizer_state.join(", ")
            )?;
        }
        for u in &r.unexpected {
            writeln!(f, "unexpected tensor (not loaded): {}", u.tensor)?;
        }
        Ok(())
    }
}
