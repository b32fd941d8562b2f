//! Port help: given the tensor names (and shapes) a model expects and the
//! ones a file holds, infer the few consistent rewrites that make them
//! match — a renamed or missing/extra scope prefix (`model/` → `bert/`,
//! `""` → `bert/`), a renamed name component (`weights` → `kernel`,
//! `gamma` → `weight`), and `[in, out]` vs `[out, in]` layouts — each with
//! how many tensors it explains. Greedy: the rewrite explaining the most
//! still-unexplained names is taken first, so a handful of rules covers a
//! whole model instead of one line per tensor.

use std::collections::HashMap;
use std::fmt;

/// One inferred rewrite from file names to model names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rewrite {
    /// File names under `file` (`"model/"`, or `""` for the root) are the
    /// model's under `model`: an assignment-map entry.
    Prefix { file: String, model: String },
    /// The name component `file` (`"weights"`) is `model` (`"kernel"`)
    /// wherever it occurs.
    Component { file: String, model: String },
    /// These model variables are stored transposed (2-D, `[out, in]` vs
    /// `[in, out]`).
    Transpose { variables: Vec<String> },
}

/// A rewrite and the number of tensors it makes match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub rewrite: Rewrite,
    pub explains: usize,
}

impl fmt::Display for Suggestion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.explains;
        let s = if n == 1 { "" } else { "s" };
        match &self.rewrite {
            Rewrite::Prefix { file, model } => write!(
                f,
                ".map({:?}, {:?})  // file scope `{}` is the model's `{}` ({n} tensor{s})",
                if file.is_empty() { "/" } else { file },
                if model.is_empty() { "/" } else { model },
                if file.is_empty() { "<root>" } else { file },
                if model.is_empty() { "<root>" } else { model }
            ),
            Rewrite::Component { file, model } => write!(
                f,
                ".rename({file:?}, {model:?})  // `{file}` in the file is `{model}` in the model ({n} tensor{s})"
            ),
            Rewrite::Transpose { variables } => write!(
                f,
                ".transpose({variables:?})  // stored [out, in] vs the model's [in, out] ({n} tensor{s})"
            ),
        }
    }
}

/// A named tensor's shape, as both sides list it.
pub type Named<'a> = (&'a str, &'a [usize]);

fn components(name: &str) -> Vec<&str> {
    name.split('/').collect()
}

fn join(parts: &[&str]) -> String {
    parts.join("/")
}

/// Infers rewrites that map `file` names onto `model` names. Names present
/// on both sides with equal shapes take no part; equal names with reversed
/// 2-D shapes give a `Transpose`.
pub fn suggest_rewrites(model: &[Named<'_>], file: &[Named<'_>]) -> Vec<Suggestion> {
    let file_shapes: HashMap<&str, &[usize]> = file.iter().copied().collect();
    let model_shapes: HashMap<&str, &[usize]> = model.iter().copied().collect();
    let mut missing: Vec<&str> = model
        .iter()
        .filter(|(n, _)| !file_shapes.contains_key(n))
        .map(|(n, _)| *n)
        .collect();
    let mut out = Vec::new();
    let mut transposed: Vec<String> = model
        .iter()
        .filter(|(n, s)| file_shapes.get(n).is_some_and(|f| is_transpose(s, f)))
        .map(|(n, _)| n.to_string())
        .collect();

    // Unexpected file names: (as in the file, as rewritten so far).
    let mut current: Vec<(String, String)> = file
        .iter()
        .filter(|(n, _)| !model_shapes.contains_key(n))
        .map(|(n, _)| (n.to_string(), n.to_string()))
        .collect();
    loop {
        // A prefix rule wins ties: it is the assignment map users know.
        let best = match (
            best_prefix(&missing, &current),
            best_component(&missing, &current),
        ) {
            (Some(p), Some(c)) if c.1 > p.1 => Some(c),
            (Some(p), _) => Some(p),
            (None, c) => c,
        };
        let Some((rewrite, explains)) = best else {
            break;
        };
        if explains == 0 {
            break;
        }
        for (_, now) in current.iter_mut() {
            *now = apply(&rewrite, now);
        }
        let matched: Vec<(String, String)> = current
            .iter()
            .filter(|(_, now)| missing.contains(&now.as_str()))
            .cloned()
            .collect();
        for (orig, now) in &matched {
            let (fs, ms) = (file_shapes[orig.as_str()], model_shapes[now.as_str()]);
            if is_transpose(ms, fs) {
                transposed.push(now.clone());
            }
        }
        missing.retain(|m| !matched.iter().any(|(_, now)| now == m));
        current.retain(|(o, _)| !matched.iter().any(|(orig, _)| orig == o));
        out.push(Suggestion {
            rewrite,
            explains: matched.len(),
        });
    }
    if !transposed.is_empty() {
        transposed.sort();
        out.push(Suggestion {
            explains: transposed.len(),
            rewrite: Rewrite::Transpose {
                variables: transposed,
            },
        });
    }
    out
}

fn is_transpose(model: &[usize], file: &[usize]) -> bool {
    model.len() == 2
        && file.len() == 2
        && model[0] == file[1]
        && model[1] == file[0]
        && model[0] != model[1]
}

/// Applies a name rewrite to one (file) name.
pub fn apply(rewrite: &Rewrite, name: &str) -> String {
    match rewrite {
        Rewrite::Prefix { file, model } => match name.strip_prefix(file.as_str()) {
            Some(rest) => format!("{model}{rest}"),
            None => name.to_string(),
        },
        Rewrite::Component { file, model } => {
            let parts: Vec<&str> = name
                .split('/')
                .map(|c| if c == file { model.as_str() } else { c })
                .collect();
            parts.join("/")
        }
        Rewrite::Transpose { .. } => name.to_string(),
    }
}

/// The prefix rewrite explaining the most pairs (ties: the shortest
/// prefixes, the most general rule).
fn best_prefix(missing: &[&str], current: &[(String, String)]) -> Option<(Rewrite, usize)> {
    // Suffix (joined components) -> file prefixes it follows.
    let mut by_suffix: HashMap<String, Vec<String>> = HashMap::new();
    for (_, name) in current {
        let c = components(name);
        for k in 0..c.len() {
            let prefix = if k == 0 {
                String::new()
            } else {
                join(&c[..k]) + "/"
            };
            by_suffix.entry(join(&c[k..])).or_default().push(prefix);
        }
    }
    let mut counts: HashMap<(String, String), usize> = HashMap::new();
    for m in missing {
        let c = components(m);
        let mut seen = std::collections::HashSet::new();
        for j in 0..c.len() {
            let model_prefix = if j == 0 {
                String::new()
            } else {
                join(&c[..j]) + "/"
            };
            if let Some(prefixes) = by_suffix.get(&join(&c[j..])) {
                for p in prefixes {
                    if *p != model_prefix && seen.insert((p.clone(), model_prefix.clone())) {
                        *counts.entry((p.clone(), model_prefix.clone())).or_default() += 1;
                    }
                }
            }
        }
    }
    counts
        .into_iter()
        .max_by(|(a, na), (b, nb)| {
            na.cmp(nb)
                .then((b.0.len() + b.1.len()).cmp(&(a.0.len() + a.1.len())))
                .then(b.cmp(a))
        })
        .map(|((file, model), n)| (Rewrite::Prefix { file, model }, n))
}

/// The component rename explaining the most pairs: names of equal length
/// that differ in exactly one component, the same pair each time.
fn best_component(missing: &[&str], current: &[(String, String)]) -> Option<(Rewrite, usize)> {
    // Name with one component blanked -> (position, component).
    let mut masked: HashMap<(usize, String), Vec<(usize, String)>> = HashMap::new();
    for (_, name) in current {
        let c = components(name);
        for i in 0..c.len() {
            let mut m = c.clone();
            m[i] = "\u{0}";
            masked
                .entry((c.len(), join(&m)))
                .or_default()
                .push((i, c[i].to_string()));
        }
    }
    let mut counts: HashMap<(String, String), usize> = HashMap::new();
    for name in missing {
        let c = components(name);
        for i in 0..c.len() {
            let mut m = c.clone();
            m[i] = "\u{0}";
            if let Some(found) = masked.get(&(c.len(), join(&m))) {
                for (pos, comp) in found {
                    if *pos == i && comp != c[i] {
                        *counts.entry((comp.clone(), c[i].to_string())).or_default() += 1;
                    }
                }
            }
        }
    }
    counts
        .into_iter()
        .max_by(|(a, na), (b, nb)| na.cmp(nb).then(b.cmp(a)))
        .map(|((file, model), n)| (Rewrite::Component { file, model }, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s<'a>(v: &'a [(&'a str, Vec<usize>)]) -> Vec<Named<'a>> {
        v.iter().map(|(n, s)| (*n, s.as_slice())).collect()
    }

    #[test]
    fn renamed_top_scope_and_kernel_names_and_layouts() {
        let model = [
            ("bert/encoder/layer_0/dense/kernel", vec![4, 8]),
            ("bert/encoder/layer_0/dense/bias", vec![8]),
            ("bert/encoder/layer_1/dense/kernel", vec![4, 8]),
            ("bert/encoder/layer_1/dense/bias", vec![8]),
            ("bert/pooler/kernel", vec![4, 4]),
        ];
        let file = [
            ("model/encoder/layer_0/dense/weights", vec![8, 4]),
            ("model/encoder/layer_0/dense/bias", vec![8]),
            ("model/encoder/layer_1/dense/weights", vec![8, 4]),
            ("model/encoder/layer_1/dense/bias", vec![8]),
            ("model/pooler/weights", vec![4, 4]),
        ];
        let got = suggest_rewrites(&s(&model), &s(&file));
        assert_eq!(
            got[0].rewrite,
            Rewrite::Prefix {
                file: "model/".into(),
                model: "bert/".into()
            }
        );
        assert_eq!(got[0].explains, 2);
        assert_eq!(
            got[1].rewrite,
            Rewrite::Component {
                file: "weights".into(),
                model: "kernel".into()
            }
        );
        assert_eq!(got[1].explains, 3);
        assert_eq!(
            got[2].rewrite,
            Rewrite::Transpose {
                variables: vec![
                    "bert/encoder/layer_0/dense/kernel".into(),
                    "bert/encoder/layer_1/dense/kernel".into()
                ]
            }
        );
    }

    #[test]
    fn a_missing_prefix_and_matching_files_suggest_nothing_more() {
        let model = [("gpt2/h0/w", vec![2]), ("gpt2/h1/w", vec![2])];
        let file = [("h0/w", vec![2]), ("h1/w", vec![2])];
        let got = suggest_rewrites(&s(&model), &s(&file));
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0].rewrite,
            Rewrite::Prefix {
                file: "".into(),
                model: "gpt2/".into()
            }
        );
        assert_eq!(got[0].explains, 2);
        assert!(suggest_rewrites(&s(&model), &s(&model)).is_empty());
    }
}
