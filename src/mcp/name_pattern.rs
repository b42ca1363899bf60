//! A tool, prompt or resource name pattern: `*` matches any run of characters (`/` included,
//! so `file:///secret/*` covers every file under it), everything else itself, case-sensitive
//! (MCP names are).

/// Whether `name` matches `pattern`.
pub(crate) fn matches(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return false;
    };
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        // No `*`: the whole name.
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = rest.get(at + part.len()..).unwrap_or_default(),
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn globs() {
        assert!(matches("deploy_*", "deploy_prod"));
        assert!(matches("deploy_*", "deploy_"));
        assert!(!matches("deploy_*", "Deploy_prod"));
        assert!(!matches("deploy_*", "redeploy_prod"));
        assert!(matches("read_file", "read_file"));
        assert!(!matches("read_file", "read_files"));
        assert!(matches("file:///secret/*", "file:///secret/a/b.txt"));
        assert!(!matches("file:///secret/*", "file:///public/a"));
        assert!(matches("*", ""));
        assert!(matches("a*b*c", "aXbYc"));
        assert!(matches("a*b*c", "abc"));
        assert!(!matches("a*b*c", "acb"));
        assert!(matches("*_admin", "user_admin"));
        assert!(!matches("a*a", "a"));
    }
}
