//! Collects every error of one macro use (serde_derive's `Ctxt`), folded
//! with `syn::Error::combine`, so one build shows every mistake.

use proc_macro2::Span;

#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    pub fn push(&mut self, err: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(err),
            None => self.0 = Some(err),
        }
    }

    pub fn error(&mut self, span: Span, msg: impl std::fmt::Display) {
        self.push(syn::Error::new(span, msg));
    }

    /// Records the error of `result`, if any, and gives its value.
    pub fn take<T>(&mut self, result: syn::Result<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                self.push(err);
                None
            }
        }
    }

    /// `value` if no error was recorded, else all of them.
    pub fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.0 {
            Some(err) => Err(err),
            None => Ok(value),
        }
    }

    /// Like [`finish`](Self::finish) for a value that may be missing
    /// because of a recorded error.
    pub fn finish_opt<T>(self, value: Option<T>) -> syn::Result<T> {
        match (self.0, value) {
            (Some(err), _) => Err(err),
            (None, Some(value)) => Ok(value),
            (None, None) => unreachable!("a value is only missing after an error"),
        }
    }
}
