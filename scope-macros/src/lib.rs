//! Proc macros for scope. Filled in by the macro DSL issue; users depend on
//! `scope-runtime`, which re-exports these.
