//! The template forms keep the body's control flow: `return` in loops and
//! nested `scope!` blocks ends the call; closures, async blocks and nested
//! functions keep their own `return`; `?`, generics and `self` work; and
//! `scope!(template ..)` takes any block value and `break`/`continue`.
#![deny(warnings)]

use scope_runtime::{get_variable, scope, template, Graph, Partitioner, ScopeError, Variable};

#[template("loop_return")]
fn loop_return(n: usize) -> Result<usize, ScopeError> {
    let w = get_variable!("w", [1])?;
    for i in 0..n {
        if i == 2 {
            return Ok(i);
        }
    }
    let inner = |x: usize| -> usize {
        if x > 1 {
            return x;
        }
        0
    };
    fn nested() -> usize {
        return 7;
    }
    let f = async { 3 };
    drop(f);
    scope!(name_scope("inside") {
        if n == 9 {
            return Ok(w.index());
        }
    });
    Ok(inner(n) + nested())
}

struct Tower {
    width: usize,
}

impl Tower {
    #[template("tower", create_scope_now)]
    fn call<T: Into<f64> + Copy>(&self, x: T) -> Result<f64, ScopeError> {
        let w = get_variable!("w", [self.width])?;
        if self.width == 0 {
            return Ok(0.0);
        }
        Ok(x.into() + w.shape()[0] as f64)
    }
}

fn in_a_loop() -> Result<Vec<Variable>, ScopeError> {
    let mut out = Vec::new();
    for step in 0..4 {
        let v = scope!(template("cell", unique_name = "cell") {
            if step == 1 {
                continue;
            }
            if step == 3 {
                break;
            }
            get_variable!("w", [2], partitioner = Partitioner::fixed_size(1, 0))?.parts()[0].clone()
        });
        out.push(v);
    }
    Ok(out)
}

fn main() -> Result<(), ScopeError> {
    let graph = Graph::new();
    let _default = graph.as_default();
    assert_eq!(loop_return(5)?, 2);
    assert_eq!(loop_return(1)?, 7);
    let tower = Tower { width: 2 };
    assert_eq!(tower.call(1.0f32)?, 3.0);
    assert_eq!(tower.call(2u8)?, 4.0);
    let cells = in_a_loop()?;
    assert_eq!(cells.len(), 2);
    assert_eq!(cells[0], cells[1]);
    assert_eq!(cells[0].name(), "cell/w/part_0:0");
    Ok(())
}
