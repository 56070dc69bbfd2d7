//! One recipe per fixable rule: given the file's text and a finding, the edits that fix it. A
//! recipe replaces text on the finding's own lines or inserts whole new lines (it never
//! re-serialises a document, so comments and formatting survive; the engine refuses anything
//! else, see [`super::bounded`]) and returns `None` when the situation is not one it is sure
//! about.

use super::text;
use crate::edit::Edit;
use crate::finding::Finding;
use crate::source::FileKind;
use crate::yaml::{self, Node};

/// The rules that have a recipe. Must match the rules whose TOML says `autofix` is not `none`.
pub const RULES: &[&str] = &[
    "actions/default-permissions",
    "actions/persist-credentials",
    "actions/template-injection",
    "code/tls-verify-disabled",
    "code/unsafe-deserialization",
    "compose/database-port-public",
    "docker/run-as-root",
    "k8s/allow-privilege-escalation",
    "k8s/privileged",
    "repo/gitignore-missing-env",
];

/// For fixes that edit a fixed file rather than the reported one (whole-tree rules), that file.
pub fn target_file(rule: &str) -> Option<&'static str> {
    match rule {
        "repo/gitignore-missing-env" => Some(".gitignore"),
        _ => None,
    }
}

/// The user id the Dockerfile fix switches to: high, unused by distributions, not 65534.
const CONTAINER_UID: &str = "10001";

/// Why the fix works, shown beside the diff.
pub fn rationale(rule: &str) -> &'static str {
    match rule {
        "actions/default-permissions" => {
            "An explicit `permissions: contents: read` makes every job's GITHUB_TOKEN read-only unless a job asks for more, so a compromised step cannot push code or publish releases."
        }
        "actions/persist-credentials" => {
            "With `persist-credentials: false`, checkout does not leave the token in .git/config, so later steps (and anything they download) cannot reuse it."
        }
        "actions/template-injection" => {
            "The expression now reaches the script as an environment variable: the shell treats its value as data, never as code, whatever the attacker typed."
        }
        "code/tls-verify-disabled" => {
            "`verify=True` restores certificate checking, so a machine in the middle can no longer read or change the traffic. If the server uses a private CA, pass its bundle path instead."
        }
        "code/unsafe-deserialization" => {
            "`yaml.safe_load` builds only plain data (dicts, lists, strings, numbers); it cannot construct arbitrary Python objects, so a crafted document cannot run code."
        }
        "compose/database-port-public" => {
            "Binding to 127.0.0.1 keeps the port reachable from this machine (and from other containers on the network) but not from the rest of the network."
        }
        "docker/run-as-root" => {
            "`USER 10001` makes the container's processes run as an unprivileged user, so a bug in the app gives an attacker much less to work with. Check that the app does not write to root-owned paths or bind a port below 1024: stock nginx does both, and its unprivileged variant (`nginxinc/nginx-unprivileged`, port 8080) is the image to use there."
        }
        "k8s/allow-privilege-escalation" => {
            "`allowPrivilegeEscalation: false` sets no_new_privs, so setuid binaries and file capabilities cannot raise a process's privileges inside the container."
        }
        "k8s/privileged" => {
            "A non-privileged container no longer has every capability and access to all host devices; escaping to the node becomes far harder."
        }
        "repo/gitignore-missing-env" => {
            "Ignoring `.env` files keeps local secrets out of `git add .`; `.env.example` stays tracked so others know which variables to set. It does not untrack a `.env` that is already committed: `git rm --cached` does, and its values must be rotated (git history keeps them)."
        }
        _ => "",
    }
}

/// The edits of the recipe for `finding` in `text`, if one applies.
pub fn apply(kind: FileKind, text: &str, finding: &Finding) -> Option<Vec<Edit>> {
    match finding.rule.as_str() {
        "actions/default-permissions" => default_permissions(text).map(|e| vec![e]),
        "actions/persist-credentials" => persist_credentials(text, finding).map(|e| vec![e]),
        "actions/template-injection" => template_injection(text, finding),
        "code/tls-verify-disabled" if kind == FileKind::Python => {
            verify_true(text, finding).map(|e| vec![e])
        }
        "code/unsafe-deserialization" if kind == FileKind::Python => {
            yaml_safe_load(text, finding).map(|e| vec![e])
        }
        "compose/database-port-public" => bind_localhost(text, finding).map(|e| vec![e]),
        "docker/run-as-root" => docker_user(text, finding).map(|e| vec![e]),
        "k8s/privileged" => {
            value_after_key(text, finding, "privileged", "true", "false").map(|e| vec![e])
        }
        "k8s/allow-privilege-escalation" => {
            allow_privilege_escalation(text, finding).map(|e| vec![e])
        }
        "repo/gitignore-missing-env" => Some(vec![gitignore_env(text)]),
        _ => None,
    }
}

/// Byte offset in `text` of 1-based character `column` of 1-based `line` (its end if shorter).
fn column_offset(text: &str, line: u32, column: u32) -> Option<usize> {
    let range = text::line_range(text, line)?;
    let body = &text[range.clone()];
    Some(
        range.start
            + body
                .char_indices()
                .nth(column.saturating_sub(1) as usize)
                .map_or(body.len(), |(i, _)| i),
    )
}

/// On the finding's line, from its column: the first `from` after `key` (or after the column
/// when the finding points past the key) becomes `to`.
fn value_after_key(text: &str, finding: &Finding, key: &str, from: &str, to: &str) -> Option<Edit> {
    let range = text::line_range(text, finding.line)?;
    let start = column_offset(text, finding.line, finding.column)?;
    let after = match text[start..range.end].find(key) {
        Some(at) => start + at + key.len(),
        None => start,
    };
    let at = after + text[after..range.end].find(from)?;
    Some(Edit::replace(at..at + from.len(), to))
}

/// `verify=False` (requests, httpx) or `verify_ssl=False` (older aiohttp) at the finding's own
/// columns becomes `…=True`: the argument keeps its name, and nothing else on the line moves.
fn verify_true(text: &str, finding: &Finding) -> Option<Edit> {
    let range = text::line_range(text, finding.line)?;
    let line = &text[range.clone()];
    let span = text::char_span(line, finding.column, finding.end_column)?;
    let found = &line[span.clone()];
    let (name, value) = found.split_once('=')?;
    let name = name.trim_end();
    if !matches!(name, "verify" | "verify_ssl") || value.trim() != "False" {
        return None;
    }
    let value_at = range.start + span.start + found.len() - value.trim_start().len();
    Some(Edit::replace(value_at..value_at + "False".len(), "True"))
}

fn documents(text: &str) -> Vec<Node> {
    yaml::parse_str(text).unwrap_or_default()
}

/// The smallest mapping that contains `offset` and has every key in `keys`.
fn enclosing_map<'a>(docs: &'a [Node], offset: usize, keys: &[&str]) -> Option<&'a Node> {
    docs.iter()
        .flat_map(|d| d.descendants())
        .filter(|n| n.is_map() && keys.iter().all(|k| n.get(k).is_some()))
        .filter(|n| {
            let s = n.span();
            s.start <= offset && offset < s.end.max(s.start + 1)
        })
        .min_by_key(|n| n.span().end - n.span().start)
}

/// True for a `{ … }` or `[ … ]` collection: its entries cannot take new lines of their own.
fn is_flow(text: &str, node: &Node) -> bool {
    text.get(node.span().start..)
        .is_some_and(|rest| rest.starts_with('{') || rest.starts_with('['))
}

/// Column (0-based, in bytes of leading spaces) of a key node.
fn key_column(text: &str, key: &Node) -> usize {
    let line = text::line(text, key.line()).unwrap_or("");
    (key.span().column as usize)
        .saturating_sub(1)
        .min(line.len())
}

/// Offset of the first character of a line's content, past indentation and `- ` list markers,
/// so that it falls inside the mapping that the line belongs to.
fn content_offset(text: &str, line: u32) -> Option<usize> {
    let range = text::line_range(text, line)?;
    let body = &text[range.clone()];
    let mut skip = body.len() - body.trim_start().len();
    while body[skip..].starts_with("- ") {
        skip += 2;
        skip += body[skip..].len() - body[skip..].trim_start().len();
    }
    Some(range.start + skip)
}

fn default_permissions(text: &str) -> Option<Edit> {
    let docs = documents(text);
    let doc = docs.first()?;
    if doc.get("permissions").is_some() {
        return None;
    }
    let jobs = doc.key_node("jobs")?;
    let unit = " ".repeat(text::indent_unit(text));
    Some(text::insert_before(
        text,
        jobs.line(),
        &[
            "permissions:".into(),
            format!("{unit}contents: read"),
            String::new(),
        ],
    ))
}

fn persist_credentials(text: &str, finding: &Finding) -> Option<Edit> {
    let docs = documents(text);
    let offset = content_offset(text, finding.line)?;
    let step = enclosing_map(&docs, offset, &["uses"])?;
    if !step.get("uses")?.as_str()?.starts_with("actions/checkout") {
        return None;
    }
    let unit = text::indent_unit(text);
    match step.entry("with") {
        Some((_, map @ Node::Map { entries, .. }))
            if !entries.is_empty() && !is_flow(text, map) =>
        {
            let first = &entries[0].0;
            if let Some((_, value)) = entries
                .iter()
                .find(|(k, _)| k.as_str() == Some("persist-credentials"))
            {
                // Its value becomes `false`; the key, its comment and its quoting stay.
                let span = value.span();
                if !matches!(value, Node::Scalar { .. }) || span.end <= span.start {
                    return None;
                }
                return Some(Edit::replace(span.range(), "false"));
            }
            let col = key_column(text, first);
            Some(text::insert_before(
                text,
                first.line(),
                &[format!("{}persist-credentials: false", " ".repeat(col))],
            ))
        }
        Some(_) => None,
        None => {
            let uses = step.key_node("uses")?;
            let col = key_column(text, uses);
            let value_line = step.get("uses")?.line();
            Some(text::insert_after(
                text,
                value_line,
                &[
                    format!("{}with:", " ".repeat(col)),
                    format!("{}persist-credentials: false", " ".repeat(col + unit)),
                ],
            ))
        }
    }
}

/// `github.event.issue.title` → `ISSUE_TITLE`.
fn env_name(expression: &str) -> String {
    let parts: Vec<&str> = expression
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|p| !p.is_empty() && *p != "github" && *p != "event" && *p != "0" && *p != "*")
        .collect();
    let tail = &parts[parts.len().saturating_sub(2)..];
    let name = tail.join("_").to_ascii_uppercase().replace('-', "_");
    if name.is_empty() {
        "UNTRUSTED_INPUT".into()
    } else {
        name
    }
}

fn template_injection(text: &str, finding: &Finding) -> Option<Vec<Edit>> {
    // The expression the finding points at.
    let line = text::line(text, finding.line)?;
    let column = line
        .char_indices()
        .nth(finding.column.saturating_sub(1) as usize)
        .map_or(line.len(), |(i, _)| i);
    // The finding may point at `${{` or inside the expression.
    let start = line[..(column + 3).min(line.len())]
        .rfind("${{")
        .or_else(|| line.find("${{"))?;
    let rest = &line[start..];
    let end = rest.find("}}")? + 2;
    let expression_text = &rest[..end];
    let inner = expression_text
        .trim_start_matches("${{")
        .trim_end_matches("}}")
        .trim();
    if !inner
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-[]*'\"".contains(c))
    {
        return None; // a function call or operator: too clever to move mechanically
    }
    let docs = documents(text);
    let offset = text::offset_of_line(text, finding.line)? + start;
    let step = enclosing_map(&docs, offset, &["run"])
        .map(|s| (s, "run"))
        .or_else(|| enclosing_map(&docs, offset, &["uses", "with"]).map(|s| (s, "with")))?;
    let (step, body_key) = step;
    let name = env_name(inner);
    let body = step.get(body_key)?.span();
    let is_script = body_key == "with";
    // Every occurrence of the same expression on the finding's own lines (the others are
    // findings of their own, fixed in turn).
    let lines_start = text::offset_of_line(text, finding.line)?;
    let lines_end = text::line_range(text, finding.end_line.max(finding.line))?.end;
    let region = body.start.max(lines_start)..body.end.min(lines_end).min(text.len());
    let mut edits = Vec::new();
    let mut cursor = region.start;
    while let Some(found) = text.get(cursor..region.end)?.find(expression_text) {
        let at = cursor + found;
        let before_on_line = &text[text[..at].rfind('\n').map_or(0, |i| i + 1)..at];
        let quoted = before_on_line.matches('"').count() % 2 == 1;
        let replacement = if is_script {
            format!("process.env.{name}")
        } else if quoted {
            format!("${{{name}}}")
        } else {
            format!("\"${{{name}}}\"")
        };
        edits.push(Edit::replace(at..at + expression_text.len(), replacement));
        cursor = at + expression_text.len();
    }
    if edits.is_empty() {
        return None;
    }
    // Declare the variable on the step.
    let unit = text::indent_unit(text);
    let entry = format!("{name}: {expression_text}");
    match step.entry("env") {
        Some((_, map @ Node::Map { entries, .. }))
            if !entries.is_empty() && !is_flow(text, map) =>
        {
            if let Some((_, value)) = entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(name.as_str()))
            {
                // Declared already: by this fix on another line, or by hand for the same value.
                let same = value.as_str().map(str::trim) == Some(expression_text);
                return same.then_some(edits);
            }
            let first = &entries[0].0;
            let col = key_column(text, first);
            edits.push(text::insert_before(
                text,
                first.line(),
                &[format!("{}{entry}", " ".repeat(col))],
            ));
        }
        Some(_) => return None,
        None => {
            let key = step.key_node(body_key)?;
            let col = key_column(text, key);
            let declaration = [
                format!("{}env:", " ".repeat(col)),
                format!("{}{entry}", " ".repeat(col + unit)),
            ];
            // Before the key when it starts its own line; after the step for `- run: …` on the
            // list item's line.
            let own_line =
                text::line(text, key.line()).is_some_and(|l| l.trim_start().starts_with(body_key));
            edits.push(if own_line {
                text::insert_before(text, key.line(), &declaration)
            } else {
                let last = text::line_count(text).min(step.span().end_line_hint(text));
                text::insert_after(text, last, &declaration)
            });
        }
    }
    Some(edits)
}

fn yaml_safe_load(text: &str, finding: &Finding) -> Option<Edit> {
    let line_start = text::offset_of_line(text, finding.line)?;
    let line = text::line(text, finding.line)?;
    // The call at the finding's column (a line may hold two).
    let from = column_offset(text, finding.line, finding.column)? - line_start;
    let at = line[from..]
        .find("yaml.load(")
        .map(|i| from + i)
        .or_else(|| line[..from].rfind("yaml.load("))?;
    let args_start = at + "yaml.load(".len();
    let close = line[args_start..].find(')')? + args_start;
    let args = &line[args_start..close];
    let mut parts = args.split(',').map(str::trim);
    let data = parts.next().filter(|d| !d.is_empty())?;
    match parts.next() {
        None => {}
        Some(loader) if loader.starts_with("Loader") => {
            let value = loader.split('=').nth(1)?.trim();
            let value = value.trim_start_matches("yaml.");
            if !matches!(value, "Loader" | "FullLoader" | "UnsafeLoader") {
                return None;
            }
        }
        Some(_) => return None,
    }
    if parts.next().is_some() {
        return None;
    }
    Some(Edit::replace(
        line_start + at..line_start + close + 1,
        format!("yaml.safe_load({data})"),
    ))
}

fn bind_localhost(text: &str, finding: &Finding) -> Option<Edit> {
    let line = text::line(text, finding.line)?;
    if line.contains("0.0.0.0:") {
        return text::replace_in_line(text, finding.line, 1, "0.0.0.0:", "127.0.0.1:");
    }
    if let Some(at) = line.find("host_ip") {
        let range = text::line_range(text, finding.line)?;
        return Some(Edit::replace(
            range.start + at..range.end,
            "host_ip: 127.0.0.1",
        ));
    }
    if line.trim_start().starts_with("published") || line.trim_start().starts_with("- published") {
        let col = line.find("published")?;
        return Some(text::insert_after(
            text,
            finding.line,
            &[format!("{}host_ip: 127.0.0.1", " ".repeat(col))],
        ));
    }
    // Short syntax: `- "5432:5432"`, `- 5432:5432`, `ports: ["5432:5432"]`, `- "9200"`.
    let digit = line.find(|c: char| c.is_ascii_digit())?;
    let head = &line[..digit];
    if !(head.ends_with('"')
        || head.ends_with('\'')
        || head.ends_with(' ')
        || head.ends_with('[')
        || head.ends_with('-'))
    {
        return None;
    }
    let mapping: String = line[digit..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ':' || *c == '-' || *c == '/')
        .collect();
    // `HOST:CONTAINER` gains an address; a bare container port also needs the empty host port
    // (`127.0.0.1::9200`), which Docker reads as "any free port on 127.0.0.1".
    let prefix = if mapping.contains(':') {
        "127.0.0.1:"
    } else {
        "127.0.0.1::"
    };
    let at = text::offset_of_line(text, finding.line)? + digit;
    Some(Edit::insert(at, prefix))
}

fn docker_user(text: &str, finding: &Finding) -> Option<Edit> {
    let line = text::line(text, finding.line)?;
    let trimmed = line.trim_start();
    if trimmed.len() >= 4 && trimmed[..4].eq_ignore_ascii_case("USER") {
        // The user (and group) the finding points at becomes the unprivileged id.
        let range = text::line_range(text, finding.line)?;
        let at = column_offset(text, finding.line, finding.column)?;
        let value_at = range.start + text::indent(line).len() + 4;
        let at = if at > value_at {
            at
        } else {
            value_at + text[value_at..range.end].len()
                - text[value_at..range.end].trim_start().len()
        };
        let end = text[at..range.end]
            .find([' ', '\t'])
            .map_or(range.end, |i| at + i);
        return (end > at).then(|| Edit::replace(at..end, CONTAINER_UID));
    }
    // No USER in the final stage: switch user before the first CMD/ENTRYPOINT of that stage.
    let total = text::line_count(text);
    let is = |n: u32, word: &str| {
        text::line(text, n).is_some_and(|l| {
            let t = l.trim_start();
            t.len() > word.len()
                && t[..word.len()].eq_ignore_ascii_case(word)
                && t[word.len()..].starts_with([' ', '\t', '['])
        })
    };
    let final_from = (1..=total).rev().find(|&n| is(n, "FROM"))?;
    let target = (final_from + 1..=total).find(|&n| is(n, "CMD") || is(n, "ENTRYPOINT"));
    let user = format!("USER {CONTAINER_UID}");
    Some(match target {
        Some(n) => text::insert_before(text, n, &[user]),
        None => text::insert_before(text, total + 1, &[user]),
    })
}

fn allow_privilege_escalation(text: &str, finding: &Finding) -> Option<Edit> {
    let line = text::line(text, finding.line)?;
    if line.contains("allowPrivilegeEscalation") {
        let at = line.find("allowPrivilegeEscalation")?;
        let column = line[..at].chars().count() as u32 + 1;
        let key = Finding {
            column,
            ..finding.clone()
        };
        return value_after_key(text, &key, "allowPrivilegeEscalation", "true", "false");
    }
    let docs = documents(text);
    let offset = content_offset(text, finding.line)?;
    let container = enclosing_map(&docs, offset, &["image"])?;
    // Kubernetes rejects `allowPrivilegeEscalation: false` beside `privileged: true`: the
    // privileged fix has to come first.
    if container
        .get_path(&["securityContext", "privileged"])
        .and_then(Node::as_bool)
        == Some(true)
    {
        return None;
    }
    let unit = text::indent_unit(text);
    match container.entry("securityContext") {
        Some((_, map @ Node::Map { entries, .. }))
            if !entries.is_empty() && !is_flow(text, map) =>
        {
            let first = &entries[0].0;
            let col = key_column(text, first);
            Some(text::insert_before(
                text,
                first.line(),
                &[format!(
                    "{}allowPrivilegeEscalation: false",
                    " ".repeat(col)
                )],
            ))
        }
        Some(_) => None,
        None => {
            let image = container.key_node("image")?;
            let col = key_column(text, image);
            let value_line = container.get("image")?.line();
            Some(text::insert_after(
                text,
                value_line,
                &[
                    format!("{}securityContext:", " ".repeat(col)),
                    format!("{}allowPrivilegeEscalation: false", " ".repeat(col + unit)),
                ],
            ))
        }
    }
}

fn gitignore_env(text: &str) -> Edit {
    let nl = text::newline(text);
    let mut out = String::new();
    if !text.is_empty() && !text::ends_with_break(text) {
        out.push_str(nl);
    }
    if !text.is_empty() {
        out.push_str(nl);
    }
    for line in [
        "# Local environment files hold secrets: never commit them.",
        ".env",
        ".env.*",
        "!.env.example",
    ] {
        out.push_str(line);
        out.push_str(nl);
    }
    Edit::insert(text.len(), out)
}

trait SpanEnd {
    fn end_line_hint(&self, text: &str) -> u32;
}

impl SpanEnd for yaml::Span {
    /// The last line the span covers.
    fn end_line_hint(&self, text: &str) -> u32 {
        let end = self.end.min(text.len());
        let upto = text[..end].trim_end();
        text::line_count(upto).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_come_from_the_expression() {
        assert_eq!(env_name("github.event.issue.title"), "ISSUE_TITLE");
        assert_eq!(env_name("github.head_ref"), "HEAD_REF");
        assert_eq!(
            env_name("github.event.pull_request.body"),
            "PULL_REQUEST_BODY"
        );
    }
}
