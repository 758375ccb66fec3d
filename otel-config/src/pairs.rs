//! `k=v,k2=v2` lists with percent-encoded keys and values (`OTEL_RESOURCE_ATTRIBUTES`, `*_HEADERS`).

/// Parses the list. Empty items are skipped; keys and values are trimmed, then percent-decoded.
/// The error describes what is wrong without quoting the text (header values are secrets).
pub(crate) fn parse_pairs(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    for (index, item) in text.split(',').enumerate() {
        let n = index + 1;
        if item.trim().is_empty() {
            continue;
        }
        let Some((key, value)) = item.split_once('=') else {
            return Err(format!("item {n} has no `=`"));
        };
        let key =
            percent_decode(key.trim()).ok_or_else(|| format!("item {n} has an invalid percent-encoding in its key"))?;
        if key.is_empty() {
            return Err(format!("item {n} has an empty key"));
        }
        let value = percent_decode(value.trim())
            .ok_or_else(|| format!("item {n} has an invalid percent-encoding in its value"))?;
        pairs.push((key, value));
    }
    Ok(pairs)
}

/// Decodes `%XX` escapes; `None` for a malformed escape or a result that is not UTF-8.
pub(crate) fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}
