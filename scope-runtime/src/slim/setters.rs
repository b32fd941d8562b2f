//! The builder methods every slim layer has: one per keyword argument
//! (stored as an explicit argument, which wins over `arg_scope`), plus
//! `arg` for any key and `args` for a dict.

/// Adds `arg`, `args` and one setter per listed keyword to a layer
/// builder with an `args: Args` field.
macro_rules! arg_setters {
    ($ty:ty { $($(#[$doc:meta])* $name:ident),* $(,)? }) => {
        impl $ty {
            /// Any keyword argument by name (`.arg("padding", "VALID")`).
            pub fn arg(mut self, key: &str, value: impl Into<$crate::slim::ArgValue>) -> Self {
                self.args = self.args.set(key, value);
                self
            }
            /// Every argument of a dict (`**params`).
            pub fn args(mut self, args: &$crate::slim::Args) -> Self {
                self.args.update(args);
                self
            }
            $(
                $(#[$doc])*
                pub fn $name(self, value: impl Into<$crate::slim::ArgValue>) -> Self {
                    self.arg(stringify!($name), value)
                }
            )*
        }
    };
}

pub(crate) use arg_setters;
