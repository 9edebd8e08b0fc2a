//! Azure resource ids: what an id says of itself (its subscription, connector, resource
//! group and type) and the case-folded keys under which ids and scopes compare.
//!
//! A leaf module: it imports nothing from the crate, so the model, the loaders and the
//! commands can all use it.

use std::hash::{BuildHasher, Hasher};

/// The part of an Azure resource id after an optional leading `/`, when the id is an
/// Azure id (compared case-insensitively); `None` for any other id.
pub fn azure_id_body(id: &str) -> Option<&str> {
    let body = id.strip_prefix('/').unwrap_or(id);
    // Bytes, not characters: this runs several times per assessment read. The prefixes
    // are ASCII, so a match ends on a character boundary.
    let starts_with = |prefix: &[u8]| {
        body.len() >= prefix.len() && body.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix)
    };
    (starts_with(b"subscriptions/") || starts_with(b"providers/")).then_some(body)
}

/// True when `text` is a GUID (`8-4-4-4-12` hexadecimal digits, in any case): the ids of
/// Azure's controls and recommendations, which compare in any case.
pub fn is_guid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| {
            if [8, 13, 18, 23].contains(&i) {
                b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        })
}

/// True when two resource ids name one resource: Azure ids (see [`azure_id_body`])
/// compare case-insensitively (Unicode lower case) and with or without the leading `/`,
/// other ids exactly.
pub fn same_identity(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (azure_id_body(a), azure_id_body(b)) {
        (Some(x), Some(y)) if x.is_ascii() && y.is_ascii() => x.eq_ignore_ascii_case(y),
        (Some(x), Some(y)) => x
            .chars()
            .flat_map(char::to_lowercase)
            .eq(y.chars().flat_map(char::to_lowercase)),
        _ => false,
    }
}

/// True when resource id `id` lies strictly below `prefix` on a path-segment boundary
/// (`…/legacy` covers `…/legacy/vm1`, not `…/legacy` itself nor `…/legacy-2/vm1`): Azure
/// ids (see [`azure_id_body`]) compared case-insensitively and with or without the
/// leading `/`, other ids exactly.
pub fn strictly_under(id: &str, prefix: &str) -> bool {
    let below = |id: &str, prefix: &str| {
        id.len() > prefix.len() && id.as_bytes()[prefix.len()] == b'/' && id.starts_with(prefix)
    };
    match (azure_id_body(id), azure_id_body(prefix)) {
        (Some(x), Some(p)) => {
            let p = p.trim_end_matches('/');
            if x.is_ascii() && p.is_ascii() {
                x.len() > p.len()
                    && x.as_bytes()[p.len()] == b'/'
                    && x.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
            } else {
                below(&x.to_lowercase(), &p.to_lowercase())
            }
        }
        (None, None) => below(id, prefix.trim_end_matches('/')),
        _ => false,
    }
}

/// Hashes resource ids by identity ([`same_identity`]): ids that name one resource hash
/// alike. One hasher serves a whole load, so that hashes made on worker threads (it is
/// `Clone`, `Send` and `Sync`) match those of the table they are interned in.
///
/// The hash is foldhash keyed with a per-process random seed, so an input cannot be
/// crafted to make ids collide (which would make interning quadratic). An Azure id is
/// case-folded while it is hashed, 8 bytes at a time, without a folded copy; a non-ASCII
/// one is folded character by character, into the same bytes, so that the two paths
/// agree whenever the folded ids do.
#[derive(Clone, Debug, Default)]
pub struct IdHasher {
    state: foldhash::fast::RandomState,
}

/// The bytes of folded id hashed per `write`: foldhash is not streaming (two writes
/// differ from one write of both), so both folding paths write the same fixed chunks.
const HASH_CHUNK: usize = 256;

impl IdHasher {
    /// The identity hash of a resource id: equal for ids [`same_identity`] deems the same.
    pub fn identity_hash(&self, id: &str) -> u64 {
        let mut h = self.state.build_hasher();
        match azure_id_body(id) {
            Some(body) => {
                if !write_folded_ascii(&mut h, body) {
                    // Not ASCII: start again on the slow path (what was written is lost
                    // with the hasher).
                    h = self.state.build_hasher();
                    write_folded_unicode(&mut h, body);
                }
                h.write_u8(1);
            }
            None => {
                h.write(id.as_bytes());
                h.write_u8(0);
            }
        }
        h.finish()
    }

    /// The hash of a string compared exactly (a recommendation id).
    pub fn exact_hash(&self, key: &str) -> u64 {
        let mut h = self.state.build_hasher();
        h.write(key.as_bytes());
        h.finish()
    }
}

/// Hashes an ASCII `body` lower-cased in [`HASH_CHUNK`]-byte chunks; false (with
/// something written) when it is not ASCII.
fn write_folded_ascii(h: &mut impl Hasher, body: &str) -> bool {
    let mut buf = [0u8; HASH_CHUNK];
    let mut non_ascii = 0u64;
    for chunk in body.as_bytes().chunks(HASH_CHUNK) {
        let part = &mut buf[..chunk.len()];
        let mut words = chunk.chunks_exact(8);
        let mut out = part.chunks_exact_mut(8);
        for (word, o) in (&mut words).zip(&mut out) {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            let w = u64::from_le_bytes(w);
            non_ascii |= w;
            o.copy_from_slice(&fold_ascii_word(w).to_le_bytes());
        }
        for (b, o) in words.remainder().iter().zip(out.into_remainder()) {
            non_ascii |= u64::from(*b);
            *o = b.to_ascii_lowercase();
        }
        if non_ascii & 0x8080_8080_8080_8080 != 0 {
            return false;
        }
        h.write(part);
    }
    if body.is_empty() {
        h.write(&[]);
    }
    true
}

/// Lower-cases the ASCII capital letters among 8 ASCII bytes at once (a byte is a
/// capital when adding `0x80 - 'A'` sets its high bit and adding `0x80 - 'Z' - 1` does
/// not; no sum carries into the next byte when every byte is below 0x80).
fn fold_ascii_word(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let at_least_a = w.wrapping_add(ONES * u64::from(0x80 - b'A'));
    let above_z = w.wrapping_add(ONES * u64::from(0x80 - b'Z' - 1));
    let capitals = at_least_a & !above_z & (ONES * 0x80);
    w | (capitals >> 2)
}

/// Hashes `body` lower-cased character by character, in chunks of at most
/// [`HASH_CHUNK`] bytes that never split a character: for a folded id that is ASCII,
/// exactly the chunks [`write_folded_ascii`] writes.
fn write_folded_unicode(h: &mut impl Hasher, body: &str) {
    let mut buf = [0u8; HASH_CHUNK];
    let mut len = 0;
    for c in body.chars().flat_map(char::to_lowercase) {
        let mut tmp = [0u8; 4];
        let bytes = c.encode_utf8(&mut tmp).as_bytes();
        if len + bytes.len() > buf.len() {
            h.write(&buf[..len]);
            len = 0;
        }
        buf[len..len + bytes.len()].copy_from_slice(bytes);
        len += bytes.len();
    }
    if len > 0 || body.is_empty() {
        h.write(&buf[..len]);
    }
}

/// The subscription of an Azure id: `/subscriptions/<id>` followed by `/` or the end.
pub fn subscription_of(id: &str) -> Option<&str> {
    let body = azure_id_body(id)?;
    let prefix = body.get(.."subscriptions/".len())?;
    if !prefix.eq_ignore_ascii_case("subscriptions/") {
        return None;
    }
    let rest = &body["subscriptions/".len()..];
    let sub = rest.split('/').next().unwrap_or("");
    (!sub.is_empty()).then_some(sub)
}

/// The security connector (an AWS or GCP account or project connected to Defender) an
/// Azure id lies under: `/subscriptions/…/providers/Microsoft.Security/securityConnectors/<name>`.
/// Defender scores each connector as a scope of its own.
pub fn connector_of(id: &str) -> Option<&str> {
    let marker = "/providers/microsoft.security/securityconnectors/";
    subscription_of(id)?;
    let bytes = id.as_bytes();
    // Compared only where a segment starts: this runs for every resource.
    let at = (0..bytes.len().checked_sub(marker.len())?)
        .filter(|&i| bytes[i] == b'/')
        .find(|&i| bytes[i..i + marker.len()].eq_ignore_ascii_case(marker.as_bytes()))?;
    let rest = &id[at + marker.len()..];
    let name_len = rest.find('/').unwrap_or(rest.len());
    (name_len > 0).then(|| &id[..at + marker.len() + name_len])
}

/// The folded key of a scope named by a path (a connector).
pub fn path_scope_key(path: &str) -> String {
    path.trim_start_matches('/').to_lowercase()
}

/// The folded key of a scope given by name: a subscription id, or a connector's path.
pub fn scope_key(scope: &str) -> String {
    if scope.contains('/') {
        path_scope_key(scope)
    } else {
        scope.to_lowercase()
    }
}

/// The identity under which a resource id compares: Azure ids without the leading `/`
/// and case-folded, other ids exactly as written.
pub fn resource_key(id: &str) -> String {
    match azure_id_body(id) {
        Some(body) => body.to_lowercase(),
        None => id.to_string(),
    }
}

/// The resource group of an Azure id, as `/subscriptions/<id>/resourcegroups/<name>`
/// (case-folded).
pub fn resource_group_of(id: &str) -> Option<String> {
    let body = azure_id_body(id)?;
    let mut segments = body.split('/');
    let (s, sub, rg, name) = (
        segments.next()?,
        segments.next()?,
        segments.next()?,
        segments.next()?,
    );
    (s.eq_ignore_ascii_case("subscriptions")
        && rg.eq_ignore_ascii_case("resourceGroups")
        && !sub.is_empty()
        && !name.is_empty())
    .then(|| {
        format!(
            "/subscriptions/{}/resourcegroups/{}",
            sub.to_lowercase(),
            name.to_lowercase()
        )
    })
}

/// The resource type an ARM id names: the provider namespace and every type segment
/// after the last `/providers/` (`Microsoft.Sql/servers/databases`).
pub fn type_of_id(id: &str) -> Option<String> {
    let body = azure_id_body(id)?.trim_end_matches('/');
    let lower = body.to_ascii_lowercase();
    let Some(at) = lower.rfind("/providers/") else {
        // A subscription or resource group has no provider segment.
        let segments = lower.split('/').count();
        return match (lower.starts_with("subscriptions/"), segments) {
            (true, 2) => Some("Microsoft.Resources/subscriptions".to_string()),
            (true, 4) if lower.split('/').nth(2) == Some("resourcegroups") => {
                Some("Microsoft.Resources/resourceGroups".to_string())
            }
            _ => None,
        };
    };
    let rest: Vec<&str> = body[at + "/providers/".len()..].split('/').collect();
    let (namespace, pairs) = rest.split_first()?;
    let types: Vec<&str> = pairs.iter().step_by(2).copied().collect();
    (!namespace.is_empty() && !types.is_empty() && pairs.len() % 2 == 0)
        .then(|| format!("{namespace}/{}", types.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscription_is_taken_from_the_id_at_a_segment_boundary() {
        assert_eq!(
            subscription_of("/subscriptions/abc/resourceGroups/x"),
            Some("abc")
        );
        assert_eq!(subscription_of("subscriptions/abc"), Some("abc"));
        assert_eq!(subscription_of("/SUBSCRIPTIONS/abc/"), Some("abc"));
        assert_eq!(subscription_of("/subscriptionsabc"), None);
        assert_eq!(
            subscription_of("/providers/Microsoft.Management/managementGroups/mg"),
            None
        );
        assert_eq!(subscription_of("arn:aws:ec2:us-east-1:123:instance/i-1"), None);
    }

    #[test]
    fn resource_groups_and_types_come_from_arm_ids() {
        let vm = "/subscriptions/S1/resourceGroups/Web/providers/Microsoft.Compute/virtualMachines/vm1";
        assert_eq!(
            resource_group_of(vm).as_deref(),
            Some("/subscriptions/s1/resourcegroups/web")
        );
        assert_eq!(resource_group_of("/subscriptions/S1"), None);
        assert_eq!(
            type_of_id(vm).as_deref(),
            Some("Microsoft.Compute/virtualMachines")
        );
        assert_eq!(
            type_of_id("/subscriptions/s/resourceGroups/r/providers/Microsoft.Sql/servers/s1/databases/db1")
                .as_deref(),
            Some("Microsoft.Sql/servers/databases")
        );
        assert_eq!(type_of_id("arn:aws:s3:::bucket"), None);
        assert_eq!(
            type_of_id("/subscriptions/S1").as_deref(),
            Some("Microsoft.Resources/subscriptions")
        );
        assert_eq!(
            type_of_id("/subscriptions/S1/resourceGroups/web").as_deref(),
            Some("Microsoft.Resources/resourceGroups")
        );
    }
    #[test]
    fn connectors_are_found_at_a_segment_in_any_case() {
        let c = "/subscriptions/S/providers/Microsoft.Security/securityConnectors/aws1";
        assert_eq!(connector_of(&format!("{c}/x/y")), Some(c));
        assert_eq!(connector_of(c), Some(c));
        let upper = c.to_uppercase();
        assert_eq!(connector_of(&upper), Some(upper.as_str()));
        assert_eq!(
            connector_of("/subscriptions/S/providers/Microsoft.Security/securityConnectors/"),
            None
        );
        assert_eq!(
            connector_of("/providers/Microsoft.Security/securityConnectors/aws1"),
            None
        );
    }

    /// Every byte below 0x80 in every position of a word folds as `to_ascii_lowercase`.
    #[test]
    fn words_fold_as_bytes_do() {
        for b in 0u8..0x80 {
            for at in 0..8 {
                let mut word = *b"aZ0/-.Qx";
                word[at] = b;
                let folded = fold_ascii_word(u64::from_le_bytes(word)).to_le_bytes();
                assert_eq!(
                    folded,
                    word.map(|c| c.to_ascii_lowercase()),
                    "byte {b:#x} at {at}"
                );
            }
        }
    }

    /// Pairs of ids of one identity (case, leading `/`, characters whose lower case is
    /// ASCII or several characters, around the 256-byte chunks) hash alike; ids of other
    /// identities do not.
    #[test]
    fn ids_of_one_identity_hash_alike() {
        let h = IdHasher::default();
        let mut same = vec![
            (
                "/Subscriptions/AB/x".to_string(),
                "subscriptions/ab/X".to_string(),
            ),
            (
                "/providers/Microsoft.Management/x".into(),
                "PROVIDERS/microsoft.management/X".into(),
            ),
            // KELVIN SIGN lower-cases to an ASCII `k`: a non-ASCII id equal to an ASCII one.
            ("/subscriptions/s/\u{212A}ey".into(), "subscriptions/S/key".into()),
            ("/subscriptions/s/Été".into(), "/subscriptions/S/éTÉ".into()),
            // CAPITAL I WITH DOT ABOVE lower-cases to two characters.
            (
                "/subscriptions/s/\u{130}x".into(),
                "/subscriptions/s/i\u{307}X".into(),
            ),
            ("/subscriptions/".into(), "SUBSCRIPTIONS/".into()),
        ];
        for len in [
            246, 247, 248, 249, 250, 255, 256, 257, 503, 504, 505, 511, 512, 513,
        ] {
            let tail = "Ab".repeat(len);
            let id = format!("/subscriptions/s/{}", &tail[..len - 17]);
            assert_eq!(azure_id_body(&id).map(str::len), Some(len - 1));
            same.push((id.clone(), id.to_lowercase()));
            same.push((id.clone(), id[1..].to_uppercase()));
            // A two-byte character at, across and after each chunk boundary.
            for at in [254, 255, 256, 257, 510, 511, 512]
                .into_iter()
                .filter(|&at| at + 2 < id.len())
            {
                let accented = format!("{}É{}", &id[..at], &id[at + 2..]);
                same.push((accented.clone(), accented.to_lowercase()));
                same.push((
                    accented.clone(),
                    format!("{}é{}", &id[..at], id[at + 2..].to_lowercase()),
                ));
                let kelvin = format!("{}\u{212A}{}", &id[..at], &id[at + 1..]);
                same.push((kelvin, format!("{}k{}", &id[..at], &id[at + 1..])));
            }
        }
        for (a, b) in &same {
            assert!(same_identity(a, b), "{a:?} {b:?}");
            assert_eq!(h.identity_hash(a), h.identity_hash(b), "{a:?} {b:?}");
        }
        let different = [
            ("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket"),
            ("/subscriptions/a", "/subscriptions/b"),
            ("/arn:x", "arn:x"),
            ("/subscriptions/s/x", "/subscriptions/s/x/"),
            ("subscriptions/s", "xsubscriptions/s"),
        ];
        for (a, b) in different {
            assert!(!same_identity(a, b), "{a:?} {b:?}");
            assert_ne!(h.identity_hash(a), h.identity_hash(b), "{a:?} {b:?}");
        }
    }

    /// Clones hash alike; hashers made apart do not (the seed is random per hasher), so
    /// an input cannot be made to collide in advance.
    #[test]
    fn clones_share_the_seed_and_other_hashers_do_not() {
        let (a, b) = (IdHasher::default(), IdHasher::default());
        let id = "/subscriptions/s/resourceGroups/rg/providers/p/vm1";
        assert_eq!(a.identity_hash(id), a.clone().identity_hash(id));
        assert_ne!(a.identity_hash(id), b.identity_hash(id));
        assert_eq!(a.exact_hash("rec"), a.clone().exact_hash("rec"));
    }

    proptest::proptest! {
        /// Any id and a respelling of it (each letter's case flipped or not, a character
        /// with an ASCII lower case swapped in, the leading `/` added or removed) hash
        /// alike when they are one identity.
        #[test]
        fn respelled_ids_hash_alike(
            parts in proptest::collection::vec(
                proptest::sample::select(vec!["a", "B", "k", "\u{212A}", "é", "É", "/", "-", "\u{130}", "0", "ß"]),
                0..300,
            ),
            flips in proptest::collection::vec(proptest::bool::ANY, 300),
            prefix in proptest::sample::select(vec!["/subscriptions/", "subscriptions/", "/PROVIDERS/", "arn:"]),
        ) {
            let h = IdHasher::default();
            let body: String = parts.concat();
            let a = format!("{prefix}{body}");
            let respelled: String = parts
                .iter()
                .zip(&flips)
                .map(|(p, &flip)| match (*p, flip) {
                    ("k", true) => "\u{212A}".to_string(),
                    (p, true) => p.to_uppercase(),
                    (p, false) => p.to_lowercase(),
                })
                .collect();
            let other_prefix = prefix.strip_prefix('/').map_or_else(|| format!("/{prefix}"), str::to_string);
            for b in [format!("{prefix}{respelled}"), format!("{other_prefix}{respelled}")] {
                if same_identity(&a, &b) {
                    proptest::prop_assert_eq!(h.identity_hash(&a), h.identity_hash(&b), "{:?} {:?}", a, b);
                }
            }
        }
    }
}
