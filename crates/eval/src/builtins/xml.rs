//! `builtins.toXML` and `--xml` output: CppNix's XML format (`printValueAsXML`
//! through its `XMLWriter`: two-space indentation, attributes sorted by
//! name, `<unevaluated />` for what is not evaluated or cannot be shown).

use std::collections::HashSet;

use super::{native, PrimOp};
use crate::error::{ErrorKind, EvalError, EvalResult};
use crate::source::{Origin, Pos};
use crate::state::EvalState;
use crate::value::{NixString, StringContext, Value};
use crate::vm::{Co, NativeFuture};

pub(super) static PRIMOPS: &[PrimOp] = &[native("toXML", 1, to_xml_builtin)];

fn to_xml_builtin(co: Co, a: Vec<Value>) -> NativeFuture {
    Box::pin(async move {
        let v = force_in_print_order(&co, a[0].clone()).await?;
        let (bytes, context) = print_xml(&co.state, &v, false)?;
        Ok(Value::string(NixString::new(bytes, Some(context))))
    })
}

/// For `--xml --strict`: evaluates a value as `toXML` would before printing
/// it. Not installed as a builtin; the command line calls it.
pub static FORCE_FOR_XML: PrimOp =
    native("toXML", 1, |co, a| Box::pin(async move { force_in_print_order(&co, a[0].clone()).await }));

/// Evaluates what the XML document shows, in the order CppNix's
/// `printValueAsXML` evaluates it (attributes by name; a derivation's
/// `type`, `drvPath` and `outPath` first, its other attributes only the
/// first time its `drvPath` is met), so the same error comes first.
async fn force_in_print_order(co: &Co, v: Value) -> EvalResult<Value> {
    let state = &co.state;
    let top = co.force(v).await?;
    let mut drvs_seen: HashSet<Vec<u8>> = HashSet::new();
    let mut work: Vec<(Value, Option<Pos>, usize)> = vec![(top.clone(), None, 0)];
    while let Some((v, pos, nesting)) = work.pop() {
        if nesting + 2 > state.settings.max_call_depth {
            let mut e = EvalError::new(ErrorKind::StackOverflow, "stack overflow; max-call-depth exceeded");
            e.pos = pos;
            return Err(e);
        }
        let v = co.force(v).await?;
        match &v {
            Value::Attrs(set) => {
                let mut show = true;
                if let Some(t) = set.get(state.sym.type_) {
                    let t = co.force(t.clone()).await?;
                    if matches!(&t, Value::String(s) if s.as_bytes() == b"derivation") {
                        let mut drv_path = Vec::new();
                        if let Some(d) = set.get(state.intern("drvPath")) {
                            if let Value::String(s) = co.force(d.clone()).await? {
                                drv_path = s.as_bytes().to_vec();
                            }
                        }
                        if let Some(o) = set.get(state.sym.out_path) {
                            co.force(o.clone()).await?;
                        }
                        show = !drv_path.is_empty() && drvs_seen.insert(drv_path);
                    }
                }
                if show {
                    let mut items: Vec<(Vec<u8>, &crate::value::Attr)> =
                        set.iter().map(|a| (state.name_bytes(a.name), a)).collect();
                    items.sort_by(|a, b| a.0.cmp(&b.0));
                    for (_, attr) in items.into_iter().rev() {
                        work.push((attr.value.clone(), attr.pos, nesting + 1));
                    }
                }
            }
            Value::List(l) => {
                for item in l.0.iter().rev() {
                    work.push((item.clone(), pos, nesting + 1));
                }
            }
            _ => {}
        }
    }
    Ok(top)
}

/// The XML document for `v` as it stands (unevaluated parts are shown as
/// `<unevaluated />`), with the context of its strings. `location` adds
/// source positions to attributes and functions.
///
/// Nesting deeper than `max_call_depth` (a cycle, say) is CppNix's stack
/// overflow error.
pub fn print_xml(state: &EvalState, v: &Value, location: bool) -> EvalResult<(Vec<u8>, StringContext)> {
    let mut w = Writer {
        state,
        out: Vec::new(),
        depth: 0,
        location,
        context: StringContext::new(),
        drvs_seen: HashSet::new(),
        overflow: None,
    };
    w.out.extend_from_slice(b"<?xml version='1.0' encoding='utf-8'?>\n");
    w.open("expr", &[]);
    w.run(v.clone());
    w.close("expr");
    if let Some(pos) = w.overflow {
        let mut e = EvalError::new(ErrorKind::StackOverflow, "stack overflow; max-call-depth exceeded");
        e.pos = pos;
        return Err(e);
    }
    Ok((w.out, w.context))
}

struct Writer<'a> {
    state: &'a EvalState,
    out: Vec<u8>,
    depth: usize,
    location: bool,
    context: StringContext,
    drvs_seen: HashSet<Vec<u8>>,
    /// Set (with the place) once nesting went too deep.
    overflow: Option<Option<Pos>>,
}

type XmlAttrs = Vec<(&'static str, Vec<u8>)>;

/// What is left to print.
enum Task {
    Value(Value, Option<Pos>, usize),
    Open(&'static str, XmlAttrs),
    Close(&'static str),
}

impl Writer<'_> {
    fn indent(&mut self) {
        self.out.resize(self.out.len() + self.depth * 2, b' ');
    }

    fn attrs(&mut self, attrs: &[(&'static str, Vec<u8>)]) {
        let mut sorted: Vec<&(&str, Vec<u8>)> = attrs.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        for (name, value) in sorted {
            self.out.push(b' ');
            self.out.extend_from_slice(name.as_bytes());
            self.out.extend_from_slice(b"=\"");
            for &c in value {
                match c {
                    b'"' => self.out.extend_from_slice(b"&quot;"),
                    b'<' => self.out.extend_from_slice(b"&lt;"),
                    b'>' => self.out.extend_from_slice(b"&gt;"),
                    b'&' => self.out.extend_from_slice(b"&amp;"),
                    b'\n' => self.out.extend_from_slice(b"&#xA;"),
                    c => self.out.push(c),
                }
            }
            self.out.push(b'"');
        }
    }

    fn open(&mut self, name: &str, attrs: &[(&'static str, Vec<u8>)]) {
        self.indent();
        self.out.push(b'<');
        self.out.extend_from_slice(name.as_bytes());
        self.attrs(attrs);
        self.out.extend_from_slice(b">\n");
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth -= 1;
        self.indent();
        self.out.extend_from_slice(b"</");
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b">\n");
    }

    fn empty(&mut self, name: &str, attrs: &[(&'static str, Vec<u8>)]) {
        self.indent();
        self.out.push(b'<');
        self.out.extend_from_slice(name.as_bytes());
        self.attrs(attrs);
        self.out.extend_from_slice(b" />\n");
    }

    fn pos_attrs(&self, attrs: &mut XmlAttrs, pos: Pos) {
        if let Origin::File(p) = &self.state.sources.file(self.state.sources.resolve(pos).0).origin {
            attrs.push(("path", p.as_os_str().as_encoded_bytes().to_vec()));
        }
        let (line, col) = self.state.sources.line_col(pos);
        attrs.push(("line", line.to_string().into_bytes()));
        attrs.push(("column", col.to_string().into_bytes()));
    }

    /// Prints a value with an explicit stack of what is left to do, so
    /// deep nesting costs no native stack.
    fn run(&mut self, v: Value) {
        let mut tasks = vec![Task::Value(v, None, 0)];
        while let Some(task) = tasks.pop() {
            match task {
                Task::Close(name) => self.close(name),
                Task::Open(name, attrs) => self.open(name, &attrs),
                Task::Value(v, pos, nesting) => {
                    // CppNix also counts the call of the builtin and the
                    // expression around it.
                    if nesting + 2 > self.state.settings.max_call_depth {
                        self.overflow = Some(pos);
                        return;
                    }
                    self.value(&v, pos, nesting, &mut tasks);
                }
            }
        }
    }

    fn value(&mut self, v: &Value, pos: Option<Pos>, nesting: usize, tasks: &mut Vec<Task>) {
        let v = match v.peek() {
            Some(v) => v,
            None => return self.empty("unevaluated", &[]),
        };
        match &v {
            Value::Int(i) => self.empty("int", &[("value", i.to_string().into_bytes())]),
            Value::Bool(b) => self.empty("bool", &[("value", if *b { b"true".to_vec() } else { b"false".to_vec() })]),
            Value::String(s) => {
                if let Some(c) = s.context() {
                    self.context.extend(c.iter().cloned());
                }
                self.empty("string", &[("value", s.as_bytes().to_vec())])
            }
            Value::Path(p) => self.empty("path", &[("value", p.to_vec())]),
            Value::Null => self.empty("null", &[]),
            Value::Float(f) => self.empty("float", &[("value", crate::print::format_float(*f).into_bytes())]),
            Value::Attrs(set) => {
                let is_drv = set
                    .get(self.state.sym.type_)
                    .and_then(|t| t.peek())
                    .is_some_and(|t| matches!(&t, Value::String(s) if s.as_bytes() == b"derivation"));
                if is_drv {
                    let mut attrs = XmlAttrs::new();
                    let mut drv_path = Vec::new();
                    let string_of = |name: &str| {
                        set.get(self.state.intern(name)).and_then(|v| v.peek()).and_then(|v| match v {
                            Value::String(s) => Some(s.as_bytes().to_vec()),
                            _ => None,
                        })
                    };
                    if let Some(p) = string_of("drvPath") {
                        drv_path = p.clone();
                        attrs.push(("drvPath", p));
                    }
                    if let Some(p) = string_of("outPath") {
                        attrs.push(("outPath", p));
                    }
                    self.open("derivation", &attrs);
                    tasks.push(Task::Close("derivation"));
                    if !drv_path.is_empty() && self.drvs_seen.insert(drv_path) {
                        self.show_attrs(set, nesting, tasks);
                    } else {
                        self.empty("repeated", &[]);
                    }
                } else {
                    self.open("attrs", &[]);
                    tasks.push(Task::Close("attrs"));
                    self.show_attrs(set, nesting, tasks);
                }
            }
            Value::List(l) => {
                self.open("list", &[]);
                tasks.push(Task::Close("list"));
                for item in l.0.iter().rev() {
                    tasks.push(Task::Value(item.clone(), pos, nesting + 1));
                }
            }
            Value::Lambda(closure) => {
                let info = &closure.lambda;
                let mut attrs = XmlAttrs::new();
                if self.location {
                    self.pos_attrs(&mut attrs, info.pos);
                }
                self.open("function", &attrs);
                match &info.formals {
                    Some(formals) => {
                        let mut attrs = XmlAttrs::new();
                        if let Some(arg) = info.arg {
                            attrs.push(("name", self.state.name_bytes(arg)));
                        }
                        if formals.ellipsis {
                            attrs.push(("ellipsis", b"1".to_vec()));
                        }
                        self.open("attrspat", &attrs);
                        let mut names: Vec<Vec<u8>> =
                            formals.entries.iter().map(|f| self.state.name_bytes(f.name)).collect();
                        names.sort();
                        for name in names {
                            self.empty("attr", &[("name", name)]);
                        }
                        self.close("attrspat");
                    }
                    None => {
                        let name = info.arg.map(|a| self.state.name_bytes(a)).unwrap_or_default();
                        self.empty("varpat", &[("name", name)]);
                    }
                }
                self.close("function");
            }
            Value::PrimOp(_) | Value::Thunk(_) => self.empty("unevaluated", &[]),
        }
    }

    /// Queues the attributes, in name order.
    fn show_attrs(&mut self, set: &crate::value::Attrs, nesting: usize, tasks: &mut Vec<Task>) {
        let mut items: Vec<(Vec<u8>, &crate::value::Attr)> =
            set.iter().map(|a| (self.state.name_bytes(a.name), a)).collect();
        items.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, attr) in items.into_iter().rev() {
            let mut attrs: XmlAttrs = vec![("name", name)];
            if self.location {
                if let Some(pos) = attr.pos {
                    self.pos_attrs(&mut attrs, pos);
                }
            }
            tasks.push(Task::Close("attr"));
            tasks.push(Task::Value(attr.value.clone(), attr.pos, nesting + 1));
            tasks.push(Task::Open("attr", attrs));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Evaluator;

    fn xml(src: &str) -> String {
        let mut e = Evaluator::new(Default::default());
        let v = e.eval_string(src, "/".as_ref()).unwrap();
        let v = e.force_deep(v).unwrap();
        String::from_utf8(super::print_xml(e.state(), &v, false).unwrap().0).unwrap()
    }

    #[test]
    fn documents() {
        assert_eq!(
            xml("{ a = \"s<&>\\\"\\n\"; b = [ ]; c = x: x; d = { y ? 1, ... }@z: y; }"),
            "<?xml version='1.0' encoding='utf-8'?>\n<expr>\n  <attrs>\n    <attr name=\"a\">\n      \
             <string value=\"s&lt;&amp;&gt;&quot;&#xA;\" />\n    </attr>\n    <attr name=\"b\">\n      <list>\n      \
             </list>\n    </attr>\n    <attr name=\"c\">\n      <function>\n        <varpat name=\"x\" />\n      \
             </function>\n    </attr>\n    <attr name=\"d\">\n      <function>\n        \
             <attrspat ellipsis=\"1\" name=\"z\">\n          <attr name=\"y\" />\n        </attrspat>\n      \
             </function>\n    </attr>\n  </attrs>\n</expr>\n"
        );
        assert_eq!(
            xml("[ 1.5 null true builtins.add ]"),
            "<?xml version='1.0' encoding='utf-8'?>\n<expr>\n  <list>\n    <float value=\"1.5\" />\n    <null />\n    \
             <bool value=\"true\" />\n    <unevaluated />\n  </list>\n</expr>\n"
        );
    }
}
