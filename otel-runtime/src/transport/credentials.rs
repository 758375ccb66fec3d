//! Credentials in URLs (`http://user:pass@host:4318/v1/traces`, the same in proxy URLs): taken out of the URL the
//! clients use, sent as `Authorization: Basic`, and never printed: every URL we show has its userinfo replaced by
//! `***`.

use base64::Engine;
use http::HeaderValue;
use percent_encoding::percent_decode_str;

/// `url` with the userinfo of its authority (everything before the last `@` of the authority) replaced by `***`:
/// `http://user:pass@host:4318/v1/traces` → `http://***@host:4318/v1/traces`. Any text is accepted (an invalid URL
/// too: it is redacted the same way), and a URL without userinfo comes back unchanged. For every message that shows
/// an endpoint or a proxy.
///
/// `redact_userinfo("http://u:p@h:4318/v1/traces")` is `"http://***@h:4318/v1/traces"`.
pub(crate) fn redact_userinfo(url: &str) -> String {
    let (start, end) = authority_range(url);
    match url[start..end].rfind('@') {
        Some(at) => format!("{}***{}", &url[..start], &url[start + at..]),
        None => url.to_string(),
    }
}

/// The byte range of the authority in `url`: after `scheme://` (or from the start without a scheme) up to the
/// first `/`, `?` or `#`.
fn authority_range(url: &str) -> (usize, usize) {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..].find(['/', '?', '#']).map_or(url.len(), |i| start + i);
    (start, end)
}

/// `url` without its userinfo, and the `Authorization: Basic` value made of it (percent-decoded user and
/// password, as curl and browsers do), marked sensitive. `None` when the URL carries no userinfo.
pub(super) fn take_userinfo(url: &str) -> (String, Option<HeaderValue>) {
    let (start, end) = authority_range(url);
    let Some(at) = url[start..end].rfind('@') else {
        return (url.to_string(), None);
    };
    let userinfo = &url[start..start + at];
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    let stripped = format!("{}{}", &url[..start], &url[start + at + 1..]);
    (stripped, Some(basic_auth(user, password)))
}

/// `Basic base64(user:password)` from the percent-encoded parts of a URL's userinfo, marked sensitive.
pub(super) fn basic_auth(user: &str, password: &str) -> HeaderValue {
    let user = percent_decode_str(user).collect::<Vec<u8>>();
    let password = percent_decode_str(password).collect::<Vec<u8>>();
    let mut plain = user;
    plain.push(b':');
    plain.extend_from_slice(&password);
    let encoded = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(&plain));
    // Base64 is always a valid header value.
    let mut value = HeaderValue::from_str(&encoded).unwrap_or_else(|_| HeaderValue::from_static("Basic"));
    value.set_sensitive(true);
    value
}
