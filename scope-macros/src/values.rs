//! What an option's value may be, read from its expression: string
//! literals, booleans, reuse modes, dtypes and the `crate` path. Each
//! returns an error spanned at the value.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Expr, Ident, Lit, LitBool, LitStr};

/// TF's `reuse`: `True`, `False` or `AUTO_REUSE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReuseMode {
    True,
    False,
    Auto,
}

/// The dtypes an option may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DTypeName {
    F32,
    F64,
    I32,
    I64,
}

pub fn lit_str(value: &Expr) -> Option<LitStr> {
    match value {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(lit), ..
        }) => Some(lit.clone()),
        _ => None,
    }
}

/// A string literal, for `key = "..."`.
pub fn string(key: &str, value: &Expr) -> syn::Result<LitStr> {
    lit_str(value).ok_or_else(|| {
        syn::Error::new(
            value.span(),
            format!("`{key}` takes a string literal: `{key} = \"..\"`"),
        )
    })
}

/// `true` or `false`, for `key = <bool>`.
pub fn boolean(key: &str, value: &Expr) -> syn::Result<LitBool> {
    match value {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Bool(b), ..
        }) => Ok(b.clone()),
        _ => Err(syn::Error::new(
            value.span(),
            format!("`{key}` takes `true` or `false`"),
        )),
    }
}

fn path_ident(value: &Expr) -> Option<&Ident> {
    match value {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident(),
        _ => None,
    }
}

pub fn reuse(value: &Expr) -> syn::Result<ReuseMode> {
    if let Expr::Lit(syn::ExprLit {
        lit: Lit::Bool(b), ..
    }) = value
    {
        return Ok(if b.value {
            ReuseMode::True
        } else {
            ReuseMode::False
        });
    }
    let Some(ident) = path_ident(value) else {
        return Err(syn::Error::new(
            value.span(),
            "`reuse` takes `true`, `false` or `auto`; a reuse mode computed at run time is not supported",
        ));
    };
    if ident == "auto" {
        return Ok(ReuseMode::Auto);
    }
    let hint = match ident.to_string().to_ascii_lowercase().as_str() {
        "auto_reuse" | "autoreuse" => " (did you mean `auto`?)",
        "true" | "yes" => " (did you mean `true`?)",
        "false" | "no" => " (did you mean `false`?)",
        _ => "",
    };
    Err(syn::Error::new(
        value.span(),
        format!("`reuse` takes `true`, `false` or `auto`, not `{ident}`{hint}"),
    ))
}

pub fn dtype(value: &Expr) -> syn::Result<DTypeName> {
    let ident = path_ident(value).map(Ident::to_string);
    let dtype = match ident.as_deref() {
        Some("f32") => DTypeName::F32,
        Some("f64") => DTypeName::F64,
        Some("i32") => DTypeName::I32,
        Some("i64") => DTypeName::I64,
        _ => {
            let hint = match ident.as_deref() {
                Some("float32" | "F32") => " (did you mean `f32`?)",
                Some("float64" | "double" | "F64") => " (did you mean `f64`?)",
                Some("int32" | "I32") => " (did you mean `i32`?)",
                Some("int64" | "I64") => " (did you mean `i64`?)",
                _ => "",
            };
            let got = ident.map_or_else(String::new, |i| format!(" `{i}`"));
            return Err(syn::Error::new(
                value.span(),
                format!("unsupported dtype{got}: expected `f32`, `f64`, `i32` or `i64`{hint}"),
            ));
        }
    };
    Ok(dtype)
}

/// The path scope-runtime is reachable at: `crate = "::path"` or `crate = path`.
pub fn crate_path(value: &Expr) -> syn::Result<TokenStream> {
    let path = match value {
        Expr::Path(p) if p.qself.is_none() => Some(p.path.to_token_stream()),
        _ => lit_str(value)
            .and_then(|lit| lit.parse::<syn::Path>().ok().map(|p| p.to_token_stream())),
    };
    path.ok_or_else(|| {
        syn::Error::new(
            value.span(),
            "`crate` takes the path scope-runtime is reachable at: `crate = \"::scope_runtime\"`",
        )
    })
}
