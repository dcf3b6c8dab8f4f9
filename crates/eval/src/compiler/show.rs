//! Expressions printed back as CppNix's `Expr::show` prints its AST (for
//! the text of a failed assertion): fully parenthesised, with operators
//! that CppNix desugars into calls shown as those calls.

use super::Compiler;
use crate::hir::{AttrName, AttrValue, Attrs, BinaryOp, Expr, ExprId, Part};
use crate::print::{format_float, print_attr_name, print_string};

impl Compiler<'_, '_> {
    pub(super) fn show(&mut self, id: ExprId) -> String {
        let mut out = Vec::new();
        self.show_into(id, &mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// `a.b."${c}"` as CppNix's `showAttrSelectionPath`.
    pub(super) fn show_attr_path(&mut self, path: &[AttrName]) -> String {
        let mut out = Vec::new();
        self.attr_path_into(path, &mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    fn attr_path_into(&mut self, path: &[AttrName], out: &mut Vec<u8>) {
        for (i, name) in path.iter().enumerate() {
            if i > 0 {
                out.push(b'.');
            }
            match name {
                AttrName::Static(sym) => out.extend_from_slice(self.interner.resolve(*sym)),
                AttrName::Dynamic(e) => {
                    out.extend_from_slice(b"\"${");
                    self.show_into(*e, out);
                    out.extend_from_slice(b"}\"");
                }
            }
        }
    }

    fn ident(&self, sym: crate::symbol::Symbol, out: &mut Vec<u8>) {
        print_attr_name(self.interner.resolve(sym), out);
    }

    fn show_into(&mut self, id: ExprId, out: &mut Vec<u8>) {
        neve_syntax::stack::grow(|| self.show_into_here(id, out))
    }

    fn show_into_here(&mut self, id: ExprId, out: &mut Vec<u8>) {
        let expr = self.hir().expr(id).clone();
        match expr {
            Expr::Missing => {}
            Expr::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
            Expr::Float(x) => out.extend_from_slice(format_float(x).as_bytes()),
            Expr::Str(bytes) => print_string(&bytes, out),
            Expr::Uri(text) => print_string(text.as_bytes(), out),
            Expr::Path { kind, literal } => {
                let path = self.resolve_path(kind, &literal);
                out.extend_from_slice(&path);
            }
            Expr::Interpolated { parts, .. } => {
                out.push(b'(');
                for (i, part) in parts.iter().enumerate() {
                    if i > 0 {
                        out.extend_from_slice(b" + ");
                    }
                    match part {
                        Part::Lit(bytes) => print_string(bytes, out),
                        Part::Expr(e) => self.show_into(*e, out),
                    }
                }
                out.push(b')');
            }
            Expr::Var(var) => self.ident(var.name(), out),
            Expr::CurPos => out.extend_from_slice(b"__curPos"),
            Expr::List(items) => {
                out.extend_from_slice(b"[ ");
                for item in items {
                    out.push(b'(');
                    self.show_into(item, out);
                    out.extend_from_slice(b") ");
                }
                out.push(b']');
            }
            Expr::Attrs(attrs) => {
                if attrs.rec {
                    out.extend_from_slice(b"rec ");
                }
                out.extend_from_slice(b"{ ");
                self.bindings_into(&attrs, out);
                out.push(b'}');
            }
            Expr::Let(l) => {
                out.extend_from_slice(b"(let ");
                let attrs =
                    Attrs { rec: true, attrs: l.bindings.clone(), dynamic: Vec::new(), inherit_from: l.inherit_from };
                self.bindings_into(&attrs, out);
                out.extend_from_slice(b"in ");
                self.show_into(l.body, out);
                out.push(b')');
            }
            Expr::Lambda(l) => {
                out.push(b'(');
                if let Some(formals) = &l.formals {
                    out.extend_from_slice(b"{ ");
                    let mut entries: Vec<_> = formals.entries.iter().collect();
                    entries.sort_by(|a, b| self.interner.resolve(a.name).cmp(self.interner.resolve(b.name)));
                    for (i, f) in entries.iter().enumerate() {
                        if i > 0 {
                            out.extend_from_slice(b", ");
                        }
                        self.ident(f.name, out);
                        if let Some(d) = f.default {
                            out.extend_from_slice(b" ? ");
                            self.show_into(d, out);
                        }
                    }
                    if formals.ellipsis {
                        if !entries.is_empty() {
                            out.extend_from_slice(b", ");
                        }
                        out.extend_from_slice(b"...");
                    }
                    out.extend_from_slice(b" }");
                    if l.arg.is_some() {
                        out.extend_from_slice(b" @ ");
                    }
                }
                if let Some(arg) = l.arg {
                    self.ident(arg, out);
                }
                out.extend_from_slice(b": ");
                self.show_into(l.body, out);
                out.push(b')');
            }
            Expr::Apply { .. } => {
                // CppNix keeps `f a b` as one call with two arguments.
                let mut args = Vec::new();
                let mut head = id;
                while let Expr::Apply { func, arg } = self.hir().expr(head) {
                    args.push(*arg);
                    head = *func;
                }
                out.push(b'(');
                self.show_into(head, out);
                for arg in args.into_iter().rev() {
                    out.push(b' ');
                    self.show_into(arg, out);
                }
                out.push(b')');
            }
            Expr::Select { expr, path, default } => {
                out.push(b'(');
                self.show_into(expr, out);
                out.extend_from_slice(b").");
                self.attr_path_into(&path, out);
                if let Some(d) = default {
                    out.extend_from_slice(b" or (");
                    self.show_into(d, out);
                    out.push(b')');
                }
            }
            Expr::HasAttr { expr, path } => {
                out.extend_from_slice(b"((");
                self.show_into(expr, out);
                out.extend_from_slice(b") ? ");
                self.attr_path_into(&path, out);
                out.push(b')');
            }
            Expr::With { namespace, body } => {
                out.extend_from_slice(b"(with ");
                self.show_into(namespace, out);
                out.extend_from_slice(b"; ");
                self.show_into(body, out);
                out.push(b')');
            }
            Expr::Assert { cond, body } => {
                out.extend_from_slice(b"assert ");
                self.show_into(cond, out);
                out.extend_from_slice(b"; ");
                self.show_into(body, out);
            }
            Expr::If { cond, then_body, else_body } => {
                out.extend_from_slice(b"(if ");
                self.show_into(cond, out);
                out.extend_from_slice(b" then ");
                self.show_into(then_body, out);
                out.extend_from_slice(b" else ");
                self.show_into(else_body, out);
                out.push(b')');
            }
            Expr::Not(e) => {
                out.extend_from_slice(b"(! ");
                self.show_into(e, out);
                out.push(b')');
            }
            Expr::Negate(e) => {
                out.extend_from_slice(b"(__sub 0 ");
                self.show_into(e, out);
                out.push(b')');
            }
            Expr::Binary { op, lhs, rhs } => {
                let call = |c: &mut Self, name: &[u8], a, b, out: &mut Vec<u8>| {
                    out.push(b'(');
                    out.extend_from_slice(name);
                    out.push(b' ');
                    c.show_into(a, out);
                    out.push(b' ');
                    c.show_into(b, out);
                    out.push(b')');
                };
                let infix = match op {
                    BinaryOp::Eq => "==",
                    BinaryOp::Neq => "!=",
                    BinaryOp::And => "&&",
                    BinaryOp::Or => "||",
                    BinaryOp::Impl => "->",
                    BinaryOp::Update => "//",
                    BinaryOp::Concat => "++",
                    BinaryOp::Add => "+",
                    BinaryOp::Sub => return call(self, b"__sub", lhs, rhs, out),
                    BinaryOp::Mul => return call(self, b"__mul", lhs, rhs, out),
                    BinaryOp::Div => return call(self, b"__div", lhs, rhs, out),
                    BinaryOp::Lt => return call(self, b"__lessThan", lhs, rhs, out),
                    BinaryOp::Gt => return call(self, b"__lessThan", rhs, lhs, out),
                    BinaryOp::Le | BinaryOp::Ge => {
                        let (a, b) = if op == BinaryOp::Le { (rhs, lhs) } else { (lhs, rhs) };
                        out.extend_from_slice(b"(! ");
                        call(self, b"__lessThan", a, b, out);
                        out.push(b')');
                        return;
                    }
                };
                out.push(b'(');
                self.show_into(lhs, out);
                out.push(b' ');
                out.extend_from_slice(infix.as_bytes());
                out.push(b' ');
                self.show_into(rhs, out);
                out.push(b')');
            }
        }
    }

    /// The bindings of a set or `let`: `inherit`s first, then the others
    /// sorted by name, then dynamic ones, each ending in `; `.
    fn bindings_into(&mut self, attrs: &Attrs, out: &mut Vec<u8>) {
        let mut sorted: Vec<_> = attrs.attrs.iter().collect();
        sorted.sort_by(|a, b| self.interner.resolve(a.name).cmp(self.interner.resolve(b.name)));
        let inherits: Vec<_> =
            sorted.iter().filter(|a| matches!(a.value, AttrValue::Inherit(_))).map(|a| a.name).collect();
        if !inherits.is_empty() {
            out.extend_from_slice(b"inherit");
            for name in inherits {
                out.push(b' ');
                self.ident(name, out);
            }
            out.extend_from_slice(b"; ");
        }
        for (source, from) in attrs.inherit_from.iter().enumerate() {
            let names: Vec<_> = sorted
                .iter()
                .filter(|a| matches!(a.value, AttrValue::InheritFrom { source: s, .. } if s as usize == source))
                .map(|a| a.name)
                .collect();
            if names.is_empty() {
                continue;
            }
            out.extend_from_slice(b"inherit (");
            self.show_into(*from, out);
            out.push(b')');
            for name in names {
                out.push(b' ');
                self.ident(name, out);
            }
            out.extend_from_slice(b"; ");
        }
        for attr in &sorted {
            if let AttrValue::Expr(e) = attr.value {
                self.ident(attr.name, out);
                out.extend_from_slice(b" = ");
                self.show_into(e, out);
                out.extend_from_slice(b"; ");
            }
        }
        for d in &attrs.dynamic {
            out.extend_from_slice(b"\"${");
            self.show_into(d.name, out);
            out.extend_from_slice(b"}\" = ");
            self.show_into(d.value, out);
            out.extend_from_slice(b"; ");
        }
    }
}
