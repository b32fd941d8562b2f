//! Views of a graph for people: a Keras-style summary table, a tree grouped
//! by scope with parameter counts per subtree, and Graphviz DOT with scopes
//! as clusters.

use std::fmt::{self, Write};

use scope_checkpoint::tree::{group_digits, render_tree, TreeItem};

use crate::graph::Graph;
use crate::variable::Variable;

/// A snapshot of a graph's variables for printing (`Display` is the table).
pub struct Summary {
    variables: Vec<Variable>,
}

impl Graph {
    /// The Keras-style summary table (print it with `{}`).
    pub fn summary(&self) -> Summary {
        Summary {
            variables: self.variables(),
        }
    }

    /// The variables as a tree grouped by scope, with parameter counts per
    /// subtree (the same view `scope-ckpt list --tree` prints for files).
    pub fn tree(&self) -> String {
        let variables = self.variables();
        let dtypes: Vec<&str> = variables.iter().map(|v| v.dtype().name()).collect();
        render_tree(variables.iter().zip(&dtypes).map(|(v, d)| TreeItem {
            name: v.op_name(),
            shape: v.shape(),
            dtype: d,
        }))
    }

    /// Graphviz DOT: one node per variable, scopes as nested clusters.
    /// Render with `dot -Tsvg`.
    pub fn to_dot(&self) -> String {
        #[derive(Default)]
        struct Cluster {
            children: Vec<(String, Cluster)>,
            variables: Vec<Variable>,
        }
        fn add(cluster: &mut Cluster, parts: &[&str], var: &Variable) {
            match parts {
                [] | [_] => cluster.variables.push(var.clone()),
                [first, rest @ ..] => {
                    let pos = match cluster.children.iter().position(|(n, _)| n == first) {
                        Some(p) => p,
                        None => {
                            cluster
                                .children
                                .push((first.to_string(), Cluster::default()));
                            cluster.children.len() - 1
                        }
                    };
                    add(&mut cluster.children[pos].1, rest, var);
                }
            }
        }
        fn write(
            out: &mut String,
            cluster: &Cluster,
            path: &str,
            depth: usize,
            next_id: &mut usize,
        ) {
            let pad = "  ".repeat(depth);
            for v in &cluster.variables {
                let leaf = v.op_name().rsplit('/').next().unwrap_or_default();
                let _ = writeln!(
                    out,
                    "{pad}\"{}\" [label=\"{}\\n{:?} {}\"];",
                    escape(v.op_name()),
                    escape(leaf),
                    v.shape(),
                    v.dtype()
                );
            }
            for (name, child) in &cluster.children {
                let full = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}/{name}")
                };
                *next_id += 1;
                let _ = writeln!(out, "{pad}subgraph cluster_{} {{", next_id);
                let _ = writeln!(out, "{pad}  label=\"{}\";", escape(&full));
                write(out, child, &full, depth + 1, next_id);
                let _ = writeln!(out, "{pad}}}");
            }
        }
        let mut root = Cluster::default();
        for v in self.variables() {
            let parts: Vec<&str> = v.op_name().split('/').collect();
            add(&mut root, &parts, &v);
        }
        let mut out =
            String::from("digraph variables {\n  node [shape=box, fontname=\"monospace\"];\n");
        write(&mut out, &root, "", 1, &mut 0);
        out.push_str("}\n");
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers = ["Variable", "Shape", "Dtype", "Params", "Trainable"];
        let rows: Vec<[String; 5]> = self
            .variables
            .iter()
            .map(|v| {
                [
                    v.op_name().to_string(),
                    format!("{:?}", v.shape()),
                    v.dtype().to_string(),
                    group_digits(v.num_elements() as u128),
                    if v.trainable() { "yes" } else { "no" }.to_string(),
                ]
            })
            .collect();
        let mut widths = headers.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = "─".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1));
        let write_row = |f: &mut fmt::Formatter<'_>, cells: [&str; 5]| {
            writeln!(
                f,
                "{:<w0$}  {:<w1$}  {:<w2$}  {:>w3$}  {}",
                cells[0],
                cells[1],
                cells[2],
                cells[3],
                cells[4],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2],
                w3 = widths[3],
            )
        };
        writeln!(f, "{line}")?;
        write_row(f, headers)?;
        writeln!(f, "{line}")?;
        for row in &rows {
            write_row(f, [&row[0], &row[1], &row[2], &row[3], &row[4]])?;
        }
        writeln!(f, "{line}")?;
        let total: u128 = self
            .variables
            .iter()
            .map(|v| v.num_elements() as u128)
            .sum();
        let trainable: u128 = self
            .variables
            .iter()
            .filter(|v| v.trainable())
            .map(|v| v.num_elements() as u128)
            .sum();
        writeln!(f, "Variables: {}", self.variables.len())?;
        writeln!(f, "Total params: {}", group_digits(total))?;
        writeln!(f, "Trainable params: {}", group_digits(trainable))?;
        write!(
            f,
            "Non-trainable params: {}",
            group_digits(total - trainable)
        )
    }
}
