//! A tree view of named tensors grouped by `/`-separated scopes, with
//! parameter counts per subtree. Used by `scope-ckpt list --tree` and by
//! scope-runtime's graph summaries, so a checkpoint and the model that loads
//! it print the same way.

use std::fmt::Write;

/// One leaf of the tree: a tensor's full name, shape and dtype.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeItem<'a> {
    pub name: &'a str,
    pub shape: &'a [usize],
    pub dtype: &'a str,
}

#[derive(Default)]
struct Node<'a> {
    /// Children in first-seen order.
    children: Vec<(&'a str, Node<'a>)>,
    leaf: Option<TreeItem<'a>>,
    params: u128,
}

impl<'a> Node<'a> {
    fn insert(&mut self, parts: &[&'a str], item: &TreeItem<'a>, params: u128) {
        self.params += params;
        let Some((first, rest)) = parts.split_first() else {
            self.leaf = Some(item.clone());
            return;
        };
        let pos = match self.children.iter().position(|(n, _)| n == first) {
            Some(pos) => pos,
            None => {
                self.children.push((first, Node::default()));
                self.children.len() - 1
            }
        };
        self.children[pos].1.insert(rest, item, params);
    }
}

/// Groups digits by thousands: `29568` → `29,568`.
pub fn group_digits(n: u128) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Renders the items as a tree, in the order they are given (first
/// occurrence decides a scope's position):
///
/// ```text
/// model/ (29,568)
/// ├── wpe  [32, 32] float32  1,024
/// └── h0/ (6,272)
///     └── ln_1/ (64)
///         ├── g  [32] float32  32
///         └── b  [32] float32  32
/// ```
pub fn render_tree<'a>(items: impl IntoIterator<Item = TreeItem<'a>>) -> String {
    let mut root = Node::default();
    for item in items {
        let params: u128 = item.shape.iter().map(|&d| d as u128).product();
        let parts: Vec<&str> = item.name.split('/').collect();
        root.insert(&parts, &item, params);
    }
    let mut out = String::new();
    let n = root.children.len();
    for (i, (name, node)) in root.children.iter().enumerate() {
        render(&mut out, name, node, "", i + 1 == n, true);
    }
    let _ = writeln!(out, "total: {} parameters", group_digits(root.params));
    out
}

fn render(out: &mut String, name: &str, node: &Node<'_>, prefix: &str, last: bool, top: bool) {
    let (branch, child_prefix) = match (top, last) {
        (true, _) => ("", prefix.to_string()),
        (false, true) => ("└── ", format!("{prefix}    ")),
        (false, false) => ("├── ", format!("{prefix}│   ")),
    };
    if let Some(leaf) = &node.leaf {
        let dims: Vec<String> = leaf.shape.iter().map(usize::to_string).collect();
        let _ = writeln!(
            out,
            "{prefix}{branch}{name}  [{}] {}  {}",
            dims.join(", "),
            leaf.dtype,
            group_digits(node.params - child_params(node))
        );
    }
    if !node.children.is_empty() {
        if node.leaf.is_none() {
            let _ = writeln!(
                out,
                "{prefix}{branch}{name}/ ({})",
                group_digits(node.params)
            );
        }
        let n = node.children.len();
        for (i, (child, sub)) in node.children.iter().enumerate() {
            render(out, child, sub, &child_prefix, i + 1 == n, false);
        }
    }
}

fn child_params(node: &Node<'_>) -> u128 {
    node.children.iter().map(|(_, c)| c.params).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_by_scope_with_subtree_counts() {
        let items = [
            TreeItem {
                name: "model/wpe",
                shape: &[4, 2],
                dtype: "float32",
            },
            TreeItem {
                name: "model/h0/ln_1/g",
                shape: &[2],
                dtype: "float32",
            },
            TreeItem {
                name: "model/h0/ln_1/b",
                shape: &[2],
                dtype: "float32",
            },
            TreeItem {
                name: "step",
                shape: &[],
                dtype: "int64",
            },
        ];
        let text = render_tree(items);
        let expected = "\
model/ (12)
├── wpe  [4, 2] float32  8
└── h0/ (4)
    └── ln_1/ (4)
        ├── g  [2] float32  2
        └── b  [2] float32  2
step  [] int64  1
total: 13 parameters
";
        assert_eq!(text, expected);
        assert_eq!(group_digits(1234567), "1,234,567");
    }
}
