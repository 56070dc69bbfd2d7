//! Secrets whose format a regex alone cannot confirm.
//!
//! - `secrets/jwt`: a JSON Web Token is three base64url parts, but so are many harmless strings.
//!   What makes it a token is a header that decodes to a JSON object naming an `alg`. A regex can
//!   only enumerate a few encodings of that header (`{"alg"` is `eyJhbGci`, `{"typ":"JWT","alg"`
//!   is `eyJ0eXAiOiJKV1QiLCJhbGci`), and misses every header that starts with another member,
//!   such as AWS Cognito's `{"kid":…,"alg":…}`. So the header is decoded and parsed here.
//! - `secrets/gcp-service-account`: a `private_key` member is a service-account key only when the
//!   same document says `"type": "service_account"`, and the two may come in either order, which
//!   one regex with a single value group cannot express. The finding is reported at the key.
//!
//! Every other secret format is a declarative regex rule in `checks/secrets/`.

use super::Hit;
use crate::source::Source;
use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use regex::bytes::Regex;
use std::sync::LazyLock;

/// Most findings of one rule reported per file; past that the file is generated data.
const MAX_HITS: usize = 200;
/// Longest header we decode (real headers are well under 1 KiB, even with an `x5c` chain).
const MAX_HEADER: usize = 8 * 1024;
/// Longest payload we decode.
const MAX_PAYLOAD: usize = 64 * 1024;
/// Shortest signature: an HMAC-SHA256 signature is 43 characters; unsigned tokens grant nothing.
const MIN_SIGNATURE: usize = 16;
/// How far a `private_key` may be from the `"type": "service_account"` marker (a key file is
/// about 2.3 KiB).
const MAX_MARKER_DISTANCE: usize = 16 * 1024;
/// Longest `private_key` string value considered.
const MAX_KEY_VALUE: usize = 16 * 1024;

/// base64url, with or without padding.
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Three base64url parts whose first starts like the encoding of `{"`, `{ `, `{\n`, `{\r`, `{\t`.
static JWT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:eyJ|eyA|ewo|ew0|ewk)[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
        .expect("JWT pattern compiles")
});

/// `"type": "service_account"`, with either quote, as JSON, a Python dict or a JS object has it.
static SERVICE_ACCOUNT_TYPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["']type["']\s*:\s*["']service_account["']"#)
        .expect("service account pattern compiles")
});

/// `"private_key": "…"` (group 1) or `'private_key': '…'` (group 2), escapes honoured.
static PRIVATE_KEY_MEMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["']private_key["']\s*:\s*(?:"((?:[^"\\\r\n]|\\.)*)"|'((?:[^'\\\r\n]|\\.)*)')"#)
        .expect("private key pattern compiles")
});

/// PEM key material: a run of base64 that a placeholder such as `...` does not have.
static KEY_MATERIAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9+/=]{40}").expect("key material pattern compiles"));

pub fn check(src: &Source, out: &mut Vec<Hit>) {
    jwts(src.bytes, out);
    service_account_keys(src.bytes, out);
}

fn is_base64url(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
}

fn jwts(bytes: &[u8], out: &mut Vec<Hit>) {
    let mut found = 0;
    for m in JWT.find_iter(bytes) {
        if found == MAX_HITS {
            break;
        }
        // The token must start at a boundary: `xeyJ…` is the middle of something else.
        let glued = m
            .start()
            .checked_sub(1)
            .and_then(|i| bytes.get(i))
            .is_some_and(|&b| is_base64url(b) || b == b'.');
        if glued {
            continue;
        }
        if is_jwt(m.as_bytes()) {
            found += 1;
            out.push(
                Hit::new(crate::rules::SECRETS_JWT, m.range())
                    .with_value(String::from_utf8_lossy(m.as_bytes())),
            );
        }
    }
}

/// True when `token` is `header.payload.signature` with a header that decodes to a JSON object
/// naming a real `alg`, a payload that decodes to a JSON object, and a signature.
fn is_jwt(token: &[u8]) -> bool {
    let mut parts = token.split(|&b| b == b'.');
    let (Some(header), Some(payload), Some(signature)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    if header.len() > MAX_HEADER || payload.len() > MAX_PAYLOAD || signature.len() < MIN_SIGNATURE {
        return false;
    }
    let Some(header) = decode_object(header) else {
        return false;
    };
    let signed = header
        .get("alg")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|alg| !alg.trim().is_empty() && !alg.eq_ignore_ascii_case("none"));
    if !signed {
        return false;
    }
    let Some(claims) = decode_object(payload) else {
        return false;
    };
    !is_documentation_example(&claims)
}

/// Decodes one base64url part into a JSON object.
fn decode_object(part: &[u8]) -> Option<serde_json::Map<String, serde_json::Value>> {
    let json = BASE64URL.decode(part).ok()?;
    match serde_json::from_slice(&json).ok()? {
        serde_json::Value::Object(map) => Some(map),
        _ => None,
    }
}

/// Tokens from documentation, signed with published keys and copied into countless READMEs and
/// tests: jwt.io's default (`"sub": "1234567890", "name": "John Doe"`) and PyJWT's
/// (`{"some": "payload"}`).
fn is_documentation_example(claims: &serde_json::Map<String, serde_json::Value>) -> bool {
    let text = |key: &str| claims.get(key).and_then(serde_json::Value::as_str);
    let jwt_io = text("sub") == Some("1234567890") && text("name") == Some("John Doe");
    let pyjwt = claims.len() == 1 && text("some") == Some("payload");
    jwt_io || pyjwt
}

fn service_account_keys(bytes: &[u8], out: &mut Vec<Hit>) {
    if memchr::memmem::find(bytes, b"service_account").is_none() {
        return;
    }
    let markers: Vec<usize> = SERVICE_ACCOUNT_TYPE
        .find_iter(bytes)
        .map(|m| m.start())
        .take(MAX_HITS)
        .collect();
    if markers.is_empty() {
        return;
    }
    let mut found = 0;
    for caps in PRIVATE_KEY_MEMBER.captures_iter(bytes) {
        if found == MAX_HITS {
            break;
        }
        let Some(value) = caps.get(1).or_else(|| caps.get(2)) else {
            continue;
        };
        if value.len() > MAX_KEY_VALUE || !is_pem_private_key(value.as_bytes()) {
            continue;
        }
        let near = markers
            .iter()
            .any(|&at| at.abs_diff(value.start()) <= MAX_MARKER_DISTANCE);
        if !near {
            continue;
        }
        found += 1;
        out.push(
            Hit::new(crate::rules::SECRETS_GCP_SERVICE_ACCOUNT, value.range())
                .with_value(String::from_utf8_lossy(value.as_bytes())),
        );
    }
}

/// A PEM private key with real key material, not `-----BEGIN PRIVATE KEY-----\n...`.
fn is_pem_private_key(value: &[u8]) -> bool {
    let Some(begin) = memchr::memmem::find(value, b"-----BEGIN ") else {
        return false;
    };
    let rest = &value[begin..];
    let Some(header_end) = memchr::memmem::find(rest, b"PRIVATE KEY-----") else {
        return false;
    };
    KEY_MATERIAL.is_match(&rest[header_end..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileKind;

    fn b64(json: &str) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    fn token(header: &str, claims: &str) -> String {
        format!(
            "{}.{}.{}",
            b64(header),
            b64(claims),
            "Qm9ndXNTaWduYXR1cmVGb3JUZXN0c09ubHkxMjM0NTY"
        )
    }

    fn hits(text: &str) -> Vec<Hit> {
        let src = Source::new("app/config.py", FileKind::Python, text.as_bytes());
        let mut out = Vec::new();
        check(&src, &mut out);
        out
    }

    const CLAIMS: &str = r#"{"sub":"user_8812","role":"admin","exp":1918000000}"#;

    #[test]
    fn finds_a_jwt_with_alg_first() {
        let jwt = token(r#"{"alg":"HS256","typ":"JWT"}"#, CLAIMS);
        let text = format!("TOKEN = \"{jwt}\"\n");
        let found = hits(&text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, "secrets/jwt");
        assert_eq!(&text[found[0].span.clone()], jwt);
        assert_eq!(found[0].value.as_deref(), Some(jwt.as_str()));
    }

    #[test]
    fn finds_a_jwt_whose_header_names_alg_later() {
        let jwt = token(r#"{"kid":"k1a2b3","alg":"RS256"}"#, CLAIMS);
        assert_eq!(hits(&format!("Authorization: Bearer {jwt}")).len(), 1);
        let spaced = token("{ \"typ\": \"JWT\",\n  \"alg\": \"ES256\" }", CLAIMS);
        assert_eq!(hits(&spaced).len(), 1);
    }

    #[test]
    fn ignores_things_that_only_look_like_a_jwt() {
        // No alg, alg none, unsigned, header not JSON, payload not JSON, glued to a word.
        let no_alg = token(r#"{"typ":"JWT"}"#, CLAIMS);
        let alg_none = token(r#"{"alg":"none"}"#, CLAIMS);
        let unsigned = format!("{}.{}.", b64(r#"{"alg":"HS256"}"#), b64(CLAIMS));
        let short_sig = format!("{}.{}.abc", b64(r#"{"alg":"HS256"}"#), b64(CLAIMS));
        let not_json = token(r#"{"alg":"HS256""#, CLAIMS);
        let bad_claims = token(r#"{"alg":"HS256"}"#, "not json at all");
        let glued = format!("x{}", token(r#"{"alg":"HS256"}"#, CLAIMS));
        for text in [
            no_alg, alg_none, unsigned, short_sig, not_json, bad_claims, glued,
        ] {
            assert!(hits(&text).is_empty(), "{text}");
        }
        assert!(hits("eyJhbGciOi.not-base64!.sig").is_empty());
        assert!(hits("eyJ....").is_empty());
    }

    #[test]
    fn skips_documentation_examples() {
        let example = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
        assert!(hits(example).is_empty());
        let pyjwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzb21lIjoicGF5bG9hZCJ9.4twFt5NiznN84AWoo1d7KO1T_yoc0Z6XOpOVswacPZg";
        assert!(hits(pyjwt).is_empty());
    }

    #[test]
    fn survives_hostile_input() {
        // Deeply nested header JSON: serde_json's recursion limit turns it into an error.
        let nested = format!("{{\"alg\":{}1{}}}", "[".repeat(2_000), "]".repeat(2_000));
        assert!(hits(&token(&nested, CLAIMS)).is_empty());
        // Huge and repetitive inputs stay bounded.
        let many = format!("{} ", token(r#"{"alg":"HS256"}"#, CLAIMS)).repeat(1_000);
        assert_eq!(hits(&many).len(), MAX_HITS);
        let junk = "eyJ.".repeat(100_000) + &"ewo".repeat(100_000);
        assert!(hits(&junk).is_empty());
        let long_header = format!("eyJ{}.e30.{}", "A".repeat(MAX_HEADER + 10), "s".repeat(40));
        assert!(hits(&long_header).is_empty());
        // Invalid UTF-8 around a token.
        let mut bytes = vec![0xff, b' '];
        bytes.extend_from_slice(token(r#"{"alg":"HS256"}"#, CLAIMS).as_bytes());
        bytes.extend_from_slice(&[b' ', 0xfe]);
        let src = Source::new("blob.txt", FileKind::Text, &bytes);
        let mut out = Vec::new();
        check(&src, &mut out);
        assert_eq!(out.len(), 1);
    }

    // Built from pieces so that this file holds no literal key block for scanners to flag.
    const KEY: &str = concat!(
        r"-----BEGIN PRIVATE",
        r" KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
        r"\nMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu",
        r"\n-----END PRIVATE KEY-----\n",
    );

    #[test]
    fn finds_a_service_account_key_in_either_order() {
        let file = format!(
            "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"demo\",\n  \"private_key\": \"{KEY}\",\n  \"client_email\": \"a@demo.iam.gserviceaccount.com\"\n}}\n"
        );
        let found = hits(&file);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, "secrets/gcp-service-account");
        assert_eq!(&file[found[0].span.clone()], KEY);

        let reversed = format!("creds = {{'private_key': '{KEY}', 'type': 'service_account'}}");
        assert_eq!(hits(&reversed).len(), 1);
    }

    #[test]
    fn ignores_keys_without_the_service_account_type_or_material() {
        let no_type = format!("{{\"type\": \"authorized_user\", \"private_key\": \"{KEY}\"}}");
        assert!(hits(&no_type).is_empty());
        let placeholder = r#"{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n"}"#;
        assert!(hits(placeholder).is_empty());
        let env_ref = r#"{"type": "service_account", "private_key": "${GCP_PRIVATE_KEY}"}"#;
        assert!(hits(env_ref).is_empty());
        let far = format!(
            "{{\"type\": \"service_account\"}}{}{{\"private_key\": \"{KEY}\"}}",
            " ".repeat(MAX_MARKER_DISTANCE + 1)
        );
        assert!(hits(&far).is_empty());
    }

    #[test]
    fn service_account_scan_survives_hostile_input() {
        let unterminated = format!("{{\"type\": \"service_account\", \"private_key\": \"{KEY}");
        assert!(hits(&unterminated).is_empty());
        let escapes = format!(
            "{{\"type\": \"service_account\", \"private_key\": \"{}\"}}",
            "\\".repeat(100_001)
        );
        assert!(hits(&escapes).is_empty());
        let many =
            format!("\"type\": \"service_account\", \"private_key\": \"{KEY}\"\n").repeat(500);
        assert_eq!(hits(&many).len(), MAX_HITS);
    }
}
