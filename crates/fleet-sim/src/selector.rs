//! Label and field selectors as list and watch requests carry them, parsed and checked as the API
//! server does: a malformed label selector and a field the type cannot be selected on are both
//! 400 BadRequest with upstream's wording.

use serde_json::Value;

use crate::resource::ResourceType;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Exists,
    DoesNotExist,
    Equals,
    NotEquals,
    In,
    NotIn,
    GreaterThan,
    LessThan,
}

#[derive(Debug, Clone, PartialEq)]
struct Requirement {
    key: String,
    op: Op,
    values: Vec<String>,
}

/// A parsed label selector (`a=b,c!=d,e in (f,g),h,!i,n>3`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelSelector(Vec<Requirement>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Error,
    End,
    ClosedPar,
    Comma,
    DoesNotExist,
    DoubleEquals,
    Equals,
    GreaterThan,
    Identifier,
    In,
    LessThan,
    NotEquals,
    NotIn,
    OpenPar,
}

fn keyword(text: &str) -> Option<Token> {
    Some(match text {
        ")" => Token::ClosedPar,
        "," => Token::Comma,
        "!" => Token::DoesNotExist,
        "==" => Token::DoubleEquals,
        "=" => Token::Equals,
        ">" => Token::GreaterThan,
        "in" => Token::In,
        "<" => Token::LessThan,
        "!=" => Token::NotEquals,
        "notin" => Token::NotIn,
        "(" => Token::OpenPar,
        _ => return None,
    })
}

fn is_special(c: u8) -> bool {
    matches!(c, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

// apimachinery: pkg/labels/selector.go, type Lexer (func Lex, scanIDOrKeyword, scanSpecialSymbol):
// identifiers run until whitespace or a special symbol; special symbols are read greedily as long
// as they still form a known operator.
fn lex(text: &str) -> Vec<(Token, String)> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    let mut out = Vec::new();
    loop {
        while pos < bytes.len() && is_space(bytes[pos]) {
            pos += 1;
        }
        if pos >= bytes.len() {
            out.push((Token::End, String::new()));
            return out;
        }
        if is_special(bytes[pos]) {
            let mut buffer = String::new();
            let mut last: Option<(Token, String)> = None;
            while pos < bytes.len() && is_special(bytes[pos]) {
                buffer.push(bytes[pos] as char);
                match keyword(&buffer) {
                    Some(t) => {
                        last = Some((t, buffer.clone()));
                        pos += 1;
                    }
                    None if last.is_some() => break,
                    None => pos += 1,
                }
            }
            out.push(last.unwrap_or((Token::Error, format!("error expected: keyword found '{buffer}'"))));
        } else {
            let start = pos;
            while pos < bytes.len() && !is_special(bytes[pos]) && !is_space(bytes[pos]) {
                pos += 1;
            }
            let word = String::from_utf8_lossy(&bytes[start..pos]).into_owned();
            out.push((keyword(&word).unwrap_or(Token::Identifier), word));
        }
    }
}

struct Parser {
    items: Vec<(Token, String)>,
    position: usize,
}

impl Parser {
    /// In value context `in` and `notin` are plain identifiers.
    fn lookahead(&self, values: bool) -> (Token, String) {
        let (t, l) = self.items[self.position.min(self.items.len() - 1)].clone();
        (
            if values && matches!(t, Token::In | Token::NotIn) {
                Token::Identifier
            } else {
                t
            },
            l,
        )
    }

    fn consume(&mut self, values: bool) -> (Token, String) {
        let item = self.lookahead(values);
        self.position += 1;
        item
    }

    // apimachinery: pkg/labels/selector.go, func (p *Parser) parse
    fn parse(&mut self) -> Result<Vec<Requirement>, String> {
        let mut reqs = Vec::new();
        loop {
            let (tok, lit) = self.lookahead(true);
            match tok {
                Token::Identifier | Token::DoesNotExist => {
                    let r = self
                        .requirement()
                        .map_err(|e| format!("unable to parse requirement: {e}"))?;
                    reqs.push(r);
                    let (t, l) = self.consume(true);
                    match t {
                        Token::End => return Ok(reqs),
                        Token::Comma => {
                            let (t2, l2) = self.lookahead(true);
                            if t2 != Token::Identifier && t2 != Token::DoesNotExist {
                                return Err(format!("found '{l2}', expected: identifier after ','"));
                            }
                        }
                        _ => return Err(format!("found '{l}', expected: ',' or 'end of string'")),
                    }
                }
                Token::End => return Ok(reqs),
                _ => return Err(format!("found '{lit}', expected: !, identifier, or 'end of string'")),
            }
        }
    }

    // apimachinery: pkg/labels/selector.go, funcs parseRequirement, parseKeyAndInferOperator,
    // parseOperator, parseValues, parseIdentifiersList, parseExactValue
    fn requirement(&mut self) -> Result<Requirement, String> {
        let mut op = None;
        let (mut tok, mut key) = self.consume(true);
        if tok == Token::DoesNotExist {
            op = Some(Op::DoesNotExist);
            (tok, key) = self.consume(true);
        }
        if tok != Token::Identifier {
            return Err(format!("found '{key}', expected: identifier"));
        }
        if let Some(why) = qualified_name_errors(&key) {
            return Err(format!("<nil>: Invalid value: \"{key}\": {why}"));
        }
        let (next, _) = self.lookahead(true);
        if matches!(next, Token::End | Token::Comma) || op.is_some() {
            // `!key` is complete by itself; anything after it is reported by `parse`.
            return new_requirement(key, op.unwrap_or(Op::Exists), Vec::new());
        }
        let (tok, lit) = self.consume(false);
        let op = match tok {
            Token::In => Op::In,
            Token::Equals | Token::DoubleEquals => Op::Equals,
            Token::GreaterThan => Op::GreaterThan,
            Token::LessThan => Op::LessThan,
            Token::NotIn => Op::NotIn,
            Token::NotEquals => Op::NotEquals,
            _ => return Err(format!("found '{lit}', expected: '=', '!=', '==', 'in', notin'")),
        };
        let values = match op {
            Op::In | Op::NotIn => self.values()?,
            _ => {
                let (t, _) = self.lookahead(true);
                if matches!(t, Token::End | Token::Comma) {
                    vec![String::new()]
                } else {
                    let (t, l) = self.consume(true);
                    if t != Token::Identifier {
                        return Err(format!("found '{l}', expected: identifier"));
                    }
                    vec![l]
                }
            }
        };
        new_requirement(key, op, values)
    }

    fn values(&mut self) -> Result<Vec<String>, String> {
        let (tok, lit) = self.consume(true);
        if tok != Token::OpenPar {
            return Err(format!("found '{lit}' expected: '('"));
        }
        let (tok, lit) = self.lookahead(true);
        match tok {
            Token::Identifier | Token::Comma => {
                let mut set: Vec<String> = Vec::new();
                let insert = |set: &mut Vec<String>, v: String| {
                    if !set.contains(&v) {
                        set.push(v);
                    }
                };
                loop {
                    let (t, l) = self.consume(true);
                    match t {
                        Token::Identifier => {
                            insert(&mut set, l);
                            let (t2, l2) = self.lookahead(true);
                            match t2 {
                                Token::Comma => continue,
                                Token::ClosedPar => break,
                                _ => return Err(format!("found '{l2}', expected: ',' or ')'")),
                            }
                        }
                        Token::Comma => {
                            if set.is_empty() {
                                insert(&mut set, String::new());
                            }
                            let (t2, _) = self.lookahead(true);
                            if t2 == Token::ClosedPar {
                                insert(&mut set, String::new());
                                break;
                            }
                            if t2 == Token::Comma {
                                self.consume(true);
                                insert(&mut set, String::new());
                            }
                        }
                        _ => return Err(format!("found '{l}', expected: ',', or identifier")),
                    }
                }
                if self.consume(true).0 != Token::ClosedPar {
                    return Err(format!("found '{lit}', expected: ')'"));
                }
                set.sort();
                Ok(set)
            }
            Token::ClosedPar => {
                self.consume(true);
                Ok(vec![String::new()])
            }
            _ => Err(format!("found '{lit}', expected: ',', ')' or identifier")),
        }
    }
}

// apimachinery: pkg/labels/selector.go, func NewRequirement (value checks, field paths
// `values`, `values[i][key]`; several errors are aggregated as `[a, b]`).
fn new_requirement(key: String, op: Op, values: Vec<String>) -> Result<Requirement, String> {
    let mut errors = Vec::new();
    let shown = format!(
        "[]string{{{}}}",
        values.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(", ")
    );
    match op {
        Op::In | Op::NotIn if values.is_empty() => errors.push(format!(
            "values: Invalid value: {shown}: for 'in', 'notin' operators, values set can't be empty"
        )),
        Op::GreaterThan | Op::LessThan => {
            for (i, v) in values.iter().enumerate() {
                if v.parse::<i64>().is_err() {
                    errors.push(format!(
                        "values[{i}]: Invalid value: \"{v}\": for 'Gt', 'Lt' operators, the value must be an integer"
                    ));
                }
            }
        }
        _ => {}
    }
    for (i, v) in values.iter().enumerate() {
        if let Some(why) = label_value_errors(v) {
            errors.push(format!("values[{i}][{key}]: Invalid value: \"{v}\": {why}"));
        }
    }
    match errors.len() {
        0 => Ok(Requirement { key, op, values }),
        1 => Err(errors.remove(0)),
        _ => Err(format!("[{}]", errors.join(", "))),
    }
}

const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_MSG: &str =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

// apimachinery: pkg/util/validation/validation.go, func RegexError
fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    let shown: Vec<String> = examples.iter().map(|e| format!("'{e}', ")).collect();
    format!(
        "{msg} (e.g. {}regex used for validation is '{fmt}')",
        shown.join(" or ")
    )
}

fn is_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

fn is_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_lowercase() | b[0].is_ascii_digit()
                && (b[b.len() - 1].is_ascii_lowercase() || b[b.len() - 1].is_ascii_digit())
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        })
}

/// apimachinery: pkg/util/validation/validation.go, func IsQualifiedName (errors joined by "; ").
pub fn qualified_name_errors(value: &str) -> Option<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else if prefix.len() > 253 {
                errs.push("prefix part must be no more than 253 characters".to_string());
            } else if !is_dns1123_subdomain(prefix) {
                errs.push(format!(
                    "prefix part {}",
                    regex_error(
                        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
                        DNS1123_SUBDOMAIN_FMT,
                        &["example.com"],
                    )
                ));
            }
            *name
        }
        _ => {
            return Some(format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(
                    QUALIFIED_NAME_MSG,
                    QUALIFIED_NAME_FMT,
                    &["MyName", "my.name", "123-abc"]
                )
            ));
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > 63 {
        errs.push("name part must be no more than 63 characters".to_string());
    }
    if !name.is_empty() && !is_name_part(name) {
        errs.push(format!(
            "name part {}",
            regex_error(
                QUALIFIED_NAME_MSG,
                QUALIFIED_NAME_FMT,
                &["MyName", "my.name", "123-abc"]
            )
        ));
    }
    (!errs.is_empty()).then(|| errs.join("; "))
}

/// apimachinery: pkg/util/validation/validation.go, func IsValidLabelValue.
pub fn label_value_errors(value: &str) -> Option<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !value.is_empty() && !is_name_part(value) {
        errs.push(regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
            "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?",
            &["MyValue", "my_value", "12345"],
        ));
    }
    (!errs.is_empty()).then(|| errs.join("; "))
}

impl LabelSelector {
    /// Parses a selector; the error is the message of the 400 a real server answers.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut parser = Parser {
            items: lex(text),
            position: 0,
        };
        let mut reqs = parser.parse()?;
        reqs.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(LabelSelector(reqs))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    // apimachinery: pkg/labels/selector.go, func (r *Requirement) Matches
    pub fn matches(&self, labels: &serde_json::Map<String, Value>) -> bool {
        let get = |k: &str| labels.get(k).and_then(Value::as_str);
        self.0.iter().all(|r| {
            let got = get(&r.key);
            match r.op {
                Op::Equals | Op::In => got.is_some_and(|x| r.values.iter().any(|s| s == x)),
                Op::NotEquals | Op::NotIn => !got.is_some_and(|x| r.values.iter().any(|s| s == x)),
                Op::Exists => got.is_some(),
                Op::DoesNotExist => got.is_none(),
                Op::GreaterThan | Op::LessThan => {
                    let (Some(have), Some(want)) = (
                        got.and_then(|g| g.parse::<i64>().ok()),
                        r.values.first().and_then(|v| v.parse::<i64>().ok()),
                    ) else {
                        return false;
                    };
                    if r.op == Op::GreaterThan {
                        have > want
                    } else {
                        have < want
                    }
                }
            }
        })
    }
}

/// One `field=value` / `field!=value` term; `pointer` is where the value lives in the stored
/// object once the type accepted the field.
#[derive(Debug, Clone, PartialEq)]
struct FieldTerm {
    field: String,
    equal: bool,
    value: String,
    pointer: String,
}

/// A field selector. `parse` only splits it; `for_type` checks each field against what the type
/// supports, which is when a real server rejects unknown fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldSelector(Vec<FieldTerm>);

// apimachinery: pkg/fields/selector.go, funcs splitTerms / splitTerm / UnescapeValue: terms are
// separated by unescaped commas, the first unescaped `!=`, `==` or `=` splits a term.
fn split_unescaped(text: &str, sep: char) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            current.push(c);
            escaped = false;
        } else if c == '\\' {
            current.push(c);
            escaped = true;
        } else if c == sep {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    parts.push(current);
    parts
}

fn split_term(term: &str) -> Option<(String, bool, String)> {
    let bytes = term.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        for (op, equal) in [("!=", false), ("==", true), ("=", true)] {
            if term[i..].starts_with(op) {
                return Some((term[..i].to_string(), equal, term[i + op.len()..].to_string()));
            }
        }
        i += 1;
    }
    None
}

fn unescape(value: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('\\' | ',' | '=')) => out.push(e),
                _ => return Err(format!("invalid field selector: invalid escape sequence: {value}")),
            },
            ',' | '=' => return Err(format!("invalid field selector: unescaped character: {value}")),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// How a built-in type converts field labels (`runtime.Scheme.ConvertFieldLabel`): the fields it
/// accepts, mapped to where the value is in the stored object; `None` for types with no
/// conversion registered, which accept only `metadata.name` and `metadata.namespace`.
fn builtin_fields(group: &str, plural: &str) -> Option<&'static [(&'static str, &'static str)]> {
    // kubernetes: pkg/apis/core/v1/conversion.go, func AddFieldLabelConversionsForEvent (shared by
    // pkg/apis/events/v1/conversion.go; evaluated on the stored core Event, see registry/core/event
    // strategy.go, func ToSelectableFields).
    const EVENT: &[(&str, &str)] = &[
        ("involvedObject.kind", "/involvedObject/kind"),
        ("involvedObject.namespace", "/involvedObject/namespace"),
        ("involvedObject.name", "/involvedObject/name"),
        ("involvedObject.uid", "/involvedObject/uid"),
        ("involvedObject.apiVersion", "/involvedObject/apiVersion"),
        ("involvedObject.resourceVersion", "/involvedObject/resourceVersion"),
        ("involvedObject.fieldPath", "/involvedObject/fieldPath"),
        ("reason", "/reason"),
        ("reportingComponent", "/reportingComponent"),
        ("source", "/source/component"),
        ("type", "/type"),
        ("metadata.namespace", "/metadata/namespace"),
        ("metadata.name", "/metadata/name"),
    ];
    Some(match (group, plural) {
        ("", "events") | ("events.k8s.io", "events") => EVENT,
        // kubernetes: pkg/apis/core/v1/conversion.go, func addConversionFuncs (Pod)
        ("", "pods") => &[
            ("metadata.name", "/metadata/name"),
            ("metadata.namespace", "/metadata/namespace"),
            ("spec.nodeName", "/spec/nodeName"),
            ("spec.restartPolicy", "/spec/restartPolicy"),
            ("spec.schedulerName", "/spec/schedulerName"),
            ("spec.serviceAccountName", "/spec/serviceAccountName"),
            ("spec.hostNetwork", "/spec/hostNetwork"),
            ("status.phase", "/status/phase"),
            ("status.podIP", "/status/podIP"),
            ("status.podIPs", "/status/podIP"),
            ("status.nominatedNodeName", "/status/nominatedNodeName"),
            // Old v1 clients send spec.host.
            ("spec.host", "/spec/nodeName"),
        ],
        // kubernetes: pkg/apis/core/v1/conversion.go, AddFieldLabelConversionsForNamespace
        ("", "namespaces") => &[("status.phase", "/status/phase"), ("metadata.name", "/metadata/name")],
        // ... AddFieldLabelConversionsForSecret
        ("", "secrets") => &[
            ("type", "/type"),
            ("metadata.namespace", "/metadata/namespace"),
            ("metadata.name", "/metadata/name"),
        ],
        // ... AddFieldLabelConversionsForService
        ("", "services") => &[
            ("metadata.namespace", "/metadata/namespace"),
            ("metadata.name", "/metadata/name"),
            ("spec.clusterIP", "/spec/clusterIP"),
            ("spec.type", "/spec/type"),
        ],
        ("", "nodes") => &[
            ("metadata.name", "/metadata/name"),
            ("spec.unschedulable", "/spec/unschedulable"),
        ],
        ("", "replicationcontrollers") => &[
            ("metadata.name", "/metadata/name"),
            ("metadata.namespace", "/metadata/namespace"),
            ("status.replicas", "/status/replicas"),
        ],
        // kubernetes: pkg/apis/apps/v1/conversion.go, func addConversionFuncs
        ("apps", "replicasets") => &[
            ("metadata.name", "/metadata/name"),
            ("metadata.namespace", "/metadata/namespace"),
            ("status.replicas", "/status/replicas"),
        ],
        ("apps", "statefulsets") => &[
            ("metadata.name", "/metadata/name"),
            ("metadata.namespace", "/metadata/namespace"),
            ("status.successful", "/status/successful"),
        ],
        // kubernetes: pkg/apis/batch/v1/conversion.go, func addConversionFuncs
        ("batch", "jobs") => &[
            ("metadata.name", "/metadata/name"),
            ("metadata.namespace", "/metadata/namespace"),
            ("status.successful", "/status/succeeded"),
        ],
        _ => return None,
    })
}

fn dotted_pointer(field: &str) -> String {
    format!("/{}", field.replace('.', "/"))
}

impl FieldSelector {
    /// Splits a selector (`invalid selector` on a term without an operator).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut terms = Vec::new();
        if text.is_empty() {
            return Ok(FieldSelector(terms));
        }
        for term in split_unescaped(text, ',') {
            if term.is_empty() {
                continue;
            }
            let Some((field, equal, value)) = split_term(&term) else {
                return Err(format!("invalid selector: '{text}'; can't understand '{term}'"));
            };
            terms.push(FieldTerm {
                pointer: dotted_pointer(&field),
                value: unescape(&value)?,
                field,
                equal,
            });
        }
        Ok(FieldSelector(terms))
    }

    /// Checks every field against those the type supports and maps each to where its value
    /// lives; `selectable` are a CRD version's `selectableFields` (their JSONPaths).
    ///
    /// kube-apiserver: staging/src/k8s.io/apiserver/pkg/endpoints/handlers/get.go, func
    /// ListResource (`opts.FieldSelector.Transform(ConvertFieldLabel)` → BadRequest).
    pub fn for_type(mut self, t: &ResourceType, selectable: &[String]) -> Result<Self, String> {
        for term in &mut self.0 {
            let field = term.field.as_str();
            term.pointer = if t.custom {
                // apiextensions-apiserver: pkg/apiserver/conversion/converter.go, func
                // (*crConverter) ConvertFieldLabel
                let declared = selectable.iter().any(|p| p.trim_start_matches('.') == field);
                if field == "metadata.name" || (t.namespaced && field == "metadata.namespace") || declared {
                    dotted_pointer(field)
                } else {
                    return Err(format!("field label not supported: {field}"));
                }
            } else {
                match builtin_fields(&t.group, &t.plural) {
                    Some(fields) => match fields.iter().find(|(name, _)| *name == field) {
                        Some((_, pointer)) => pointer.to_string(),
                        None => return Err(format!("field label not supported: {field}")),
                    },
                    // apimachinery: pkg/runtime/conversion.go, func DefaultMetaV1FieldSelectorConversion
                    None if field == "metadata.name" || field == "metadata.namespace" => dotted_pointer(field),
                    None => {
                        return Err(format!(
                            "\"{field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
                        ));
                    }
                }
            };
        }
        Ok(self)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn matches(&self, obj: &Value) -> bool {
        self.0.iter().all(|term| {
            let got = match obj.pointer(&term.pointer) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None if term.pointer == "/spec/hostNetwork" => "false".to_string(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            (got == term.value) == term.equal
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::ResourceType;
    use serde_json::json;

    #[test]
    fn label_selectors() {
        let labels = json!({"app": "web", "tier": "front", "n": "5"})
            .as_object()
            .cloned()
            .unwrap();
        for (sel, want) in [
            ("app=web", true),
            ("app==web,tier=front", true),
            ("app!=web", false),
            ("missing!=x", true),
            ("tier in (front, back)", true),
            ("tier notin (front)", false),
            ("app", true),
            ("!app", false),
            ("missing", false),
            ("n>3", true),
            ("n<3", false),
            ("", true),
        ] {
            assert_eq!(LabelSelector::parse(sel).unwrap().matches(&labels), want, "{sel}");
        }
    }

    #[test]
    fn malformed_label_selectors_fail_as_upstream() {
        let err = LabelSelector::parse("app:monolith").unwrap_err();
        assert!(
            err.starts_with("unable to parse requirement: <nil>: Invalid value: \"app:monolith\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
            "{err}"
        );
        assert_eq!(
            LabelSelector::parse("a=b=c").unwrap_err(),
            "found '=', expected: ',' or 'end of string'"
        );
        assert_eq!(
            LabelSelector::parse("a=x 1").unwrap_err(),
            "found '1', expected: ',' or 'end of string'"
        );
        assert!(
            LabelSelector::parse("app=demo-{x}")
                .unwrap_err()
                .starts_with("unable to parse requirement: values[0][app]: Invalid value: \"demo-{x}\": a valid label")
        );
        assert!(
            LabelSelector::parse("a in b")
                .unwrap_err()
                .contains("found 'b' expected: '('")
        );
        assert_eq!(
            LabelSelector::parse("env>qa").unwrap_err(),
            "unable to parse requirement: values[0]: Invalid value: \"qa\": for 'Gt', 'Lt' operators, the value must be an integer"
        );
        assert_eq!(
            LabelSelector::parse("a,").unwrap_err(),
            "found '', expected: identifier after ','"
        );
    }

    #[test]
    fn field_selectors() {
        let obj = json!({"metadata": {"name": "a", "namespace": "n"}});
        let cm = ResourceType::builtin("", "v1", "configmaps", "ConfigMap", true);
        let check = |s: &str| FieldSelector::parse(s).unwrap().for_type(&cm, &[]).unwrap();
        assert!(check("metadata.name=a").matches(&obj));
        assert!(!check("metadata.name=b").matches(&obj));
        assert!(check("metadata.namespace!=x").matches(&obj));
        assert_eq!(
            FieldSelector::parse("bogus").unwrap_err(),
            "invalid selector: 'bogus'; can't understand 'bogus'"
        );
    }

    #[test]
    fn fields_each_type_supports() {
        let pod = ResourceType::builtin("", "v1", "pods", "Pod", true);
        let deploy = ResourceType::builtin("apps", "v1", "deployments", "Deployment", true);
        let mut canary = ResourceType::builtin("flagger.app", "v1beta1", "canaries", "Canary", true);
        canary.custom = true;
        let sel = |s: &str| FieldSelector::parse(s).unwrap();
        assert!(sel("spec.nodeName=n1,status.phase=Running").for_type(&pod, &[]).is_ok());
        assert_eq!(
            sel("spec.foo=x").for_type(&pod, &[]).unwrap_err(),
            "field label not supported: spec.foo"
        );
        assert_eq!(
            sel("spec.replicas=1").for_type(&deploy, &[]).unwrap_err(),
            "\"spec.replicas\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
        );
        assert_eq!(
            sel("spec.provider=istio").for_type(&canary, &[]).unwrap_err(),
            "field label not supported: spec.provider"
        );
        let declared = sel("spec.provider=istio")
            .for_type(&canary, &[".spec.provider".to_string()])
            .unwrap();
        assert!(declared.matches(&json!({"spec": {"provider": "istio"}})));
        let event = ResourceType::builtin("", "v1", "events", "Event", true);
        let source = sel("source=flagger").for_type(&event, &[]).unwrap();
        assert!(source.matches(&json!({"source": {"component": "flagger"}})));
    }
}
