//! Compile-time checks of the macros: every mistake in `ui/*.rs` fails with
//! the message pinned in its `.stderr`; the programs in `ui/pass/` compile
//! (warnings denied) and run. Regenerate with `TRYBUILD=overwrite`.

#![forbid(unsafe_code)]

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/*.rs");
    t.pass("ui/pass/*.rs");
}
