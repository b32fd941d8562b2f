//! `slim.arg_scope` (tf-slim `ops/arg_scope.py`): per layer function, a
//! dict of default arguments that every call inside the guard receives.
//! Entering copies the current scope and, for each listed function,
//! updates its dict with the new defaults (so an inner scope overrides an
//! outer one per function and per argument); a captured scope re-entered
//! replaces the current one for its extent; a call's own arguments win
//! over every default. Functions must be registered (`add_arg_scope`);
//! slim's layers are.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::panic::Location;
use std::sync::{Arc, OnceLock, RwLock};

use super::args::{ArgValue, Args, CallArgs};
use super::error::{SlimError, SlimResult};

/// The keys of slim's own layer functions.
pub const BUILTIN: &[&str] = &[
    "conv2d",
    "separable_conv2d",
    "fully_connected",
    "batch_norm",
    "layer_norm",
    "max_pool2d",
    "avg_pool2d",
    "dropout",
    "flatten",
];

fn registry() -> &'static RwLock<HashSet<String>> {
    static R: OnceLock<RwLock<HashSet<String>>> = OnceLock::new();
    R.get_or_init(|| RwLock::new(BUILTIN.iter().map(|s| s.to_string()).collect()))
}

/// `@add_arg_scope`: lets `arg_scope` set defaults of the user function
/// `func`, which reads them with [`call_args`].
pub fn add_arg_scope(func: &str) {
    let mut r = registry().write().unwrap_or_else(|p| p.into_inner());
    r.insert(func.to_string());
}

/// `has_arg_scope(func)`.
pub fn has_arg_scope(func: &str) -> bool {
    let r = registry().read().unwrap_or_else(|p| p.into_inner());
    r.contains(func)
}

/// A captured arg scope (`with arg_scope(...) as sc`): the defaults of
/// every function, to re-enter later with [`arg_scope_from`].
#[derive(Clone, Debug, Default)]
pub struct ArgScope {
    funcs: Arc<HashMap<String, Args>>,
}

impl ArgScope {
    /// The defaults this scope gives `func` (empty if none).
    pub fn defaults(&self, func: &str) -> Args {
        self.funcs.get(func).cloned().unwrap_or_default()
    }

    /// The functions with defaults, sorted.
    pub fn funcs(&self) -> Vec<&str> {
        let mut f: Vec<&str> = self.funcs.keys().map(String::as_str).collect();
        f.sort_unstable();
        f
    }
}

thread_local! {
    static STACK: RefCell<Vec<ArgScope>> = const { RefCell::new(Vec::new()) };
}

/// The arg scope in effect on this thread (`current_arg_scope()`).
pub fn current_arg_scope() -> ArgScope {
    STACK.with(|s| s.borrow().last().cloned().unwrap_or_default())
}

/// Starts `arg_scope([funcs...], **defaults)`: configure, then `enter()`.
#[track_caller]
pub fn arg_scope(funcs: &[&str]) -> ArgScopeBuilder {
    ArgScopeBuilder {
        funcs: funcs.iter().map(|f| f.to_string()).collect(),
        args: Args::new(),
        at: Location::caller(),
        captured: None,
    }
}

/// Starts re-entering a captured scope (`with arg_scope(sc):`), opened with
/// `enter()`: for the guard's extent the defaults are exactly the captured
/// ones. As in TF, a captured scope takes no new defaults: `enter()` fails
/// with [`SlimError::ReenterWithArgs`] after a `set`.
#[track_caller]
pub fn arg_scope_from(scope: &ArgScope) -> ArgScopeBuilder {
    ArgScopeBuilder {
        funcs: Vec::new(),
        args: Args::new(),
        at: Location::caller(),
        captured: Some(scope.clone()),
    }
}

/// Re-enters a captured scope at once (the macros' `arg_scope = sc`).
pub(crate) fn reenter_arg_scope(scope: &ArgScope) -> ArgScopeGuard {
    push(scope.clone())
}

/// The defaults of an `arg_scope` being built.
#[must_use = "call `.enter()` to open the arg scope"]
pub struct ArgScopeBuilder {
    funcs: Vec<String>,
    args: Args,
    at: &'static Location<'static>,
    /// The scope re-entered, for `arg_scope_from`.
    captured: Option<ArgScope>,
}

impl ArgScopeBuilder {
    /// One default, e.g. `.set("padding", "SAME")`.
    pub fn set(mut self, key: &str, value: impl Into<ArgValue>) -> Self {
        self.args = self.args.set(key, value);
        self
    }

    /// Every argument of `args` as a default (`**batch_norm_params`).
    pub fn set_all(mut self, args: &Args) -> Self {
        self.args.update(args);
        self
    }

    /// Opens the scope until the guard drops; fails (opening nothing) if a
    /// function is not registered with [`add_arg_scope`], or if a captured
    /// scope was given new defaults.
    pub fn enter(self) -> SlimResult<ArgScopeGuard> {
        if let Some(captured) = self.captured {
            if !self.args.is_empty() {
                return Err(SlimError::ReenterWithArgs { at: self.at });
            }
            return Ok(push(captured));
        }
        if let Some(f) = self.funcs.iter().find(|f| !has_arg_scope(f)) {
            return Err(SlimError::NotArgScoped { func: f.clone() });
        }
        let mut funcs: HashMap<String, Args> = (*current_arg_scope().funcs).clone();
        let defaults = self.args.marked_from_arg_scope(self.at);
        for f in &self.funcs {
            funcs.entry(f.clone()).or_default().update(&defaults);
        }
        Ok(push(ArgScope {
            funcs: Arc::new(funcs),
        }))
    }
}

fn push(scope: ArgScope) -> ArgScopeGuard {
    STACK.with(|s| {
        let mut s = s.borrow_mut();
        s.push(scope.clone());
        ArgScopeGuard {
            depth: s.len() - 1,
            scope,
            _not_send: std::marker::PhantomData,
        }
    })
}

/// An open arg scope: closes (with every scope opened inside it) when
/// dropped.
#[must_use = "the arg scope closes when the guard is dropped"]
pub struct ArgScopeGuard {
    depth: usize,
    scope: ArgScope,
    _not_send: std::marker::PhantomData<*const ()>,
}

impl ArgScopeGuard {
    /// The scope this guard opened (`as sc`).
    pub fn scope(&self) -> &ArgScope {
        &self.scope
    }
}

impl Drop for ArgScopeGuard {
    fn drop(&mut self) {
        STACK.with(|s| s.borrow_mut().truncate(self.depth));
    }
}

/// The arguments of one call of `func`: the current scope's defaults for
/// it, updated with the call's own `explicit` arguments (which win).
/// What every slim layer does on entry, and what an `add_arg_scope` user
/// function calls.
pub fn call_args(func: &str, explicit: &Args) -> SlimResult<CallArgs> {
    if !has_arg_scope(func) {
        return Err(SlimError::NotArgScoped {
            func: func.to_string(),
        });
    }
    let mut args = current_arg_scope().defaults(func);
    args.update(explicit);
    Ok(CallArgs::new(func, args))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn padding(func: &str) -> String {
        call_args(func, &Args::new())
            .and_then(|c| c.str("padding", "VALID"))
            .unwrap_or_default()
    }

    #[test]
    fn nesting_overrides_per_function_and_argument_then_restores() {
        let _a = arg_scope(&["conv2d", "max_pool2d"])
            .set("padding", "SAME")
            .set("trainable", false)
            .enter()
            .unwrap();
        {
            let _b = arg_scope(&["conv2d"])
                .set("padding", "VALID")
                .enter()
                .unwrap();
            assert_eq!(padding("conv2d"), "VALID");
            assert_eq!(padding("max_pool2d"), "SAME");
            let c = call_args("conv2d", &Args::new()).unwrap();
            assert!(!c.bool("trainable", true).unwrap(), "outer argument kept");
        }
        assert_eq!(padding("conv2d"), "SAME");
        let explicit = Args::new().set("padding", "VALID");
        let c = call_args("conv2d", &explicit).unwrap();
        assert_eq!(c.str("padding", "x").unwrap(), "VALID", "explicit wins");
    }

    #[test]
    fn captured_scope_replaces_the_current_one() {
        let captured = {
            let g = arg_scope(&["conv2d"])
                .set("padding", "SAME")
                .enter()
                .unwrap();
            g.scope().clone()
        };
        assert_eq!(padding("conv2d"), "VALID");
        let _other = arg_scope(&["max_pool2d"])
            .set("padding", "SAME")
            .enter()
            .unwrap();
        let again = arg_scope_from(&captured).set("padding", "VALID").enter();
        assert!(matches!(again, Err(SlimError::ReenterWithArgs { .. })));
        let _re = arg_scope_from(&captured).enter().unwrap();
        assert_eq!(padding("conv2d"), "SAME");
        assert_eq!(
            padding("max_pool2d"),
            "VALID",
            "the captured scope had none"
        );
    }

    #[test]
    fn unregistered_functions_are_rejected_until_added() {
        let e = arg_scope(&["my_block_fn"]).enter().err().unwrap();
        assert!(e.to_string().contains("my_block_fn"), "{e}");
        add_arg_scope("my_block_fn");
        let _g = arg_scope(&["my_block_fn"])
            .set("depth", 8i64)
            .enter()
            .unwrap();
        let c = call_args("my_block_fn", &Args::new()).unwrap();
        assert_eq!(c.count("depth").unwrap(), Some(8));
    }

    #[test]
    fn wrong_kind_names_function_argument_and_origin() {
        let _g = arg_scope(&["conv2d"]).set("padding", 3i64).enter().unwrap();
        let e = call_args("conv2d", &Args::new())
            .unwrap()
            .str("padding", "SAME")
            .unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("conv2d") && m.contains("padding") && m.contains("arg_scope.rs"),
            "{m}"
        );
    }
}
