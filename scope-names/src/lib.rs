//! The two naming rules scope applies in more than one crate, kept here
//! once: TensorFlow's rule for a valid name ([`check`], [`is_valid_root`],
//! [`is_valid_nested`]) and the "did you mean" rule ([`closest_names`]).
//!
//! A leaf crate with no heavy dependencies, so that the proc-macro crate
//! (which cannot depend on the runtime), the runtime and the checkpoint
//! crate all use the same rules.

#![forbid(unsafe_code)]

mod closest;
mod rule;

pub use closest::{closest_name, closest_names, edit_distance};
pub use rule::{check, is_valid_nested, is_valid_root, InvalidName};
