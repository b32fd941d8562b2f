//! Support code for the expansions of `scope-macros`. Not a public API: no
//! semver promise; only macro expansions should call it.
