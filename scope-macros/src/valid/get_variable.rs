//! Checks of `get_variable!`: a valid name, and a shape whose unknown
//! dimensions (`None` or `_`) make it a partial shape.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Expr, ExprArray};

use super::misplaced;
use super::names::check_name;
use super::scope::common;
use crate::errors::Errors;
use crate::grammar::Options;
use crate::kind::{Kind, Site};
use crate::read::{self, Name, RawShape};
use crate::spec::{GetVariableSpec, Shape};

pub fn get_variable(options: Options, call_span: Span) -> syn::Result<GetVariableSpec> {
    let mut errors = Errors::default();
    let (kind, site) = (Kind::GetVariable, Site::GetVariableMacro);
    let read = read::read(kind, site, options, &mut errors);
    misplaced::report(kind, site, &read, &mut errors);
    let name = match read.name {
        Some((_, Name::Literal(lit))) => {
            errors.take(check_name(&lit.value(), "variable", lit.span()));
            Some(Name::Literal(lit))
        }
        Some((_, runtime)) => Some(runtime),
        None => {
            errors.error(
                call_span,
                "get_variable! needs the variable's name: get_variable!(\"w\", [3, 4])",
            );
            None
        }
    };
    let shape = read.shape.and_then(|s| match s {
        RawShape::Array(array) => array_shape(array, &mut errors),
        RawShape::Expr(e) => Some(Shape::Expr(e)),
    });
    let spec = name.map(|name| GetVariableSpec {
        name,
        shape,
        dtype: read.dtype,
        initializer: read.initializer,
        trainable: read.trainable,
        custom_getter: read.custom_getter,
        regularizer: read.regularizer,
        partitioner: read.partitioner,
        common: common(read.krate),
    });
    errors.finish_opt(spec)
}

/// `None` and `_` are unknown dimensions; `Some(n)` is a mistake (write `n`).
fn array_shape(array: ExprArray, errors: &mut Errors) -> Option<Shape> {
    let span = array.span();
    let mut dims = Vec::new();
    let mut ok = true;
    for elem in array.elems {
        match &elem {
            Expr::Infer(_) => dims.push(None),
            Expr::Path(p) if p.qself.is_none() && p.path.is_ident("None") => dims.push(None),
            Expr::Call(call) if is_some(&call.func) => {
                ok = false;
                errors.error(
                    elem.span(),
                    "write a known dimension as the number itself (`3`, not `Some(3)`); \
                     an unknown one is `None` or `_`",
                );
            }
            _ => dims.push(Some(elem)),
        }
    }
    if !ok {
        return None;
    }
    Some(if dims.iter().all(Option::is_some) {
        Shape::Known(dims.into_iter().flatten().collect(), span)
    } else {
        Shape::Partial(dims, span)
    })
}

fn is_some(func: &Expr) -> bool {
    matches!(func, Expr::Path(p) if p.qself.is_none() && p.path.is_ident("Some"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn spec(tokens: proc_macro2::TokenStream) -> syn::Result<GetVariableSpec> {
        get_variable(
            syn::parse2(tokens).expect("options parse"),
            Span::call_site(),
        )
    }

    #[test]
    fn get_variable_needs_a_valid_name() {
        assert!(spec(quote!("w", [3, 4])).is_ok());
        assert!(spec(quote!([3, 4])).is_err());
        assert!(spec(quote!("w:0")).is_err());
        assert!(spec(quote!("w", reuse)).is_err());
    }

    #[test]
    fn unknown_dimensions_make_a_partial_shape() {
        let shape = |t| spec(t).map(|s| s.shape);
        assert!(
            matches!(shape(quote!("w", [None, 3])), Ok(Some(Shape::Partial(d, _))) if d.len() == 2 && d[0].is_none())
        );
        assert!(
            matches!(shape(quote!("w", shape = [2, _])), Ok(Some(Shape::Partial(d, _))) if d[1].is_none())
        );
        assert!(matches!(shape(quote!("w", [2, n])), Ok(Some(Shape::Known(d, _))) if d.len() == 2));
        assert!(shape(quote!("w", [Some(2), None])).is_err());
    }
}
