//! Topic names, topic filters and the subscription index.
//!
//! Filters without wildcards (nearly all device subscriptions: `.../notify-next`,
//! `.../get/accepted`) are looked up by exact topic; only wildcard filters are matched one by one,
//! so a publish costs a hash lookup plus the (few) wildcard filters, not one test per subscription.

use std::collections::HashMap;
use std::sync::Arc;

/// A client id as the router keys sessions.
pub type ClientId = Arc<str>;

/// A topic a client may publish to: non-empty, no wildcards, no NUL (MQTT 3.1.1 §4.7).
pub fn valid_topic(topic: &str) -> bool {
    !topic.is_empty() && !topic.contains(['+', '#', '\0'])
}

/// A filter a client may subscribe to: `+` fills a whole level, `#` a whole last level.
pub fn valid_filter(filter: &str) -> bool {
    if filter.is_empty() || filter.contains('\0') {
        return false;
    }
    let levels: Vec<&str> = filter.split('/').collect();
    let last = levels.len() - 1;
    levels.iter().enumerate().all(|(i, l)| match *l {
        "#" => i == last,
        "+" => true,
        l => !l.contains(['+', '#']),
    })
}

/// Whether `filter` matches `topic`. A filter starting with a wildcard does not match a topic
/// starting with `$` (MQTT 3.1.1 §4.7.2), so `#` never receives `$aws/...` traffic.
pub fn matches(filter: &str, topic: &str) -> bool {
    if topic.starts_with('$') && (filter.starts_with('+') || filter.starts_with('#')) {
        return false;
    }
    let mut f = filter.split('/');
    let mut t = topic.split('/');
    loop {
        match (f.next(), t.next()) {
            (Some("#"), _) => return true,
            (Some("+"), Some(_)) => {}
            (Some(a), Some(b)) if a == b => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// Subscribers at one point of the filter tree.
type Subs = HashMap<ClientId, u8>;

/// One level of the filter tree: filters ending here, filters continuing with a literal level,
/// with `+`, or ending in `#`.
#[derive(Default)]
struct Node {
    here: Subs,
    hash: Subs,
    plus: Option<Box<Node>>,
    children: HashMap<String, Node>,
}

impl Node {
    fn is_empty(&self) -> bool {
        self.here.is_empty()
            && self.hash.is_empty()
            && self.plus.is_none()
            && self.children.is_empty()
    }

    /// The subscriber map for the rest of a filter, created on the way.
    fn entry<'a>(&mut self, mut levels: impl Iterator<Item = &'a str>) -> &mut Subs {
        match levels.next() {
            None => &mut self.here,
            Some("#") => &mut self.hash,
            Some("+") => self.plus.get_or_insert_with(Box::default).entry(levels),
            Some(l) => self.children.entry(l.to_owned()).or_default().entry(levels),
        }
    }

    /// Removes `client` from the rest of a filter; prunes nodes left empty.
    fn remove<'a>(&mut self, mut levels: impl Iterator<Item = &'a str>, client: &ClientId) {
        match levels.next() {
            None => {
                self.here.remove(client);
            }
            Some("#") => {
                self.hash.remove(client);
            }
            Some("+") => {
                if let Some(n) = self.plus.as_mut() {
                    n.remove(levels, client);
                    if n.is_empty() {
                        self.plus = None;
                    }
                }
            }
            Some(l) => {
                if let Some(n) = self.children.get_mut(l) {
                    n.remove(levels, client);
                    if n.is_empty() {
                        self.children.remove(l);
                    }
                }
            }
        }
    }

    /// Collects the subscribers of every filter matching `topic[at..]`. `top` is the first level,
    /// where wildcards do not match a `$` topic (MQTT 3.1.1 §4.7.2).
    fn collect(&self, levels: &[&str], top: bool, dollar: bool, out: &mut Subs) {
        let wild = !(top && dollar);
        if wild {
            add(out, &self.hash);
        }
        let Some((first, rest)) = levels.split_first() else {
            add(out, &self.here);
            return;
        };
        if let Some(n) = self.children.get(*first) {
            n.collect(rest, false, dollar, out);
        }
        if let (true, Some(n)) = (wild, &self.plus) {
            n.collect(rest, false, dollar, out);
        }
    }
}

fn add(out: &mut Subs, subs: &Subs) {
    for (c, q) in subs {
        let e = out.entry(c.clone()).or_insert(*q);
        *e = (*e).max(*q);
    }
}

/// Who is subscribed to what, with the granted QoS: a tree of filter levels, so a publish
/// visits only the branches its topic can match, however many devices subscribed.
#[derive(Default)]
pub struct SubscriptionIndex {
    root: Node,
}

impl SubscriptionIndex {
    pub fn add(&mut self, client: &ClientId, filter: &str, qos: u8) {
        self.root
            .entry(filter.split('/'))
            .insert(client.clone(), qos);
    }

    pub fn remove(&mut self, client: &ClientId, filter: &str) {
        self.root.remove(filter.split('/'), client);
    }

    /// Every client with a filter matching `topic`, each once, with its highest granted QoS
    /// (overlapping subscriptions deliver one copy, MQTT 3.1.1 §3.3.5).
    pub fn matching(&self, topic: &str) -> Subs {
        let levels: Vec<&str> = topic.split('/').collect();
        let mut out = Subs::new();
        self.root
            .collect(&levels, true, topic.starts_with('$'), &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // §4.1 (issue 3 item 2; MQTT 3.1.1 §4.7)
    #[test]
    fn plus_matches_one_level_and_hash_the_rest() {
        assert!(matches("a/+/c", "a/b/c"));
        assert!(!matches("a/+/c", "a/b/d/c"));
        assert!(matches("a/#", "a"));
        assert!(matches("a/#", "a/b/c"));
        assert!(matches("+/+", "/x"));
        assert!(!matches("a/b", "a/b/c"));
    }

    // §4.1 (issue 3 item 2; MQTT 3.1.1 §4.7)
    #[test]
    fn leading_wildcards_do_not_match_dollar_topics() {
        assert!(!matches("#", "$aws/things/t/jobs/notify"));
        assert!(!matches(
            "+/things/t/jobs/notify",
            "$aws/things/t/jobs/notify"
        ));
        assert!(matches("$aws/things/+/jobs/#", "$aws/things/t/jobs/notify"));
    }

    // §4.1 (issue 3 item 2; MQTT 3.1.1 §4.7)
    #[test]
    fn the_index_agrees_with_matches_and_forgets_removed_filters() {
        let filters = [
            "#",
            "+",
            "a/#",
            "a/+",
            "a/b",
            "+/b",
            "a/+/c",
            "+/+/+",
            "$aws/things/+/jobs/#",
            "$aws/things/t/jobs/notify",
            "/x",
            "+/x",
            "a/b/#",
        ];
        let topics = [
            "a",
            "a/b",
            "a/b/c",
            "b",
            "/x",
            "$aws/things/t/jobs/notify",
            "$SYS/x",
            "x/b",
            "a//c",
        ];
        let mut ix = SubscriptionIndex::default();
        let clients: Vec<ClientId> = filters.iter().map(|f| ClientId::from(*f)).collect();
        for (c, f) in clients.iter().zip(filters) {
            ix.add(c, f, 1);
        }
        for t in topics {
            let got = ix.matching(t);
            for f in filters {
                assert_eq!(got.contains_key(f), matches(f, t), "filter {f} topic {t}");
            }
        }
        for (c, f) in clients.iter().zip(filters) {
            ix.remove(c, f);
        }
        assert!(ix.root.is_empty());
    }

    // §4.1 (issue 3 item 2; MQTT 3.1.1 §4.7)
    #[test]
    fn malformed_filters_are_refused() {
        assert!(valid_filter("a/+/#"));
        assert!(!valid_filter("a/#/b"));
        assert!(!valid_filter("a/b+"));
        assert!(!valid_filter(""));
        assert!(!valid_topic("a/+"));
    }
}
