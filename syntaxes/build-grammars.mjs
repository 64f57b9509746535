// Source of the TextMate grammars in syntaxes/ (VS Code loads the generated JSON; the unit test
// test/unit/vscode-manifest/grammars.test.ts fails when the JSON is stale).
//   node syntaxes/build-grammars.mjs          regenerate the JSON files next to this script
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
const acquire = [
  'spin_lock(?:_bh|_irq|_irqsave|_nested|_irqsave_nested|_nest_lock)?', 'raw_spin_lock(?:_bh|_irq|_irqsave)?',
  'spin_trylock(?:_bh|_irq|_irqsave)?', 'raw_spin_trylock',
  'mutex_lock(?:_nested|_nest_lock|_interruptible|_killable|_io)?', 'mutex_trylock', 'atomic_dec_and_mutex_lock', 'atomic_dec_and_lock(?:_irqsave)?',
  'read_lock(?:_bh|_irq|_irqsave)?', 'write_lock(?:_bh|_irq|_irqsave|_nested)?', 'read_trylock', 'write_trylock',
  'down_read(?:_nested|_interruptible|_killable|_trylock|_non_owner)?', 'down_write(?:_nested|_nest_lock|_killable|_trylock)?', 'down(?:_interruptible|_killable|_trylock)?',
  'rtnl_lock(?:_killable)?', 'rtnl_trylock', 'rtnl_net_lock(?:_killable)?', 'rtnl_net_trylock', '__rtnl_net_lock', 'rtnl_nets_lock',
  'netdev_lock(?:_ops)?', 'netdev_trylock', 'lock_sock(?:_fast)?', 'bh_lock_sock', 'netif_tx_lock(?:_bh)?', 'netif_addr_lock_bh', 'sch_tree_lock',
  'refcount_dec_and_(?:lock|mutex_lock|lock_irqsave|rtnl_lock)', 'kref_put_(?:mutex|lock)',
  'ovs_lock', 'ovs_mutex_lock(?:_at)?', 'ovs_mutex_trylock(?:_at)?', 'ovs_rwlock_(?:rd|wr)lock(?:_at)?', 'ovs_rwlock_try(?:rd|wr)lock(?:_at)?',
  'ovs_spin_lock(?:_at)?', 'ovs_spin_trylock(?:_at)?', 'fat_rwlock_(?:rd|wr)lock', 'fat_rwlock_tryrdlock',
  'pthread_mutex_lock', 'pthread_mutex_trylock', 'pthread_rwlock_(?:rd|wr)lock', 'pthread_spin_lock',
  'guard', 'scoped_guard', 'scoped_cond_guard',
];
const release = [
  'spin_unlock(?:_bh|_irq|_irqrestore)?', 'raw_spin_unlock(?:_bh|_irq|_irqrestore)?', 'mutex_unlock', 'read_unlock(?:_bh|_irq|_irqrestore)?', 'write_unlock(?:_bh|_irq|_irqrestore)?',
  'up_read(?:_non_owner)?', 'up_write', 'up', 'downgrade_write', 'rtnl_unlock', '__rtnl_unlock', 'rtnl_net_unlock', '__rtnl_net_unlock', 'rtnl_nets_unlock',
  'netdev_unlock(?:_ops)?', 'release_sock', 'unlock_sock_fast', 'bh_unlock_sock', 'netif_tx_unlock(?:_bh)?', 'netif_addr_unlock_bh', 'sch_tree_unlock',
  'ovs_unlock', 'ovs_mutex_unlock', 'ovs_rwlock_unlock', 'ovs_spin_unlock', 'fat_rwlock_unlock', 'pthread_mutex_unlock', 'pthread_rwlock_unlock', 'pthread_spin_unlock',
];
const rcu = [
  'rcu_read_(?:un)?lock(?:_bh|_sched)?', 'srcu_read_(?:un)?lock(?:_nmisafe)?', 'rcu_dereference(?:_bh|_sched|_check|_protected|_raw|_rtnl|_rtnl_net)?', 'rtnl_dereference', 'rtnl_net_dereference',
  'srcu_dereference(?:_check)?', 'rcu_access_pointer', 'rcu_assign_pointer', 'RCU_INIT_POINTER', 'rcu_replace_pointer(?:_rtnl|_rtnl_net)?',
  'call_rcu(?:_hurry)?', 'call_srcu', 'kv?free_rcu(?:_mightsleep)?', 'synchronize_(?:rcu(?:_expedited)?|net|srcu)', 'rcu_barrier', 'srcu_barrier',
  'list_(?:add|add_tail|del|replace)_rcu', 'hlist_(?:add_head|del|del_init)_rcu', '(?:h)?list_for_each_entry_rcu',
  'ovsrcu_(?:get|get_protected|set|set_hidden|init|postpone|synchronize|quiesce(?:_start|_end)?)', 'OVSRCU_TYPE',
];
const asserts = [
  'lockdep_assert_held(?:_write|_read|_once)?', 'lockdep_assert_not_held', 'lockdep_assert_none_held_once', 'lockdep_is_held', 'lockdep_rtnl_is_held',
  'ASSERT_RTNL(?:_NET)?', 'assert_spin_locked', 'rwsem_assert_held(?:_write)?', 'might_lock(?:_read|_nested)?', 'might_sleep', 'ovs_assert_locked',
  'OVS_REQUIRES', 'OVS_ACQUIRES', 'OVS_RELEASES', 'OVS_EXCLUDED', 'OVS_TRY_LOCK', 'OVS_ACQ_BEFORE', 'OVS_ACQ_AFTER', 'OVS_GUARDED(?:_BY)?', 'OVS_LOCKABLE',
  '__must_hold', '__acquires', '__releases', '__cond_acquires', '__guarded_by',
];
const alt = (xs) => `\\b(?:${xs.join('|')})\\b`;
const primitives = [
  { name: 'support.function.lock.acquire.locklens', match: `${alt(acquire)}(?=\\s*\\()` },
  { name: 'support.function.lock.release.locklens', match: `${alt(release)}(?=\\s*\\()` },
  { name: 'support.function.rcu.locklens', match: `${alt(rcu)}(?=\\s*\\()` },
  { name: 'storage.modifier.lock-annotation.locklens', match: alt(asserts) },
  { name: 'storage.modifier.rcu.locklens', match: '\\b__rcu\\b' },
];
const injection = {
  $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
  name: 'LockLens lock and RCU primitives',
  scopeName: 'locklens.lock-primitives.injection',
  injectionSelector: 'L:source.c -comment -string, L:text.mail.patch.locklens meta.diff.line',
  patterns: primitives,
};
const patch = {
  $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
  name: 'Patch series (LockLens)',
  scopeName: 'text.mail.patch.locklens',
  patterns: [
    { include: '#mbox-separator' },
    { include: '#subject' },
    { include: '#header' },
    { include: '#trailer' },
    { include: '#diff' },
    { include: '#diffstat' },
    { include: '#signature' },
    { include: '#quote' },
  ],
  repository: {
    'mbox-separator': { name: 'meta.separator.mbox.locklens comment.line.mbox', match: '^From \\S+ .*$' },
    subject: {
      match: '^(Subject)(:)\\s*((?:\\[(?![^\\]]*PATCH)[^\\]]*\\]\\s*)*)(\\[(?:RFC\\s+)?PATCH(?:\\s+[^\\]\\s]+)*?(?:\\s+(v\\d+))?(?:\\s+(\\d+/\\d+))?\\])?\\s*(.*)$',
      captures: {
        1: { name: 'keyword.other.header.mail.locklens' },
        2: { name: 'punctuation.separator.key-value.mail.locklens' },
        3: { name: 'entity.name.tag.list.locklens' },
        4: { name: 'entity.name.tag.patch.locklens' },
        5: { name: 'constant.numeric.version.locklens' },
        6: { name: 'constant.numeric.index.locklens' },
        7: { name: 'markup.heading.subject.locklens' },
      },
    },
    header: {
      match: '^(From|To|Cc|Date|Message-I[Dd]|In-Reply-To|References|Reply-To|Sender|MIME-Version|Content-[\\w-]+|X-[\\w-]+|List-[\\w-]+|Archive-link|Archived-At)(:)\\s*(.*)$',
      captures: {
        1: { name: 'keyword.other.header.mail.locklens' },
        2: { name: 'punctuation.separator.key-value.mail.locklens' },
        3: { name: 'string.unquoted.header-value.mail.locklens' },
      },
    },
    trailer: {
      match: '^(Signed-off-by|Acked-by|Reviewed-by|Tested-by|Reported-by|Suggested-by|Co-developed-by|Reported-and-tested-by|Fixes|Link|Closes|Cc|Message-ID)(:)\\s*(.*)$',
      captures: {
        1: { name: 'keyword.other.trailer.locklens' },
        2: { name: 'punctuation.separator.key-value.locklens' },
        3: { name: 'string.unquoted.trailer.locklens' },
      },
    },
    diff: {
      // A file diff runs from its header to the next file, message or signature: lines that
      // merely start with '-' or '+' in a commit message are not diff lines.
      begin: '^(?=diff --git |--- (?:a/|/dev/null))',
      end: '(?=^(?:From [0-9a-f]{7,40} |-- $|\\[PATCH))',
      patterns: [
        { name: 'meta.diff.header.git.locklens', match: '^diff --git .*$' },
        { name: 'meta.diff.index.locklens comment.line.index', match: '^(?:index [0-9a-f]+\\.\\.[0-9a-f]+.*|(?:new|deleted) file mode \\d+|(?:old|new) mode \\d+|similarity index \\d+%|rename (?:from|to) .*|copy (?:from|to) .*|Binary files .* differ)$' },
        { name: 'meta.diff.header.from-file.locklens', match: '^--- (?:a/.*|/dev/null)$' },
        { name: 'meta.diff.header.to-file.locklens', match: '^\\+\\+\\+ (?:b/.*|/dev/null)$' },
        {
          match: '^(@@)\\s+(-\\d+(?:,\\d+)?)\\s+(\\+\\d+(?:,\\d+)?)\\s+(@@)(.*)$',
          name: 'meta.diff.range.unified.locklens',
          captures: {
            1: { name: 'punctuation.definition.range.diff' },
            2: { name: 'meta.toc-list.line-number.diff constant.numeric.range.from.locklens' },
            3: { name: 'meta.toc-list.line-number.diff constant.numeric.range.to.locklens' },
            4: { name: 'punctuation.definition.range.diff' },
            5: { name: 'entity.name.function.section.locklens' },
          },
        },
        { begin: '^(\\+)', end: '$', beginCaptures: { 1: { name: 'punctuation.definition.inserted.diff' } }, name: 'markup.inserted.diff meta.diff.line.inserted.locklens' },
        { begin: '^(-)', end: '$', beginCaptures: { 1: { name: 'punctuation.definition.deleted.diff' } }, name: 'markup.deleted.diff meta.diff.line.deleted.locklens' },
        { name: 'comment.line.no-newline.locklens', match: '^\\\\ No newline at end of file$' },
        { begin: '^(?= )', end: '$', name: 'meta.diff.line.context.locklens' },
      ],
    },
    diffstat: {
      patterns: [
        { name: 'meta.separator.diffstat.locklens', match: '^---$' },
        { match: '^ (\\S.*?)\\s+\\|\\s+(\\d+)\\s+(\\+*)(-*)$', captures: { 1: { name: 'string.unquoted.filename.locklens' }, 2: { name: 'constant.numeric.locklens' }, 3: { name: 'markup.inserted.diff' }, 4: { name: 'markup.deleted.diff' } } },
        { name: 'comment.line.diffstat-summary.locklens', match: '^ \\d+ files? changed.*$' },
      ],
    },
    signature: { begin: '^-- $', end: '(?=^From [0-9a-f]{7,40} )', name: 'comment.block.signature.locklens' },
    quote: { name: 'markup.quote.mail.locklens', match: '^>.*$' },
  },
};
const config = { comments: {}, brackets: [['[', ']'], ['(', ')']], autoClosingPairs: [], surroundingPairs: [] };
/** File name → JSON text, exactly as written to disk. */
export function grammarFiles() {
  const text = (v) => JSON.stringify(v, null, 2) + '\n';
  return {
    'lock-primitives.injection.tmLanguage.json': text(injection),
    'locklens-patch.tmLanguage.json': text(patch),
    'patch-language-configuration.json': text(config),
  };
}

if (import.meta.url && process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = dirname(fileURLToPath(import.meta.url));
  for (const [name, text] of Object.entries(grammarFiles())) writeFileSync(join(dir, name), text);
}
