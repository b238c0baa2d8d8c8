/**
 * `text` with every lone surrogate (half of a UTF-16 pair, which JSON's `\ud800` escape can
 * carry) replaced by U+FFFD. SQLite stores text as UTF-8, where a lone surrogate has no
 * encoding: written as it is, it reads back as three U+FFFD, so what was said and what was
 * kept would differ. (String.prototype.toWellFormed, which Node 20 has but its types do not.)
 */
export function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
